"""The study's rows and its verdict: where the course's ~300x and ~10x hold on this machine,
and why -- each "why" a measurement from the same asv results."""
import math
from dataclasses import dataclass

from ..kernel import KERNELS
from ..timing import format_seconds
from .asv_results import Results
from .grid import GRIDS
from .plots import COURSE_FULL, fmt_x as _fmt_x


@dataclass
class Row:
    dtype: str
    m: int
    n_x: int
    kernel: str
    seconds: float | None
    vs_two_loops: float | None
    vs_numpy: float | None


def _num(v):
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def build_rows(results: Results):
    """Kernel x (m, n_x, dtype) -> time per step and the two measured speed-ups.

    Returns
    -------
    list of Row
    """
    times = results.get("TimeGradientStep.time_gradient_step")
    vs_two = results.get("TrackSpeedupVsTwoLoops.track_speedup")
    vs_np = results.get("TrackSpeedupVsNumpy.track_speedup")
    if not times:
        raise ValueError(f"{results.path} has no TimeGradientStep results")
    rows = [Row(dtype, m, n_x, kernel, _num(t), _num(vs_two.get(key)), _num(vs_np.get(key)))
            for key, t in times.items() for kernel, m, n_x, dtype in [key]]
    order = {k: i for i, k in enumerate(KERNELS)}
    rows.sort(key=lambda r: (r.dtype != "float64", r.dtype, r.m, r.n_x, order.get(r.kernel, 99)))
    return rows


def grid_of(rows):
    """The name of the grid in vlr.study.grid that produced ``rows`` ("custom" if none).

    Returns
    -------
    str
    """
    found = dict(m={r.m for r in rows}, n_x={r.n_x for r in rows}, dtype={r.dtype for r in rows})
    for name, g in GRIDS.items():
        if all(found[k] == set(g[k]) for k in found):
            return name
    return "custom"


def roof_table(results):
    """Best measured stream-read bandwidth (bytes/s) per array size, over thread counts.

    Returns
    -------
    dict
        nbytes -> bytes per second.
    """
    best = {}
    for (nbytes, threads), gbs in results.get("TrackStreamBandwidth.track_stream_read").items():
        if _num(gbs):
            best[nbytes] = max(best.get(nbytes, 0.0), gbs * 1e9)
    return best


def _nearest(table, nbytes):
    return table[min(table, key=lambda k: abs(math.log(k) - math.log(nbytes)))] if table else None


def numpy_parts(results):
    """NumPy's step by parts at the largest X timed (``TimeNumpyParts``), with each GEMV's bytes
    of X per second as a fraction of the roof at X's size; None if not measured.

    Returns
    -------
    dict or None
    """
    parts = {key: _num(t) for key, t in results.get("TimeNumpyParts.time_part").items()}
    roof = roof_table(results)
    whole = {(m, n_x): t for (part, m, n_x), t in parts.items() if part == "whole step" and t}
    if not whole or not roof:
        return None
    m, n_x = max(whole, key=lambda k: k[0] * k[1])
    t = {part: parts.get((part, m, n_x)) for part in
         ("z = w·X (GEMV)", "dw = X·dz (GEMV)", "elementwise (loss, dz)", "whole step")}
    if any(v is None for v in t.values()):
        return None
    nbytes = m * n_x * 8
    r = _nearest(roof, nbytes)
    return dict(m=m, n_x=n_x, nbytes=nbytes, roof=r, seconds=t,
                z_fraction=nbytes / t["z = w·X (GEMV)"] / r,
                dw_fraction=nbytes / t["dw = X·dz (GEMV)"] / r,
                elementwise_share=t["elementwise (loss, dz)"] / t["whole step"])


@dataclass
class Cell:
    """One point of a claim: a kernel's speed-up over two loops at (m, n_x), and how it is known.

    ``how`` is "paired" (both sides timed alternately in one benchmark call), "single call"
    (a side over its time budget timed once, ``TrackOneCall``, the other side's median step),
    "unpaired" (both sides' median steps, no paired ratio),
    "predicted" (the cost model's; never counted by the verdict) or None (unknown). ``spread``
    is the (low, high) range of the ratio from the two sides' interquartile ranges, if known.
    """

    m: int
    n_x: int
    ratio: float | None
    how: str | None
    spread: tuple | None = None

    @property
    def measured(self) -> bool:
        return self.how in ("paired", "single call", "unpaired") and self.ratio is not None


def single_calls(results):
    """``TrackOneCall``'s seconds: {(kernel, m, n_x): seconds} (float64).

    Returns
    -------
    dict
    """
    return {(k, m, n): _num(v) for (k, m, n, dtype), v in results.get("TrackOneCall.track_seconds").items()
            if dtype == "float64" and _num(v)}


def claim_cells(rows, results, kernel, models=None):
    """Every (m, n_x) of the float64 grid for ``kernel`` vs two_loops, measured where possible.

    Returns
    -------
    list of Cell
    """
    f64 = [r for r in rows if r.dtype == "float64"]
    step = {(r.kernel, r.m, r.n_x): r for r in f64}
    once = single_calls(results)
    spread = results.spread("TimeGradientStep.time_gradient_step")
    cells = []
    for m, n_x in sorted({(r.m, r.n_x) for r in f64}):
        own, ref = step.get((kernel, m, n_x)), step.get(("two_loops", m, n_x))
        if own is not None and own.vs_two_loops:
            q_own, q_ref = spread.get((kernel, m, n_x, "float64")), spread.get(("two_loops", m, n_x, "float64"))
            band = (q_ref[0] / q_own[1], q_ref[1] / q_own[0]) if q_own and q_ref else None
            cells.append(Cell(m, n_x, own.vs_two_loops, "paired", band))
            continue
        t_ref = (ref.seconds if ref else None) or once.get(("two_loops", m, n_x))
        t_own = (own.seconds if own else None) or once.get((kernel, m, n_x))
        if t_ref and t_own:
            single = not (ref and ref.seconds) or not (own and own.seconds)
            cells.append(Cell(m, n_x, t_ref / t_own, "single call" if single else "unpaired"))
            continue
        from .cost_model import predicted_speedup
        predicted = predicted_speedup(models or {}, kernel, "two_loops", m, n_x)
        cells.append(Cell(m, n_x, predicted, "predicted" if predicted else None))
    return cells


def _where(cells):
    return ", ".join(f"(m={c.m:g}, n_x={c.n_x})" for c in cells) or "none of them"


def claim_summary(cells, claim, low, high=None):
    """Counts of a claim over measured cells: (held, measured, predicted cells).

    ``held`` are the measured cells with ``low <= ratio`` (and ``<= high`` when given).

    Returns
    -------
    (list of Cell, list of Cell, list of Cell)
    """
    measured = [c for c in cells if c.measured]
    held = [c for c in measured if c.ratio >= low and (high is None or c.ratio <= high)]
    predicted = [c for c in cells if not c.measured]
    return held, measured, predicted


def _predicted_sentence(predicted, claim_low):
    if not predicted:
        return ""
    known = [c for c in predicted if c.ratio]
    unknown = [c for c in predicted if not c.ratio]
    parts = []
    if known:
        parts.append("not measured, the cost model predicts "
                     + ", ".join(f"{_fmt_x(c.ratio)} at (m={c.m:g}, n_x={c.n_x})" for c in known)
                     + " (predictions, not counted)")
    if unknown:
        parts.append(f"unknown at {_where(unknown)} (neither measured nor predictable)")
    return " " + "; ".join(parts).capitalize() + "."


def verdict(rows, results, models=None):
    """Markdown sentences on where the course's ~300x and ~10x hold on this machine, and why
    (each "why" is a measurement from the same results, or a constant fitted to them).

    Only cells with both sides measured are counted; the others are quoted as the cost
    model's predictions and marked so.

    Returns
    -------
    list of str
    """
    f64 = [r for r in rows if r.dtype == "float64"] or rows
    by = {(r.kernel, r.m, r.n_x): r for r in f64}
    lines = []
    full = claim_cells(rows, results, "numpy", models)
    held, measured, predicted = claim_summary(full, "full", COURSE_FULL)
    if measured:
        lo, hi = min(measured, key=lambda c: c.ratio), max(measured, key=lambda c: c.ratio)
        lines.append(
            f"**Full vectorization vs two loops (claimed ~300x):** measured {_fmt_x(lo.ratio)} "
            f"(m={lo.m}, n_x={lo.n_x}) to {_fmt_x(hi.ratio)} (m={hi.m}, n_x={hi.n_x}). "
            f"It reaches 300x at {len(held)} of {len(measured)} measured points ({_where(held)}); "
            f"below, at {_where([c for c in measured if c not in held])}."
            + _predicted_sentence(predicted, COURSE_FULL))
    part = claim_cells(rows, results, "one_loop", models)
    held, measured, predicted = claim_summary(part, "partial", 5, 20)
    if measured:
        lo, hi = min(measured, key=lambda c: c.ratio), max(measured, key=lambda c: c.ratio)
        slower = [c for c in measured if c.ratio < 1]
        lines.append(
            f"**One loop vs two loops (claimed ~10x):** measured {_fmt_x(lo.ratio)} to "
            f"{_fmt_x(hi.ratio)}. Within 5–20x at {len(held)} of {len(measured)} measured points "
            f"({_where(held)}); one loop is slower than two loops at {_where(slower)}."
            + _predicted_sentence(predicted, 5))
    singles = single_calls(results)
    if singles:
        lines.append("**Single calls:** where a pure-Python kernel is over its time budget it was "
                     "timed once (`TrackOneCall`): "
                     + ", ".join(f"{k} {format_seconds(t)} at (m={m:g}, n_x={n})"
                                 for (k, m, n), t in sorted(singles.items())) + ".")
    compiled = [r for r in f64 if r.kernel in ("numba", "cython") and r.vs_numpy]
    if compiled:
        best = max(compiled, key=lambda r: r.vs_numpy)
        worst = min(compiled, key=lambda r: r.vs_numpy)
        lines.append(f"**Beyond the course (one fused pass over X):** the compiled kernels run at "
                     f"{_fmt_x(worst.vs_numpy)} ({worst.kernel}, m={worst.m}, n_x={worst.n_x}) "
                     f"to {_fmt_x(best.vs_numpy)} ({best.kernel}, m={best.m}, n_x={best.n_x}) "
                     f"of NumPy's speed.")
    why = []
    from .cost_model import format_constants
    models = models or {}
    if "two_loops" in models:
        why.append(f"two loops pay the interpreter per element of X: "
                   f"{format_seconds(models['two_loops'].per_element)} per element (fitted: "
                   f"{format_constants(models['two_loops'])})")
    else:
        two = [r for r in f64 if r.kernel == "two_loops" and r.seconds]
        if two:
            big = max(two, key=lambda r: r.m * r.n_x)
            why.append(f"two loops pay the interpreter per element of X: "
                       f"{big.seconds / (big.m * big.n_x) * 1e9:.0f} ns per element at m={big.m}, "
                       f"n_x={big.n_x}")
    if "one_loop" in models:
        why.append(f"one loop pays NumPy's per-call cost once per example "
                   f"({format_constants(models['one_loop'])}), which only beats two loops' "
                   f"per-element cost when n_x is large")
    if "numpy" in models:
        why.append(f"NumPy costs {format_constants(models['numpy'])}: its fixed cost per step "
                   f"keeps small problems from showing 300x")
    else:
        np_small = by.get(("numpy", min(r.m for r in f64), min(r.n_x for r in f64)))
        if np_small and np_small.seconds:
            why.append(f"NumPy's fixed cost per step is ~{format_seconds(np_small.seconds)} "
                       f"(m={np_small.m}, n_x={np_small.n_x}), so small problems cannot show 300x")
    parts = numpy_parts(results)
    if parts:
        t = parts["seconds"]
        why.append(
            f"NumPy's step at m={parts['m']:g}, n_x={parts['n_x']} ({parts['nbytes'] / 1e6:.0f} MB "
            f"of X) takes {format_seconds(t['whole step'])}: its GEMV z = w·X "
            f"{format_seconds(t['z = w·X (GEMV)'])} ({parts['z_fraction']:.0%} of the "
            f"{parts['roof'] / 1e9:.0f} GB/s roof), its GEMV dw = X·dz "
            f"{format_seconds(t['dw = X·dz (GEMV)'])} ({parts['dw_fraction']:.0%} of the roof), "
            f"its elementwise loss and dz {format_seconds(t['elementwise (loss, dz)'])} "
            f"({parts['elementwise_share']:.0%} of the step) (`TimeNumpyParts`): NumPy reads X "
            f"twice, and a kernel reading it once at the same speed would be "
            f"{t['whole step'] / max(t['z = w·X (GEMV)'], t['dw = X·dz (GEMV)']):.1f}x faster")
    if why:
        lines.append("**Why:** " + "; ".join(why) + ".")
    band = noise_band(rows)
    if band:
        lo, hi = band
        wide = not (1 - NOISE_LIMIT <= lo and hi <= 1 + NOISE_LIMIT)
        lines.append(f"**Noise:** a kernel timed against itself (two_loops vs two_loops, numpy vs "
                     f"numpy) gave {lo:.2f}x to {hi:.2f}x in this run; read ratios within that "
                     f"band of 1x as ties."
                     + (f" **This run is noisier than ±{NOISE_LIMIT:.0%}: re-measure "
                        f"{_where_rows(noisy_points(rows, results))} on a quiet machine.**"
                        if wide else ""))
    return lines


#: A run whose self-ratios leave 1 ± this is too noisy to publish without saying so.
NOISE_LIMIT = 0.10


def noise_band(rows):
    """(lowest, highest) ratio of a kernel timed against itself, or None.

    Returns
    -------
    tuple or None
    """
    f64 = [r for r in rows if r.dtype == "float64"] or rows
    selfs = [r.vs_two_loops for r in f64 if r.kernel == "two_loops" and r.vs_two_loops] + \
            [r.vs_numpy for r in f64 if r.kernel == "numpy" and r.vs_numpy]
    return (min(selfs), max(selfs)) if selfs else None


def noisy_points(rows, results):
    """The points to re-measure: a self-ratio outside 1 ± :data:`NOISE_LIMIT`, or a step
    whose interquartile range is wider than ±NOISE_LIMIT of its median.

    Returns
    -------
    list of Row
    """
    spread = results.spread("TimeGradientStep.time_gradient_step")
    out = []
    for r in rows:
        if r.dtype != "float64":
            continue
        self_ratio = r.vs_two_loops if r.kernel == "two_loops" else r.vs_numpy if r.kernel == "numpy" else None
        q = spread.get((r.kernel, r.m, r.n_x, r.dtype))
        if (self_ratio and abs(self_ratio - 1) > NOISE_LIMIT) or (
                q and r.seconds and (q[1] - q[0]) / 2 > NOISE_LIMIT * r.seconds):
            out.append(r)
    return out


def _where_rows(rows):
    return ", ".join(f"{r.kernel} (m={r.m:g}, n_x={r.n_x})" for r in rows) or "no single point"
