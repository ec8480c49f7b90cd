"""The study's "why" as a model that predicts: each kernel's time per step from measured costs
(:mod:`vlr.study.model_parameters`), for cells the model never saw.

Per cell (m examples, n_x features, float64; X is ``8·m·n_x`` bytes):

- two loops: ``m · (per_example + n_x · per_element[level of X])`` -- the interpreter, per
  element of X, at the cost it has with X in L2, L3 or memory;
- one loop: ``m · (per_example + n_x · per_element[level of X])`` -- NumPy's per-call cost once
  per example;
- NumPy: ``fixed + m · per_example[level of its O(m) working set]
  + 2 · bytes of X beyond one row ÷ GEMV bandwidth[level of X, rows nearest n_x]``
  -- its fixed cost, its elementwise work and temporaries, and two reads of X at the
  bandwidth its GEMV reaches in the cache level X sits in (roofline/ECM: each term a measured
  cost; the levels from the machine's cache sizes).

The speed-ups over two loops follow, and with them each claim's predicted category
(:func:`vlr.study.intervals.point_category`). :func:`evaluate` compares the prediction with a
study's measured cells; kept machines measured before the parameters existed get them from
their own results (:func:`from_results`), and say which terms had to be fitted to which cells.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

from .intervals import CLAIMS, point_category
from .model_parameters import GEMV_ROWS, NUMPY_BYTES_PER_EXAMPLE, level_of, parameter_names

#: The kernels the model predicts (the ones the course's claims compare).
MODELLED = ("two_loops", "one_loop", "numpy")
#: The model's goal: every precisely measured cell within this relative error ...
GOAL_WORST = 0.25
#: ... and the median |error| within this.
GOAL_MEDIAN = 0.10
#: A measured time counts as precise when its interval's half width is within this.
PRECISE = 0.10


def _caches(params):
    return {"L2": params["cache.L2"], "L3": params["cache.L3"]}


def predict_seconds(params: dict, kernel: str, m: int, n_x: int) -> float | None:
    """Predicted seconds per float64 step of ``kernel`` at (m, n_x), or None (not modelled,
    or a term missing).

    Returns
    -------
    float or None
    """
    try:
        caches = _caches(params)
        if kernel in ("two_loops", "one_loop"):
            level = level_of(8 * m * n_x, caches)
            per_element = params[f"{kernel}.per_element" + ("" if level == "L2" else f".{level}")]
            return m * (params[f"{kernel}.per_example"] + n_x * per_element)
        if kernel == "numpy":
            t = params["numpy.fixed"] + m * params[f"numpy.per_example.{level_of(NUMPY_BYTES_PER_EXAMPLE * m, caches)}"]
            if n_x > 1:
                rows = min(GEMV_ROWS, key=lambda r: abs(math.log(r / n_x)))
                gemv = params[f"numpy.gemv.{level_of(8 * m * n_x, caches)}.nx{rows}"]
                t += 2 * 8 * m * (n_x - 1) / gemv
            return t
    except (KeyError, TypeError):
        return None
    return None


def predicted_ratio(params: dict, claim: str, m: int, n_x: int) -> float | None:
    """The claim's predicted speed-up (kernel over two loops) at (m, n_x), or None.

    Returns
    -------
    float or None
    """
    kernel, baseline, _ = CLAIMS[claim]
    a, b = predict_seconds(params, baseline, m, n_x), predict_seconds(params, kernel, m, n_x)
    return a / b if a and b else None


def prediction_table(params: dict, points) -> list[dict]:
    """Every (m, n_x) of ``points``: each modelled kernel's predicted seconds, and each claim's
    predicted speed-up and category (what ``vlr predict --json`` writes).

    Returns
    -------
    list of dict
    """
    out = []
    for m, n_x in points:
        row = {"m": m, "n_x": n_x, "seconds": {k: predict_seconds(params, k, m, n_x) for k in MODELLED}}
        for claim, (_, _, k) in CLAIMS.items():
            r = predicted_ratio(params, claim, m, n_x)
            row[claim] = {"ratio": r, "category": point_category(r, k)}
        out.append(row)
    return out


@dataclass
class Evaluation:
    """How a machine's prediction compares with its measured cells.

    Attributes
    ----------
    source : str
        "measured" (the parameters were recorded in the study's run) or "fitted" (a kept
        machine measured before they existed: see ``fitted``).
    fitted : dict
        term -> the cells it was taken from (empty when every term was measured).
    errors : dict
        (kernel, m, n_x) -> predicted ÷ measured − 1, for every measured cell the model predicts.
    precise : set
        The keys of ``errors`` whose measured time's interval is within ±:data:`PRECISE`.
    excluded : dict
        (kernel, m, n_x) -> why a measured cell is left out of the goal (calibration cell,
        imprecise measurement).
    categories : tuple
        (right, compared): measured cells whose category the prediction matched.
    """

    source: str
    fitted: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    precise: set = field(default_factory=set)
    excluded: dict = field(default_factory=dict)
    categories: tuple = (0, 0)

    def goal_errors(self) -> dict:
        """The errors the goal is judged on: precise cells not used to fit a term."""
        return {k: e for k, e in self.errors.items() if k in self.precise and k not in self.excluded}

    def summary(self, kernel: str | None = None) -> dict:
        """Median and worst |error|, and the cells beyond ±:data:`GOAL_WORST` (one kernel or all).

        Returns
        -------
        dict
            n, median, worst (key, error) and beyond (list of (key, error)).
        """
        errs = {k: e for k, e in self.goal_errors().items() if kernel is None or k[0] == kernel}
        if not errs:
            return {"n": 0, "median": None, "worst": None, "beyond": []}
        worst = max(errs.items(), key=lambda kv: abs(kv[1]))
        return {"n": len(errs), "median": statistics.median(abs(e) for e in errs.values()),
                "worst": worst, "beyond": sorted(((k, e) for k, e in errs.items() if abs(e) > GOAL_WORST),
                                                 key=lambda kv: -abs(kv[1]))}

    @property
    def meets_goal(self) -> bool:
        s = self.summary()
        return bool(s["n"]) and not s["beyond"] and s["median"] <= GOAL_MEDIAN


def recorded_parameters(results) -> dict | None:
    """The model's parameters recorded in a study's results (``TrackModelParameter``), or None
    when the run did not record them all.

    Returns
    -------
    dict or None
    """
    table = results.get("TrackModelParameter.track_parameter")
    values = {name: table.get((name,)) for name in parameter_names()}
    if any(v is None or (isinstance(v, float) and math.isnan(v) and not name.startswith("read."))
           for name, v in values.items()):
        return None
    return values


def measured_seconds(results):
    """{(kernel, m, n_x): (median seconds, interval half width or None)} of the float64 cells.

    Returns
    -------
    dict
    """
    from .verdict import _num
    out = {}
    for bench in ("TrackOneCall.track_seconds", "TimeGradientStep.time_gradient_step"):
        ci = results.interval99(bench)
        for (kernel, m, n_x, dtype), v in results.get(bench).items():
            t = _num(v)
            if dtype != "float64" or not t:
                continue
            lo_hi = ci.get((kernel, m, n_x, dtype))
            half = max(lo_hi[1] / t - 1, 1 - lo_hi[0] / t) if lo_hi else None
            out[(kernel, m, n_x)] = (t, half)
    return out


def from_results(results, caches_kib=None, seconds=None) -> tuple[dict | None, Evaluation]:
    """The parameters of a kept machine and an empty :class:`Evaluation` saying where they came
    from: recorded in the run (measured), or -- for results older than the parameters -- taken
    from the results themselves, each such term named with the cells it was fitted to.

    Returns
    -------
    (dict or None, Evaluation)
    """
    params = recorded_parameters(results)
    if params is not None:
        return params, Evaluation("measured")
    seconds = measured_seconds(results) if seconds is None else seconds
    if not seconds:
        return None, Evaluation("fitted")
    ms = sorted({m for _, m, _ in seconds})
    smallest = ms[0]
    fitted: dict = {}
    params = {}
    import numpy as np
    for kernel in ("two_loops", "one_loop"):
        pts = [(m, n, t) for (k, m, n), (t, _) in seconds.items() if k == kernel and m == smallest]
        if len(pts) >= 2:
            A = np.array([[m / t, m * n / t] for m, n, t in pts])
            (a, c), *_ = np.linalg.lstsq(A, np.ones(len(pts)), rcond=None)
            params[f"{kernel}.per_example"] = max(a, 0.0)
            for suffix in ("", ".L3", ".memory"):  # no per-level probe then: the in-cache cost
                params[f"{kernel}.per_element{suffix}"] = max(c, 0.0)
            fitted[f"{kernel} per example and per element (every level)"] = [(kernel, m, n) for m, n, _ in pts]
    np_pts = {(m, n): t for (k, m, n), (t, _) in seconds.items() if k == "numpy"}
    n1 = sorted(m for m, n in np_pts if n == 1)
    if not n1:
        return None, Evaluation("fitted")
    params["numpy.fixed"] = np_pts[(n1[0], 1)]
    fitted["numpy fixed cost"] = [("numpy", n1[0], 1)]
    from .model_parameters import cache_bytes
    caches = cache_bytes(caches_kib)
    params["cache.L2"], params["cache.L3"] = float(caches["L2"]), float(caches["L3"])
    for level in ("L2", "L3", "memory"):
        at = [m for m in n1[1:] if level_of(NUMPY_BYTES_PER_EXAMPLE * m, caches) == level]
        src = at[0] if at else n1[-1]
        params[f"numpy.per_example.{level}"] = max(np_pts[(src, 1)] - params["numpy.fixed"], 0.0) / src
        fitted.setdefault("numpy per example", []).append(("numpy", src, 1))
    from .verdict import roof_table
    roof = roof_table(results)
    for level in ("L2", "L3", "memory"):
        for rows in GEMV_ROWS:
            bw = None
            if roof:
                target = {"L2": caches["L2"] * 0.4, "L3": caches["L3"] * 0.4, "memory": 4 * caches["L3"]}[level]
                bw = roof[min(roof, key=lambda k: abs(math.log(k / target)))]
            params[f"numpy.gemv.{level}.nx{rows}"] = bw
    fitted["GEMV bandwidth"] = "the stream-read roof of the same run in place of the GEMV's (not measured then)"
    return params, Evaluation("fitted", fitted=fitted)


def evaluate(results, cells_by_claim, caches_kib=None) -> tuple[dict | None, Evaluation]:
    """Predict a machine's cells from its parameters and compare with what it measured.

    Parameters
    ----------
    results : vlr.study.asv_results.Results
    cells_by_claim : dict
        ``{"full": [Cell], "partial": [Cell]}`` (the measured categories).
    caches_kib : dict, optional
        The machine's cache sizes (its profile), for kept machines without recorded parameters.

    Returns
    -------
    (dict or None, Evaluation)
        The parameters (None when the results hold too little) and the evaluation.
    """
    seconds = measured_seconds(results)
    params, ev = from_results(results, caches_kib, seconds)
    if params is None:
        return None, ev
    calibration = {key for keys in ev.fitted.values() if isinstance(keys, list) for key in keys}
    for (kernel, m, n_x), (t, half) in seconds.items():
        p = predict_seconds(params, kernel, m, n_x)
        if p is None:
            continue
        key = (kernel, m, n_x)
        ev.errors[key] = p / t - 1
        if half is not None and half <= PRECISE:
            ev.precise.add(key)
        if key in calibration:
            ev.excluded[key] = "used to fit a term"
        elif half is None:
            ev.excluded[key] = "no interval (a single call)"
        elif half > PRECISE:
            ev.excluded[key] = f"interval ±{half:.0%}, wider than ±{PRECISE:.0%}"
    right = compared = 0
    for claim, cells in cells_by_claim.items():
        k = CLAIMS[claim][2]
        for c in cells:
            if not c.measured or c.category in (None, "undecided"):
                continue
            predicted = point_category(predicted_ratio(params, claim, c.m, c.n_x), k)
            if predicted is not None:
                compared += 1
                right += predicted == c.category
    ev.categories = (right, compared)
    return params, ev
