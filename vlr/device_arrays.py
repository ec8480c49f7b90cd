"""X on an NVIDIA GPU: gradients and training on arrays that live on the device.

Design:
  A. An X with ``__cuda_array_interface__`` (CuPy, a PyTorch CUDA tensor, a Numba device array)
     runs on the ``cuda`` kernel (:mod:`vlr.kernels.cuda_numba`) without leaving the device:
     ``kernel="auto"`` picks it for such an X (and only for such an X); a CPU kernel is refused
     with a ``TypeError`` that says so.
  B. Shapes and dtypes are checked on the host (O(1)); values on the device, in the same kernel
     launches: labels outside [0, 1] and non-finite outputs are counted there and raise the
     CPU path's errors (X is scanned for NaN/inf on the device only when something failed).
  C. Results come back as the kind of array X is (CuPy array, PyTorch tensor, Numba device
     array): dw and w in w's shape; J, db and b as floats, the costs as a NumPy array. The
     descent runs on the device: no transfer to the host per iteration.
"""
from __future__ import annotations

import sys

import numpy as np

from ._validation import (SUPPORTED_DTYPES, explain_non_finite, initial_w, validate_iterations, validate_scalar,
                          validate_w, validate_Y)


def is_device_array(x: object) -> bool:
    """True if ``x`` lives on a GPU (``__cuda_array_interface__``, or a Numba device array,
    simulated ones included), without importing Numba's CUDA support when it does not.

    Returns
    -------
    bool
    """
    if type(x) is np.ndarray:  # every host call asks: answer it without two attribute misses
        return False
    return hasattr(x, "__cuda_array_interface__") or bool(getattr(x, "__cuda_ndarray__", False))


def _cuda_module(kernel, X):
    """The ``cuda`` kernel's module for a call on a device X: ``kernel`` resolved for such an X
    (``"auto"`` resolves to ``cuda``; a CPU kernel resolves to itself and is refused)."""
    kernel = kernel.resolve(X, "device")
    if kernel.name != "cuda":
        raise TypeError(f"X lives on a GPU but kernel={kernel.name!r} runs on the CPU: pass "
                        f"kernel='cuda' (or 'auto'), or copy X to the host first")
    return kernel.module


def _device(x):
    from numba import cuda
    return x if getattr(x, "__cuda_ndarray__", False) else cuda.as_cuda_array(x)


def _like(result, X):
    """``result`` (a Numba device array) as the kind of array ``X`` is."""
    kind = type(X).__module__.split(".")[0]
    if kind == "cupy":
        return sys.modules["cupy"].asarray(result)
    if kind == "torch":
        return sys.modules["torch"].as_tensor(result, device=X.device)
    return result


def prepare(w, b, X, Y, w_default_zeros=False):
    """Check a device call's arguments; returns ``(w_flat, w_shape, b, X, y)`` with X, y (and a
    given device w) as Numba device arrays of X's dtype (a host w or y is copied once).

    Returns
    -------
    tuple
    """
    from numba import cuda
    X_dev = _device(X)
    if len(X_dev.shape) != 2:
        raise ValueError(f"X must be 2-D (n_x, m), got shape {tuple(X_dev.shape)}")
    dtype = np.dtype(X_dev.dtype)
    if dtype not in SUPPORTED_DTYPES:
        raise TypeError(f"X must be float32 or float64 on the device too, got {dtype}")
    n_x, m = X_dev.shape
    if n_x == 0 or m == 0:
        raise ValueError(f"X must have at least one feature and one example, got shape {tuple(X_dev.shape)}")
    vectors = {}
    for name, v, length in (("w", w, n_x), ("Y", Y, m)):
        if name == "w" and w_default_zeros:
            v = initial_w(v, n_x, dtype)
        if not is_device_array(v):  # on the host: the CPU path's own validators, then one copy
            host, shape = validate_w(v, n_x, dtype, m) if name == "w" else (validate_Y(v, m, dtype), None)
            if name == "w" and not np.isfinite(host).all():
                raise ValueError("w contains NaN or inf")
            vectors[name] = (cuda.to_device(host), shape)
            continue
        dev = _device(v)
        shape = tuple(dev.shape)
        if np.dtype(dev.dtype) != dtype:
            raise TypeError(f"{name} is on the device as {dev.dtype}; X is {dtype}: convert it "
                            f"there first (e.g. {name}.astype(X.dtype))")
        expected = ((length, 1), (length,)) if name == "w" else ((1, length), (length,))
        if shape not in expected:
            raise ValueError(f"{name} must have shape {expected[0]} or {expected[1]} for X of shape "
                             f"{(n_x, m)}, got {shape}")
        vectors[name] = (dev.reshape(length) if len(shape) == 2 else dev, shape)
    return vectors["w"][0], vectors["w"][1], validate_scalar(b, "b"), X_dev, vectors["Y"][0]


def _raise_bad(module, X, w, J=float("nan"), costs=None, labels_ok=True):
    if not labels_ok:
        raise ValueError("Y must hold labels in [0, 1] (a label outside it, or NaN, was counted on the device)")
    w_host = w.copy_to_host()
    explain_non_finite(X, w_host, X_finite=module.all_finite(X), J=J, costs=costs)


def gradients(w, b, X, Y, kernel):
    """:func:`vlr.gradients` for a device X.

    Returns
    -------
    (J, dw, db)
        ``dw`` on the device, the kind of array X is, in w's shape.
    """
    module = _cuda_module(kernel, X)
    w_dev, w_shape, b, X_dev, y = prepare(w, b, X, Y)
    J, dw, db, labels_ok, finite = module.gradients_device(w_dev, b, X_dev, y)
    if not (labels_ok and finite):
        _raise_bad(module, X_dev, w_dev, J=J, labels_ok=labels_ok)
    return J, _like(dw.reshape(w_shape) if len(w_shape) == 2 else dw, X), db


def gradient_step(w, b, X, Y, alpha, kernel):
    """:func:`vlr.gradient_step` for a device X.

    Returns
    -------
    (w, b, J, dw, db)
        ``w`` and ``dw`` on the device, the kind of array X is, in w's shape.
    """
    module = _cuda_module(kernel, X)
    w_dev, w_shape, b, X_dev, y = prepare(w, b, X, Y)
    alpha = validate_scalar(alpha, "alpha", minimum=0)
    J, dw, db, labels_ok, finite = module.gradients_device(w_dev, b, X_dev, y)
    if not (labels_ok and finite):
        _raise_bad(module, X_dev, w_dev, J=J, labels_ok=labels_ok)
    w_new = module.axpy(w_dev, dw, -alpha)
    shaped = (lambda a: a.reshape(w_shape)) if len(w_shape) == 2 else (lambda a: a)
    return _like(shaped(w_new), X), b - alpha * db, J, _like(shaped(dw), X), db


def train(X, Y, iterations, alpha, kernel, w0=None, b0=0.0, cost_every=1):
    """:func:`vlr.train` for a device X: the whole descent on the device.

    Returns
    -------
    (w, b, costs)
        ``w`` on the device, the kind of array X is, in w0's shape; ``costs`` a NumPy array.
    """
    module = _cuda_module(kernel, X)
    w_dev, w_shape, b, X_dev, y = prepare(w0, b0, X, Y, w_default_zeros=True)
    iterations = validate_iterations(iterations)
    alpha = validate_scalar(alpha, "alpha", minimum=0)
    if not module.labels_ok(y):  # once, before any iteration
        _raise_bad(module, X_dev, w_dev, labels_ok=False)
    w_out, b_out, costs, finite = module.train_device(w_dev, b, X_dev, y, alpha, iterations, cost_every)
    if not (finite and np.isfinite(costs).all() and np.isfinite(b_out)):
        _raise_bad(module, X_dev, w_dev, costs=costs)
    return _like(w_out.reshape(w_shape) if len(w_shape) == 2 else w_out, X), b_out, costs
