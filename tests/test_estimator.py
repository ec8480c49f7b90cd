"""vlr.LogisticRegression: scikit-learn's estimator checks; gradient descent (solver="gd"), the
course's method, unpenalized; no copy of X. The L-BFGS solver: tests/test_lbfgs.py."""
import warnings

import tracemalloc

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.datasets import load_breast_cancer  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression  # noqa: E402
from sklearn.metrics import log_loss  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from vlr import LogisticRegression  # noqa: E402


@parametrize_with_checks([LogisticRegression()])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def _breast_cancer_3_features():
    # three standardized features: not linearly separable, so unpenalized log-loss has a minimum
    data = load_breast_cancer()
    cols = [list(data.feature_names).index(c)
            for c in ("mean radius", "mean texture", "mean smoothness")]
    return StandardScaler().fit_transform(data.data[:, cols]), data.target


def test_reaches_sklearns_unpenalized_log_loss():
    X, y = _breast_cancer_3_features()
    reference = SklearnLogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, y)
    assert reference.score(X, y) < 1  # not separable
    best = log_loss(y, reference.predict_proba(X))
    ours = LogisticRegression(solver="gd", C=np.inf, learning_rate=1.0, max_iter=20_000,
                              tol=1e-9).fit(X, y)
    assert log_loss(y, ours.predict_proba(X)) <= best * 1.001
    assert ours.n_iter_[0] < 20_000  # tol stopped it
    np.testing.assert_allclose(ours.costs_[-1], log_loss(y, ours.predict_proba(X)), rtol=1e-3)
    np.testing.assert_allclose(ours.coef_, reference.coef_, rtol=0.05)
    assert np.all(np.diff(ours.costs_) <= 1e-15)  # gradient descent never went uphill


@pytest.mark.parametrize("kernel", ["numpy", "numba", "cython"])
def test_kernels_fit_the_same_model(kernel):
    X, y = _breast_cancer_3_features()
    gd = dict(solver="gd", C=np.inf, learning_rate=0.5, max_iter=300, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter stops it, as intended
        ours = LogisticRegression(**gd, kernel=kernel).fit(X, y)
        numpy = LogisticRegression(**gd, kernel="numpy").fit(X, y)
    np.testing.assert_allclose(ours.coef_, numpy.coef_, rtol=1e-9)
    assert ours.n_iter_[0] == 300


def test_parameters_and_labels():
    X, y = _breast_cancer_3_features()
    labels = np.where(y == 1, "benign", "malignant")
    with pytest.warns(ConvergenceWarning):
        est = LogisticRegression(solver="gd", C=np.inf, max_iter=40, learning_rate=0.3, tol=0,
                                 check_every=7).fit(X, labels)
    assert est.get_params()["learning_rate"] == 0.3
    assert list(est.classes_) == ["benign", "malignant"]
    assert est.n_iter_[0] == 40 and len(est.costs_) == 40
    proba = est.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(est.predict(X)) <= set(est.classes_)
    assert est.score(X, labels) > 0.8
    for name, bad in [("max_iter", 0), ("learning_rate", -1.0), ("tol", -1e-3), ("check_every", 0)]:
        with pytest.raises(ValueError, match=name):
            LogisticRegression(solver="gd", **{name: bad}).fit(X, y)


def test_fit_does_not_copy_X():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((400_000, 16))  # 51 MB, C-ordered: X.T is an F-ordered view
    y = (X[:, 0] + rng.standard_normal(400_000) > 0).astype(int)
    gd = dict(solver="gd", C=np.inf, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        LogisticRegression(**gd, max_iter=1).fit(X, y)  # imports, JIT, calibration of X's class
        tracemalloc.start()
        LogisticRegression(**gd, max_iter=3).fit(X, y)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < 0.5 * X.nbytes, f"peak {peak / 1e6:.1f} MB for X of {X.nbytes / 1e6:.1f} MB"
