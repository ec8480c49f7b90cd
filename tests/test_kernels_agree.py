"""Every kernel equals the two-loop reference over a grid of shapes, dtypes and layouts."""
import functools

import numpy as np
import pytest

import vlr
from helpers import COMPILED, FAST, assert_matches, make_problem, reference

SHAPES = [(1, 1), (1, 2000), (2, 3), (7, 100), (7, 2000), (64, 1), (64, 100), (64, 2000)]
DTYPES = [np.float64, np.float32]


@functools.lru_cache(maxsize=None)
def case(n_x, m, seed, dtype, order):
    w, b, X, y = make_problem(n_x, m, seed=seed, dtype=dtype, order=order, fractional=seed == 1)
    return (w, b, X, y), reference(w, b, X, y)


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("n_x,m", SHAPES)
@pytest.mark.parametrize("kernel", FAST)
def test_raw_kernel_matches_reference(kernel, n_x, m, seed, dtype, order):
    (w, b, X, y), expected = case(n_x, m, seed, dtype, order)
    assert_matches(vlr.get_kernel(kernel).module.gradients(w, b, X, y), expected, X)


@pytest.mark.parametrize("n_threads", [1, 2, 3])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kernel", COMPILED)
def test_compiled_kernels_any_thread_count(kernel, dtype, order, n_threads):
    (w, b, X, y), expected = case(64, 2000, 0, dtype, order)
    module = vlr.get_kernel(kernel).module
    assert_matches(module.gradients(w, b, X, y, n_threads=n_threads), expected, X)


@pytest.mark.parametrize("kernel", FAST)
@pytest.mark.parametrize("w_2d,Y_2d", [(True, True), (False, False), (True, False), (False, True)])
def test_public_interface_shapes(kernel, w_2d, Y_2d):
    (w, b, X, y), (J_ref, dw_ref, db_ref) = case(7, 100, 0, np.float64, "C")
    w_in = w.reshape(-1, 1) if w_2d else w
    Y_in = y.reshape(1, -1) if Y_2d else y
    J, dw, db = vlr.gradients(w_in, b, X, Y_in, kernel=kernel)
    assert dw.shape == w_in.shape
    assert_matches((J, dw.ravel(), db), (J_ref, dw_ref, db_ref), X)
    step = vlr.gradient_step(w_in, b, X, Y_in, 0.5, kernel=kernel)
    assert step.w.shape == w_in.shape and step.dw.shape == w_in.shape
    np.testing.assert_allclose(step.w.ravel(), w - 0.5 * dw_ref, rtol=1e-12)
    assert step.b == pytest.approx(b - 0.5 * db_ref, rel=1e-12)
    assert step.J == pytest.approx(J_ref, rel=1e-10)


@pytest.mark.parametrize("kernel", FAST)
def test_kernel_object_and_module_functions_agree(kernel):
    (w, b, X, y), _ = case(7, 100, 0, np.float64, "F")
    k = vlr.get_kernel(kernel)
    assert k.name == kernel
    J1, dw1, db1 = k.gradients(w, b, X, y)
    J2, dw2, db2 = vlr.gradients(w, b, X, y, kernel=kernel)
    assert (J1, db1) == (J2, db2)
    np.testing.assert_array_equal(dw1, dw2)
    s1, s2 = k.gradient_step(w, b, X, y, 0.1), vlr.gradient_step(w, b, X, y, 0.1, kernel=k)
    np.testing.assert_array_equal(s1.w, s2.w)
    assert s1.b == s2.b


@pytest.mark.parametrize("kernel", FAST)
def test_strided_and_negative_stride_views(kernel):
    (w, b, X, y), _ = case(64, 2000, 0, np.float64, "C")
    for view in (X[::2, ::3], X[::-1, ::-1], X.T.copy().T[:, 5:]):
        wv = np.ascontiguousarray(w[: view.shape[0]])
        yv = np.ascontiguousarray(y[: view.shape[1]])
        assert_matches(vlr.get_kernel(kernel).module.gradients(wv, b, view, yv),
                       reference(wv, b, view, yv), view)


@pytest.mark.parametrize("n_threads", [2, 3])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_x,m", [(3001, 37), (700, 1000), (20000, 3)])
def test_wide_and_short_rows_path(n_x, m, dtype, n_threads):
    # C-ordered X with fewer examples per thread than a tile: the Numba kernel reads bands of
    # whole rows (twice) instead of tiles; it must agree with the reference, give the same bits
    # again for a fixed thread count, and train as the step does
    from vlr.kernels import numba_jit
    from vlr.kernels._plan import MIN_TILE, PARALLEL_MIN_ELEMENTS
    assert n_x * m >= PARALLEL_MIN_ELEMENTS and m < MIN_TILE * n_threads  # the path under test
    (w, b, X, y), expected = case(n_x, m, 0, dtype, "C")
    first = numba_jit.gradients(w, b, X, y, n_threads=n_threads)
    assert_matches(first, expected, X)
    again = numba_jit.gradients(w, b, X, y, n_threads=n_threads)
    assert first[0] == again[0] and first[2] == again[2] and np.array_equal(first[1], again[1])
    strided = np.repeat(X, 2, axis=1)[:, ::2]  # the same values, rows not contiguous
    assert_matches(numba_jit.gradients(w, b, strided, y, n_threads=n_threads), expected, X)
    w2, b2, costs = numba_jit.train(w, b, X, y, 0.1, 1, n_threads=n_threads)
    J, dw, db = first
    assert costs[0] == pytest.approx(J, rel=1e-12)
    np.testing.assert_allclose(w2, w - X.dtype.type(0.1) * dw,
                               rtol=1e-5 if dtype == np.float32 else 1e-12, atol=0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_threads", [1, 2])
def test_long_columns_four_examples_at_a_time(dtype, n_threads):
    # F-ordered X with long columns: the Numba kernel's dot products and dw sweeps take four
    # examples at a time, and the last examples (m = 4k + 3) one at a time
    from vlr.kernels import numba_jit
    (w, b, X, y), expected = case(300, 1003, 1, dtype, "F")
    assert_matches(numba_jit.gradients(w, b, X, y, n_threads=n_threads), expected, X)


@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_x", [4, 8, 10, 13, 16, 23, 30])
@pytest.mark.parametrize("kernel", COMPILED)
def test_features_adjacent_in_four_streams(kernel, n_x, dtype, n_threads):
    # F-ordered X: both compiled kernels read each thread's examples as four quarters side by
    # side, a tile of each at a time, and the last 0-3 examples alone (the Cython kernel also
    # sums a tile's dw in the loop of the next tile's z). m gives each thread several full tiles
    # per quarter, a shorter last tile, and a remainder; n_x leaves features after the vectors,
    # or none, in one vector or two (the Cython kernel's paths for a few features).
    from vlr.kernels._plan import plan
    module = vlr.get_kernel(kernel).module
    m = 4 * 3 * 4096 * n_threads + 4 * 700 * n_threads + 3
    (w, b, X, y), expected = case(n_x, m, 1, dtype, "F")
    _, tile, n_chunks = plan(X, n_threads, module.default_threads)
    assert n_chunks == n_threads and m // n_chunks // 4 > 2 * (tile // 4)  # several tiles a quarter
    assert_matches(module.gradients(w, b, X, y, n_threads=n_threads), expected, X)
    for view in (X[:, ::-1], X[:, ::2]):  # examples backwards; examples at twice the stride
        yv = np.ascontiguousarray(y[::-1] if view.strides[1] < 0 else y[::2])
        assert_matches(module.gradients(w, b, view, yv, n_threads=n_threads),
                       reference(w, b, view, yv), view)
    view, wv = X[::2], np.ascontiguousarray(w[::2])  # features at a stride: no four streams
    assert_matches(module.gradients(wv, b, view, y, n_threads=n_threads),
                   reference(wv, b, view, y), view)
    w2, b2, costs = module.train(w, b, X, y, 0.1, 1, n_threads=n_threads)
    assert costs[0] == pytest.approx(expected[0], rel=1e-5 if dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("column_bytes", [40, 80, 128, 256, 4096, 8000])
def test_four_streams_start_apart_in_the_page(column_bytes):
    # The Numba kernel's quarter (the Cython kernel's is the same rule): at most 63 examples
    # shorter than n // 4, the streams 1 or 3 KB apart modulo 4 KB where some length allows it
    from vlr.kernels.numba_jit import _quarter
    for n in (1024, 4 * 65536, 4 * 65536 + 3, 10**7):
        q = _quarter(n, column_bytes)
        assert n // 4 - 63 <= q <= n // 4
        def gap(length):
            r = length * column_bytes % 4096
            return min(abs(r - 1024), abs(r - 3072))
        assert gap(q) == min(gap(length) for length in range(n // 4 - 63, n // 4 + 1))
    assert _quarter(1020, 128) == 255  # short quarters are left alone


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_x", [6, 10, 23, 30])
@pytest.mark.parametrize("kernel", COMPILED)
def test_a_tail_of_features_non_finite_where_the_reference_is(kernel, n_x, dtype):
    # F-ordered X: the Cython kernel reads a column's last features as a vector
    # overlapping the one before and clears the overlapped lanes after the products: an inf in
    # such a lane does not become a NaN (0 × inf) that would spread to dz and every dw, so J,
    # dw and db are non-finite exactly where the reference's are.
    module = vlr.get_kernel(kernel).module
    (w, b, X, y), _ = case(n_x, 3 * 4096 * 4 + 5, 0, dtype, "F")
    X = X.copy(order="F")
    lanes = 8 if dtype == np.float32 else 4
    X[n_x - lanes, 5000] = np.inf  # the tail vector's first lane: overlapped
    J, dw, db = module.gradients(w, b, X, y, n_threads=1)
    J_ref, dw_ref, db_ref = reference(w, b, X, y)
    assert np.isfinite(J) == np.isfinite(J_ref) and np.isfinite(db) == np.isfinite(db_ref)
    np.testing.assert_array_equal(np.isfinite(dw), np.isfinite(dw_ref))
    assert np.isfinite(dw_ref).sum() == n_x - 1  # z = ±inf there: dz, and the rest of dw, finite
