"""The public interface: one gradient step, its gradients, and the training loop.

Input is validated here, once; the kernels in :mod:`vlr.kernels` receive clean arrays
(X untouched, w and y as contiguous 1-D arrays of X's dtype).
"""
import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ._validation import (check_outputs, validate_iterations, validate_scalar, validate_w,
                          validate_X, validate_Y)
from .registry import get_kernel


@dataclass(frozen=True)
class StepResult:
    """The outcome of one gradient-descent step.

    Attributes
    ----------
    w : ndarray
        Updated weights ``w - alpha * dw``, in the shape ``w`` came in.
    b : float
        Updated bias ``b - alpha * db``.
    J : float
        Cost at the parameters before the update.
    dw : ndarray
        Gradient of J with respect to w, in the shape ``w`` came in.
    db : float
        Gradient of J with respect to b.
    """

    w: np.ndarray
    b: float
    J: float
    dw: np.ndarray
    db: float


class TrainResult(NamedTuple):
    """Trained parameters and the cost before each iteration (unpacks as ``w, b, costs``)."""

    w: np.ndarray
    b: float
    costs: np.ndarray


def _prepare(w, b, X, Y, w_default_zeros=False):
    X = validate_X(X)
    n_x, m = X.shape
    if w is None and w_default_zeros:
        w = np.zeros((n_x, 1), dtype=X.dtype)
    w_flat, w_shape = validate_w(w, n_x, X.dtype)
    y = validate_Y(Y, m, X.dtype)
    return w_flat, w_shape, validate_scalar(b, "b"), X, y


def _run(kernel, w, b, X, y):
    J, dw, db = kernel.module.gradients(w, b, X, y)
    check_outputs(J, dw, db, X)
    return J, dw, db


def gradients(w, b, X, Y, kernel="auto"):
    """Cost J and gradients dw, db of logistic regression at (w, b).

    Parameters
    ----------
    w : array_like, shape (n_x, 1) or (n_x,)
        Weights.
    b : float
        Bias.
    X : ndarray, shape (n_x, m), float32 or float64
        Examples as columns (the course's convention). Never copied or modified.
    Y : array_like, shape (1, m) or (m,)
        Labels in [0, 1].
    kernel : str or Kernel, default "auto"
        ``"two_loops"``, ``"one_loop"``, ``"numpy"``, ``"numba"``, ``"cython"``, ``"auto"``
        (the fastest available) or a kernel object from :func:`vlr.get_kernel`.

    Returns
    -------
    J : float
        Mean cross-entropy ``mean(log(1 + e^z) - y·z)`` with ``z = wᵀX + b``.
    dw : ndarray
        ``X·(σ(z) - y)ᵀ / m`` in the shape and in X's dtype.
    db : float
        ``Σ(σ(z) - y) / m``.

    Raises
    ------
    TypeError
        If an argument has a non-real dtype, or X is not float32/float64.
    ValueError
        If shapes disagree, an array is empty, labels leave [0, 1], or a value is NaN/inf.
    """
    kernel = get_kernel(kernel)
    w_flat, w_shape, b, X, y = _prepare(w, b, X, Y)
    J, dw, db = _run(kernel, w_flat, b, X, y)
    return J, dw.reshape(w_shape), db


def gradient_step(w, b, X, Y, alpha, kernel="auto"):
    """One gradient-descent step: ``w - alpha·dw``, ``b - alpha·db``.

    Parameters are those of :func:`gradients`, plus ``alpha`` (float > 0), the learning rate.

    Returns
    -------
    StepResult
        ``w``, ``b`` after the step; ``J``, ``dw``, ``db`` at the parameters before it.
    """
    kernel = get_kernel(kernel)
    w_flat, w_shape, b, X, y = _prepare(w, b, X, Y)
    alpha = validate_scalar(alpha, "alpha", minimum=0)
    J, dw, db = _run(kernel, w_flat, b, X, y)
    w_new = w_flat - X.dtype.type(alpha) * dw
    return StepResult(w=w_new.reshape(w_shape), b=b - alpha * db, J=J, dw=dw.reshape(w_shape), db=db)


def train(X, Y, iterations, alpha, kernel="auto", w0=None, b0=0.0):
    """Batch gradient descent: the course's one loop that cannot be removed.

    Parameters
    ----------
    X, Y
        As in :func:`gradients`.
    iterations : int >= 0
        Number of gradient steps.
    alpha : float > 0
        Learning rate.
    kernel : str or Kernel, default "auto"
        As in :func:`gradients`.
    w0 : array_like, shape (n_x, 1) or (n_x,), optional
        Initial weights (default zeros of shape (n_x, 1)).
    b0 : float, default 0.0
        Initial bias.

    Returns
    -------
    TrainResult
        ``(w, b, costs)``: the trained parameters (w in the shape of ``w0``) and the cost J
        before each of the ``iterations`` steps.
    """
    kernel = get_kernel(kernel)
    w, w_shape, b, X, y = _prepare(w0, b0, X, Y, w_default_zeros=True)
    iterations = validate_iterations(iterations)
    alpha = validate_scalar(alpha, "alpha", minimum=0)
    if hasattr(kernel.module, "train"):  # compiled kernels loop in compiled code
        w, b, costs = kernel.module.train(w, b, X, y, alpha, iterations)
        check_outputs(0.0 if np.isfinite(costs).all() else math.nan, w, b, X)
        return TrainResult(w=w.reshape(w_shape), b=b, costs=costs)
    step = X.dtype.type(alpha)
    costs = np.empty(iterations)
    for it in range(iterations):
        J, dw, db = _run(kernel, w, b, X, y)
        costs[it] = J
        w = w - step * dw
        b = b - alpha * db
    return TrainResult(w=w.reshape(w_shape), b=b, costs=costs)
