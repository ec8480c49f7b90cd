"""The study's parameter grid and the kernels' size budgets -- shared by the asv suite and the report.

The asv suite in ``benchmarks/`` loads this file from the working tree, so the quick grid (the
default of ``asv run`` and ``vlr study``) and the full grid (``VLR_BENCH_GRID=full``) are
defined in one place. It imports nothing of vlr (the suite benchmarks older commits too).

Every benchmark declares the *full* grid as its asv parameters, whichever grid is in effect, and
a point outside the grid in effect raises NotImplementedError in ``setup`` (:func:`outside_grid`;
asv shows n/a). So the tracked ``benchmarks/results/benchmarks.json`` is the same after a quick
and a full run, and results of both grids compare point by point.
"""
import os

#: Stamped on every benchmark as its asv ``version``; the report refuses results from another.
SUITE_VERSION = "vlr-study-1"

GRIDS = {
    # m (examples) x n_x (features) x dtype
    "full": dict(m=[100, 1_000, 10_000, 100_000, 1_000_000], n_x=[1, 10, 100, 1_000],
                 dtype=["float64", "float32"]),
    "quick": dict(m=[100, 10_000, 1_000_000], n_x=[1, 10, 100, 1_000], dtype=["float64"]),
    "tiny": dict(m=[100, 1_000], n_x=[1, 10], dtype=["float64"]),  # for the tests
}

#: Largest X (elements) in the default grid: 2·10⁸ float64 = 1.6 GB, safe on a 24 GB machine.
MAX_ELEMENTS = 200_000_000
#: two_loops costs ~0.3 µs per element of X: above 10⁶ elements one call passes ~0.3 s.
TWO_LOOPS_MAX_ELEMENTS = 1_000_000
#: one_loop costs ~5 µs per example: above 10⁵ examples one call passes ~0.5 s.
ONE_LOOP_MAX_EXAMPLES = 100_000


#: The benchmarks a quick grid runs: the verdict's (steps, speed-ups, single calls, the roof,
#: threads, the model's costs, NumPy's parts, the training and overhead targets). Peers, Dask,
#: the fit race, peak memory, compile times and the heavy targets run on the full grid, or on the
#: quick one with ``VLR_BENCH_EVERYTHING=1`` (``vlr study --everything``).
QUICK_BENCH = ("TimeGradientStep|TrackSpeedupVs|TrackOneCall|TrackStreamBandwidth|TrackThreads|"
               "TrackModelParameter|TimeNumpyParts|TrackTarget.track_target\\('(overhead_us|train_vs_course)'\\)")


#: The benchmarks whose parameters are (one leading parameter, m, n_x[, dtype]) of the grid.
GRIDDED = ("TimeGradientStep", "TrackSpeedupVs", "TrackOneCall", "TimeNumpyParts", "TimePeerGradient")


def bench_regex(names, name="quick"):
    """asv ``--bench`` for the benchmarks ``names`` (a regular expression) with the gridded ones
    (:data:`GRIDDED`) at the points of grid ``name`` only: asv starts no process for the points
    that grid would skip (each ~0.2 s on 2 cores, 200 per benchmark of the full grid).

    Returns
    -------
    str
    """
    g = GRIDS[name]
    alternatives = [("|".join(str(v) for v in g[key])) for key in ("m", "n_x", "dtype")]
    point = rf"\('[^']*', ({alternatives[0]}), ({alternatives[1]})(, '({alternatives[2]})')?\)$"
    gridded = "|".join(GRIDDED)
    # (a gridded name without parameters matches too: asv never asks so, the time-left estimate does)
    return rf"^(?=.*(?:{names}))(?:(?!.*(?:{gridded})).*|.*(?:{gridded}).*{point}|[^(]*(?:{gridded})[^(]*$)"


def grid_name():
    """The grid in effect: ``$VLR_BENCH_GRID`` (quick, full or tiny), default quick.

    Returns
    -------
    str
    """
    name = os.environ.get("VLR_BENCH_GRID", "quick")
    if name not in GRIDS:
        raise ValueError(f"VLR_BENCH_GRID must be one of {', '.join(GRIDS)}, got {name!r}")
    return name


def grid():
    """The (m, n_x, dtype) values of the grid in effect.

    Returns
    -------
    dict
        m, n_x and dtype: lists of values.
    """
    return GRIDS[grid_name()]


def params():
    """The (m, n_x, dtype) values every benchmark declares to asv: the full grid, whatever grid
    is in effect (points outside it are skipped by :func:`outside_grid`).

    Returns
    -------
    dict
        m, n_x and dtype: lists of values.
    """
    return GRIDS["full"]


def outside_grid(m=None, n_x=None, dtype=None):
    """Why a point of the declared parameters is not in the grid in effect, or ``""``.

    Parameters
    ----------
    m, n_x, dtype : optional
        The point's values; one left out is not checked.

    Returns
    -------
    str
    """
    name, g = grid_name(), grid()
    for key, value in (("m", m), ("n_x", n_x), ("dtype", dtype)):
        if value is not None and value not in g[key]:
            return f"not in the {name} grid ({key}={value}; VLR_BENCH_GRID=full runs it)"
    return ""


def everything():
    """Whether the benchmarks outside :data:`QUICK_BENCH` run: on the full grid, on the tiny
    one (the tests' smoke run of every benchmark), or when ``VLR_BENCH_EVERYTHING=1``.

    Returns
    -------
    bool
    """
    return grid_name() in ("full", "tiny") or os.environ.get("VLR_BENCH_EVERYTHING", "") not in ("", "0")


def only_with_everything():
    """NotImplementedError's reason for a benchmark outside :data:`QUICK_BENCH` when
    :func:`everything` is false, else ``""``.

    Returns
    -------
    str
    """
    if everything():
        return ""
    return (f"not in the {grid_name()} grid's benchmarks (VLR_BENCH_GRID=full or "
            "VLR_BENCH_EVERYTHING=1 runs it)")


#: One call of a pure-Python kernel at a point over its budget is still measured once (the
#: verdict counts only points with both sides measured): up to this many elements of X, about
#: 30 s of two_loops.
ONCE_MAX_ELEMENTS = 100_000_000


def once_reason(kernel, m, n_x):
    """Why (kernel, m, n_x) gets no single-call measurement either, or ``""``: only the two
    pure-Python kernels at points over their time budget are measured once, up to
    :data:`ONCE_MAX_ELEMENTS` and the X size limit.

    Returns
    -------
    str
    """
    reason = skip_reason(kernel, m, n_x)
    if kernel not in ("two_loops", "one_loop") or not reason:
        return "measured by the repeated benchmarks" if not reason else reason
    if "budget" not in reason:  # over the X size limit
        return reason
    if m * n_x > ONCE_MAX_ELEMENTS:
        return f"one call of {kernel} at m·n_x > {ONCE_MAX_ELEMENTS:.0e} takes minutes"
    return ""


def skip_reason(kernel, m, n_x):
    """Why (kernel, m, n_x) is not measured, or ``""``. Skipped points are shown as n/a, never
    extrapolated. ``VLR_BENCH_MAX_ELEMENTS`` raises the X size limit for bigger machines.

    Returns
    -------
    str
    """
    max_elements = int(float(os.environ.get("VLR_BENCH_MAX_ELEMENTS", MAX_ELEMENTS)))
    if m * n_x > max_elements:
        return f"m·n_x > {max_elements:.0e} (set VLR_BENCH_MAX_ELEMENTS to run it)"
    if kernel == "two_loops" and m * n_x > TWO_LOOPS_MAX_ELEMENTS:
        return f"two_loops budget: m·n_x > {TWO_LOOPS_MAX_ELEMENTS:.0e}"
    if kernel == "one_loop" and m > ONE_LOOP_MAX_EXAMPLES:
        return f"one_loop budget: m > {ONE_LOOP_MAX_EXAMPLES:.0e}"
    return ""
