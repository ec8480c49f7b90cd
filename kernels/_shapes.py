"""O(1) argument checks shared by the raw kernel entry points.

The public interface (:mod:`vlr`) validates values too; these checks only make sure a direct
call to a kernel module cannot index outside its arrays.
"""
import numpy as np

SUPPORTED_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def check_kernel_arguments(w, X, y, aligned=False):
    """Raise if ``w``, ``X``, ``y`` do not have the raw-kernel shapes and one float dtype (and,
    with ``aligned``, if one of them is not aligned to its itemsize).

    Returns ``(n_x, m)``.
    """
    for name, arr, ndim in (("X", X, 2), ("w", w, 1), ("y", y, 1)):
        if not isinstance(arr, np.ndarray):
            raise TypeError(f"{name} must be a numpy.ndarray, got {type(arr).__name__}")
        if arr.ndim != ndim:
            raise ValueError(f"{name} must be {ndim}-D for a raw kernel, got shape {arr.shape}")
    if X.dtype not in SUPPORTED_DTYPES:
        raise TypeError(f"X must be float32 or float64, got {X.dtype}")
    if w.dtype != X.dtype or y.dtype != X.dtype:
        raise TypeError(f"w and y must have X's dtype {X.dtype}, got w {w.dtype} and y {y.dtype}")
    if X.strides[0] % X.itemsize or X.strides[1] % X.itemsize:
        raise ValueError(f"X's strides {X.strides} must be multiples of its itemsize {X.itemsize}")
    n_x, m = X.shape
    if n_x == 0 or m == 0:
        raise ValueError(f"X must have at least one feature and one example, got shape {X.shape}")
    if w.shape[0] != n_x:
        raise ValueError(f"w has {w.shape[0]} entries but X has n_x = {n_x} rows")
    if y.shape[0] != m:
        raise ValueError(f"y has {y.shape[0]} entries but X has m = {m} columns")
    if aligned and not (X.flags.aligned and w.flags.aligned and y.flags.aligned):
        raise ValueError("X, w and y must be aligned to their itemsize (this one is a view at an "
                         "odd byte offset): use the numba or numpy kernel, or pass np.array(X)")
    return n_x, m
