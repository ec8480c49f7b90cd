"""Validation of user input, done once in the public interface.

Everything here is O(1) or O(m + n_x): nothing reads X. Non-finite values in X or w are
caught afterwards from the kernel's outputs, which they always poison (``outputs_finite``, then
``explain_non_finite``), so a one-pass kernel is not slowed down by an extra pass over X.

Small calls are dominated by fixed costs (each NumPy call costs ~1 µs), so arrays that are
already what the kernels take (``fast_inputs``: ndarrays, one dtype, contiguous) go through
without a NumPy call, and the compiled kernels check the labels and the outputs in the same call as the step
(``gradients_checked``); only the other kernels use :func:`check_labels` here.
"""
import math
import numbers

import numpy as np

from .kernels._shapes import MASKED_HINT, SUPPORTED_DTYPES


def refuse_unsupported(value, name):
    """Raise ``TypeError`` for inputs NumPy would convert wrongly: a masked array (its mask
    would be dropped silently) and a scipy.sparse matrix or array (it would become an object
    array). O(1)."""
    if isinstance(value, np.ma.MaskedArray) or isinstance(getattr(value, "_meta", None), np.ma.MaskedArray):
        raise TypeError(f"{name} is a masked array; " + MASKED_HINT.format(name=name))
    if type(value).__module__.startswith("scipy.sparse"):
        raise TypeError(f"{name} is a scipy.sparse {type(value).__name__}; vlr's kernels read dense "
                        f"arrays only: pass {name}.toarray() (it must fit in memory), or a "
                        f"dask.array of dense blocks")


def _real_array(value, name):
    """``np.asarray(value)``, refusing complex, object, string and other non-real dtypes."""
    refuse_unsupported(value, name)
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be array-like of real numbers: {exc}") from exc
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    return arr


def check_X(X):
    """The checks of X that read no data, the same for a NumPy and a ``dask.array`` X: a real
    float32/float64 dtype, 2-D, at least one feature and one example. O(1)."""
    if X.dtype not in SUPPORTED_DTYPES:
        if X.dtype.kind not in "biuf":
            raise TypeError(f"X must hold real numbers, got dtype {X.dtype}")
        raise TypeError(
            f"X must have dtype float32 or float64, got {X.dtype}; convert it once with "
            f"X.astype(np.float64) (vlr never copies X behind your back)")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D with shape (n_x, m), examples as columns; got shape {X.shape}")
    n_x, m = X.shape
    if n_x == 0 or m == 0:
        raise ValueError(f"X must have at least one feature and one example, got shape {X.shape}")


def check_Y_shape(shape, m):
    """Raise ``ValueError`` unless ``shape`` is Y's (1, m) or (m,) for X's ``m`` examples."""
    if shape not in ((m,), (1, m)):
        hint = " (X has examples as columns: did you pass X.T?)" if len(shape) >= 1 else ""
        raise ValueError(f"Y must have shape (1, {m}) or ({m},) to match X's m = {m} columns, "
                         f"got shape {shape}{hint}")


def validate_X(X):
    """Return X as an ndarray of shape (n_x, m) and dtype float32/float64, without copying it."""
    if type(X) is not np.ndarray:
        X = _real_array(X, "X")  # refuses masked and sparse X
    check_X(X)
    if X.strides[0] % X.itemsize or X.strides[1] % X.itemsize:
        raise ValueError("X's strides must be multiples of its itemsize; pass np.ascontiguousarray(X)")
    return X


_FLOAT64, _FLOAT32 = SUPPORTED_DTYPES[1], SUPPORTED_DTYPES[0]


def fast_inputs(w, b, X, Y):
    """``(w_flat, w_shape, b, X, y)`` if the inputs need no conversion, else None.

    The common case -- ndarrays of one float dtype, w and Y contiguous, b a float -- costs
    about 1 µs this way; anything else goes through the validate_* functions.
    """
    if not (type(X) is np.ndarray and type(w) is np.ndarray and type(Y) is np.ndarray
            and type(b) is float and math.isfinite(b)):
        return None
    dtype = X.dtype
    w_flags, Y_flags = w.flags, Y.flags
    if not ((dtype is _FLOAT64 or dtype is _FLOAT32) and w.dtype is dtype and Y.dtype is dtype
            and X.ndim == 2 and w_flags.c_contiguous and Y_flags.c_contiguous
            and w_flags.aligned and Y_flags.aligned):
        return None
    n_x, m = X.shape
    s0, s1 = X.strides
    size = dtype.itemsize
    if n_x == 0 or m == 0 or s0 % size or s1 % size:
        return None
    w_shape = w.shape
    if not (w_shape == (n_x, 1) or w_shape == (n_x,)) or not (Y.shape == (1, m) or Y.shape == (m,)):
        return None
    # 1-D views (both are contiguous); a 1-D array is its own
    return (w if len(w_shape) == 1 else w.ravel()), w_shape, b, X, (Y if Y.ndim == 1 else Y.ravel())


def initial_w(w0, n_x, dtype):
    """``w0``, or when it is None the default start of a descent: zeros of shape (n_x, 1) in
    ``dtype`` (X's)."""
    return np.zeros((n_x, 1), dtype=dtype) if w0 is None else w0


def validate_w(w, n_x, dtype, m=None):
    """Return w as a contiguous, aligned (n_x,) array of ``dtype`` (a view when it already is one)
    and its shape; accepts (n_x, 1) or (n_x,). With X's ``m``, a w that would fit X.T gets a hint.

    Finiteness is not checked here: NaN/inf in w poisons J (see :func:`explain_non_finite`).
    """
    arr = _real_array(w, "w")
    if arr.shape not in ((n_x,), (n_x, 1)):
        hint = (" (X has examples as columns, shape (n_x, m): did you pass X.T?)"
                if m is not None and arr.size == m and arr.size != n_x else "")
        raise ValueError(f"w must have shape ({n_x}, 1) or ({n_x},) to match X's n_x = {n_x} rows, "
                         f"got shape {arr.shape}{hint}")
    return np.require(arr.reshape(n_x), dtype=dtype, requirements="CA"), arr.shape


def validate_Y(Y, m, dtype):
    """Return Y as a contiguous, aligned (m,) array of ``dtype`` (a view when it already is one);
    accepts shape (1, m) or (m,).

    The labels' range is checked by :func:`check_labels` or, in the same pass as the step, by
    a compiled kernel.
    """
    arr = _real_array(Y, "Y")
    check_Y_shape(arr.shape, m)
    return np.require(arr.reshape(m), dtype=dtype, requirements="CA")


def labels_in_range(y):
    """True if every label in ``y`` is in [0, 1] (NaN is not)."""
    return bool(y.min() >= 0 and y.max() <= 1)  # NaN fails both comparisons


def check_labels(y):
    """Raise ``ValueError`` unless every label in ``y`` is in [0, 1]."""
    if not labels_in_range(y):
        low, high = y.min(), y.max()
        if not np.isfinite(y).all():
            raise ValueError("Y contains NaN or inf")
        raise ValueError(f"Y must hold labels in [0, 1], got values in [{low}, {high}]")


def validate_scalar(value, name, *, minimum=None):
    """Return ``value`` as a finite Python float; ``minimum`` is an exclusive lower bound."""
    if type(value) is float and math.isfinite(value) and (minimum is None or value > minimum):
        return value
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


def validate_iterations(iterations, name="iterations", minimum=0):
    """Return ``iterations`` as an int >= ``minimum``; errors name the argument ``name``."""
    if isinstance(iterations, (bool, np.bool_)) or not isinstance(iterations, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(iterations).__name__}")
    if iterations < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {iterations}")
    return int(iterations)


def outputs_finite(J, dw, db):
    """True if J, db and every entry of dw are finite."""
    return math.isfinite(J) and math.isfinite(db) and bool(np.isfinite(dw).all())


def explain_non_finite(X, w, X_finite=None, *, J=math.nan, costs=None):
    """Raise the ``ValueError`` that says why a step (or training) was not finite: X, w, z,
    dw or the update, whichever overflowed.

    Called only on failure: this is where X is scanned, to name the cause (unless the caller
    already knows, as the Dask path does, and passes ``X_finite``). ``J`` is the step's cost
    (finite J with a non-finite dw: dw's sum overflowed, not z); ``costs`` the training's costs.
    """
    if not (np.isfinite(X).all() if X_finite is None else X_finite):
        raise ValueError("X contains NaN or inf")
    if not np.isfinite(w).all():
        raise ValueError("w contains NaN or inf")
    limit = f"{np.finfo(X.dtype).max:.3g}"
    if costs is not None:
        bad = np.flatnonzero(~np.isfinite(costs))
        if bad.size:
            raise ValueError(
                f"training diverged: the cost of iteration {bad[0]} is not finite, z = wᵀX + b "
                f"overflowed {X.dtype} (|z| beyond {limit}) as w grew; lower alpha or scale X down")
        raise ValueError(f"training diverged: the update w - alpha·dw overflowed {X.dtype} "
                         f"(beyond {limit}); lower alpha or scale X down")
    if math.isfinite(J):
        raise ValueError(f"dw = X·dz / m overflowed {X.dtype} (beyond {limit}) although z did "
                         f"not: X's values are too large to sum; scale X down")
    raise ValueError(
        f"the step is not finite although every input is: z = wᵀX + b overflowed {X.dtype} "
        f"(|z| beyond {limit}); scale X or w down")
