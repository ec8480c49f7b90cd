"""A scikit-learn estimator on vlr's kernels: ``vlr.LogisticRegression``.

It takes scikit-learn's usual X, shape (n_samples, n_features), and hands the kernels its
transpose -- a view with examples as columns, never a copy (F-ordered when X is C-ordered, a
layout every kernel reads in place). The model is unpenalized logistic regression fitted by
batch gradient descent, the course's algorithm, with the training loop in compiled code.
"""
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .step import train


class LogisticRegression(ClassifierMixin, BaseEstimator):
    """Binary logistic regression by batch gradient descent on the fastest vlr kernel.

    Parameters
    ----------
    learning_rate : float, default 0.1
        Step size alpha of gradient descent (standardize X first: one rate suits all features).
    max_iter : int, default 1000
        Maximum number of gradient steps.
    tol : float, default 1e-6
        Stop when the cost fell by less than ``tol`` (relative) over the last ``check_every``
        steps. With ``tol=0`` it stops only once the cost no longer decreases at all.
    kernel : str, default "auto"
        A vlr kernel name (see :func:`vlr.get_kernel`); ``"auto"`` is the fastest measured here.
    check_every : int, default 50
        Steps run in compiled code between two looks at the cost for ``tol``.

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features)
    intercept_ : ndarray of shape (1,)
    classes_ : ndarray of shape (2,)
        The two labels seen in ``fit``; ``classes_[1]`` is the positive class.
    n_iter_ : ndarray of shape (1,)
        Gradient steps taken.
    costs_ : ndarray of shape (n_iter_,)
        Mean log-loss on the training data before each step.
    n_features_in_ : int
    """

    def __init__(self, learning_rate=0.1, max_iter=1000, tol=1e-6, kernel="auto", check_every=50):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.kernel = kernel
        self.check_every = check_every

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    def _check_params(self):
        if not (isinstance(self.max_iter, (int, np.integer)) and self.max_iter >= 1):
            raise ValueError(f"max_iter must be an int >= 1, got {self.max_iter!r}")
        if not (isinstance(self.check_every, (int, np.integer)) and self.check_every >= 1):
            raise ValueError(f"check_every must be an int >= 1, got {self.check_every!r}")
        if not (np.isscalar(self.tol) and self.tol >= 0):
            raise ValueError(f"tol must be a number >= 0, got {self.tol!r}")
        if not (np.isscalar(self.learning_rate) and self.learning_rate > 0):
            raise ValueError(f"learning_rate must be a number > 0, got {self.learning_rate!r}")

    def fit(self, X, y):
        """Fit by gradient descent from zero weights.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            float32/float64 arrays are used as they are (no copy); other dtypes are converted.
        y : array-like of shape (n_samples,)
            Exactly two classes.

        Returns
        -------
        self
        """
        self._check_params()
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32], order=None)
        check_classification_targets(y)
        self.classes_, y01 = np.unique(y, return_inverse=True)
        if len(self.classes_) != 2:
            n = len(self.classes_)
            raise ValueError(f"Only binary classification is supported: y must have exactly 2 "
                             f"classes, got {n} class{'es' if n != 1 else ''}")
        Xt = X.T  # (n_features, n_samples): examples as columns, a view
        Y = y01.astype(X.dtype)
        w, b = np.zeros(X.shape[1], dtype=X.dtype), 0.0
        costs, previous = [], None
        while len(costs) < self.max_iter:
            steps = min(self.check_every, self.max_iter - len(costs))
            w, b, chunk = train(Xt, Y, steps, self.learning_rate, kernel=self.kernel, w0=w, b0=b)
            costs.extend(chunk)
            now = costs[-1]
            if previous is not None and previous - now <= self.tol * abs(previous):
                break
            previous = now
        self.coef_ = w.reshape(1, -1).astype(np.float64)
        self.intercept_ = np.array([float(b)])
        self.costs_ = np.asarray(costs)
        self.n_iter_ = np.array([len(costs)])
        return self

    def decision_function(self, X):
        """``z = X·w + b`` for each sample, shape (n_samples,)."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32], order=None)
        return X @ self.coef_[0].astype(X.dtype) + self.intercept_[0]

    def predict_proba(self, X):
        """Probabilities of ``classes_``, shape (n_samples, 2)."""
        z = self.decision_function(X)
        p = np.exp(-np.logaddexp(0, -z))  # sigmoid without overflow
        return np.column_stack([1 - p, p])

    def predict(self, X):
        """The class with the larger probability."""
        positive = self.decision_function(X) > 0  # checks fitted first
        return self.classes_[positive.astype(int)]
