"""How a call runs on a kernel object: validate once, resolve the kernel for X, run, check.

Input is validated here, once; the kernels in :mod:`vlr.kernels` receive clean arrays
(X untouched, w and y as contiguous 1-D arrays of X's dtype). A ``dask.array`` X goes to
:mod:`vlr.dask_arrays`. The public functions of :mod:`vlr.interface` and the methods of
:class:`vlr.Kernel` both end here; a kernel is anything with the methods of :class:`vlr.Kernel`
(``resolve``, ``checked_gradients``, ``loop``), so this module needs neither. An X on a GPU
goes to :mod:`vlr.device_arrays` (the ``cuda`` kernel).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from . import dask_arrays, device_arrays
from ._validation import (check_labels, explain_non_finite, fast_inputs, initial_w,
                          validate_iterations, validate_scalar, validate_w, validate_X, validate_Y)
from .descent import check_descent


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
    """Trained parameters and the recorded costs (unpacks as ``w, b, costs``): J before steps
    0, k, 2k, ... with k the ``cost_every`` of :func:`vlr.train` (every step by default)."""

    w: np.ndarray
    b: float
    costs: np.ndarray


class StepMethods:
    """The public interface with ``kernel=self``: what a :class:`vlr.Kernel` and
    :data:`vlr.fastest` both offer (each through :meth:`resolve`, :meth:`checked_gradients`
    and :meth:`loop` of its own)."""

    def gradients(self, w: Any, b: float, X: Any, Y: Any) -> tuple[float, np.ndarray, float]:
        """Cost and gradients with this kernel; see :func:`vlr.gradients`.

        Returns
        -------
        (J, dw, db)
        """
        return gradients_with(self, w, b, X, Y)

    def gradient_step(self, w: Any, b: float, X: Any, Y: Any, alpha: float) -> StepResult:
        """One gradient-descent step with this kernel; see :func:`vlr.gradient_step`.

        Returns
        -------
        StepResult
        """
        return gradient_step_with(self, w, b, X, Y, alpha)

    def train(self, X: Any, Y: Any, iterations: int, alpha: float, w0: Any = None,
              b0: float = 0.0, cost_every: int = 1) -> TrainResult:
        """Gradient descent with this kernel; see :func:`vlr.train`.

        Returns
        -------
        TrainResult
        """
        return train_with(self, X, Y, iterations, alpha, w0, b0, cost_every)


def prepare(kernel, w, b, X, Y, w_default_zeros=False, resolve=True):
    """Validated ``(kernel, w_flat, w_shape, b, X, y)``; ``kernel`` resolved for X's gradient
    step (:meth:`vlr.Kernel.resolve`) if ``resolve``.

    Returns
    -------
    tuple
    """
    ready = fast_inputs(w, b, X, Y)
    if ready is None:
        X = validate_X(X)
        n_x, m = X.shape
        if w_default_zeros:
            w = initial_w(w, n_x, X.dtype)
        w_flat, w_shape = validate_w(w, n_x, X.dtype, m)
        ready = w_flat, w_shape, validate_scalar(b, "b"), X, validate_Y(Y, m, X.dtype)
    if resolve:
        kernel = kernel.resolve(ready[3], "step", (ready[0], ready[2], ready[3], ready[4]))
    return (kernel,) + ready


def run_checked(kernel, w, b, X, y):
    """The kernel's ``(J, dw, db)`` on clean arrays, raising if a label or an output is bad.

    Returns
    -------
    (J, dw, db)
    """
    J, dw, db, labels_ok, finite = kernel.checked_gradients(w, b, X, y)
    if not labels_ok:
        check_labels(y)  # raises, saying how
    if not finite:
        explain_non_finite(X, w, J=J)
    return J, dw, db


def gradients_with(kernel, w, b, X, Y):
    """:func:`vlr.gradients` with a kernel object.

    Returns
    -------
    (J, dw, db)
    """
    if type(X) is not np.ndarray:  # (a NumPy X, the common case, skips both lookups)
        if device_arrays.is_device_array(X):
            return device_arrays.gradients(w, b, X, Y, kernel)
        if dask_arrays.is_dask_array(X):
            return dask_arrays.gradients(w, b, X, Y, kernel)
    kernel, w_flat, w_shape, b, X, y = prepare(kernel, w, b, X, Y)
    J, dw, db = run_checked(kernel, w_flat, b, X, y)
    return J, (dw if len(w_shape) == 1 else dw.reshape(w_shape)), db


def gradient_step_with(kernel, w, b, X, Y, alpha):
    """:func:`vlr.gradient_step` with a kernel object.

    Returns
    -------
    StepResult
    """
    if type(X) is not np.ndarray and device_arrays.is_device_array(X):
        w_new, b_new, J, dw, db = device_arrays.gradient_step(w, b, X, Y, alpha, kernel)
        return StepResult(w=w_new, b=b_new, J=J, dw=dw, db=db)
    if type(X) is not np.ndarray and dask_arrays.is_dask_array(X):
        w_new, b_new, J, dw, db = dask_arrays.gradient_step(w, b, X, Y, alpha, kernel)
        return StepResult(w=w_new, b=b_new, J=J, dw=dw, db=db)
    kernel, w_flat, w_shape, b, X, y = prepare(kernel, w, b, X, Y)
    alpha = validate_scalar(alpha, "alpha", minimum=0)
    J, dw, db = run_checked(kernel, w_flat, b, X, y)
    w_new = w_flat - X.dtype.type(alpha) * dw
    return StepResult(w=w_new.reshape(w_shape), b=b - alpha * db, J=J, dw=dw.reshape(w_shape), db=db)


def train_with(kernel, X, Y, iterations, alpha, w0=None, b0=0.0, cost_every=1):
    """:func:`vlr.train` with a kernel object.

    Returns
    -------
    TrainResult
    """
    cost_every = validate_iterations(cost_every, "cost_every", minimum=1)
    if device_arrays.is_device_array(X):
        return TrainResult(*device_arrays.train(X, Y, iterations, alpha, kernel, w0, b0,
                                                cost_every=cost_every))
    if dask_arrays.is_dask_array(X):
        return TrainResult(*dask_arrays.train(X, Y, iterations, alpha, kernel, w0, b0,
                                              cost_every=cost_every))
    kernel, w, w_shape, b, X, y = prepare(kernel, w0, b0, X, Y, w_default_zeros=True,
                                          resolve=False)
    iterations = validate_iterations(iterations)
    alpha = validate_scalar(alpha, "alpha", minimum=0)
    check_labels(y)  # once, before any iteration
    kernel = kernel.resolve(X, "train", (w, b, X, y, alpha, iterations))  # "auto": on these arrays
    w_out, b, costs = kernel.loop(w, b, X, y, alpha, iterations, cost_every=cost_every)
    check_descent(X, w, w_out, b, costs)
    return TrainResult(w=w_out.reshape(w_shape), b=b, costs=costs)
