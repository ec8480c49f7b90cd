"""Problem generators and per-dtype tolerances shared by the tests."""
import numpy as np

from vlr.kernel import KERNELS as _KERNELS
from vlr.kernels import two_loops

KERNELS = list(_KERNELS)
COMPILED = ["numba", "cython"]
FAST = ["one_loop", "numpy", "numba", "cython"]  # everything checked against the reference

#: (rtol, atol relative to max|X|) per dtype. float64 kernels differ only by rounding; float32
#: kernels that compute z in float32 (numpy, one_loop) lose ~n_x·eps32 relative.
TOLERANCE = {np.dtype(np.float64): (1e-10, 1e-12), np.dtype(np.float32): (2e-4, 2e-5)}


def make_problem(n_x, m, seed=0, dtype=np.float64, order="C", scale=1.0, fractional=False):
    """A random problem with z = wᵀx + b of order ``scale``; returns (w, b, X, y) in raw-kernel form."""
    rng = np.random.default_rng(seed)
    X = np.asarray(rng.standard_normal((n_x, m)), dtype=dtype, order=order)
    w = (rng.standard_normal(n_x) * scale / np.sqrt(n_x)).astype(dtype)
    y = rng.random(m) if fractional else (rng.random(m) < 0.5).astype(float)
    b = float(rng.standard_normal() * 0.1 * scale)
    return w, b, X, y.astype(dtype)


def reference(w, b, X, y):
    """The two-loop kernel's result, the study's reference."""
    return two_loops.gradients(w, b, X, y)


def assert_matches(result, expected, X):
    """Assert (J, dw, db) equals the reference within ``X.dtype``'s tolerance."""
    J, dw, db = result
    J_ref, dw_ref, db_ref = expected
    rtol, atol_per_x = TOLERANCE[X.dtype]
    atol = atol_per_x * max(1.0, float(np.max(np.abs(X))))
    assert dw.dtype == X.dtype, f"dw has dtype {dw.dtype}, X has {X.dtype}"
    assert dw.shape == np.shape(dw_ref)
    np.testing.assert_allclose(J, J_ref, rtol=rtol, atol=atol, err_msg="J")
    np.testing.assert_allclose(db, db_ref, rtol=rtol, atol=atol, err_msg="db")
    np.testing.assert_allclose(dw, dw_ref, rtol=rtol, atol=atol, err_msg="dw")
