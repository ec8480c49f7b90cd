"""A cost model of the step fitted to one machine's measurements: why the verdict is what it is.

Per kernel, the time of one step is modelled as

    t(m, n_x) ≈ max(fixed + per_example·m + per_element·m·n_x,  passes · bytes of X ÷ roof)

-- a fixed cost per call (interpreter and NumPy call overheads), a cost per example (the
loss, a NumPy call per example in one_loop), a cost per element of X (the interpreter in two
loops, the arithmetic and cache traffic elsewhere), and, for X that streams from memory, the
floor of reading X ``passes`` times at the stream-read roof measured in the same run (NumPy
reads X twice, the fused kernels once).

The three constants are fitted by non-negative least squares on *relative* errors (every point
weighs the same, whatever its time), from the float64 points that were measured -- never from
the predictions. Each point's residual (predicted ÷ measured − 1) is kept; a point missed by
more than :data:`TOLERANCE` is called out by the report. The model then predicts the points
that were not measured (shown as predictions, never counted by the verdict) and draws where
~300x and ~10x are expected on each machine's heat map.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

#: How far (relative) a prediction may miss a measurement before the report calls it out.
TOLERANCE = 0.35
#: Reads of X per step: NumPy's two GEMVs, one pass for the others.
PASSES = {"two_loops": 1, "one_loop": 1, "numpy": 2, "numba": 1, "cython": 1}


@dataclass
class KernelModel:
    """One kernel's fitted constants on one machine and how well they fit.

    Attributes
    ----------
    kernel : str
    fixed, per_example, per_element : float
        Seconds per call, per example and per element of X.
    passes : int
        Reads of X per step (the roof floor).
    residuals : dict
        (m, n_x) -> predicted ÷ measured − 1, for every measured point.
    """

    kernel: str
    fixed: float
    per_example: float
    per_element: float
    passes: int
    roof: Callable[[float], float] | None = None  # nbytes -> bytes/s
    itemsize: int = 8
    residuals: dict = field(default_factory=dict)

    def predict(self, m: float, n_x: float) -> float:
        """Predicted seconds per step at (m, n_x).

        Returns
        -------
        float
        """
        t = self.fixed + self.per_example * m + self.per_element * m * n_x
        if self.roof is not None:
            nbytes = m * n_x * self.itemsize
            t = max(t, self.passes * nbytes / self.roof(nbytes))
        return t

    @property
    def worst(self) -> tuple | None:
        """The (m, n_x, residual) of the point missed by most, or None without points."""
        if not self.residuals:
            return None
        (m, n_x), r = max(self.residuals.items(), key=lambda kv: abs(kv[1]))
        return m, n_x, r

    @property
    def rms(self) -> float:
        """Root mean square of the relative residuals."""
        values = list(self.residuals.values())
        return math.sqrt(sum(r * r for r in values) / len(values)) if values else math.nan


def _nnls(A, b):
    from scipy.optimize import nnls
    return nnls(A, b)[0]


def fit_kernel(kernel: str, points: list[tuple[int, int, float]], roof=None,
               itemsize: int = 8) -> KernelModel | None:
    """Fit one kernel's constants to its measured ``(m, n_x, seconds)`` points.

    Points that sit on the roof floor (measured within 10 % of passes·bytes÷roof) are left out
    of the linear fit (the floor explains them) but keep their residuals.

    Returns
    -------
    KernelModel or None
        None with fewer than three points (three constants).
    """
    passes = PASSES.get(kernel, 1)
    pts = [(m, n, t) for m, n, t in points if t and t > 0]
    if len(pts) < 3:
        return None

    def floor(m, n):
        if roof is None:
            return 0.0
        nbytes = m * n * itemsize
        return passes * nbytes / roof(nbytes)
    linear = [(m, n, t) for m, n, t in pts if t > 1.1 * floor(m, n)] or pts
    A = np.array([[1.0 / t, m / t, m * n / t] for m, n, t in linear])
    fixed, per_example, per_element = _nnls(A, np.ones(len(linear)))
    model = KernelModel(kernel, float(fixed), float(per_example), float(per_element), passes,
                        roof, itemsize)
    model.residuals = {(m, n): model.predict(m, n) / t - 1 for m, n, t in pts}
    return model


def fit_machine(rows, roof=None, once=None) -> dict[str, KernelModel]:
    """Every kernel's model from one machine's float64 rows (:class:`vlr.study.verdict.Row`),
    plus single-call times ``once`` ({(kernel, m, n_x): seconds}) where there are any.

    Returns
    -------
    dict
        kernel -> KernelModel (kernels with fewer than three measured points are left out).
    """
    by_kernel: dict[str, list] = {}
    for r in rows:
        if r.dtype == "float64" and r.seconds:
            by_kernel.setdefault(r.kernel, []).append((r.m, r.n_x, r.seconds))
    for (kernel, m, n_x), t in (once or {}).items():
        if t:
            by_kernel.setdefault(kernel, []).append((m, n_x, t))
    models = {}
    for kernel, pts in by_kernel.items():
        model = fit_kernel(kernel, pts, roof)
        if model is not None:
            models[kernel] = model
    return models


def misses(models: dict[str, KernelModel], tolerance: float = TOLERANCE) -> list[tuple]:
    """Points the model misses by more than ``tolerance``: (kernel, m, n_x, residual), worst first.

    Returns
    -------
    list of tuple
    """
    out = [(k, m, n, r) for k, model in models.items() for (m, n), r in model.residuals.items()
           if abs(r) > tolerance]
    return sorted(out, key=lambda x: -abs(x[3]))


def predicted_speedup(models: dict[str, KernelModel], kernel: str, baseline: str,
                      m: float, n_x: float) -> float | None:
    """The model's speed-up of ``kernel`` over ``baseline`` at (m, n_x), or None.

    Returns
    -------
    float or None
    """
    a, b = models.get(baseline), models.get(kernel)
    if a is None or b is None:
        return None
    return a.predict(m, n_x) / b.predict(m, n_x)


def format_constants(model: KernelModel) -> str:
    """``"31 µs per call + 2.1 ns per example + 160 ns per element"`` (the nonzero terms).

    Returns
    -------
    str
    """
    from ..timing import format_seconds
    terms = [(model.fixed, "per call"), (model.per_example, "per example"),
             (model.per_element, "per element")]
    shown = [f"{format_seconds(v)} {what}" for v, what in terms if v > 0]
    return " + ".join(shown) or "0"
