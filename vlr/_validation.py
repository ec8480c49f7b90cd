"""Validation of user input, done once in the public interface.

Everything here is O(1) or O(m + n_x): nothing reads X. Non-finite values in X are caught
afterwards from the kernel's outputs (``check_outputs``), which they always poison, so a
one-pass kernel is not slowed down by an extra pass over X (see DESIGN.md).
"""
import math
import numbers

import numpy as np

from .kernels._shapes import SUPPORTED_DTYPES


def _real_array(value, name):
    """``np.asarray(value)``, refusing complex, object, string and other non-real dtypes."""
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be array-like of real numbers: {exc}") from exc
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    return arr


def validate_X(X):
    """Return X as an ndarray of shape (n_x, m) and dtype float32/float64, without copying it."""
    X = _real_array(X, "X")
    if X.dtype not in SUPPORTED_DTYPES:
        raise TypeError(
            f"X must have dtype float32 or float64, got {X.dtype}; convert it once with "
            f"X.astype(np.float64) (vlr never copies X behind your back)")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D with shape (n_x, m), examples as columns; got shape {X.shape}")
    n_x, m = X.shape
    if n_x == 0 or m == 0:
        raise ValueError(f"X must have at least one feature and one example, got shape {X.shape}")
    if X.strides[0] % X.itemsize or X.strides[1] % X.itemsize:
        raise ValueError("X's strides must be multiples of its itemsize; pass np.ascontiguousarray(X)")
    return X


def validate_w(w, n_x, dtype):
    """Return w as a contiguous (n_x,) array of ``dtype``; accepts shape (n_x, 1) or (n_x,)."""
    arr = _real_array(w, "w")
    if arr.shape not in ((n_x,), (n_x, 1)):
        raise ValueError(f"w must have shape ({n_x}, 1) or ({n_x},) to match X's n_x = {n_x} rows, "
                         f"got shape {arr.shape}")
    flat = np.ascontiguousarray(arr.reshape(n_x), dtype=dtype)
    if not np.isfinite(flat).all():
        raise ValueError("w contains NaN or inf")
    return flat, arr.shape


def validate_Y(Y, m, dtype):
    """Return Y as a contiguous (m,) array of ``dtype``; accepts shape (1, m) or (m,), labels in [0, 1]."""
    arr = _real_array(Y, "Y")
    if arr.shape not in ((m,), (1, m)):
        hint = " (X has examples as columns: did you pass X.T?)" if arr.ndim >= 1 else ""
        raise ValueError(f"Y must have shape (1, {m}) or ({m},) to match X's m = {m} columns, "
                         f"got shape {arr.shape}{hint}")
    y = np.ascontiguousarray(arr.reshape(m), dtype=dtype)
    low, high = y.min(), y.max()
    if not (low >= 0 and high <= 1):  # NaN fails both comparisons
        if not np.isfinite(y).all():
            raise ValueError("Y contains NaN or inf")
        raise ValueError(f"Y must hold labels in [0, 1], got values in [{low}, {high}]")
    return y


def validate_scalar(value, name, *, minimum=None):
    """Return ``value`` as a finite Python float; ``minimum`` is an exclusive lower bound."""
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(()).item() if value.dtype.kind in "iuf" else value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if minimum is not None and not value > minimum:
        raise ValueError(f"{name} must be > {minimum}, got {value}")
    return value


def validate_iterations(iterations):
    """Return ``iterations`` as a non-negative int."""
    if isinstance(iterations, (bool, np.bool_)) or not isinstance(iterations, numbers.Integral):
        raise TypeError(f"iterations must be an integer, got {type(iterations).__name__}")
    if iterations < 0:
        raise ValueError(f"iterations must be >= 0, got {iterations}")
    return int(iterations)


def check_outputs(J, dw, db, X):
    """Raise ``ValueError`` if the step produced NaN/inf, saying whether X or an overflow is to blame.

    O(n_x) on success; only on failure is X scanned, to name the cause.
    """
    if math.isfinite(J) and math.isfinite(db) and np.isfinite(dw).all():
        return
    if not np.isfinite(X).all():
        raise ValueError("X contains NaN or inf")
    raise ValueError(
        f"the step is not finite although every input is: z = wᵀX + b overflowed {X.dtype} "
        f"(|z| beyond {np.finfo(X.dtype).max:.3g}); scale X or w down")
