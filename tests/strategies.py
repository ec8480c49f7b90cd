"""Hypothesis strategies for the hardening tests: shapes, dtypes, memory layouts and values."""
import numpy as np
from hypothesis import strategies as st

#: Sizes around the kernels' boundaries: vector widths (4/8/16), the 4-row blocks, tiles of
#: 512+ examples, primes next to them.
N_X_SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33]
M_SIZES = [1, 2, 3, 7, 8, 9, 15, 16, 17, 63, 64, 65, 127, 509, 512, 521, 1031, 1310, 1311, 2053]
LAYOUTS = ["C", "F", "C cols[::2]", "C rows[::2]", "C cols[::-1]", "F rows[::-1]", "read-only",
           "unaligned", "C cols[1::3] F"]


def _unaligned(a):
    """A copy of ``a`` whose data start one byte off alignment (C order)."""
    raw = np.zeros(a.nbytes + a.itemsize, dtype=np.uint8)
    u = np.frombuffer(raw.data, dtype=a.dtype, count=a.size, offset=1).reshape(a.shape)
    u[...] = a
    assert not u.flags.aligned
    return u


def lay_out(X, layout):
    """X (values of the problem) in ``layout``: the same values, another memory arrangement."""
    n_x, m = X.shape
    if layout == "C":
        return np.ascontiguousarray(X)
    if layout == "F":
        return np.asfortranarray(X)
    if layout == "C cols[::2]":
        big = np.zeros((n_x, 2 * m), dtype=X.dtype)
        big[:, ::2] = X
        return big[:, ::2]
    if layout == "C rows[::2]":
        big = np.zeros((2 * n_x, m), dtype=X.dtype)
        big[::2] = X
        return big[::2]
    if layout == "C cols[::-1]":
        return np.ascontiguousarray(X[:, ::-1])[:, ::-1]
    if layout == "F rows[::-1]":
        return np.asfortranarray(X[::-1])[::-1]
    if layout == "read-only":
        out = np.array(X)
        out.setflags(write=False)
        return out
    if layout == "unaligned":
        return _unaligned(np.ascontiguousarray(X))
    if layout == "C cols[1::3] F":
        big = np.zeros((3 * m + 1, n_x), dtype=X.dtype)  # F-like: examples' features adjacent
        big[1::3] = X.T
        return big[1::3].T
    raise ValueError(layout)


@st.composite
def problems(draw, max_elements=40_000):
    """(w, b, X, y, description): values spanning tiny to huge, in any layout."""
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    n_x = draw(st.sampled_from(N_X_SIZES))
    m = draw(st.sampled_from([s for s in M_SIZES if s * n_x <= max_elements]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    tiny = np.finfo(dtype).smallest_subnormal
    # X's magnitude and how saturated z is; w scales with 1/|X| so z = O(z_scale) (no
    # catastrophic cancellation in z, where float32 kernels may rightly differ from float64)
    x_scale = draw(st.sampled_from([1e-30, 1e-5, 1.0, 1e5, 1e30] if dtype == np.float64
                                   else [1e-15, 1e-5, 1.0, 1e5, 1e15]))
    z_scale = draw(st.sampled_from([0.0, 1e-3, 1.0, 30.0, 1e4]))
    X = rng.standard_normal((n_x, m)) * x_scale
    special = rng.random((n_x, m))
    X[special < 0.05] = 0.0
    X[(special >= 0.05) & (special < 0.08)] = -0.0
    X[(special >= 0.08) & (special < 0.1)] = tiny * rng.integers(1, 100)
    w = rng.standard_normal(n_x) * (z_scale / x_scale / np.sqrt(n_x))
    labels = draw(st.sampled_from(["binary", "fractional", "all 0", "all 1"]))
    y = {"binary": (rng.random(m) < 0.5).astype(float), "fractional": rng.random(m),
         "all 0": np.zeros(m), "all 1": np.ones(m)}[labels]
    b = draw(st.sampled_from([0.0, -0.0, 0.5, -3.0])) * max(z_scale, 1.0)
    layout = draw(st.sampled_from(LAYOUTS))
    X = lay_out(X.astype(dtype), layout)
    description = (f"{np.dtype(dtype).name} n_x={n_x} m={m} layout={layout!r} x_scale={x_scale:g} "
                   f"z_scale={z_scale:g} labels={labels} seed={seed}")
    return w.astype(dtype), float(b), X, y.astype(dtype), description
