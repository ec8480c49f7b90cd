"""One loop over examples, NumPy over features -- the course's "partial" version (claimed ~10x).

For each example i::

    z_i = np.dot(w, X[:, i]) + b
    J  += loss(z_i, y_i)          dz_i = σ(z_i) - y_i      (stable forms, see vlr.kernels)
    dw += X[:, i] * dz_i          db  += dz_i

then J, dw, db are divided by m. The vector operations stay in X's dtype.
"""
import numpy as np

from ._shapes import check_kernel_arguments, check_real
from .two_loops import loss_and_dz


def gradients(w, b, X, y):
    """Cost and gradients of logistic regression with one Python loop over examples.

    Same parameters and returns as :func:`vlr.kernels.two_loops.gradients`.
    """
    n_x, m = check_kernel_arguments(w, X, y)
    b = check_real(b, "b")
    J = 0.0
    dw = np.zeros(n_x, dtype=X.dtype)
    db = 0.0
    for i in range(m):
        x_i = X[:, i]
        z = float(np.dot(w, x_i)) + b
        loss, dz = loss_and_dz(z, float(y[i]))
        J += loss
        dw += x_i * X.dtype.type(dz)
        db += dz
    return J / m, dw / X.dtype.type(m), db / m
