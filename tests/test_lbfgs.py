"""L-BFGS fitting (vlr.fit_lbfgs, vlr.LogisticRegression(solver="lbfgs")) against scikit-learn."""
import tracemalloc
import warnings

import numpy as np
import pytest

import vlr

sklearn = pytest.importorskip("sklearn")
from sklearn.datasets import load_breast_cancer  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from vlr import LogisticRegression  # noqa: E402


def sklearn_objective(X, y01, coef, intercept, C):
    """scikit-learn's objective divided by C·m: mean log-loss + ‖w‖² / (2·C·m)."""
    z = X @ np.ravel(coef) + intercept
    mean_loss = np.mean(np.logaddexp(0, z) - y01 * z)
    return mean_loss + (0.0 if np.isinf(C) else float(np.ravel(coef) @ np.ravel(coef)) / (2 * C * len(y01)))


def breast_cancer(features=None):
    data = load_breast_cancer()
    X = data.data if features is None else data.data[:, [list(data.feature_names).index(f)
                                                         for f in features]]
    return StandardScaler().fit_transform(X), data.target


THREE = ("mean radius", "mean texture", "mean smoothness")


@pytest.mark.parametrize("C, features", [(1.0, None), (0.01, None), (100.0, None), (np.inf, THREE)])
def test_reaches_sklearns_objective(C, features):
    X, y = breast_cancer(features)
    reference = SklearnLogisticRegression(C=C, tol=1e-10, max_iter=10_000).fit(X, y)
    best = sklearn_objective(X, y, reference.coef_, reference.intercept_[0], C)
    ours = LogisticRegression(C=C, tol=1e-8, max_iter=1000).fit(X, y)
    got = sklearn_objective(X, y, ours.coef_, ours.intercept_[0], C)
    assert got <= best * (1 + 1e-6)
    assert ours.costs_[-1] == pytest.approx(got, rel=1e-12)  # its own objective is sklearn's
    np.testing.assert_allclose(ours.predict_proba(X), reference.predict_proba(X), atol=1e-4)


def test_default_tolerance_matches_sklearn_defaults():
    X, y = breast_cancer()
    theirs = SklearnLogisticRegression().fit(X, y)
    ours = LogisticRegression().fit(X, y)
    f_theirs = sklearn_objective(X, y, theirs.coef_, theirs.intercept_[0], 1.0)
    f_ours = sklearn_objective(X, y, ours.coef_, ours.intercept_[0], 1.0)
    assert abs(f_ours - f_theirs) <= 1e-6 * f_theirs


@pytest.mark.parametrize("kernel", ["numpy", "numba", "cython"])
def test_kernels_and_fit_lbfgs_agree(kernel):
    X, y = breast_cancer()
    est = LogisticRegression(C=0.3, tol=1e-9, max_iter=500, kernel=kernel).fit(X, y)
    result = vlr.fit_lbfgs(X.T, y, C=0.3, tol=1e-9, max_iter=500, kernel="numpy")
    assert result.converged and result.n_evals >= result.n_iter >= 1
    np.testing.assert_allclose(est.coef_[0], result.w.ravel(), rtol=1e-6, atol=1e-8)
    assert result.w.shape == (X.shape[1], 1)


def test_warm_start_continues_from_the_previous_coefficients():
    X, y = breast_cancer()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        cold = LogisticRegression(max_iter=3).fit(X, y)
        warm = LogisticRegression(max_iter=3, warm_start=True)
        warm.fit(X, y)
        first = warm.coef_.copy()
        np.testing.assert_array_equal(first, cold.coef_)
        warm.fit(X, y)  # three more iterations from `first`
    full = LogisticRegression(tol=1e-10, max_iter=1000).fit(X, y)
    assert not np.array_equal(warm.coef_, first)
    assert np.abs(warm.coef_ - full.coef_).max() < np.abs(first - full.coef_).max()
    # and a converged model restarted warm stops at once
    again = LogisticRegression(tol=1e-4, warm_start=True).fit(X, y)
    n_first = again.n_iter_[0]
    again.fit(X, y)
    assert again.n_iter_[0] <= 1 < n_first


def test_convergence_warning_when_max_iter_stops_the_fit():
    X, y = breast_cancer()
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        est = LogisticRegression(max_iter=2, tol=1e-12).fit(X, y)
    assert est.n_iter_[0] == 2
    with pytest.warns(ConvergenceWarning, match="gd"):
        LogisticRegression(solver="gd", max_iter=5, tol=0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        LogisticRegression(max_iter=1000).fit(X, y)  # converges: no warning


def test_gd_with_a_penalty_approaches_the_lbfgs_fit():
    X, y = breast_cancer(THREE)
    lbfgs = LogisticRegression(C=0.05, tol=1e-10, max_iter=1000).fit(X, y)
    gd = LogisticRegression(solver="gd", C=0.05, learning_rate=1.0, tol=1e-12,
                            max_iter=5000).fit(X, y)
    np.testing.assert_allclose(gd.coef_, lbfgs.coef_, rtol=1e-4)
    assert np.all(np.diff(gd.costs_) <= 1e-15)  # gradient descent never went uphill


@pytest.mark.parametrize("name, bad, error", [("C", 0.0, ValueError), ("C", -1.0, ValueError),
                                              ("C", np.nan, ValueError), ("C", "1", TypeError),
                                              ("solver", "newton", ValueError),
                                              ("max_iter", 0, ValueError), ("tol", -1.0, ValueError)])
def test_bad_parameters(name, bad, error):
    X, y = breast_cancer(THREE)
    with pytest.raises(error, match=name):
        LogisticRegression(**{name: bad}).fit(X, y)
    if name != "solver":
        with pytest.raises(error, match=name):
            vlr.fit_lbfgs(X.T, y, **{name: bad})


def test_fit_lbfgs_bad_inputs_raise_before_any_work():
    X, y = breast_cancer(THREE)
    Xt = X.T
    with pytest.raises(ValueError, match="Y"):
        vlr.fit_lbfgs(Xt, y[:-1])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        vlr.fit_lbfgs(Xt, y * 2.0)
    with pytest.raises(ValueError, match="w"):
        vlr.fit_lbfgs(Xt, y, w0=np.zeros(5))


def test_lbfgs_fit_does_not_copy_X():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((400_000, 16))  # 51 MB, C-ordered: X.T is an F-ordered view
    y = (X[:, 0] + rng.standard_normal(400_000) > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        LogisticRegression(max_iter=2).fit(X, y)  # imports, JIT, calibration of X's class
        tracemalloc.start()
        LogisticRegression(max_iter=5).fit(X, y)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < 0.5 * X.nbytes, f"peak {peak / 1e6:.1f} MB for X of {X.nbytes / 1e6:.1f} MB"
