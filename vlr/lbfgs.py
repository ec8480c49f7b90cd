"""L2-penalized logistic regression fitted by L-BFGS on the fused loss-and-gradient pass.

Design:
  A. The objective is scikit-learn's, divided by C·m:
     ``f(w, b) = J(w, b) + ‖w‖² / (2·C·m)`` with J the mean cross-entropy of :func:`vlr.gradients`;
     the intercept is not penalized, and ``C = inf`` means no penalty. Its gradient is
     ``(dw + w / (C·m), db)``.
  B. Each evaluation is one pass over X that returns J together with dw and db -- the kernel's
     own fused pass on the validated arrays (a NumPy X), or one Dask graph whose partial sums
     are combined by Dask, with w sent once per evaluation (a ``dask.array`` X, see
     :mod:`vlr.dask_arrays`). X is never copied.
  C. scipy's L-BFGS-B drives the parameters in float64, with scikit-learn's options
     (``gtol = tol``, ``ftol = 64·eps``, ``maxls = 50``), so the two stop by the same rule.
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from . import dask_arrays
from ._validation import check_labels, initial_w, validate_iterations, validate_scalar
from .kernel import Kernel
from .registry import Fastest, get_kernel
from .step import prepare, run_checked


class LbfgsResult(NamedTuple):
    """The outcome of :func:`fit_lbfgs` (unpacks as ``w, b, objective, ...``)."""

    w: np.ndarray
    """Fitted weights, in the shape of ``w0`` (default ``(n_x, 1)``), in X's dtype."""
    b: float
    """Fitted bias."""
    objective: float
    """``J + ‖w‖² / (2·C·m)`` at the fitted parameters."""
    n_iter: int
    """L-BFGS iterations taken."""
    n_evals: int
    """Passes over X (objective-and-gradient evaluations)."""
    converged: bool
    """False when ``max_iter`` (or the line search) stopped the fit before ``tol`` was met."""
    message: str
    """scipy's account of why it stopped."""


def validate_C(C: Any) -> float:
    """``C`` as a float > 0 (``np.inf`` allowed: no penalty).

    Returns
    -------
    float
    """
    if isinstance(C, bool) or not np.isscalar(C) or not np.isreal(C):
        raise TypeError(f"C must be a real number > 0 (np.inf for no penalty), got {C!r}")
    C = float(C)  # type: ignore[arg-type]  # a real scalar, checked above
    if not C > 0:  # NaN too
        raise ValueError(f"C must be > 0 (np.inf for no penalty), got {C!r}")
    return C


def _local_evaluator(X, Y, w0, b0, kernel):
    """(evaluate(w, b) -> (J, dw, db), w flat, w's shape, b, m) for a NumPy X."""
    kernel, w, w_shape, b, X, y = prepare(get_kernel(kernel), w0, b0, X, Y, w_default_zeros=True)
    check_labels(y)  # once, before any pass

    def evaluate(w, b):
        return run_checked(kernel, w, b, X, y)
    return evaluate, w, w_shape, b, X.shape[1]


def _dask_evaluator(X, Y, w0, b0, kernel):
    """The same for a ``dask.array`` X: each evaluation one Dask graph."""
    kernel = get_kernel(kernel)  # the name checked here, before any work is sent out
    w, w_shape, b, Y = dask_arrays.prepare(initial_w(w0, X.shape[0], X.dtype), b0, X, Y)

    def evaluate(w, b):
        return dask_arrays.gradients_prepared(w, b, X, Y, kernel)
    return evaluate, w, w_shape, b, X.shape[1]


def fit_lbfgs(X: Any, Y: Any, C: float = 1.0, tol: float = 1e-4, max_iter: int = 100,
              kernel: str | Kernel | Fastest = "auto", w0: Any = None, b0: float = 0.0) -> LbfgsResult:
    """Fit L2-penalized logistic regression by L-BFGS, one fused pass over X per evaluation.

    Minimizes ``J(w, b) + ‖w‖² / (2·C·m)``, the objective of scikit-learn's
    ``LogisticRegression(C=C)`` divided by C·m (the same minimizer), with scipy's L-BFGS-B
    and the options scikit-learn gives it.

    Parameters
    ----------
    X : ndarray or dask.array, shape (n_x, m), float32 or float64
        Examples as columns, as in :func:`vlr.gradients` (``X_sklearn.T`` is a view that works
        as it is). A ``dask.array`` X chunked over examples is fitted on Dask: one graph per
        evaluation, run by whatever scheduler is active (e.g. a ``distributed.Client``).
    Y : array_like, shape (1, m) or (m,)
        Labels in [0, 1].
    C : float > 0, default 1.0
        Inverse strength of the L2 penalty on w (not on b); ``np.inf`` fits without one.
    tol : float >= 0, default 1e-4
        Stop once the largest component of the projected gradient is at most ``tol``.
    max_iter : int >= 1, default 100
        Maximum number of L-BFGS iterations.
    kernel : str or Kernel, default "auto"
        As in :func:`vlr.gradients`.
    w0 : array_like, shape (n_x, 1) or (n_x,), optional
        Starting weights (default zeros); a warm start.
    b0 : float, default 0.0
        Starting bias.

    Returns
    -------
    LbfgsResult
        ``w``, ``b``, ``objective``, ``n_iter``, ``n_evals``, ``converged`` and ``message``.

    Raises
    ------
    TypeError, ValueError
        As :func:`vlr.gradients` for X, Y, w0, b0; and for C <= 0, tol < 0 or max_iter < 1.
    """
    from scipy.optimize import minimize
    C = validate_C(C)
    tol = validate_scalar(tol, "tol")
    if tol < 0:
        raise ValueError(f"tol must be >= 0, got {tol}")
    max_iter = validate_iterations(max_iter, name="max_iter", minimum=1)
    make = _dask_evaluator if dask_arrays.is_dask_array(X) else _local_evaluator
    evaluate, w_start, w_shape, b_start, m = make(X, Y, w0, b0, kernel)
    dtype = w_start.dtype
    penalty = 0.0 if np.isinf(C) else 1.0 / (C * m)
    n_evals = 0

    def objective_and_gradient(theta):
        nonlocal n_evals
        n_evals += 1
        w = theta[:-1]
        J, dw, db = evaluate(w.astype(dtype), float(theta[-1]))
        grad = np.empty_like(theta)
        grad[:-1] = dw
        grad[:-1] += penalty * w
        grad[-1] = db
        return J + 0.5 * penalty * float(w @ w), grad

    theta0 = np.concatenate([w_start.astype(np.float64), [b_start]])
    result = minimize(objective_and_gradient, theta0, method="L-BFGS-B", jac=True,
                      options={"maxiter": max_iter, "maxls": 50, "gtol": tol,
                               "ftol": 64 * np.finfo(float).eps})
    w = result.x[:-1].astype(dtype).reshape(w_shape)
    return LbfgsResult(w=w, b=float(result.x[-1]), objective=float(result.fun),
                       n_iter=int(min(result.nit, max_iter)), n_evals=n_evals,
                       converged=result.status == 0, message=str(result.message))
