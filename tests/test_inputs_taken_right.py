"""Inputs that used to be taken wrongly: uncapped raw threads, raw arguments whose errors named
nothing, masks dropped silently, sparse X, float32 overflow that depended on the kernel, and the
calibration's memory. Each ends in a clear error naming the argument, or the right answer."""
import os
import subprocess
import sys
import textwrap
import tracemalloc

import numpy as np
import pytest

import vlr
from vlr import calibration
from vlr.kernels import _shapes, full_numpy
from vlr.registry import FASTEST
from helpers import COMPILED, KERNELS, assert_matches, make_problem, reference

MAX = _shapes.MAX_THREADS
BAD_THREADS = [(10**6, ValueError), (MAX + 1, ValueError), (0, ValueError), (-1, ValueError),
               (1.9, TypeError), ("2", TypeError), (float("nan"), TypeError), (True, TypeError)]


@pytest.mark.parametrize("kernel", COMPILED)
@pytest.mark.parametrize("n_threads,error", BAD_THREADS, ids=[repr(t) for t, _ in BAD_THREADS])
def test_raw_thread_counts_are_capped_and_named(kernel, n_threads, error):
    module = vlr.get_kernel(kernel).module
    w, b, X, y = make_problem(1, 40_000, seed=1)
    for call in (lambda: module.gradients(w, b, X, y, n_threads=n_threads),
                 lambda: module.gradients_checked(w, b, X, y, n_threads),
                 lambda: module.train(w, b, X, y, 0.1, 2, n_threads=n_threads)):
        with pytest.raises(error, match="n_threads"):
            call()


@pytest.mark.parametrize("kernel", COMPILED)
def test_the_cap_itself_runs_and_matches(kernel):
    module = vlr.get_kernel(kernel).module
    w, b, X, y = make_problem(3, 40_000, seed=2)
    assert_matches(module.gradients(w, b, X, y, n_threads=MAX), reference(w, b, X, y), X)


def test_a_million_threads_cannot_end_the_process():
    # before: "libgomp: Thread creation failed" and exit status 1 (or 30 GiB of scratch)
    code = textwrap.dedent("""\
        import numpy as np
        from vlr.kernels import cython_omp, numba_jit
        for k in (cython_omp, numba_jit):
            for m in (40_000, 1_000_000):
                try:
                    k.gradients(np.ones(1), 0., np.ones((1, m)), np.zeros(m), n_threads=10**6)
                except ValueError as e:
                    print("refused:", e)
        """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("refused: n_threads must be in [1,") == 4, proc.stdout


RAW_TRAIN = {  # (alpha, iterations) -> (error, the argument its message names)
    (0.1, -1): (ValueError, "iterations"), (0.1, float("nan")): (TypeError, "iterations"),
    (0.1, 2**63): (ValueError, "iterations"), (0.1, 2.7): (TypeError, "iterations"),
    (0.1, "3"): (TypeError, "iterations"), (float("nan"), 3): (ValueError, "alpha"),
    (float("inf"), 3): (ValueError, "alpha"), (-1.0, 3): (ValueError, "alpha"),
    (0.0, 3): (ValueError, "alpha"), ("0.1", 3): (TypeError, "alpha"),
}


@pytest.mark.parametrize("kernel", COMPILED)
@pytest.mark.parametrize("alpha,iterations", list(RAW_TRAIN), ids=[repr(k) for k in RAW_TRAIN])
def test_raw_train_arguments_are_named(kernel, alpha, iterations):
    error, name = RAW_TRAIN[alpha, iterations]
    w, b, X, y = make_problem(3, 500, seed=3)
    with pytest.raises(error, match=name):
        vlr.get_kernel(kernel).module.train(w, b, X, y, alpha, iterations)


@pytest.mark.parametrize("kernel", KERNELS)
def test_raw_b_not_a_number_is_named(kernel):
    w, b, X, y = make_problem(3, 50, seed=4)
    for bad in ("x", None, [0.0], True):
        with pytest.raises(TypeError, match="b must be a real number"):
            vlr.get_kernel(kernel).module.gradients(w, bad, X, y)


@pytest.mark.parametrize("kernel", COMPILED)
def test_raw_w_and_y_of_any_stride(kernel):
    module = vlr.get_kernel(kernel).module
    w, b, X, y = make_problem(7, 3000, seed=5)
    expected = module.gradients(w, b, X, y)
    w2, y2 = np.repeat(w, 2), np.repeat(y, 2)
    for wv, yv in ((w2[::2], y), (w, y2[::2]), (w[::-1][::-1], y[::-1][::-1]),
                   (np.ascontiguousarray(w[::-1])[::-1], np.ascontiguousarray(y[::-1])[::-1])):
        J, dw, db = module.gradients(wv, b, X, yv)
        np.testing.assert_allclose([J, db], expected[::2], rtol=1e-14)
        np.testing.assert_allclose(dw, expected[1], rtol=1e-13)
        got = module.train(wv, b, X, yv, 0.1, 3)
        np.testing.assert_allclose(got[2], module.train(w, b, X, y, 0.1, 3)[2], rtol=1e-13)


def _masked(problem):
    w, b, X, y = problem
    mask = np.zeros(X.shape, bool)
    mask[0, 5] = True
    return np.ma.masked_array(X, mask), np.ma.masked_array(y, y > 0.5)


@pytest.mark.parametrize("kernel", KERNELS)
def test_masked_arrays_are_refused_not_dropped(kernel):
    w, b, X, y = problem = make_problem(3, 50, seed=6)
    Xm, ym = _masked(problem)
    module = vlr.get_kernel(kernel).module
    for call, name in ((lambda: vlr.gradients(w, b, Xm, y[None], kernel=kernel), "X"),
                       (lambda: vlr.gradients(w, b, X, ym[None], kernel=kernel), "Y"),
                       (lambda: vlr.gradients(np.ma.masked_array(w), b, X, y, kernel=kernel), "w"),
                       (lambda: vlr.train(Xm, y, 3, 0.1, kernel=kernel), "X"),
                       (lambda: module.gradients(w, b, Xm, y), "X"),
                       (lambda: module.gradients(w, b, X, ym), "y")):
        with pytest.raises(TypeError, match=rf"{name} is a masked array.*{name}\.filled"):
            call()
    Xm_before = Xm.copy()
    with pytest.raises(TypeError):
        vlr.gradients(w, b, Xm, y)
    np.testing.assert_array_equal(Xm.mask, Xm_before.mask)  # nothing mutated


def test_masked_dask_blocks_and_the_estimator_are_refused():
    da = pytest.importorskip("dask.array")
    w, b, X, y = problem = make_problem(3, 400, seed=7)
    Xm, ym = _masked(problem)
    with pytest.raises(TypeError, match="X is a masked array"):
        vlr.gradients(w, b, da.from_array(Xm, chunks=(3, 100)), y)
    with pytest.raises(TypeError, match="Y is a masked array"):
        vlr.gradients(w, b, da.from_array(X, chunks=(3, 100)), da.from_array(ym, chunks=100))
    with pytest.raises(TypeError, match="X is a masked array"):
        vlr.train(da.from_array(Xm, chunks=(3, 100)), y, 2, 0.1)
    with pytest.raises(TypeError, match="X is a masked array"):
        vlr.LogisticRegression().fit(Xm.T, (y > 0.5).astype(int))


def test_sparse_X_gets_a_clear_error():
    sparse = pytest.importorskip("scipy.sparse")
    w, b, X, y = make_problem(3, 50, seed=8)
    for S in (sparse.csr_matrix(X), sparse.csc_array(X), sparse.coo_matrix(X)):
        with pytest.raises(TypeError, match=r"X is a scipy.sparse .*not|X is a scipy.sparse .*toarray"):
            vlr.gradients(w, b, S, y)
        with pytest.raises(TypeError, match="toarray"):
            vlr.train(S, y, 2, 0.1)


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("m", [300, 5000])
def test_float32_overflow_of_z_is_one_error_for_every_kernel(order, m):
    X = np.asarray(np.full((3, m), 1e20, np.float32), order=order)
    w, y = np.full(3, 1e20, np.float32), np.zeros(m, np.float32)
    for kernel in KERNELS + ["auto"]:
        with np.errstate(all="ignore"), pytest.raises(ValueError, match="z = wᵀX \\+ b overflowed float32"):
            vlr.gradients(w, 0.0, X, y, kernel=kernel)
    # just below float32's range, every kernel answers
    w_ok = np.full(3, 1e18, np.float32)
    for kernel in KERNELS:
        J, dw, db = vlr.gradients(w_ok, 0.0, X, y, kernel=kernel)
        np.testing.assert_allclose(J, 3e38, rtol=1e-5)


@pytest.mark.parametrize("kernel", ["numpy", "numba", "cython"])
def test_overflow_messages_name_what_overflowed(kernel):
    # dw's sum overflows float32 while z does not: the message says dw, not z
    X = np.full((2, 1000), 3e38, np.float32)
    with np.errstate(all="ignore"), pytest.raises(ValueError, match=r"dw = X·dz / m overflowed float32 .*although z did not"):
        vlr.gradients(np.full(2, 1e-40, np.float32), 0.0, X, np.zeros(1000, np.float32), kernel=kernel)
    # a huge alpha makes training diverge: the message says so and names alpha
    rng = np.random.default_rng(1)
    X = (10 * rng.standard_normal((3, 1000))).astype(np.float32)
    y = (rng.random(1000) > 0.5).astype(np.float32)
    with np.errstate(all="ignore"), pytest.raises(ValueError, match="training diverged.*lower alpha"):
        vlr.train(X, y, 5, 3e38, kernel=kernel)


def test_estimator_learning_rate_inf_is_named():
    X = np.random.default_rng(0).standard_normal((50, 3))
    for bad in (np.inf, np.nan, -1.0, "0.1"):
        with pytest.raises(ValueError, match="learning_rate"):
            vlr.LogisticRegression(solver="gd", learning_rate=bad).fit(X, X[:, 0] > 0)


def test_numpy_temporaries_bound_is_an_upper_bound():
    for dtype in (np.float64, np.float32):
        w, b, X, y = make_problem(1, 1 << 18, seed=9, dtype=dtype)
        full_numpy.gradients(w, b, X, y)
        tracemalloc.start()
        try:
            full_numpy.gradients(w, b, X, y)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak <= full_numpy.temporary_bytes(X.shape[1], X.itemsize)


def test_first_auto_call_at_one_feature_stays_within_the_memory_budget(tmp_path, monkeypatch, caplog):
    # before: 8.4x X (267 MB for a 32 MB X), NumPy's temporaries timed
    monkeypatch.setenv("VLR_CACHE_DIR", str(tmp_path))
    FASTEST.reset()
    try:
        w, b, X, y = make_problem(1, 1 << 22, seed=10)  # 32 MiB
        budget = max(calibration.MEMORY_BUDGET_BYTES, X.nbytes // 4)
        tracemalloc.start()
        try:
            with caplog.at_level("INFO", logger="vlr"):
                result = vlr.gradients(w, b, X, y)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak <= budget, f"{peak / 2**20:.0f} MiB allocated, budget {budget / 2**20:.0f} MiB"
        assert any("numpy not timed: its temporaries" in r.getMessage() for r in caplog.records)
        assert_matches(result, vlr.gradients(w, b, X, y, kernel="numba"), X)
    finally:
        FASTEST.reset()
        os.environ.pop("VLR_FASTEST", None)


def test_a_transposed_X_gets_the_hint_whichever_check_trips_first():
    w, b, X, y = make_problem(5, 300, seed=11)
    for W, Y in ((w[:, None], y[None]), (w, y)):  # w trips first (Y too would)
        with pytest.raises(ValueError, match=r"w must have shape \(300, 1\).*did you pass X.T\?"):
            vlr.gradients(W, b, X.T, Y)
    with pytest.raises(ValueError, match=r"Y must have shape.*did you pass X.T\?"):
        vlr.gradients(np.zeros(300), b, X.T, y[None])  # w fits X.T: Y trips
    with pytest.raises(ValueError, match="did you pass X.T"):
        vlr.train(X.T, y, 2, 0.1, w0=w)
