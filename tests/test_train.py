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
    w_ref, b_ref, costs_ref = w0.copy(), 0.1, []
    for _ in range(20):  # what vlr.train does with a kernel that has no compiled loop
        J, dw, db = module.gradients(w_ref, b_ref, X, y, n_threads=n_threads)
        costs_ref.append(J)
        w_ref = w_ref - dtype(0.5) * dw
        b_ref = b_ref - 0.5 * db
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
