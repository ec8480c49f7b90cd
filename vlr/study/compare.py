"""Quick comparison of the kernels on a few sizes: time per step and speed-ups.

This is the small, asv-free version of the study: one process, one run, every ratio measured
in that run. Pure-Python kernels are skipped (and say so) above a size budget -- never
extrapolated.
"""
from dataclasses import dataclass

import numpy as np

from ..kernel import KERNELS, available_kernels
from ..registry import get_kernel
from ..data import make_step_data
from ..timing import time_call

#: (n_x, m) pairs timed by default.
DEFAULT_SIZES = ((10, 1_000), (100, 10_000), (1_000, 10_000))
#: The pure-Python kernels run only up to this many elements of X (two_loops: ~0.2 s per 10⁶).
PYTHON_BUDGET = 10_000_000
_PYTHON_KERNELS = ("two_loops", "one_loop")


@dataclass
class Timing:
    """One kernel at one size: seconds per step, or why it was not measured."""

    kernel: str
    n_x: int
    m: int
    seconds: float | None
    skipped: str = ""


def compare(sizes=DEFAULT_SIZES, kernels=None, dtype=np.float64, python_budget=PYTHON_BUDGET,
            progress=None):
    """Time one gradient step (public interface, validation included) for each kernel and size.

    Parameters
    ----------
    sizes : iterable of (n_x, m)
    kernels : list of str, optional
        Default: every available kernel.
    dtype : float32 or float64
    python_budget : int
        Largest ``n_x * m`` at which the pure-Python kernels are run.
    progress : callable(str), optional
        Called before each measurement with a short description.

    Returns
    -------
    list of Timing
    """
    kernels = available_kernels(KERNELS) if kernels is None else list(kernels)
    results = []
    for n_x, m in sizes:
        w, b, X, Y = make_step_data(m, n_x, dtype)
        for name in kernels:
            if name in _PYTHON_KERNELS and n_x * m > python_budget:
                results.append(Timing(name, n_x, m, None, f"n_x·m > budget {python_budget:.0e}"))
                continue
            if progress:
                progress(f"{name} at n_x={n_x}, m={m}")
            kernel = get_kernel(name)
            slow = name in _PYTHON_KERNELS
            seconds = time_call(lambda: kernel.gradient_step(w, b, X, Y, 0.01),
                                repeat=3 if slow else 5, min_time=0.05 if slow else 0.2)
            results.append(Timing(name, n_x, m, seconds))
    return results


def speedups(results):
    """Add ``vs_two_loops`` and ``vs_numpy`` (how many times faster) to each measured timing.

    Returns a list of dicts: kernel, n_x, m, seconds, vs_two_loops, vs_numpy, skipped.

    Returns
    -------
    list of dict
        n_x, m, kernel, seconds, skipped, vs_two_loops, vs_numpy per timing.
    """
    by_size = {}
    for t in results:
        by_size.setdefault((t.n_x, t.m), {})[t.kernel] = t.seconds
    rows = []
    for t in results:
        base = by_size[(t.n_x, t.m)]
        ratio = lambda ref: (ref / t.seconds) if (ref and t.seconds) else None
        rows.append(dict(kernel=t.kernel, n_x=t.n_x, m=t.m, seconds=t.seconds,
                         vs_two_loops=ratio(base.get("two_loops")),
                         vs_numpy=ratio(base.get("numpy")), skipped=t.skipped))
    return rows
