"""X on Dask: a real LocalCluster (worker processes on loopback) gives the single-machine results."""
import numpy as np
import pytest

import vlr
from helpers import make_problem

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        yield client


def _problem(dtype=np.float64, m=6000, n_x=7, chunks=1000):
    w, b, X, y = make_problem(n_x, m, seed=11, dtype=dtype)
    return w, b, X, y, da.from_array(X, chunks=(n_x, chunks))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kernel", ["auto", "numba", "cython", "numpy"])
def test_gradients_on_the_cluster_equal_one_machine(client, dtype, kernel):
    w, b, X, y, Xd = _problem(dtype)
    with distributed.get_task_stream(client) as stream:
        J, dw, db = vlr.gradients(w, b, Xd, y, kernel=kernel)
    J1, dw1, db1 = vlr.gradients(w, b, X, y, kernel=kernel)
    rtol = 1e-10 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose([J, db], [J1, db1], rtol=rtol)
    np.testing.assert_allclose(dw, dw1, rtol=rtol, atol=1e-7 if dtype == np.float32 else 0)
    assert dw.dtype == dtype and dw.shape == w.shape
    assert {t["worker"] for t in stream.data} == set(client.scheduler_info()["workers"])


def test_uneven_chunks_and_dask_labels(client):
    w, b, X, y, _ = _problem(m=5003)
    Xd = da.from_array(X, chunks=(7, (1000, 3, 2000, 2000)))
    yd = da.from_array(y[None, :], chunks=(1, 700))  # chunks unlike X's: aligned by vlr
    J, dw, db = vlr.gradients(w.reshape(-1, 1), b, Xd, yd)
    J1, dw1, db1 = vlr.gradients(w.reshape(-1, 1), b, X, y)
    np.testing.assert_allclose([J, db], [J1, db1], rtol=1e-10)
    np.testing.assert_allclose(dw, dw1, rtol=1e-10)
    assert dw.shape == (7, 1)


def test_train_on_the_cluster_equals_one_machine(client):
    w, b, X, y, Xd = _problem()
    result = vlr.train(Xd, y, 15, 0.5, w0=w, b0=b)
    expected = vlr.train(X, y, 15, 0.5, kernel="numba", w0=w, b0=b)
    np.testing.assert_allclose(result.costs, expected.costs, rtol=1e-10)
    np.testing.assert_allclose(result.w, expected.w, rtol=1e-9)
    assert result.b == pytest.approx(expected.b, rel=1e-9)
    step = vlr.gradient_step(w, b, Xd, y, 0.5)
    assert step.J == pytest.approx(result.costs[0], rel=1e-12)
    # cost_every changes no step: bit-identical with one kernel named ("auto" may pick numba for a
    # block on one call and cython, within an ulp of it, on the next while a worker calibrates)
    every = vlr.train(Xd, y, 15, 0.5, kernel="numba", w0=w, b0=b)
    sparse = vlr.train(Xd, y, 15, 0.5, kernel="numba", w0=w, b0=b, cost_every=4)  # J before 0, 4, 8, 12
    np.testing.assert_array_equal(sparse.costs, every.costs[::4])
    np.testing.assert_array_equal(sparse.w, every.w)


def test_lbfgs_on_the_cluster_equals_one_machine(client):
    # the same optimizer, each evaluation one distributed pass: the same coefficients
    w, b, X, y, Xd = _problem(m=6000)
    with distributed.get_task_stream(client) as stream:
        result = vlr.fit_lbfgs(Xd, y, C=0.5, tol=1e-10, max_iter=200)
    local = vlr.fit_lbfgs(X, y, C=0.5, tol=1e-10, max_iter=200)
    assert result.converged and local.converged
    np.testing.assert_allclose(result.w, local.w, rtol=1e-8)
    assert result.b == pytest.approx(local.b, rel=1e-8)
    assert result.objective == pytest.approx(local.objective, rel=1e-12)
    assert {t["worker"] for t in stream.data} == set(client.scheduler_info()["workers"])


def test_bad_input_on_dask(client):
    w, b, X, y, Xd = _problem()
    with pytest.raises(ValueError, match=r"chunked over examples only.*rechunk"):
        vlr.gradients(w, b, da.from_array(X, chunks=(3, 1000)), y)
    with pytest.raises(ValueError, match="Y must have shape"):
        vlr.gradients(w, b, Xd, y[:-1])
    with pytest.raises(ValueError, match="w must have shape"):
        vlr.gradients(w[:-1], b, Xd, y)
    with pytest.raises(TypeError, match="float32 or float64"):
        vlr.gradients(w, b, Xd.astype(np.int64), y)
    y_bad = y.copy()
    y_bad[4321] = 2.0
    with pytest.raises(ValueError, match=r"labels in \[0, 1\]"):
        vlr.gradients(w, b, Xd, y_bad)
    X_bad = X.copy()
    X_bad[3, 5555] = np.nan
    with pytest.raises(ValueError, match="X contains NaN or inf"):
        vlr.gradients(w, b, da.from_array(X_bad, chunks=(7, 1000)), y)
    with pytest.raises(ValueError, match="unknown kernel"):
        vlr.train(Xd, y, 3, 0.1, kernel="fortran")
