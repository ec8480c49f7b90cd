"""Batch gradient descent, written once: the loop every path of :func:`vlr.train` shares.

The compiled kernels (and the ``cuda`` kernel) run this loop inside their own compiled code;
everything else runs it here, from a function that returns ``(J, dw, db)`` at ``(w, b)``:
the Python kernels (:meth:`vlr.Kernel.loop`), a ``dask.array`` X (one Dask graph per
iteration, :mod:`vlr.dask_arrays`) and the estimator's penalized descent
(:class:`vlr.LogisticRegression` with ``solver="gd"``). Every path sizes the costs, updates
w and b, and checks for divergence in the same way:

- the cost J is recorded before steps 0, k, 2k, ... (``k = cost_every``):
  ``ceil(iterations / k)`` of them;
- ``w ← w − α·dw`` in w's dtype, ``b ← b − α·db`` in float64;
- a non-finite cost, w or b at the end raises the ``ValueError`` that says why
  (:func:`check_descent`).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ._validation import explain_non_finite, outputs_finite


def cost_slots(iterations: int, cost_every: int) -> np.ndarray:
    """An empty array for the costs a descent records: one before each ``cost_every``-th step.

    Returns
    -------
    ndarray of float64, shape (ceil(iterations / cost_every),)
    """
    return np.empty(-(-iterations // cost_every))


def descend(gradients: Callable[[np.ndarray, float], tuple], w: np.ndarray, b: float, alpha: float,
            iterations: int, cost_every: int = 1,
            progress: Callable[[int], None] | None = None) -> tuple[np.ndarray, float, np.ndarray]:
    """``iterations`` gradient-descent steps from ``(w, b)``.

    Parameters
    ----------
    gradients : callable(w, b) -> (J, dw, db)
        The cost and gradients at ``(w, b)``; dw in w's shape.
    w : ndarray
        Starting weights (not modified); their dtype is the update's.
    b : float
    alpha : float
        Learning rate.
    iterations : int >= 0
    cost_every : int >= 1
        Record J before every ``cost_every``-th step.
    progress : callable(int), optional
        Called with the number of steps done after each step.

    Returns
    -------
    (w, b, costs)
        The parameters after the last step and the recorded costs (:func:`cost_slots`).
    """
    costs = cost_slots(iterations, cost_every)
    rate = w.dtype.type(alpha)
    for it in range(iterations):
        J, dw, db = gradients(w, b)
        if it % cost_every == 0:
            costs[it // cost_every] = J
        w = w - rate * dw
        b = b - alpha * db
        if progress is not None:
            progress(it + 1)
    return w, b, costs


def check_descent(X, w0: np.ndarray, w: np.ndarray, b: float, costs: np.ndarray,
                  X_finite: bool | None = None) -> None:
    """Raise the ``ValueError`` that says why a descent diverged, if it did: a non-finite cost,
    w or b (see :func:`vlr._validation.explain_non_finite`). ``X_finite``: whether X is finite,
    when the caller knows it cheaper than a scan of X (a Dask X)."""
    if not (outputs_finite(0.0, w, b) and np.isfinite(costs).all()):
        explain_non_finite(X, w0, X_finite, costs=costs)
