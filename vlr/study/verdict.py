"""The study's rows and its verdict: where the course's ~300x and ~10x hold on this machine,
and why -- each "why" a measurement from the same asv results."""
import math
from dataclasses import dataclass

from ..kernel import KERNELS
from ..timing import format_seconds
from .asv_results import Results
from .grid import GRIDS
from .intervals import (CATEGORIES, CLAIM_TITLES, CLAIMS, LEVEL, Estimate, band, category,
                        paired_ratio, point_category, ratio_of_intervals, unpaired_ratio)
from .plots import fmt_x as _fmt_x


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
    measured = {(m, n_x, dtype) for (_, m, n_x, dtype), t in times.items() if _num(t) is not None}
    ran = _grid_containing(measured)
    if ran is not None:  # asv declares the full grid; a quick run leaves the rest n/a
        times = {key: t for key, t in times.items()
                 if key[1] in ran["m"] and key[2] in ran["n_x"] and key[3] in ran["dtype"]}
    rows = [Row(dtype, m, n_x, kernel, _num(t), _num(vs_two.get(key)), _num(vs_np.get(key)))
            for key, t in times.items() for kernel, m, n_x, dtype in [key]]
    order = {k: i for i, k in enumerate(KERNELS)}
    rows.sort(key=lambda r: (r.dtype != "float64", r.dtype, r.m, r.n_x, order.get(r.kernel, 99)))
    return rows


def _grid_containing(points):
    """The smallest grid of vlr.study.grid holding every (m, n_x, dtype) in ``points``, or None."""
    for name in ("tiny", "quick", "full"):
        g = GRIDS[name]
        if all(m in g["m"] and n_x in g["n_x"] and dtype in g["dtype"] for m, n_x, dtype in points):
            return g
    return None


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
    """One point of a claim: a kernel's speed-up over two loops at (m, n_x), its 95 % interval,
    how it is known, and the claim's category there (:mod:`vlr.study.intervals`).

    ``how`` is "paired" (both sides timed alternately in one benchmark call; one ratio per
    round), "timed apart" (each side's own repeated timings), "single calls" (a pure-Python side
    over its time budget, timed in ``TrackOneCall``), "predicted" (the cost model's; never
    counted by the verdict) or None (unknown). ``low``/``high`` is the interval (None when it
    cannot be had: a single sample), ``n`` the samples behind it and ``method`` how it was
    computed.
    """

    m: int
    n_x: int
    ratio: float | None
    how: str | None
    low: float | None = None
    high: float | None = None
    n: int = 0
    method: str = ""
    claim: str = "full"

    @property
    def measured(self) -> bool:
        return self.how in MEASURED and self.ratio is not None

    @property
    def kernel(self) -> str:
        return CLAIMS[self.claim][0]

    @property
    def baseline(self) -> str:
        return CLAIMS[self.claim][1]

    @property
    def category(self) -> str | None:
        """below / about / above / undecided for a measured cell; None otherwise."""
        if not self.measured:
            return None
        return category(self.low, self.high, CLAIMS[self.claim][2])

    @property
    def spread(self) -> tuple | None:
        return (self.low, self.high) if self.low is not None and self.high is not None else None

    def as_dict(self) -> dict:
        """The cell as ``vlr verdict --json`` writes it.

        Returns
        -------
        dict
        """
        return dict(claim=self.claim, kernel=self.kernel, baseline=self.baseline, m=self.m,
                    n_x=self.n_x, estimate=self.ratio, ci_low=self.low, ci_high=self.high,
                    level=(0.98 if "99 %" in self.method else LEVEL) if self.spread else None,
                    n_samples=self.n, how=self.how,
                    method=self.method, category=self.category if self.measured else (
                        "predicted " + (point_category(self.ratio, CLAIMS[self.claim][2]) or "unknown")
                        if self.how == "predicted" else "unknown"))


#: The ways a cell can be measured (everything else is predicted or unknown).
MEASURED = ("paired", "timed apart", "single calls")


def single_calls(results):
    """``TrackOneCall``'s seconds (the median of its calls): {(kernel, m, n_x): seconds} (float64).

    Returns
    -------
    dict
    """
    return {(k, m, n): _num(v) for (k, m, n, dtype), v in results.get("TrackOneCall.track_seconds").items()
            if dtype == "float64" and _num(v)}


def _side(results, key):
    """One side of a ratio at ``key``: (samples or None, (median, ci99 low, high) or None, n,
    timed by TrackOneCall?, median)."""
    for bench, once in (("TimeGradientStep.time_gradient_step", False), ("TrackOneCall.track_seconds", True)):
        median = _num(results.get(bench).get(key))
        if median is None:
            continue
        samples = results.raw_samples(bench).get(key)
        ci = results.interval99(bench).get(key)
        n = results.sample_count(bench).get(key) or (len(samples) if samples else 1)
        return samples, ((median, *ci) if ci else None), int(n), once, median
    return None


def measure_cell(results, claim, m, n_x) -> Cell | None:
    """The claim's speed-up at (m, n_x) with its interval, from whatever the results hold: the
    paired rounds' samples, else both sides' samples, else (kept results without samples) both
    sides' medians with asv's 99 % intervals; None if a side is not measured.

    Returns
    -------
    Cell or None
    """
    kernel, baseline, _ = CLAIMS[claim]
    key = (kernel, m, n_x, "float64")
    rounds = results.raw_samples("TrackSpeedupVsTwoLoops.track_speedup").get(key)
    if rounds:
        est = paired_ratio(rounds)
        if est is not None:
            return Cell(m, n_x, est.ratio, "paired", est.low, est.high, est.n, est.method, claim)
    base, own = _side(results, (baseline, m, n_x, "float64")), _side(results, key)
    if base is None or own is None:
        return None
    how = "single calls" if base[3] or own[3] else "timed apart"
    if base[0] and own[0]:
        est = unpaired_ratio(base[0], own[0])
    elif base[1] and own[1]:
        est = ratio_of_intervals(base[1], own[1], min(base[2], own[2]))
    else:  # a side with one value and no interval (a single call of an older suite)
        est = Estimate(base[4] / own[4], None, None, 1, "a side timed once (no interval)")
    if est is None:
        return None
    return Cell(m, n_x, est.ratio, how, est.low, est.high, est.n, est.method, claim)


def claim_cells(rows, results, kernel, models=None):
    """Every (m, n_x) of the float64 grid for ``kernel`` ("numpy": the ~300x claim, "one_loop":
    ~10x) vs two_loops: measured with its interval where possible, else the cost model's
    prediction (never counted).

    Returns
    -------
    list of Cell
    """
    claim = next(c for c, (k, _, _) in CLAIMS.items() if k == kernel)
    cells = []
    for m, n_x in sorted({(r.m, r.n_x) for r in rows if r.dtype == "float64"}):
        cell = measure_cell(results, claim, m, n_x)
        if cell is None:
            from .cost_model import predicted_speedup
            predicted = predicted_speedup(models or {}, kernel, "two_loops", m, n_x)
            cell = Cell(m, n_x, predicted, "predicted" if predicted else None, claim=claim)
        cells.append(cell)
    return cells


def tally(cells) -> dict[str, list]:
    """A claim's cells by category: below, about, above, undecided (measured cells), and
    "not measured" (predicted or unknown, never counted).

    Returns
    -------
    dict
        category -> list of Cell.
    """
    out: dict[str, list] = {c: [] for c in CATEGORIES}
    out["not measured"] = []
    for c in cells:
        out[c.category if c.measured else "not measured"].append(c)
    return out


def _where(cells):
    return ", ".join(f"(m={c.m:g}, n_x={c.n_x})" for c in cells) or "none of them"


def format_cell(c) -> str:
    """``"728x (612x–866x)"``: a cell's estimate and interval; ``"334x (1 call, no interval)"``.

    Returns
    -------
    str
    """
    if c.ratio is None:
        return "unknown"
    if not c.measured:
        return f"~{_fmt_x(c.ratio)} (predicted)"
    if c.spread:
        return f"{_fmt_x(c.ratio)} ({_fmt_x(c.low)}–{_fmt_x(c.high)})"
    return f"{_fmt_x(c.ratio)} ({c.n} sample{'s' if c.n != 1 else ''}, no interval)"


def _predicted_sentence(predicted):
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


def claim_sentence(cells, claim) -> str:
    """One claim's verdict on one machine in words: every measured cell's category, with its
    estimate and interval.

    Returns
    -------
    str
    """
    kernel, baseline, k = CLAIMS[claim]
    lo, hi = band(k)
    t = tally(cells)
    measured = [c for c in cells if c.measured]
    if not measured:
        return ""
    parts = [f"{name} at {len(t[name])} ({', '.join(f'{shape(c)} {format_cell(c)}' for c in t[name])})"
             for name in CATEGORIES if t[name]]
    return (f"**{CLAIM_TITLES[claim]}:** about right (within {_fmt_x(lo)}–{_fmt_x(hi)}, the whole "
            f"{LEVEL:.0%} interval inside) " + "; ".join(parts) + f" — of {len(measured)} measured "
            f"points." + _predicted_sentence(t["not measured"]))


def shape(c) -> str:
    return f"(m={c.m:g}, n_x={c.n_x})"


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
    for claim, kernel in (("full", "numpy"), ("partial", "one_loop")):
        sentence = claim_sentence(claim_cells(rows, results, kernel, models), claim)
        if sentence:
            lines.append(sentence)
    singles = single_calls(results)
    if singles:
        counts = results.sample_count("TrackOneCall.track_seconds")
        lines.append("**Single calls:** where a pure-Python kernel is over its repeated benchmarks' "
                     "time budget it was called a few times (`TrackOneCall`, the median shown): "
                     + ", ".join(f"{k} {format_seconds(t)} at (m={m:g}, n_x={n}, "
                                 f"{counts.get((k, m, n, 'float64'), 1)} call"
                                 f"{'s' if counts.get((k, m, n, 'float64'), 1) != 1 else ''})"
                                 for (k, m, n), t in sorted(singles.items()))
                     + ". A cell with a side called once has no interval and is never decided.")
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
