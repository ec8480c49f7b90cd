"""The speed targets of the fastest kernel, each measured in one run (``vlr targets``).

Every ratio is measured with its sides timed alternately in the same process
(:func:`vlr.timing.time_rounds`), so drifts of a shared machine hit every side alike: a ratio
of kernels is the median over rounds of the ratio within each round, and every bandwidth is
compared with the streaming-read roof measured in the same run.
"fastest" is :data:`vlr.fastest` ("auto"): it is resolved (calibrated on the point's own data
if need be) before timing, so a calibration is never inside a timing. Each :class:`Target`
carries its measurement, the one number it is judged on, and a line of detail; the asv suite
tracks the same numbers (``benchmarks/bench_targets.py``).
"""
import statistics
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..data import make_step_data
from ..calibration import median_interval
from ..kernel import available_kernels
from ..machine import cpu_facts, describe, machine_info
from ..registry import FASTEST, get_kernel
from ..timing import time_interleaved, time_rounds
from .grid import GRIDS

ALPHA = 0.01
#: Compiled kernels and NumPy: what "the best single kernel" is chosen from.
SINGLE_KERNELS = ("numpy", "numba", "cython")
#: Shapes (n_x, m) not in the study's grid, below 100 MB: the course assignment's
#: wide-and-short images (64·64·3 features, 209 examples), tall-narrow, breast-cancer-like,
#: MNIST-like, and a square one.
HELD_OUT = [(12288, 209), (1, 10_000), (30, 569), (784, 10_000), (2000, 2000), (3, 300_000)]
#: The course assignment's shape (64·64·3 features, 209 training images).
ASSIGNMENT = HELD_OUT[0]
#: The per-example math's goal, ns: what the vector width allows.
LOSS_NS_GOALS = {"AVX-512": 1.5, "other": 2.0}
LOSS_NS_GOAL = LOSS_NS_GOALS["AVX-512" if cpu_facts().get("vector_isa") == "AVX-512" else "other"]


def _large_shapes(quick, dtype=np.float64):
    """(n_x, m) of X at 800 MB (105 MB with ``quick``) for n_x in 10, 100, 1000, in ``dtype``
    (the same bytes in float32 and float64).

    Returns
    -------
    list of (int, int)
    """
    elements = (13_107_200 if quick else 100_000_000) * 8 // np.dtype(dtype).itemsize
    return [(n_x, elements // n_x) for n_x in (10, 100, 1000)]


def _small_points(quick):
    """The quick grid's points below 100 MB, then the held-out shapes (fewer with ``quick``)."""
    grid = GRIDS["tiny" if quick else "quick"]
    points = [(n_x, m) for m in grid["m"] for n_x in grid["n_x"] if n_x * m * 8 < 100e6]
    return points + (HELD_OUT[:2] if quick else HELD_OUT)


def wide_and_short(n_x, m):
    """More features than examples: a tile of examples cannot stay in cache for the dw sweep,
    so a one-pass kernel reads X twice, as NumPy does.

    Returns
    -------
    bool
    """
    return n_x >= m


def _data(n_x, m, dtype=np.float64, order="C"):
    w, b, X, Y = make_step_data(m, n_x, np.dtype(dtype).name)
    if order == "F":
        X = np.asfortranarray(X)
    return w, b, X, Y


def _step(kernel, data):
    w, b, X, Y = data
    return lambda: kernel.gradient_step(w, b, X, Y, ALPHA)


def _resolved_fastest(data):
    """The kernel :data:`vlr.fastest` uses for a step on ``data``, calibrated now (if need be)
    as a user's first call calibrates it: by the step itself."""
    w, b, X, Y = data
    FASTEST.gradient_step(w, b, X, Y, ALPHA)
    return FASTEST.resolve(X), FASTEST


def _kernels():
    return [get_kernel(k) for k in SINGLE_KERNELS if k in available_kernels()]


def _interval(ratios):
    """The 95 % interval of the median of per-round ratios (the sign test's order statistics),
    or None with fewer than 6 rounds (their range covers less than 95 %)."""
    return list(median_interval(ratios)) if 1 - 2 * 0.5 ** len(ratios) >= 0.95 else None


def _time_kernels_and_auto(data, repeat, min_time=0.05, gemv=False):
    """Each single kernel and "auto" on ``data`` (and with ``gemv`` NumPy's own ``w.T @ X``, one
    read of X), interleaved, with the kernel "auto" chose (calibrated before any timing).

    Returns ``(chosen, seconds, ratio, interval)``: the best seconds per step of each,
    ``ratio(a, b)``, the median over rounds of a's time ÷ b's time within each round, and
    ``interval(a, b)``, the 95 % interval of that median (the sign test's order statistics:
    with 7 rounds, their range), or None with fewer than 6 rounds (their range covers less).
    """
    chosen, auto = _resolved_fastest(data)
    kernels = _kernels()
    names = [k.name for k in kernels] + ["auto"]
    calls = [_step(k, data) for k in kernels] + [_step(auto, data)]
    if gemv:
        w, X = data[0], data[2]
        wT = np.ascontiguousarray(w.reshape(1, -1))
        names.append("gemv")
        calls.append(lambda: wT @ X)
    rounds = [dict(zip(names, r)) for r in time_rounds(calls, repeat=repeat, min_time=min_time)]
    seconds = {name: min(r[name] for r in rounds) for name in names}

    def ratio(a, b):
        return statistics.median(r[a] / r[b] for r in rounds)

    def interval(a, b):
        return _interval([r[a] / r[b] for r in rounds])
    return chosen, seconds, ratio, interval


def measure_large(quick=False, progress=None):
    """Each kernel, "auto" and NumPy's GEMV ``w.T @ X`` on large X -- float64 and float32, C
    and F order, the same bytes -- with the stream-read roof of the same run.

    Returns a list of dicts: n_x, m, dtype, order, seconds {kernel: s}, chosen, best (single
    kernel), read (the stream-read bandwidth measured at that point), roof (the run's best read,
    bytes/s), L (NumPy's time ÷ bytes of X at the roof), goal (min(3, 0.8·L)),
    vs_numpy, vs_gemv (the GEMV's time ÷ auto's: auto's bytes/s ÷ the GEMV's), auto_vs_best
    and fraction (of the roof) of "auto", and each kernel's fraction.

    Returns
    -------
    list of dict
    """
    from .bandwidth import stream_read_bandwidth
    points = []
    for dtype in (np.float64, np.float32):
        for n_x, m in _large_shapes(quick, dtype):
            for order in ("C", "F"):
                if progress:
                    progress(f"large X, n_x={n_x}, m={m}, {np.dtype(dtype).name}, {order} order")
                data = _data(n_x, m, dtype, order=order)
                nbytes = data[2].nbytes
                read = stream_read_bandwidth(nbytes)  # at every point: a busy moment is not the roof
                chosen, seconds, ratio, interval = _time_kernels_and_auto(
                    data, repeat=3 if quick else 7, gemv=True)
                best = min(SINGLE_KERNELS, key=lambda k: seconds.get(k, np.inf))
                points.append(dict(n_x=n_x, m=m, dtype=np.dtype(dtype).name, order=order,
                                   nbytes=nbytes, seconds=seconds, chosen=chosen.name, best=best,
                                   read=read, vs_numpy=ratio("numpy", "auto"),
                                   vs_gemv=ratio("gemv", "auto"), auto_vs_best=ratio(best, "auto"),
                                   intervals=dict(vs_numpy=interval("numpy", "auto"),
                                                  vs_gemv=interval("gemv", "auto"),
                                                  auto_vs_best=interval(best, "auto"))))
                del data
    roof = max(p["read"] for p in points)  # the run's roof: its best read of a large array
    for p in points:
        seconds, nbytes = p["seconds"], p["nbytes"]
        L = seconds["numpy"] / (nbytes / roof)
        p.update(roof=roof, L=L, goal=min(3.0, 0.8 * L), fraction=100 * nbytes / seconds["auto"] / roof,
                 kernel_fraction={k: 100 * nbytes / s / roof for k, s in seconds.items()})
    return points


#: Paired rounds per point below 100 MB: with 15 the 95 % interval of a median ratio is the
#: 4th to the 12th of them, where with 7 it is their range. On a shared 2-core Zen 4, "auto"
#: timed against the very kernel it runs read 0.91 [0.87, 1.01] at 30×569 in 7 rounds, and
#: 0.993 [0.988, 0.996] in 41.
SMALL_ROUNDS = 15


def measure_small(quick=False, progress=None):
    """Each kernel and "auto" at the grid's points below 100 MB and the held-out shapes.

    Returns
    -------
    list of dict
    """
    points = []
    for n_x, m in _small_points(quick):
        if progress:
            progress(f"n_x={n_x}, m={m}")
        data = _data(n_x, m)
        chosen, seconds, ratio, interval = _time_kernels_and_auto(
            data, repeat=7 if quick else SMALL_ROUNDS, min_time=0.1)
        best = min((k for k in seconds if k != "auto"), key=seconds.get)
        points.append(dict(n_x=n_x, m=m, seconds=seconds, chosen=chosen.name, best=best,
                           vs_numpy=ratio("numpy", "auto"), auto_vs_best=ratio(best, "auto"),
                           goal=1.1 if wide_and_short(n_x, m) else 1.5,
                           intervals=dict(vs_numpy=interval("numpy", "auto"),
                                          auto_vs_best=interval(best, "auto"))))
    return points


def measure_loss_ns(progress=None, m=1 << 16):
    """ns per example of a one-thread step at n_x = 1 (almost all of it the loss and dz).

    Returns
    -------
    list of dict
    """
    if progress:
        progress("ns per example")
    w, b, X, Y = _data(1, m)
    w, y = w.ravel(), Y.ravel()
    names = [k for k in ("numba", "cython") if k in available_kernels()]
    raws = [get_kernel(k).module.gradients for k in names]
    times = time_interleaved([lambda f=f: f(w, b, X, y, n_threads=1) for f in raws], repeat=7,
                             min_time=0.05, settle=0)
    return [dict(kernel=k, ns=t / m * 1e9) for k, t in zip(names, times)]


def measure_float32(quick=False, progress=None):
    """float64 time / float32 time of "auto" on the same large X, for each large shape: the
    median over paired rounds, with its 95 % interval (as the other ratio rows).

    Returns
    -------
    list of dict
    """
    points = []
    for n_x, m in _large_shapes(quick)[:2]:
        if progress:
            progress(f"float32 vs float64, n_x={n_x}, m={m}")
        d64 = _data(n_x, m)
        d32 = tuple(a.astype(np.float32) if isinstance(a, np.ndarray) else a for a in d64)
        k64, k32 = _resolved_fastest(d64)[0], _resolved_fastest(d32)[0]
        auto = get_kernel("auto")
        rounds = time_rounds([_step(auto, d64), _step(auto, d32)], repeat=3 if quick else 7,
                             min_time=0.05)
        ratios = [t64 / t32 for t64, t32 in rounds]
        points.append(dict(n_x=n_x, m=m, kernel64=k64.name, kernel32=k32.name,
                           ratio=statistics.median(ratios), intervals=dict(ratio=_interval(ratios))))
        del d64, d32
    return points


def measure_overhead(progress=None, repeat=21):
    """Public ``vlr.gradients`` minus the raw kernel's ``gradients``, n_x = m = 8, in µs.

    Returns
    -------
    list of dict
    """
    import vlr
    points = []
    w, b, X, Y = make_step_data(8, 8, np.float64)
    w_flat, y = w.ravel(), Y.ravel()
    for name in [k for k in ("numba", "cython", "numpy") if k in available_kernels()]:
        if progress:
            progress(f"interface overhead, {name}")
        raw = get_kernel(name).module.gradients
        calls = [lambda: vlr.gradients(w, b, X, Y, kernel=name), lambda: raw(w_flat, b, X, y),
                 lambda: vlr.gradients(w, b, X, Y)]
        for call in calls * 20_000:  # warm up (the first seconds of a process run slower here)
            call()
        # single-threaded at this size: no thread pools to settle, so the blocks alternate
        # back to back (a µs-sized difference needs the two sides as close in time as possible)
        t_public, t_raw, t_auto = time_interleaved(calls, repeat=repeat, min_time=0.1, settle=0)
        points.append(dict(kernel=name, raw_us=t_raw * 1e6, public_us=t_public * 1e6,
                           overhead_us=(t_public - t_raw) * 1e6, auto_us=t_auto * 1e6))
    return points


def course_training_loop(w0, b0, X, Y, num_iterations, alpha):
    """The course's own seven lines of NumPy gradient descent (its sigmoid, no cost).

    Returns
    -------
    (w, b)
    """
    w, b, m = w0.copy(), b0, X.shape[1]
    for iteration in range(num_iterations):
        Z = np.dot(w.T, X) + b
        A = 1 / (1 + np.exp(-Z))
        dZ = A - Y
        dw = (1 / m) * np.dot(X, dZ.T)
        db = (1 / m) * np.sum(dZ)
        w -= alpha * dw
        b -= alpha * db
    return w, b


def measure_train(progress=None, iterations=1000, repeat=7, cost_every=1):
    """The course's NumPy loop vs ``vlr.train`` (auto, compiled loop), n_x = 10, m = 1000, with
    a cost recorded every ``cost_every`` iterations (the course's own loop records none): the
    median over ``repeat`` paired rounds of the course's time ÷ vlr's, with its 95 % interval
    (None with fewer than 6 rounds), and each side's best time.

    Returns
    -------
    list of dict
    """
    import vlr
    if progress:
        progress(f"training loop vs the course's, a cost every {cost_every} iterations")
    w, b, X, Y = make_step_data(1000, 10, np.float64)
    vlr.train(X, Y, iterations, ALPHA, w0=w, b0=b)  # chooses the kernel for the loop
    from ..calibration import shape_class
    chosen = FASTEST.calibration.classes.get(shape_class(X, "train"), {}).get("kernel", "?")
    rounds = time_rounds(
        [lambda: course_training_loop(w, b, X, Y, iterations, ALPHA),
         lambda: vlr.train(X, Y, iterations, ALPHA, w0=w, b0=b, cost_every=cost_every)],
        repeat=repeat, min_time=0.2)
    ratios = [t_course / t_vlr for t_course, t_vlr in rounds]
    return [dict(n_x=10, m=1000, kernel=chosen, course_s=min(r[0] for r in rounds),
                 train_s=min(r[1] for r in rounds), ratio=statistics.median(ratios),
                 cost_every=cost_every, intervals=dict(ratio=_interval(ratios)))]


def _point_label(p):
    """A point's shape as the table writes it (dtype and order where the point has them)."""
    return " ".join([f"{p['n_x']}×{p['m']}"] + [str(p[k]) for k in ("dtype", "order") if k in p])


@dataclass(frozen=True)
class Target:
    """One row of the targets table: what it measures, its goal, and how."""

    key: str
    measure: str
    op: str  # ">=" or "<="
    goal: float
    unit: str
    run: Callable | None  # (quick, progress) -> points; None when it shares another's points
    value: Callable  # points -> the number judged
    detail: Callable  # points -> one line
    shares: str = ""  # the key of another target whose points this one reuses
    #: points -> [(value, low, high, label)] per point judged, the 95 % interval of each point's
    #: median ratio over paired rounds; None where the sides are not timed in rounds
    intervals: Callable | None = None

    def met(self, value: float) -> bool:
        """Whether ``value`` (a point estimate) meets the goal.

        Returns
        -------
        bool
        """
        return value >= self.goal if self.op == ">=" else value <= self.goal

    def verdict(self, value: float, intervals: list | None = None) -> str:
        """"yes" or "no" -- or "undecided" when an interval straddles the goal.

        With ``intervals`` (one ``(value, low, high, ...)`` per point) the row is met only when
        every point's interval lies on the goal's side, and missed when some point's interval
        lies wholly on the other side: the rule the study's verdict applies to its cells.
        Without, the point estimate ``value`` decides.

        Returns
        -------
        str
        """
        if not intervals:
            return "yes" if self.met(value) else "no"
        if all(self._meets_wholly(v) for v in intervals):
            return "yes"
        if any(self._misses_wholly(v) for v in intervals):
            return "no"
        return "undecided"

    def _meets_wholly(self, point):  # (value, low, high, ...): its whole interval meets the goal
        return self.met(point[1] if self.op == ">=" else point[2])

    def _misses_wholly(self, point):
        return not self.met(point[2] if self.op == ">=" else point[1])

    def worst_point(self, intervals: list) -> tuple:
        """The point of ``intervals`` with the worst median: the one the row's value comes from.

        Returns
        -------
        tuple
            ``(value, low, high, label)``.
        """
        return min(intervals, key=lambda v: v[0] if self.op == ">=" else -v[0])

    def deciding_point(self, intervals: list) -> tuple:
        """The point of ``intervals`` that decides :meth:`verdict`: for "no", the point whose
        interval lies farthest on the wrong side; for "undecided", the worst point whose
        interval straddles the goal; for "yes", the worst point.

        Returns
        -------
        tuple
            ``(value, low, high, label)``.
        """
        missed = [v for v in intervals if self._misses_wholly(v)]
        if missed:
            return min(missed, key=lambda v: v[2]) if self.op == ">=" else max(missed, key=lambda v: v[1])
        straddling = [v for v in intervals if not self._meets_wholly(v)]
        return self.worst_point(straddling or intervals)


def _intervals(key, per_goal=False, only=None):
    """Target.intervals for a ratio that ``_time_kernels_and_auto`` timed in rounds: the
    points' ``key`` with their intervals (÷ the point's goal with ``per_goal``; the points
    ``only`` keeps), or None when a point has no interval (too few rounds)."""
    def intervals(points):
        kept = [p for p in points if only is None or only(p)]
        if any(p["intervals"][key] is None for p in kept):
            return None
        return [(p[key] / (p["goal"] if per_goal else 1),
                 *(v / (p["goal"] if per_goal else 1) for v in p["intervals"][key]),
                 _point_label(p))
                for p in kept]
    return intervals


TARGETS = (
    Target("vs_numpy_large", "fastest vs NumPy, float32 and float64, X ≥ 100 MB, n_x ∈ {10, 100, "
           "1000}, C and F order, as a fraction of its goal min(3, 0.8·L), L = NumPy's time ÷ (bytes of X ÷ roof)",
           ">=", 1.0, "of goal", lambda q, p: measure_large(q, p),
           lambda pts: min(p["vs_numpy"] / p["goal"] for p in pts),
           lambda pts: "; ".join(f"{_point_label(p)}: {p['chosen']} {p['vs_numpy']:.2f}x (goal "
                                 f"{p['goal']:.2f}x)" for p in pts),
           intervals=_intervals("vs_numpy", per_goal=True)),
    Target("vs_gemv", "fastest's bytes of X per second ÷ those of NumPy's own GEMV w.T @ X (one read "
           "of X) on the same X in the same run, X ≥ 100 MB, n_x ∈ {10, 100, 1000}, C and F, float32 "
           "and float64", ">=", 0.90, "x", None, lambda pts: min(p["vs_gemv"] for p in pts),
           lambda pts: "worst: " + "; ".join(
               f"{_point_label(p)}: {p['chosen']} {p['vs_gemv']:.2f} (GEMV "
               f"{p['kernel_fraction']['gemv']:.0f}% of the roof)"
               for p in sorted(pts, key=lambda p: p["vs_gemv"])[:3]), shares="vs_numpy_large",
           intervals=_intervals("vs_gemv")),
    Target("bandwidth_fraction", "fastest's bytes of X per second ÷ stream-read roof of the same "
           "run, X ≥ 100 MB, n_x ∈ {10, 100, 1000}, C and F, float32 and float64", ">=", 85.0, "%",
           None, lambda pts: min(p["fraction"] for p in pts),
           lambda pts: f"roof {pts[0]['roof'] / 1e9:.1f} GB/s; worst: " + "; ".join(
               f"{_point_label(p)}: " + ", ".join(f"{k} {v:.0f}%" for k, v in p["kernel_fraction"].items())
               for p in sorted(pts, key=lambda p: p["fraction"])[:3]), shares="vs_numpy_large"),
    Target("auto_vs_best_large", "auto vs the best single kernel, at each of those large X", ">=",
           0.95, "x", None, lambda pts: min(p["auto_vs_best"] for p in pts),
           lambda pts: "worst: " + "; ".join(
               f"{_point_label(p)} auto={p['chosen']} best={p['best']} {p['auto_vs_best']:.2f}"
               for p in sorted(pts, key=lambda p: p["auto_vs_best"])[:3]), shares="vs_numpy_large",
           intervals=_intervals("auto_vs_best")),
    Target("vs_numpy_small", "fastest vs NumPy at every quick-grid point and held-out shape below "
           "100 MB, as a fraction of its goal (1.5x; 1.1x for wide-and-short X, n_x ≥ m)", ">=", 1.0,
           "of goal", lambda q, p: measure_small(q, p),
           lambda pts: min(p["vs_numpy"] / p["goal"] for p in pts),
           lambda pts: f"{len(pts)} points, worst: " + "; ".join(
               f"{p['n_x']}×{p['m']} {p['chosen']} {p['vs_numpy']:.2f}x" for p in
               sorted(pts, key=lambda p: p["vs_numpy"] / p["goal"])[:3])
           + f"; best {max(p['vs_numpy'] for p in pts):.2f}x",
           intervals=_intervals("vs_numpy", per_goal=True)),
    Target("auto_vs_best", "auto vs the best single kernel, at each of those points", ">=", 0.95,
           "x", None, lambda pts: min(p["auto_vs_best"] for p in pts),
           lambda pts: "worst: " + "; ".join(
               f"{p['n_x']}×{p['m']} auto={p['chosen']} best={p['best']} {p['auto_vs_best']:.2f}"
               for p in sorted(pts, key=lambda p: p["auto_vs_best"])[:3]), shares="vs_numpy_small",
           intervals=_intervals("auto_vs_best")),
    Target("assignment_shape", "fastest vs NumPy at the course assignment's shape, 12288×209 float64 "
           "C (20 MB)", ">=", 1.1, "x", None,
           lambda pts: next(p["vs_numpy"] for p in pts if (p["n_x"], p["m"]) == ASSIGNMENT),
           lambda pts: "; ".join(f"{p['chosen']} {p['seconds']['auto'] * 1e3:.2f} ms vs NumPy "
                                 f"{p['seconds']['numpy'] * 1e3:.2f} ms" for p in pts
                                 if (p["n_x"], p["m"]) == ASSIGNMENT), shares="vs_numpy_small",
           intervals=_intervals("vs_numpy", only=lambda p: (p["n_x"], p["m"]) == ASSIGNMENT)),
    Target("loss_ns", f"loss + dz per example per thread, float64 (a one-thread step at n_x = 1, "
           f"m = 65536; best compiled kernel); the goal is {LOSS_NS_GOALS['AVX-512']:g} ns with "
           f"AVX-512, {LOSS_NS_GOALS['other']:g} ns without", "<=", LOSS_NS_GOAL, "ns", lambda q, p: measure_loss_ns(p),
           lambda pts: min(p["ns"] for p in pts),
           lambda pts: "; ".join(f"{p['kernel']} {p['ns']:.2f} ns" for p in pts)),
    Target("float32_vs_float64", "float32 vs float64, fastest, X ≥ 100 MB", ">=", 1.85, "x",
           lambda q, p: measure_float32(q, p), lambda pts: min(p["ratio"] for p in pts),
           lambda pts: "; ".join(f"{_point_label(p)}: {p['kernel32']} {p['ratio']:.2f}x"
                                 for p in pts),
           intervals=_intervals("ratio")),
    Target("train_vs_course", "vlr.train (auto, compiled loop) with a cost every iteration vs the "
           "course's seven-line NumPy loop, n_x = 10, m = 1000, 1000 iterations", ">=", 4.0, "x", lambda q, p: measure_train(p),
           lambda pts: pts[0]["ratio"],
           lambda pts: f"{pts[0]['kernel']}: {pts[0]['train_s'] * 1e3:.2f} ms vs the course's "
                       f"{pts[0]['course_s'] * 1e3:.2f} ms",
           intervals=_intervals("ratio")),
    Target("train_vs_course_cost100", "vlr.train (auto, compiled loop) with a cost every 100 "
           "iterations (cost_every=100, as the course records it) vs the course's loop, n_x = 10, "
           "m = 1000, 1000 iterations", ">=", 6.0, "x", lambda q, p: measure_train(p, cost_every=100),
           lambda pts: pts[0]["ratio"],
           lambda pts: f"{pts[0]['kernel']}: {pts[0]['train_s'] * 1e3:.2f} ms vs the course's "
                       f"{pts[0]['course_s'] * 1e3:.2f} ms",
           intervals=_intervals("ratio")),
    Target("overhead_us", "interface overhead over the raw kernel, n_x = m = 8", "<=", 2.0, "µs",
           lambda q, p: measure_overhead(p, repeat=7 if q else 21),
           lambda pts: max(p["overhead_us"] for p in pts if p["kernel"] != "numpy"),
           lambda pts: "; ".join(f"{p['kernel']}: {p['public_us']:.1f} vs raw {p['raw_us']:.1f} µs"
                                 for p in pts)),
)
TARGETS_BY_KEY = {t.key: t for t in TARGETS}


def _measure(target, quick, progress, measured):
    """One row of the table for ``target``: its points measured now, or taken from ``measured``
    (source key -> points) when another target shares them."""
    source = target.shares or target.key
    if source not in measured:
        run = TARGETS_BY_KEY[source].run
        assert run is not None, f"target {source!r} shares another's points"
        measured[source] = run(quick, progress)
    points = measured[source]
    value = target.value(points)
    intervals = target.intervals(points) if target.intervals else None
    # the interval of the point the value comes from (the worst point's), and the point whose
    # interval decides the verdict (another one where a better median has a decisive interval)
    worst = target.worst_point(intervals) if intervals else None
    decider = target.deciding_point(intervals) if intervals else None
    return dict(key=target.key, measure=target.measure, goal=f"{target.op} {target.goal:g} {target.unit}",
                value=value, unit=target.unit, met=target.met(value),
                verdict=target.verdict(value, intervals),
                interval=list(worst[1:3]) if worst else None,
                decided_by=(dict(point=decider[3], value=decider[0], interval=list(decider[1:3]))
                            if decider else None),
                detail=target.detail(points), points=points)


def measure_target(key, quick=False, progress=None):
    """Measure one target (what the asv suite tracks).

    Returns
    -------
    (value, points)
        The number the target is judged on, and the measurements it came from.
    """
    row = _measure(TARGETS_BY_KEY[key], quick, progress, {})
    return row["value"], row["points"]


def measure_targets(progress=None, quick=False):
    """Measure every target in this process.

    Parameters
    ----------
    progress : callable(str), optional
        Called before each measurement.
    quick : bool
        Smaller arrays (105 MB) and points: a smoke run.

    Returns
    -------
    dict
        ``machine`` (see :func:`vlr.machine.machine_info`), ``quick``, and ``targets``: a list
        of dicts with the target's fields, the measured ``value``, ``met`` (by that value),
        ``verdict`` ("yes", "no" or "undecided": :meth:`Target.verdict`), ``interval`` (the
        worst point's 95 % interval, or None), ``detail`` and ``points``.
    """
    measured = {}
    rows = [_measure(target, quick, progress, measured) for target in TARGETS]
    return {"machine": machine_info(), "quick": quick, "targets": rows}


def format_measured(value, goal):
    """``value`` to 3 significant digits, or more where 3 would print the goal itself (2.004 µs
    against a goal of at most 2 µs must not read "2 µs ... no").

    Returns
    -------
    str
    """
    for digits in range(3, 8):
        text = f"{value:.{digits}g}"
        if goal is None or value == goal or float(text) != goal:
            return text
    return text


def format_targets(results):
    """The targets table as Markdown (what the README and the report quote).

    Returns
    -------
    str
    """
    lines = ["| measure | target | measured [95 % interval] | met | detail |", "|---|---|---|---|---|"]
    goals = {target.key: target.goal for target in TARGETS}
    shown = {"yes": "yes", "no": "**no**", "undecided": "undecided"}
    for row in results["targets"]:
        interval = row.get("interval")
        spread = f" [{interval[0]:.3g}, {interval[1]:.3g}]" if interval else ""
        verdict = row.get("verdict", "yes" if row["met"] else "no")
        shown_verdict = shown[verdict]
        decider = row.get("decided_by")
        if decider and decider["interval"] != interval:  # another point's interval decides
            low, high = decider["interval"]
            shown_verdict += (f" (by {decider['point']}: {decider['value']:.3g} "
                              f"[{low:.3g}, {high:.3g}])")
        lines.append(f"| {row['measure']} | {row['goal']} | {format_measured(row['value'], goals.get(row['key']))} "
                     f"{row['unit']}{spread} | {shown_verdict} | {row['detail']} |")
    how = "`vlr targets" + (" --quick" if results["quick"] else "") + "`"
    return "\n".join(lines) + f"\n\nMeasured with {how} on:\n\n```\n{describe(results['machine'])}\n```\n"
