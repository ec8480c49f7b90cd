"""Generated problems in the course's shapes, for calibration, benchmarks and examples."""
from __future__ import annotations

import numpy as np


def make_step_data(m: int, n_x: int, dtype: str | type = "float64",
                   seed: int = 0) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """A reproducible problem in the course's shapes.

    X is uniform in [-1, 1) (cheaper to generate than normal at 10⁸ elements); w is scaled so
    that z = wᵀx + b is of order one, where both branches of the stable loss are exercised.

    Parameters
    ----------
    m, n_x : int
        Examples and features.
    dtype : {"float64", "float32"}
    seed : int

    Returns
    -------
    (w, b, X, Y)
        w of shape (n_x, 1), b = 0.1, X of shape (n_x, m), Y of shape (1, m) with labels 0 and 1.
    """
    rng = np.random.default_rng(seed)
    X = rng.random((n_x, m), dtype=np.dtype(dtype).type)
    X *= 2
    X -= 1
    w = (rng.standard_normal((n_x, 1)) * np.sqrt(3.0 / n_x)).astype(dtype)
    Y = (rng.random((1, m)) < 0.5).astype(dtype)
    return w, 0.1, X, Y
