"""Full NumPy vectorization, zero explicit loops -- the course's final version (claimed ~300x).

The course's seven lines, with the stable loss and σ(z) - y of :mod:`vlr.kernels`::

    Z  = np.dot(w.T, X) + b            # (1, m)   first pass over X
    dZ = A - Y                         # (1, m)
    dw = (1/m) * np.dot(X, dZ.T)       # (n_x, 1) second pass over X
    db = (1/m) * np.sum(dZ)

Two passes over X (two BLAS GEMV calls) and O(m) temporaries; everything stays in X's dtype.
"""
import numpy as np

from ._shapes import check_kernel_arguments, check_real


def gradients(w, b, X, y):
    """Cost and gradients of logistic regression, fully vectorized.

    Same parameters and returns as :func:`vlr.kernels.two_loops.gradients`.
    """
    n_x, m = check_kernel_arguments(w, X, y)
    b = check_real(b, "b")
    Z = w @ X + X.dtype.type(b)
    e = np.exp(-np.abs(Z))
    positive = Z > 0
    one_minus_y = 1 - y
    loss = np.log1p(e) + np.where(positive, one_minus_y * Z, -y * Z)
    dZ = np.where(positive, one_minus_y - y * e, one_minus_y * e - y) / (1 + e)
    dw = (X @ dZ) / X.dtype.type(m)
    return float(np.mean(loss, dtype=np.float64)), dw, float(np.sum(dZ, dtype=np.float64)) / m


def temporary_bytes(m, itemsize):
    """An upper bound of the bytes :func:`gradients` allocates for its O(m) temporaries (Z, e,
    the masks, loss, dZ and NumPy's intermediates: seven arrays of X's dtype and a boolean mask
    measured by tracemalloc; eight arrays are counted).

    Returns
    -------
    int
    """
    return m * (8 * itemsize + 1)
