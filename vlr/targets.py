"""The speed targets of the compiled kernels, each measured in one run (``vlr targets``).

Every ratio is measured with both sides timed alternately in the same process
(:func:`vlr.timing.time_interleaved`), so drifts of a shared machine hit both sides alike.
"fastest" is :data:`vlr.fastest`: the kernel calibrated fastest for X's class (see
:mod:`vlr.tuning`); it is resolved before timing, so calibration is never inside a timing.
The asv suite tracks the same functions (``benchmarks/bench_targets.py``).
"""
from dataclasses import dataclass

import numpy as np

from .study_grid import make_step_data
from .timing import time_interleaved

ALPHA = 0.01


@dataclass(frozen=True)
class Target:
    """One row of the targets table."""

    key: str
    measure: str
    op: str       # ">=" or "<="
    goal: float
    unit: str

    def met(self, value):
        return value >= self.goal if self.op == ">=" else value <= self.goal


TARGETS = (
    Target("vs_numpy_large", "fastest kernel vs NumPy, float64, X ≥ 100 MB", ">=", 1.7, "x"),
    Target("bandwidth_fraction", "its effective bandwidth (bytes of X / time) vs stream read, "
           "X ≥ 100 MB", ">=", 85.0, "%"),
    Target("vs_numpy_grid_min", "fastest kernel vs NumPy at every grid point "
           "(m 10²…10⁶, n_x 1…10³; worst point)", ">=", 1.0, "x"),
    Target("float32_vs_float64", "float32 vs float64, fastest kernel, X ≥ 100 MB", ">=", 1.8, "x"),
    Target("overhead_us", "interface overhead over the raw kernel, n_x = m = 8", "<=", 3.0, "µs"),
    Target("train_speedup", "1000 training iterations, compiled loop vs Python loop over steps, "
           "n_x = 10, m = 1000", ">=", 3.0, "x"),
)
TARGETS_BY_KEY = {t.key: t for t in TARGETS}


def _large_shapes(quick):
    # 800 MB of float64 (105 MB with quick), as few-wide and many-wide X
    return [(100, 131_072)] if quick else [(100, 1_000_000), (1000, 100_000)]


def _grid(quick):
    ms = [100, 1000, 10_000, 100_000] + ([] if quick else [1_000_000])
    n_xs = [1, 10, 100] + ([] if quick else [1000])
    return [(n_x, m) for m in ms for n_x in n_xs if n_x * m <= 200_000_000]  # the study's X limit


def _step(kernel, data):
    w, b, X, Y = data
    return lambda: kernel.gradient_step(w, b, X, Y, ALPHA)


def _fastest_for(X):
    from .tuning import FASTEST
    return FASTEST.choose(X)  # may calibrate X's class: before any timing


def vs_numpy(n_x, m, dtype=np.float64, repeat=5):
    """(NumPy time / fastest time, fastest's name, seconds of fastest) for one shape."""
    from .registry import get_kernel
    data = make_step_data(m, n_x, dtype)
    fastest = _fastest_for(data[2])
    t_numpy, t_fast = time_interleaved([_step(get_kernel("numpy"), data), _step(fastest, data)],
                                       repeat=repeat, min_time=0.1)
    return t_numpy / t_fast, fastest.name, t_fast


def measure_vs_numpy_large(quick=False, progress=None):
    """Fastest vs NumPy and effective bandwidth on large float64 X (both targets from one timing)."""
    from .bandwidth import stream_read_bandwidth
    points = []
    for n_x, m in _large_shapes(quick):
        if progress:
            progress(f"fastest vs NumPy, n_x={n_x}, m={m} (float64)")
        ratio, name, seconds = vs_numpy(n_x, m)
        nbytes = n_x * m * 8
        stream = stream_read_bandwidth(nbytes)
        points.append(dict(n_x=n_x, m=m, kernel=name, vs_numpy=ratio, seconds=seconds,
                           bandwidth=nbytes / seconds, stream=stream,
                           fraction=100 * nbytes / seconds / stream))
    return points


def measure_grid(quick=False, progress=None):
    """Fastest vs NumPy at every grid point: a list of dicts (n_x, m, kernel, vs_numpy)."""
    points = []
    for n_x, m in _grid(quick):
        if progress:
            progress(f"fastest vs NumPy, n_x={n_x}, m={m}")
        ratio, name, _ = vs_numpy(n_x, m, repeat=7)
        points.append(dict(n_x=n_x, m=m, kernel=name, vs_numpy=ratio))
    return points


def measure_float32(quick=False, progress=None):
    """float64 time / float32 time of the fastest kernel on the same large X."""
    points = []
    for n_x, m in _large_shapes(quick):
        if progress:
            progress(f"float32 vs float64, n_x={n_x}, m={m}")
        d64 = make_step_data(m, n_x, np.float64)
        d32 = tuple(a.astype(np.float32) if isinstance(a, np.ndarray) else a for a in d64)
        k64, k32 = _fastest_for(d64[2]), _fastest_for(d32[2])
        t64, t32 = time_interleaved([_step(k64, d64), _step(k32, d32)], repeat=5, min_time=0.1)
        points.append(dict(n_x=n_x, m=m, kernel64=k64.name, kernel32=k32.name, ratio=t64 / t32))
        del d64, d32
    return points


def measure_overhead(progress=None, repeat=21):
    """Public ``vlr.gradients`` minus the raw kernel's ``gradients``, n_x = m = 8, in µs."""
    import vlr
    from .registry import available_kernels, get_kernel
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
                           overhead_us=(t_public - t_raw) * 1e6, auto_us=t_auto * 1e6,
                           auto_kernel=_fastest_for(X).name))
    return points


def measure_train(progress=None, iterations=1000, repeat=3):
    """Python loop of ``gradient_step`` vs ``vlr.train`` (compiled loop), fastest kernel."""
    import vlr
    if progress:
        progress("training loop")
    w, b, X, Y = make_step_data(1000, 10, np.float64)
    kernel = _fastest_for(X)

    def python_loop():
        wi, bi = w, b
        for _ in range(iterations):
            step = kernel.gradient_step(wi, bi, X, Y, ALPHA)
            wi, bi = step.w, step.b

    t_loop, t_train = time_interleaved(
        [python_loop, lambda: vlr.train(X, Y, iterations, ALPHA, kernel=kernel, w0=w, b0=b)],
        repeat=repeat, min_time=0.2)
    return [dict(kernel=kernel.name, python_loop_s=t_loop, train_s=t_train, ratio=t_loop / t_train)]


def summarise(key, points):
    """The one number the target is judged on, from a measurement's points."""
    if key == "vs_numpy_large":
        return min(p["vs_numpy"] for p in points)
    if key == "bandwidth_fraction":
        return min(p["fraction"] for p in points)
    if key == "vs_numpy_grid_min":
        return min(p["vs_numpy"] for p in points)
    if key == "float32_vs_float64":
        return min(p["ratio"] for p in points)
    if key == "overhead_us":
        compiled = [p for p in points if p["kernel"] != "numpy"] or points
        return max(p["overhead_us"] for p in compiled)
    if key == "train_speedup":
        return points[0]["ratio"]
    raise ValueError(f"unknown target {key!r}")


_MEASURES = {
    "vs_numpy_large": lambda quick, progress: measure_vs_numpy_large(quick, progress),
    "bandwidth_fraction": lambda quick, progress: measure_vs_numpy_large(quick, progress),
    "vs_numpy_grid_min": lambda quick, progress: measure_grid(quick, progress),
    "float32_vs_float64": lambda quick, progress: measure_float32(quick, progress),
    "overhead_us": lambda quick, progress: measure_overhead(progress, repeat=7 if quick else 21),
    "train_speedup": lambda quick, progress: measure_train(progress),
}


def measure_target(key, quick=False, progress=None):
    """Measure one target; return ``(value, points)`` (what the asv suite tracks)."""
    points = _MEASURES[key](quick, progress)
    return summarise(key, points), points


def measure_targets(progress=None, quick=False):
    """Measure every target in this process.

    Parameters
    ----------
    progress : callable(str), optional
        Called before each measurement.
    quick : bool
        Smaller large arrays (105 MB) and grid (m <= 1e5, n_x <= 100): a smoke run.

    Returns
    -------
    dict
        ``machine`` (see :func:`vlr.machine.machine_info`), ``quick``, and ``targets``: a list
        of dicts with the target's fields, the measured ``value``, ``met`` and ``points``.
    """
    from .machine import machine_info
    measured = {}
    for key, measure in _MEASURES.items():
        if key == "bandwidth_fraction":  # the same timings as vs_numpy_large
            measured[key] = measured["vs_numpy_large"]
        else:
            measured[key] = measure(quick, progress)
    rows = []
    for target in TARGETS:
        value = summarise(target.key, measured[target.key])
        rows.append(dict(key=target.key, measure=target.measure, goal=f"{target.op} {target.goal:g}"
                         f" {target.unit}", value=value, unit=target.unit, met=target.met(value),
                         points=measured[target.key]))
    return {"machine": machine_info(), "quick": quick, "targets": rows}


def _detail(key, points):
    if key == "vs_numpy_large":
        return "; ".join(f"{p['n_x']}×{p['m']}: {p['kernel']} {p['vs_numpy']:.2f}x" for p in points)
    if key == "bandwidth_fraction":
        return "; ".join(f"{p['n_x']}×{p['m']}: {p['bandwidth'] / 1e9:.1f} of {p['stream'] / 1e9:.1f} GB/s"
                         for p in points)
    if key == "vs_numpy_grid_min":
        worst = sorted(points, key=lambda p: p["vs_numpy"])[:3]
        return (f"{len(points)} points, worst: " + "; ".join(
            f"{p['n_x']}×{p['m']} {p['kernel']} {p['vs_numpy']:.2f}x" for p in worst)
            + f"; best {max(p['vs_numpy'] for p in points):.2f}x")
    if key == "float32_vs_float64":
        return "; ".join(f"{p['n_x']}×{p['m']}: {p['kernel32']} {p['ratio']:.2f}x" for p in points)
    if key == "overhead_us":
        return "; ".join(f"{p['kernel']}: {p['public_us']:.1f} vs raw {p['raw_us']:.1f} µs"
                         for p in points)
    if key == "train_speedup":
        p = points[0]
        return f"{p['kernel']}: {p['python_loop_s'] * 1e3:.1f} ms vs {p['train_s'] * 1e3:.1f} ms"
    return ""


def format_targets(results):
    """The targets table as Markdown (what the README and the report quote)."""
    from .machine import describe
    lines = ["| measure | target | measured | met | detail |", "|---|---|---|---|---|"]
    for row in results["targets"]:
        lines.append(f"| {row['measure']} | {row['goal']} | {row['value']:.3g} {row['unit']} | "
                     f"{'yes' if row['met'] else '**no**'} | {_detail(row['key'], row['points'])} |")
    how = "`vlr targets" + (" --quick" if results["quick"] else "") + "`"
    return "\n".join(lines) + f"\n\nMeasured with {how} on:\n\n```\n{describe(results['machine'])}\n```\n"
