"""What every benchmark of the suite shares: the grid, the size budgets, the data, the paired
timer and the streaming-read roof (numpy's ``benchmarks/benchmarks/common.py`` is the model).

The suite benchmarks *any* commit of vlr (``asv run <commit>^!``): asv installs that commit and
runs this suite, from the working tree, against it. So the suite imports nothing from vlr
beyond its public interface (``get_kernel``, ``gradients``, ``gradient_step``, ``train``,
``available_kernels``), which every commit has; the harness's own copy of the grid,
``vlr.study_grid``, is checked against this one by ``tests/test_benchmark_suite.py``.
Where an older commit lacks something a benchmark needs, the benchmark raises
``NotImplementedError`` in ``setup`` (asv shows n/a), never fails.
"""
import os
import time
import timeit

import numpy as np

#: Stamped on every benchmark as its asv ``version``; the report refuses results from another.
SUITE_VERSION = "vlr-study-1"

KERNELS = ["two_loops", "one_loop", "numpy", "numba", "cython"]

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

#: Seconds to wait before each timed block of :func:`interleaved_seconds`: OpenBLAS's threads
#: busy-wait 2^28 cycles (70-90 ms) after a call and would take the cores from the next block.
SETTLE_SECONDS = 0.1


def grid_name():
    """The grid in effect: ``$VLR_BENCH_GRID`` (full, quick or tiny), default full."""
    name = os.environ.get("VLR_BENCH_GRID", "full")
    if name not in GRIDS:
        raise ValueError(f"VLR_BENCH_GRID must be one of {', '.join(GRIDS)}, got {name!r}")
    return name


def grid():
    """The (m, n_x, dtype) values of the grid in effect."""
    return GRIDS[grid_name()]


def skip_reason(kernel, m, n_x):
    """Why (kernel, m, n_x) is not measured, or ``""``. Skipped points are shown as n/a, never
    extrapolated. ``VLR_BENCH_MAX_ELEMENTS`` raises the X size limit for bigger machines."""
    max_elements = int(float(os.environ.get("VLR_BENCH_MAX_ELEMENTS", MAX_ELEMENTS)))
    if m * n_x > max_elements:
        return f"m·n_x > {max_elements:.0e} (set VLR_BENCH_MAX_ELEMENTS to run it)"
    if kernel == "two_loops" and m * n_x > TWO_LOOPS_MAX_ELEMENTS:
        return f"two_loops budget: m·n_x > {TWO_LOOPS_MAX_ELEMENTS:.0e}"
    if kernel == "one_loop" and m > ONE_LOOP_MAX_EXAMPLES:
        return f"one_loop budget: m > {ONE_LOOP_MAX_EXAMPLES:.0e}"
    return ""


def require_kernel(name):
    """The installed vlr's kernel ``name``, or NotImplementedError (asv: n/a) if it has none."""
    import vlr
    if name not in vlr.available_kernels():
        raise NotImplementedError(f"kernel {name!r} is not available in this build of vlr")
    return vlr.get_kernel(name)


def make_step_data(m, n_x, dtype="float64", seed=0):
    """A reproducible problem in the course's shapes: ``(w (n_x, 1), b, X (n_x, m), Y (1, m))``.

    X is uniform in [-1, 1) (cheaper to generate than normal at 10⁸ elements); w is scaled so
    that z = wᵀx + b is of order one, where both branches of the stable loss are exercised.
    """
    rng = np.random.default_rng(seed)
    X = rng.random((n_x, m), dtype=np.dtype(dtype).type)
    X *= 2
    X -= 1
    w = (rng.standard_normal((n_x, 1)) * np.sqrt(3.0 / n_x)).astype(dtype)
    Y = (rng.random((1, m)) < 0.5).astype(dtype)
    return w, 0.1, X, Y


def _calibrated(fn, min_time):
    fn()  # warm-up: JIT, caches
    timer = timeit.Timer(fn, timer=timeit.default_timer)
    number, elapsed = 1, timer.timeit(1)
    while elapsed < min_time and number < 1 << 20:
        number *= max(2, min(10, int(min_time / max(elapsed, 1e-9))))
        elapsed = timer.timeit(number)
    return timer, number, elapsed / number


def interleaved_seconds(fns, repeat=5, min_time=0.1, settle=SETTLE_SECONDS):
    """Best wall-clock seconds per call of each of ``fns``, their repeats interleaved
    (A, B, A, B, ...) so drifts of a shared machine hit every side of a ratio alike, with a
    pause of ``settle`` seconds before each block so no other block's thread pool is spinning."""
    runs = []
    for fn in fns:
        time.sleep(settle)
        runs.append(_calibrated(fn, min_time))
    best = [run[2] for run in runs]
    for _ in range(repeat - 1):
        for i, (timer, number, _) in enumerate(runs):
            time.sleep(settle)
            best[i] = min(best[i], timer.timeit(number) / number)
    return best


def stream_read_seconds(a, threads):
    """Seconds to read the float64 array ``a`` once with ``threads`` threads (a threaded Numba
    sum; best of 5): ``a.nbytes`` over it is the roof a one-pass kernel can reach."""
    import numba
    from numba import njit, prange

    @njit(parallel=True, fastmath={"reassoc"}, cache=False)
    def stream_sum(a, n_chunks):
        partial = np.zeros(n_chunks)
        n = a.size
        for c in prange(n_chunks):
            chunk = a[c * n // n_chunks:(c + 1) * n // n_chunks]
            s = 0.0
            for k in range(chunk.size):
                s += chunk[k]
            partial[c] = s
        return partial.sum()

    previous = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        flat = a.reshape(-1)
        return interleaved_seconds([lambda: stream_sum(flat, threads)], repeat=5, min_time=0.05,
                                settle=0)[0]
    finally:
        numba.set_num_threads(previous)


def blas_label():
    """The BLAS libraries of this process, e.g. ``OpenBLAS 0.3.31 SkylakeX`` (threadpoolctl)."""
    from threadpoolctl import threadpool_info
    return "; ".join(f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')}"
                     for i in threadpool_info() if i.get("user_api") == "blas") or "none"
