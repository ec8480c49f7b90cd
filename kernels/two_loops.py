"""Two explicit loops in pure Python -- the course's "original" version and the study's reference.

For each example i (loop 1) and each feature j (loop 2)::

    z_i  = Σ_j w_j · X[j, i] + b
    J   += loss(z_i, y_i)               dz_i = σ(z_i) - y_i   (stable forms, see vlr.kernels)
    dw_j += X[j, i] · dz_i              db  += dz_i

and finally J, dw, db are divided by m. Only Python floats are used inside the loops; X is
turned into nested lists once, before them (so float32 input is computed in double precision,
which makes this the most accurate kernel as well as the slowest); only a z beyond X's dtype's
range overflows, as it does in every kernel.
"""
import math
from math import exp, log1p

import numpy as np

from ._shapes import check_kernel_arguments, check_real


def loss_and_dz(z, y):
    """Return ``(log(1 + e^z) - y·z, σ(z) - y)`` for one example, stable for any finite z.

    Branch-free but for two selects, so that the Numba kernel compiles this same function into
    a loop LLVM vectorises (with its own exp and log1p bound to these names).
    """
    e = exp(-abs(z))  # never overflows
    positive = z > 0.0
    loss = log1p(e) + ((1.0 - y) * z if positive else -y * z)
    dz = (((1.0 - y) - y * e) if positive else ((1.0 - y) * e - y)) / (1.0 + e)
    return loss, dz


def gradients(w, b, X, y):
    """Cost and gradients of logistic regression with two Python loops.

    Parameters
    ----------
    w : ndarray, shape (n_x,)       # IN
    b : float                        # IN
    X : ndarray, shape (n_x, m)      # IN, examples are columns
    y : ndarray, shape (m,)          # IN, labels in [0, 1]

    Returns
    -------
    J : float
    dw : ndarray, shape (n_x,), X's dtype
    db : float
    """
    n_x, m = check_kernel_arguments(w, X, y)
    rows = X.tolist()
    weights = w.tolist()
    labels = y.tolist()
    b = check_real(b, "b")

    J = 0.0
    dw = [0.0] * n_x
    db = 0.0
    z_max = float(np.finfo(X.dtype).max)      # z is a number of X's dtype, as in every kernel
    for i in range(m):                       # loop 1: over examples
        z = b
        for j in range(n_x):                 # loop 2: over features (forward)
            z += weights[j] * rows[j][i]
        if abs(z) > z_max:                   # beyond X's dtype: z overflows
            z = math.copysign(math.inf, z)
        loss, dz = loss_and_dz(z, labels[i])
        J += loss
        for j in range(n_x):                 # loop 2: over features (backward)
            dw[j] += rows[j][i] * dz
        db += dz
    return J / m, np.array([g / m for g in dw], dtype=X.dtype), db / m
