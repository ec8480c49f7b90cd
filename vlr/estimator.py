"""A scikit-learn estimator on vlr's kernels: ``vlr.LogisticRegression``.

It takes scikit-learn's usual X, shape (n_samples, n_features), and hands the kernels its
transpose -- a view with examples as columns, never a copy (F-ordered when X is C-ordered, a
layout every kernel reads in place). The model is binary logistic regression with an L2 penalty
of inverse strength C on the weights (not the intercept), scikit-learn's objective, fitted by
L-BFGS (:func:`vlr.fit_lbfgs`, one fused pass over X per evaluation) or by batch gradient
descent, the course's algorithm.
"""
from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ._validation import refuse_unsupported
from .descent import check_descent, descend
from .lbfgs import _local_evaluator, fit_lbfgs, validate_C
from .interface import train

SOLVERS = ("lbfgs", "gd")


def _encode_labels(y):
    """``(classes, indices)`` as ``np.unique(y, return_inverse=True)`` gives them, in one O(n)
    pass for integer and boolean labels (sorting a million labels costs as much as a pass over
    X); other labels go through scikit-learn's target checks and ``np.unique``."""
    if y.dtype.kind in "iub" and y.size:
        low = int(y.min())
        span = int(y.max()) - low + 1
        if span <= 1 << 16:
            shifted = y.astype(np.int64) - low
            present = np.flatnonzero(np.bincount(shifted, minlength=span))
            position = np.zeros(span, dtype=np.intp)
            position[present] = np.arange(len(present))
            return (present + low).astype(y.dtype), position[shifted]
    check_classification_targets(y)
    return np.unique(y, return_inverse=True)


class LogisticRegression(ClassifierMixin, BaseEstimator):
    """Binary, L2-penalized logistic regression on the fastest vlr kernel.

    Parameter names and meanings follow ``sklearn.linear_model.LogisticRegression``: the
    fitted model minimizes ``½‖w‖² + C·Σᵢ loss(xᵢ)`` (the intercept is not penalized).

    Parameters
    ----------
    solver : {"lbfgs", "gd"}, default "lbfgs"
        ``"lbfgs"``: scipy's L-BFGS-B, each evaluation one fused pass over X returning the
        cost with its gradient. ``"gd"``: batch gradient descent with step ``learning_rate``,
        the course's method (its loop in compiled code when ``C=np.inf``).
    C : float > 0, default 1.0
        Inverse strength of the L2 penalty; ``np.inf`` fits without one.
    tol : float >= 0, default 1e-4
        ``"lbfgs"``: stop once the largest projected-gradient component of the mean objective
        is at most ``tol`` (scikit-learn's rule). ``"gd"``: stop when the objective fell by less
        than ``tol`` (relative) over the last ``check_every`` steps.
    max_iter : int >= 1, default 100
        Maximum number of L-BFGS iterations or gradient steps. Reaching it before ``tol``
        raises a ``ConvergenceWarning``.
    warm_start : bool, default False
        Start from the previous fit's ``coef_`` and ``intercept_`` instead of zeros.
    kernel : str, default "auto"
        A vlr kernel name (see :func:`vlr.get_kernel`); ``"auto"`` is the fastest measured here.
    learning_rate : float > 0, default 0.1
        ``"gd"`` only: the step size alpha (standardize X first: one rate suits all features).
    check_every : int >= 1, default 50
        ``"gd"`` only: steps between two looks at the objective for ``tol``.

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features)
    intercept_ : ndarray of shape (1,)
    classes_ : ndarray of shape (2,)
        The two labels seen in ``fit``; ``classes_[1]`` is the positive class.
    n_iter_ : ndarray of shape (1,)
        L-BFGS iterations or gradient steps taken by the last fit.
    costs_ : ndarray
        The mean objective ``J + ‖w‖² / (2·C·m)``: before each step (``"gd"``), or once, at
        the fitted parameters (``"lbfgs"``).
    n_features_in_ : int
    """

    coef_: np.ndarray  # set by fit
    intercept_: np.ndarray

    def __init__(self, solver="lbfgs", C=1.0, tol=1e-4, max_iter=100, warm_start=False,
                 kernel="auto", learning_rate=0.1, check_every=50):
        self.solver = solver
        self.C = C
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start
        self.kernel = kernel
        self.learning_rate = learning_rate
        self.check_every = check_every

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    def _check_params(self):
        if self.solver not in SOLVERS:
            raise ValueError(f"solver must be one of {SOLVERS}, got {self.solver!r}")
        validate_C(self.C)
        if not (isinstance(self.max_iter, (int, np.integer)) and self.max_iter >= 1):
            raise ValueError(f"max_iter must be an int >= 1, got {self.max_iter!r}")
        if not (isinstance(self.check_every, (int, np.integer)) and self.check_every >= 1):
            raise ValueError(f"check_every must be an int >= 1, got {self.check_every!r}")
        if not (isinstance(self.tol, numbers.Real) and not isinstance(self.tol, bool)
                and not math.isnan(self.tol) and self.tol >= 0):
            raise ValueError(f"tol must be a number >= 0, got {self.tol!r}")
        if not (isinstance(self.learning_rate, numbers.Real) and math.isfinite(self.learning_rate)
                and self.learning_rate > 0):
            raise ValueError(f"learning_rate must be a finite number > 0, got {self.learning_rate!r}")

    def fit(self, X: Any, y: Any) -> LogisticRegression:
        """Fit the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            float32/float64 arrays are used as they are (no copy); other dtypes are converted.
        y : array-like of shape (n_samples,)
            Exactly two classes.

        Returns
        -------
        self
            The fitted estimator.

        Warns
        -----
        ConvergenceWarning
            When ``max_iter`` stopped the fit before ``tol`` was met.
        """
        self._check_params()
        refuse_unsupported(X, "X")  # scikit-learn would drop a mask silently
        refuse_unsupported(y, "y")
        warm = self.warm_start and hasattr(self, "coef_")
        # X is not scanned for NaN/inf here: every pass over it checks its outputs and raises
        # "X contains NaN or inf" on the first non-finite one (a scan would be a pass of its own)
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32], order=None,
                             reset=not warm, ensure_all_finite=False)
        classes, y01 = _encode_labels(y)
        if len(classes) != 2:
            n = len(classes)
            raise ValueError(f"Only binary classification is supported: y must have exactly 2 "
                             f"classes, got {n} class{'es' if n != 1 else ''}")
        Xt = X.T  # (n_features, n_samples): examples as columns, a view
        Y = y01.astype(X.dtype)
        if warm:
            w, b = self.coef_[0].astype(X.dtype), float(self.intercept_[0])
        else:
            w, b = np.zeros(X.shape[1], dtype=X.dtype), 0.0
        fit = self._fit_lbfgs if self.solver == "lbfgs" else self._fit_gd
        w, b, costs, n_iter, converged = fit(Xt, Y, w, b)
        self.classes_ = classes
        self.coef_ = np.asarray(w, dtype=np.float64).reshape(1, -1)
        self.intercept_ = np.array([float(b)])
        self.costs_ = np.asarray(costs)
        self.n_iter_ = np.array([n_iter])
        if not converged:
            warnings.warn(f"{self.solver} did not converge within max_iter={self.max_iter} "
                          f"iterations (tol={self.tol}): increase max_iter, or scale the data "
                          f"(sklearn.preprocessing.StandardScaler)", ConvergenceWarning,
                          stacklevel=2)
        return self

    def _fit_lbfgs(self, Xt, Y, w, b):
        result = fit_lbfgs(Xt, Y, C=self.C, tol=self.tol, max_iter=self.max_iter,
                           kernel=self.kernel, w0=w, b0=b)
        return result.w, result.b, [result.objective], result.n_iter, result.converged

    def _fit_gd(self, Xt, Y, w, b):
        penalty = 0.0 if np.isinf(self.C) else 1.0 / (self.C * Xt.shape[1])
        if penalty:  # each step one fused pass, the weight decay added to its gradient
            evaluate, w, _, b, _ = _local_evaluator(Xt, Y, w, b, self.kernel)
            decay = w.dtype.type(penalty)

            def penalized(w, b):
                J, dw, db = evaluate(w, b)
                return J + 0.5 * penalty * float(w @ w), dw + decay * w, db

            def descent(w, b, steps):
                w_out, b_out, costs = descend(penalized, w, b, self.learning_rate, steps)
                check_descent(Xt, w, w_out, b_out, costs)
                return w_out, b_out, costs
        else:  # the compiled training loop
            def descent(w, b, steps):
                return train(Xt, Y, steps, self.learning_rate, kernel=self.kernel, w0=w, b0=b)
        costs: list = []
        previous = None
        while len(costs) < self.max_iter:
            w, b, chunk = descent(w, b, min(self.check_every, self.max_iter - len(costs)))
            costs.extend(chunk)
            now = costs[-1]
            if previous is not None and previous - now <= self.tol * abs(previous):
                return w, b, costs, len(costs), True
            previous = now
        return w, b, costs, len(costs), False

    def decision_function(self, X: Any) -> np.ndarray:
        """``z = X·w + b`` for each sample.

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32], order=None)
        return X @ self.coef_[0].astype(X.dtype) + self.intercept_[0]

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities of ``classes_``.

        Returns
        -------
        ndarray of shape (n_samples, 2)
        """
        z = self.decision_function(X)
        p = np.exp(-np.logaddexp(0, -z))  # sigmoid without overflow
        return np.column_stack([1 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        """The class with the larger probability.

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        positive = self.decision_function(X) > 0  # checks fitted first
        return self.classes_[positive.astype(int)]
