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


def verdict(rows, results):
    """Markdown sentences on where the course's ~300x and ~10x hold on this machine, and why
    (each "why" is a measurement from the same results).

    Returns
    -------
    list of str
    """
    f64 = [r for r in rows if r.dtype == "float64"] or rows
    by = {(r.kernel, r.m, r.n_x): r for r in f64}
    full = [(r.m, r.n_x, r.vs_two_loops) for r in f64 if r.kernel == "numpy" and r.vs_two_loops]
    part = [(r.m, r.n_x, r.vs_two_loops) for r in f64 if r.kernel == "one_loop" and r.vs_two_loops]
    where = lambda pts: ", ".join(f"(m={m:g}, n_x={n})" for m, n, _ in pts) or "none of the measured points"
    lines = []
    if full:
        lo, hi = min(full, key=lambda p: p[2]), max(full, key=lambda p: p[2])
        ok = [p for p in full if p[2] >= COURSE_FULL]
        lines.append(
            f"**Full vectorization vs two loops (claimed ~300x):** measured {_fmt_x(lo[2])} "
            f"(m={lo[0]}, n_x={lo[1]}) to {_fmt_x(hi[2])} (m={hi[0]}, n_x={hi[1]}). "
            f"It reaches 300x at {len(ok)} of {len(full)} measured points ({where(ok)}); "
            f"below, at {where([p for p in full if p[2] < COURSE_FULL])}.")
    if part:
        lo, hi = min(part, key=lambda p: p[2]), max(part, key=lambda p: p[2])
        near = [p for p in part if 5 <= p[2] <= 20]
        slower = [p for p in part if p[2] < 1]
        lines.append(
            f"**One loop vs two loops (claimed ~10x):** measured {_fmt_x(lo[2])} to "
            f"{_fmt_x(hi[2])}. Within 5–20x at {where(near)}; one loop is slower than two "
            f"loops at {where(slower)}.")
    compiled = [r for r in f64 if r.kernel in ("numba", "cython") and r.vs_numpy]
    if compiled:
        best = max(compiled, key=lambda r: r.vs_numpy)
        worst = min(compiled, key=lambda r: r.vs_numpy)
        lines.append(f"**Beyond the course (one fused pass over X):** the compiled kernels run at "
                     f"{_fmt_x(worst.vs_numpy)} ({worst.kernel}, m={worst.m}, n_x={worst.n_x}) "
                     f"to {_fmt_x(best.vs_numpy)} ({best.kernel}, m={best.m}, n_x={best.n_x}) "
                     f"of NumPy's speed.")
    why = []
    two = [r for r in f64 if r.kernel == "two_loops" and r.seconds]
    if two:
        big = max(two, key=lambda r: r.m * r.n_x)
        why.append(f"two loops pay the interpreter per element of X: "
                   f"{big.seconds / (big.m * big.n_x) * 1e9:.0f} ns per element at m={big.m}, "
                   f"n_x={big.n_x}")
    one = [r for r in f64 if r.kernel == "one_loop" and r.seconds]
    if one:
        r1 = min(one, key=lambda r: r.n_x)
        why.append(f"one loop pays NumPy's per-call cost once per example: "
                   f"{r1.seconds / r1.m * 1e6:.1f} µs per example at n_x={r1.n_x}, which only "
                   f"beats two loops' per-element cost when n_x is large")
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
    selfs = [r.vs_two_loops for r in f64 if r.kernel == "two_loops" and r.vs_two_loops] + \
            [r.vs_numpy for r in f64 if r.kernel == "numpy" and r.vs_numpy]
    if selfs:
        lines.append(f"**Noise:** a kernel timed against itself (two_loops vs two_loops, numpy vs "
                     f"numpy) gave {min(selfs):.2f}x to {max(selfs):.2f}x in this run; read "
                     f"ratios within that band of 1x as ties.")
    return lines
