"""O(1) argument checks shared by the raw kernel entry points.

The public interface (:mod:`vlr`) validates values too; these checks only make sure a direct
call to a kernel module cannot index outside its arrays.
"""
import math
import numbers
import os

import numpy as np

SUPPORTED_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
#: The most threads a raw kernel starts: 4 per CPU. More only adds OS threads and scratch
#: (the Cython kernel's scratch grows with the thread count).
MAX_THREADS = 4 * (os.cpu_count() or 1)
#: The most iterations a raw ``train`` takes: its costs array must be addressable.
MAX_ITERATIONS = np.iinfo(np.intp).max // 8

MASKED_HINT = ("vlr does not honour masks: pass {name}.filled(value), or leave the masked "
               "examples out first (np.ma.getmaskarray({name}) says which)")


_FLOAT64, _FLOAT32 = np.dtype(np.float64), np.dtype(np.float32)


def _is_masked(arr):
    return type(arr) is not np.ndarray and isinstance(arr, np.ma.MaskedArray)


def check_kernel_arguments(w, X, y, aligned=False):
    """Raise if ``w``, ``X``, ``y`` do not have the raw-kernel shapes and one float dtype (and,
    with ``aligned``, if one of them is not aligned to its itemsize).

    Returns ``(n_x, m)``.
    """
    if (type(X) is np.ndarray and type(w) is np.ndarray and type(y) is np.ndarray
            and X.ndim == 2 and w.ndim == 1 and y.ndim == 1):  # the common case, checked cheaply
        dtype = X.dtype
        n_x, m = X.shape
        s0, s1 = X.strides
        size = dtype.itemsize
        if ((dtype is _FLOAT64 or dtype is _FLOAT32) and w.dtype is dtype and y.dtype is dtype
                and n_x and m and w.shape[0] == n_x and y.shape[0] == m
                and not s0 % size and not s1 % size
                and (not aligned or (X.flags.aligned and w.flags.aligned and y.flags.aligned))):
            return n_x, m
    for name, arr, ndim in (("X", X, 2), ("w", w, 1), ("y", y, 1)):
        if not isinstance(arr, np.ndarray):
            raise TypeError(f"{name} must be a numpy.ndarray, got {type(arr).__name__}")
        if _is_masked(arr):
            raise TypeError(f"{name} is a masked array; " + MASKED_HINT.format(name=name))
        if arr.ndim != ndim:
            raise ValueError(f"{name} must be {ndim}-D for a raw kernel, got shape {arr.shape}")
    check_dtypes(w, X, y)
    if X.strides[0] % X.itemsize or X.strides[1] % X.itemsize:
        raise ValueError(f"X's strides {X.strides} must be multiples of its itemsize {X.itemsize}")
    n_x, m = check_lengths(w, X, y)
    if aligned and not (X.flags.aligned and w.flags.aligned and y.flags.aligned):
        raise ValueError("X, w and y must be aligned to their itemsize (this one is a view at an "
                         "odd byte offset): use the numba or numpy kernel, or pass np.array(X)")
    return n_x, m


def check_dtypes(w, X, y):
    """Raise unless X is float32/float64 and w, y have its dtype (any arrays with ``dtype``:
    NumPy's here, the GPU kernel's device arrays too)."""
    if X.dtype not in SUPPORTED_DTYPES:
        raise TypeError(f"X must be float32 or float64, got {X.dtype}")
    if w.dtype != X.dtype or y.dtype != X.dtype:
        raise TypeError(f"w and y must have X's dtype {X.dtype}, got w {w.dtype} and y {y.dtype}")


def check_lengths(w, X, y):
    """Raise unless X (2-D) is non-empty and w, y (1-D) match its n_x and m; returns ``(n_x, m)``."""
    n_x, m = X.shape
    if n_x == 0 or m == 0:
        raise ValueError(f"X must have at least one feature and one example, got shape {tuple(X.shape)}")
    if w.shape[0] != n_x:
        raise ValueError(f"w has {w.shape[0]} entries but X has n_x = {n_x} rows")
    if y.shape[0] != m:
        raise ValueError(f"y has {y.shape[0]} entries but X has m = {m} columns")
    return n_x, m


def _check_int(value, name, low, high, note=""):
    """``value`` as an int in [low, high], or a ``TypeError``/``ValueError`` naming ``name``."""
    if type(value) is not int and (isinstance(value, (bool, np.bool_))
                                   or not isinstance(value, numbers.Integral)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be in [{low}, {high}]{note}, got {value}")
    return int(value)


def check_threads(n_threads, default_threads):
    """``n_threads`` as an int in [1, :data:`MAX_THREADS`] (None: ``default_threads()``).

    Returns
    -------
    int
    """
    if n_threads is None:
        return int(default_threads())
    return _check_int(n_threads, "n_threads", 1, MAX_THREADS, " (4 per CPU here)")


def check_real(value, name, positive=False):
    """``value`` as a float, or a ``TypeError`` naming ``name``; with ``positive`` it must also
    be finite and > 0 (a ``ValueError`` otherwise). A NaN or inf ``b`` is a float: it poisons
    the outputs, which the public interface checks.

    Returns
    -------
    float
    """
    if type(value) is not float:  # the common case costs one type check
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
        value = float(value)
    if positive and not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be finite and > 0, got {value}")
    return value


def check_iterations(iterations):
    """``iterations`` as an int in [0, :data:`MAX_ITERATIONS`].

    Returns
    -------
    int
    """
    return _check_int(iterations, "iterations", 0, MAX_ITERATIONS)


def check_cost_every(cost_every):
    """``cost_every`` as an int in [1, :data:`MAX_ITERATIONS`].

    Returns
    -------
    int
    """
    return _check_int(cost_every, "cost_every", 1, MAX_ITERATIONS)


def contiguous(arr, writeable=False):
    """A 1-D ndarray ``arr`` as a contiguous array (a copy of O(len) only when it is strided, or,
    with ``writeable``, read-only); anything else unchanged, for :func:`check_kernel_arguments`
    to judge.

    Returns
    -------
    object
    """
    if type(arr) is np.ndarray and arr.ndim == 1:
        flags = arr.flags  # one flags object, not two
        if not (flags.c_contiguous and (flags.writeable or not writeable)):
            return np.array(arr, order="C")
    return arr
