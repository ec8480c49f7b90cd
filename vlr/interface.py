"""The public interface: one gradient step, its gradients, and the training loop.

Each function resolves its ``kernel`` argument (a name, ``"auto"`` or a kernel object) through
the registry and runs the call on that kernel (:mod:`vlr.step`).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import step
from .kernel import Kernel
from .registry import Fastest, get_kernel
from .step import StepResult, TrainResult


def gradients(w: Any, b: float, X: Any, Y: Any,
              kernel: str | Kernel | Fastest = "auto") -> tuple[float, np.ndarray, float]:
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
        :mod:`vlr.calibration`) or a kernel object from :func:`vlr.get_kernel`.

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
    return step.gradients_with(get_kernel(kernel), w, b, X, Y)


def gradient_step(w: Any, b: float, X: Any, Y: Any, alpha: float,
                  kernel: str | Kernel | Fastest = "auto") -> StepResult:
    """One gradient-descent step: ``w - alpha·dw``, ``b - alpha·db``.

    Parameters are those of :func:`gradients`, plus ``alpha`` (float > 0), the learning rate.

    Returns
    -------
    StepResult
        ``w``, ``b`` after the step; ``J``, ``dw``, ``db`` at the parameters before it.
    """
    return step.gradient_step_with(get_kernel(kernel), w, b, X, Y, alpha)


def train(X: Any, Y: Any, iterations: int, alpha: float, kernel: str | Kernel | Fastest = "auto",
          w0: Any = None, b0: float = 0.0, cost_every: int = 1) -> TrainResult:
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
    cost_every : int >= 1, default 1
        Record the cost J before every ``cost_every``-th step (the course records it every
        100). The compiled kernels skip the loss on the other steps and compute dz alone.

    Returns
    -------
    TrainResult
        ``(w, b, costs)``: the trained parameters (w in the shape of ``w0``) and the cost J
        before steps 0, ``cost_every``, 2·``cost_every``, ... (``ceil(iterations /
        cost_every)`` of them; with the default, before each step).

    Examples
    --------
    >>> import numpy as np, vlr
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((3, 200))
    >>> Y = (X[0] + 0.5 * X[1] > 0).astype(float).reshape(1, -1)
    >>> w, b, costs = vlr.train(X, Y, iterations=1000, alpha=0.5, cost_every=100)
    >>> len(costs), bool(costs[-1] < costs[0])
    (10, True)
    """
    return step.train_with(get_kernel(kernel), X, Y, iterations, alpha, w0, b0, cost_every)
