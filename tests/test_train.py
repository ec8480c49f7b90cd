"""train: the cost decreases on separable data; every kernel trains to the same model."""
import numpy as np
import pytest

import vlr
from helpers import FAST


def separable(m=200, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((2, m))
    Y = (X[0] + 0.5 * X[1] > 0).astype(float).reshape(1, m)
    return X, Y


def test_cost_decreases_on_separable_data():
    X, Y = separable()
    w, b, costs = vlr.train(X, Y, 200, 0.5, kernel="two_loops")
    assert costs.shape == (200,)
    assert costs[0] == pytest.approx(np.log(2))
    assert np.all(np.diff(costs) < 0)
    assert costs[-1] < 0.2
    assert w.shape == (2, 1)
    accuracy = np.mean(((w.T @ X + b) > 0) == (Y > 0.5))
    assert accuracy > 0.97


@pytest.mark.parametrize("kernel", FAST)
def test_every_kernel_trains_to_the_reference(kernel):
    X, Y = separable(seed=1)
    w_ref, b_ref, costs_ref = vlr.train(X, Y, 50, 0.5, kernel="two_loops", w0=np.ones(2), b0=0.1)
    w, b, costs = vlr.train(X, Y, 50, 0.5, kernel=kernel, w0=np.ones(2), b0=0.1)
    assert w.shape == (2,)
    np.testing.assert_allclose(w, w_ref, rtol=1e-9)
    assert b == pytest.approx(b_ref, rel=1e-9)
    np.testing.assert_allclose(costs, costs_ref, rtol=1e-9)


def test_train_equals_repeated_gradient_step():
    X, Y = separable(seed=2)
    w, b = np.zeros((2, 1)), 0.0
    costs = []
    for _ in range(5):
        s = vlr.gradient_step(w, b, X, Y, 0.3, kernel="numpy")
        w, b = s.w, s.b
        costs.append(s.J)
    result = vlr.train(X, Y, 5, 0.3, kernel="numpy")
    np.testing.assert_allclose(result.w, w, rtol=1e-14)
    assert result.b == pytest.approx(b, rel=1e-14)
    np.testing.assert_allclose(result.costs, costs, rtol=1e-14)


def test_zero_iterations_returns_the_start():
    X, Y = separable()
    w, b, costs = vlr.train(X, Y, 0, 0.1, w0=[[1.0], [2.0]], b0=3)
    np.testing.assert_array_equal(w, [[1.0], [2.0]])
    assert b == 3.0 and costs.size == 0


def test_float32_training_stays_float32():
    X, Y = separable()
    w, b, costs = vlr.train(X.astype(np.float32), Y, 20, 0.5, kernel="cython")
    assert w.dtype == np.float32
    assert costs[-1] < costs[0]


def _stepped(module, w0, b0, X, y, alpha, iterations, n_threads):
    """What vlr.train does with a kernel that has no compiled loop: ``module.gradients``, then
    the update in NumPy, ``iterations`` times; returns (w, b, costs)."""
    w, b, costs = w0.copy(), b0, []
    for _ in range(iterations):
        J, dw, db = module.gradients(w, b, X, y, n_threads=n_threads)
        costs.append(J)
        w = w - X.dtype.type(alpha) * dw
        b = b - alpha * db
    return w, b, costs


@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("kernel", [k for k in FAST if hasattr(vlr.get_kernel(k).module, "train")])
def test_in_kernel_train_equals_stepping_the_same_kernel(kernel, dtype, order, n_threads):
    rng = np.random.default_rng(5)
    X = np.asarray(rng.standard_normal((40, 1500)), dtype=dtype, order=order)  # threaded size
    y = (X[0] > 0).astype(dtype)
    w0 = np.zeros(40, dtype=dtype)
    module = vlr.get_kernel(kernel).module
    w, b, costs = module.train(w0, 0.1, X, y, 0.5, 20, n_threads=n_threads)
    w_ref, b_ref, costs_ref = _stepped(module, w0, 0.1, X, y, 0.5, 20, n_threads)
    assert w.dtype == dtype
    np.testing.assert_allclose(w, w_ref, rtol=1e-12 if dtype == np.float64 else 1e-5)
    assert b == pytest.approx(b_ref, rel=1e-12)
    np.testing.assert_allclose(costs, costs_ref, rtol=1e-12)
    np.testing.assert_array_equal(w0, 0)  # the start is not modified


def test_in_kernel_train_reports_non_finite_X():
    X = np.ones((3, 50))
    X[1, 7] = np.nan
    with pytest.raises(ValueError, match="X contains NaN or inf"):
        vlr.train(X, np.ones(50), 5, 0.1, kernel="numba")


TEAM_PROBE = """
import json, sys
import numpy as np
import vlr
module = vlr.get_kernel("cython").module
rng = np.random.default_rng(7)
out = []
for order in "CF":
    for dtype in (np.float64, np.float32):
        X = np.asarray(rng.standard_normal((10, 1000)), dtype=dtype, order=order)
        y = (X[0] + rng.standard_normal(1000) > 0).astype(dtype)
        w, b, costs = module.train(np.zeros(10, dtype), 0.0, X, y, 0.5, 25, n_threads=2,
                                   cost_every=3)
        out.append([w.tolist(), b, costs.tolist()])
print(json.dumps(out))
"""


def test_cython_team_trains_alike_with_fewer_threads_than_asked():
    """The Cython training loop keeps one team of threads for the whole descent (10×1000 X is
    small enough for one thread per step, large enough for a team). OpenMP may start fewer
    threads than asked (OMP_THREAD_LIMIT here): the chunks then go round the team, and every
    bit of w, b and the costs is the same."""
    import os
    import subprocess
    import sys
    if not vlr.get_kernel("cython").module.OPENMP:
        pytest.skip("the Cython kernel was built without OpenMP")
    runs = []
    for limit in ("1", "2"):
        env = dict(os.environ, OMP_THREAD_LIMIT=limit)
        done = subprocess.run([sys.executable, "-c", TEAM_PROBE], capture_output=True, text=True,
                              env=env, timeout=300)
        assert done.returncode == 0, done.stderr
        runs.append(done.stdout.splitlines()[-1])
    assert runs[0] == runs[1]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("order", ["C", "F"])
def test_cython_team_train_equals_stepping(dtype, order):
    """At a size where each step alone runs on one thread but the training loop on a team of
    two, the trained model is the one stepping gives (the sums split in two chunks: rounding
    apart)."""
    from vlr.kernels._plan import plan
    module = vlr.get_kernel("cython").module
    rng = np.random.default_rng(8)
    X = np.asarray(rng.standard_normal((10, 1000)), dtype=dtype, order=order)
    y = (X[0] + rng.standard_normal(1000) > 0).astype(dtype)
    if module.OPENMP:
        assert plan(X, 2, module.default_threads, team=True)[2] == 2
        assert plan(X, 2, module.default_threads)[2] == 1
    w0 = np.zeros(10, dtype)
    w, b, costs = module.train(w0, 0.0, X, y, 0.5, 30, n_threads=2)
    w_ref, b_ref, costs_ref = _stepped(module, w0, 0.0, X, y, 0.5, 30, 2)
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(w, w_ref, rtol=rtol)
    assert b == pytest.approx(b_ref, rel=rtol)
    np.testing.assert_allclose(costs, costs_ref, rtol=rtol)
