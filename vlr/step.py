"""The public interface: one gradient step, its gradients, and the training loop.

Input is validated here, once; the kernels in :mod:`vlr.kernels` receive clean arrays
(X untouched, w and y as contiguous 1-D arrays of X's dtype).
"""
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ._validation import (check_labels, explain_non_finite, fast_inputs, outputs_finite,
                          validate_iterations, validate_scalar, validate_w, validate_X, validate_Y)
from .dask_arrays import is_dask_array
from .registry import get_kernel
from .tuning import Fastest


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


def _raw_gradients(kernel, w, b, X, y):
    """The kernel's own call on clean arrays: (J, dw, db[, labels_ok, finite])."""
    checked = kernel.gradients_checked
    return checked(w, b, X, y) if checked is not None else kernel.module.gradients(w, b, X, y)


def _loop(kernel, w, b, X, y, alpha, iterations):
    """``iterations`` gradient steps on clean arrays, in compiled code if the kernel has a loop:
    ``(w, b, costs)``. Labels and outputs are not checked here."""
    if hasattr(kernel.module, "train"):
        return kernel.module.train(w, b, X, y, alpha, iterations)
    gradients = kernel.module.gradients
    step = X.dtype.type(alpha)
    costs = np.empty(iterations)
    for it in range(iterations):
        J, dw, db = gradients(w, b, X, y)
        costs[it] = J
        w = w - step * dw
        b = b - alpha * db
    return w, b, costs


#: Training iterations timed per candidate when "auto" calibrates a training class.
_TRAIN_PROBE_ITERATIONS = 16


def _prepare(kernel, w, b, X, Y, w_default_zeros=False, resolve=True):
    """Validated (kernel, w_flat, w_shape, b, X, y); ``kernel`` resolved for X's gradient step
    if it is "auto" and ``resolve``."""
    ready = fast_inputs(w, b, X, Y)
    if ready is None:
        X = validate_X(X)
        n_x, m = X.shape
        if w is None and w_default_zeros:
            w = np.zeros((n_x, 1), dtype=X.dtype)
        w_flat, w_shape = validate_w(w, n_x, X.dtype)
        ready = w_flat, w_shape, validate_scalar(b, "b"), X, validate_Y(Y, m, X.dtype)
    if resolve and type(kernel) is Fastest:
        kernel = kernel.choose(ready[3], _raw_gradients, (ready[0], ready[2], ready[3], ready[4]))
    return (kernel,) + ready


def _run(kernel, w, b, X, y):
    """The kernel's (J, dw, db), with the labels and outputs checked (in compiled code if it can)."""
    checked = kernel.gradients_checked
    if checked is not None:
        J, dw, db, labels_ok, finite = checked(w, b, X, y)
        if not labels_ok:
            check_labels(y)  # raises, saying how
    else:
        check_labels(y)
        J, dw, db = kernel.module.gradients(w, b, X, y)
        finite = outputs_finite(J, dw, db)
    if not finite:
        explain_non_finite(X, w)
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
        A ``dask.array`` X chunked over examples runs on Dask: each block on the fastest local
        kernel of its worker, the partial sums combined by Dask (see :mod:`vlr.dask_arrays`).
    Y : array_like, shape (1, m) or (m,)
        Labels in [0, 1] (a NumPy or Dask array).
    kernel : str or Kernel, default "auto"
        ``"two_loops"``, ``"one_loop"``, ``"numpy"``, ``"numba"``, ``"cython"``, ``"auto"``
        (:data:`vlr.fastest`: the kernel measured fastest on this machine for X's class -- dtype,
        layout and the octaves of n_x and m -- timed on the first such call's own arrays; see
        :mod:`vlr.tuning`) or a kernel object from :func:`vlr.get_kernel`.

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
    if is_dask_array(X):
        from . import dask_arrays
        return dask_arrays.gradients(w, b, X, Y, kernel)
    kernel, w_flat, w_shape, b, X, y = _prepare(get_kernel(kernel), w, b, X, Y)
    J, dw, db = _run(kernel, w_flat, b, X, y)
    return J, (dw if len(w_shape) == 1 else dw.reshape(w_shape)), db


def gradient_step(w, b, X, Y, alpha, kernel="auto"):
    """One gradient-descent step: ``w - alpha·dw``, ``b - alpha·db``.

    Parameters are those of :func:`gradients`, plus ``alpha`` (float > 0), the learning rate.

    Returns
    -------
    StepResult
        ``w``, ``b`` after the step; ``J``, ``dw``, ``db`` at the parameters before it.
    """
    if is_dask_array(X):
        from . import dask_arrays
        w_new, b_new, J, dw, db = dask_arrays.gradient_step(w, b, X, Y, alpha, kernel)
        return StepResult(w=w_new, b=b_new, J=J, dw=dw, db=db)
    kernel, w_flat, w_shape, b, X, y = _prepare(get_kernel(kernel), w, b, X, Y)
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
    if is_dask_array(X):
        from . import dask_arrays
        return TrainResult(*dask_arrays.train(X, Y, iterations, alpha, kernel, w0, b0))
    kernel, w, w_shape, b, X, y = _prepare(get_kernel(kernel), w0, b0, X, Y, w_default_zeros=True,
                                           resolve=False)
    iterations = validate_iterations(iterations)
    alpha = validate_scalar(alpha, "alpha", minimum=0)
    check_labels(y)  # once, before any iteration
    if type(kernel) is Fastest:  # chosen for the training loop, timed on this call's arrays
        probe = max(1, min(iterations, _TRAIN_PROBE_ITERATIONS))
        kernel = kernel.choose(X, _loop, (w, b, X, y, alpha, probe), purpose="train")
    w_out, b, costs = _loop(kernel, w, b, X, y, alpha, iterations)
    if not (outputs_finite(0.0, w_out, b) and np.isfinite(costs).all()):
        explain_non_finite(X, w)
    return TrainResult(w=w_out.reshape(w_shape), b=b, costs=costs)
