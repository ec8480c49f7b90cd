"""The measured costs behind the study's model: small microbenchmarks, run in the same process
as (or just before) the study, each timing one term at sizes that are *not* on the study's grid.

The terms (seconds, bytes/s), ECM-style -- each a cost of its own, none fitted to the grid:

- ``two_loops.per_example``, ``two_loops.per_element``: the interpreter's cost per example and
  per element of X in the two-loop kernel (least squares over three small problems in cache);
  ``two_loops.per_element.<level>``: the same per element when X lives in L3 or memory (each
  example's column then lies across many lines and pages: timed on windows of a large X, a
  fresh window each call);
- ``one_loop.per_example``, ``one_loop.per_element``, ``one_loop.per_element.<level>``:
  NumPy's per-call cost paid once per example, and its per-element cost on a column of X;
- ``numpy.fixed``: NumPy's step on a tiny problem (every call's fixed cost);
- ``numpy.per_example.<level>``: the O(m) work of NumPy's step (the loss, dz, its
  temporaries, a one-row GEMV) per example, with its working set in L2, in L3 or in memory;
- ``numpy.gemv.<level>.nx<k>``: bytes of X per second of NumPy's GEMV (``w @ X`` and
  ``X @ dz``) with X in that level, for X of k rows;
- ``read.<level>``: the stream-read bandwidth (a threaded sum) of an array in that level;
- ``cache.L2``, ``cache.L3``: the cache sizes the levels are taken from (bytes).

It imports nothing of vlr: the asv suite loads this file from the working tree and passes the
installed vlr's kernels in; ``vlr predict`` passes them the same way.
"""
import timeit

import numpy as np

#: The cache levels a working set can fall in.
LEVELS = ("L2", "L3", "memory")
#: The row counts of X at which the GEMV's bandwidth is measured (a cell takes the nearest).
GEMV_ROWS = (30, 300)
#: Bytes NumPy's step touches per example besides X: its temporaries (eight arrays of X's
#: dtype and a mask, ``vlr.kernels.full_numpy.temporary_bytes``) and Y.
NUMPY_BYTES_PER_EXAMPLE = 8 * 8 + 1 + 8
#: Where each level's probe puts its working set, as a fraction of the cache it stands for.
FILL = 0.4
#: The memory probe's array: four times L3, at least this many bytes, at most MEMORY_MAX.
MEMORY_MIN, MEMORY_MAX = 256 << 20, 2 << 30


def parameter_names():
    """Every parameter :func:`measure` returns, in a fixed order (the asv benchmark's params).

    Returns
    -------
    list of str
    """
    names = [f"{k}.{term}" for k in ("two_loops", "one_loop")
             for term in ("per_example", "per_element", "per_element.L3", "per_element.memory")]
    names += ["numpy.fixed"]
    names += [f"numpy.per_example.{level}" for level in LEVELS]
    names += [f"numpy.gemv.{level}.nx{rows}" for level in LEVELS for rows in GEMV_ROWS]
    names += [f"read.{level}" for level in LEVELS]
    return names + ["cache.L2", "cache.L3"]


def cache_bytes(caches_kib):
    """``{"L2": bytes, "L3": bytes}`` from a ``{"L2": KiB, "L3": KiB}`` description; a missing
    L3 is taken as the L2 (no third level), a missing L2 as 512 KiB.

    Returns
    -------
    dict
    """
    l2 = int((caches_kib or {}).get("L2") or 512) * 1024
    return {"L2": l2, "L3": max(int((caches_kib or {}).get("L3") or 0) * 1024, l2)}


def level_of(nbytes, caches):
    """The level a working set of ``nbytes`` lives in, given ``caches`` (:func:`cache_bytes`):
    L2 up to 3/4 of the L2 size, L3 up to 3/4 of the L3 size, else memory.

    Returns
    -------
    str
        "L2", "L3" or "memory".
    """
    if nbytes <= 0.75 * caches["L2"]:
        return "L2"
    if nbytes <= 0.75 * caches["L3"]:
        return "L3"
    return "memory"


def probe_bytes(level, caches):
    """The working set each level's probe uses (bytes).

    Returns
    -------
    int
    """
    if level == "L2":
        return int(FILL * caches["L2"])
    if level == "L3":
        return int(max(FILL * caches["L3"], 2 * caches["L2"]))
    return int(min(max(4 * caches["L3"], MEMORY_MIN), MEMORY_MAX))


def _best(fn, repeat=5, min_time=0.02):
    """Best seconds per call of ``fn()`` (a warm-up call, then ``repeat`` blocks of at least
    ``min_time``)."""
    fn()
    timer = timeit.Timer(fn)
    number, elapsed = 1, timer.timeit(1)
    while elapsed < min_time:
        number *= 2
        elapsed = timer.timeit(number)
    return min([elapsed / number] + [timer.timeit(number) / number for _ in range(repeat - 1)])


def _data(m, n_x, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n_x, m)) * 2 - 1
    w = rng.standard_normal((n_x, 1)) * np.sqrt(3.0 / n_x)
    Y = (rng.random((1, m)) < 0.5).astype(float)
    return w, 0.1, X, Y


def _linear(step, shapes, repeat):
    """(per_example, per_element) from the seconds of ``step`` at small (m, n_x) shapes:
    least squares of t = m·(a + n_x·c), on relative errors."""
    rows, rhs = [], []
    for m, n_x in shapes:
        w, b, X, Y = _data(m, n_x)
        t = _best(lambda: step(w, b, X, Y), repeat)
        rows.append([m / t, m * n_x / t])
        rhs.append(1.0)
    (a, c), *_ = np.linalg.lstsq(np.array(rows), np.array(rhs), rcond=None)
    return max(float(a), 0.0), max(float(c), 0.0)


#: Examples per window, and rows of X, of the per-element probes in L3 and memory.
WINDOW, WINDOW_ROWS = 300, 30


def _per_element_in(step, level, caches, per_example, repeat, quick):
    """Seconds per element of ``step`` when X lives in ``level``: calls on consecutive windows
    of :data:`WINDOW` examples of one large X (rows × M, a view: the row stride is M's), each call
    a window not touched since X was written."""
    nbytes = probe_bytes(level, caches) // (16 if quick and level == "memory" else 1)
    X = np.ones((WINDOW_ROWS, max(2 * WINDOW, nbytes // (8 * WINDOW_ROWS))))
    w, Y = np.zeros((WINDOW_ROWS, 1)), np.zeros((1, WINDOW))
    windows = X.shape[1] // WINDOW
    best, k = float("inf"), 0
    for _ in range(repeat):
        calls, start = 0, timeit.default_timer()
        while calls < 4 or timeit.default_timer() - start < 0.02:
            step(w, 0.1, X[:, (k % windows) * WINDOW:(k % windows + 1) * WINDOW], Y)
            calls, k = calls + 1, k + 1
        best = min(best, (timeit.default_timer() - start) / calls)
    return max(best - WINDOW * per_example, 0.0) / (WINDOW * WINDOW_ROWS)


def measure(steps, caches_kib, stream_seconds=None, quick=False, progress=None):
    """Measure every parameter of the model on this machine.

    Parameters
    ----------
    steps : dict
        ``{"two_loops": f, "one_loop": f, "numpy": f}``, each ``f(w, b, X, Y)`` one step.
    caches_kib : dict
        ``{"L2": KiB per core, "L3": KiB}`` (``vlr.machine.cpu_facts()["caches_kib"]``).
    stream_seconds : callable(array) -> seconds, optional
        The stream-read timer (``vlr.study.bandwidth.stream_read_seconds``); without it the
        ``read.*`` terms are NaN.
    quick : bool
        Smaller probes and fewer repeats (a smoke run: the numbers are rougher).
    progress : callable(str), optional
        Told each term as it starts.

    Returns
    -------
    dict
        name -> value for every name of :func:`parameter_names`.
    """
    say = progress or (lambda what: None)
    caches = cache_bytes(caches_kib)
    repeat = 3 if quick else 5
    out = {"cache.L2": float(caches["L2"]), "cache.L3": float(caches["L3"])}
    for kernel, shapes, what in (
            ("two_loops", [(300, 2), (300, 30), (60, 30)], "the interpreter's cost per element (two loops)"),
            ("one_loop", [(300, 2), (300, 300), (60, 300)], "NumPy's cost per call, once per example (one loop)")):
        say(what)
        a, c = _linear(steps[kernel], shapes, repeat)
        out[f"{kernel}.per_example"], out[f"{kernel}.per_element"] = a, c
        for level in ("L3", "memory"):
            out[f"{kernel}.per_element.{level}"] = _per_element_in(steps[kernel], level, caches, a, repeat, quick)
    say("NumPy's fixed cost per step")
    tiny = _data(8, 2)
    out["numpy.fixed"] = _best(lambda: steps["numpy"](*tiny), repeat)
    for level in LEVELS:
        nbytes = probe_bytes(level, caches) // (16 if quick and level == "memory" else 1)
        say(f"NumPy's per-example work and GEMVs with the working set in {level} ({nbytes / 1e6:.0f} MB)")
        m = max(64, nbytes // NUMPY_BYTES_PER_EXAMPLE)
        w, b, X, Y = _data(m, 1)
        out[f"numpy.per_example.{level}"] = max(
            _best(lambda: steps["numpy"](w, b, X, Y), repeat) - out["numpy.fixed"], 0.0) / m
        for rows in GEMV_ROWS:
            X = np.ones((rows, max(16, nbytes // (8 * rows))))
            w, dz = np.ones(rows), np.ones(X.shape[1])
            t0 = _best(lambda: (w[:2] @ X[:2, :16], X[:2, :16] @ dz[:16]), repeat)  # the calls' overhead
            t = _best(lambda: (w @ X, X @ dz), repeat) / 2
            out[f"numpy.gemv.{level}.nx{rows}"] = X.nbytes / max(t - t0 / 2, 1e-12)
        X = None  # free the probe before the next level's
        if stream_seconds is not None:
            a = np.ones(nbytes // 8)
            out[f"read.{level}"] = a.nbytes / stream_seconds(a)
        else:
            out[f"read.{level}"] = float("nan")
    return out
