"""Adaptive sampling: after the study's first pass, spend a stated time budget re-measuring the
cells whose interval does not yet decide a category, and say which stay undecided.

Each pass re-runs, through asv (``--append-samples``: the new samples join the kept ones of
the same commit), exactly the parameter combinations behind the undecided cells: the paired
speed-up's rounds, or each side's timings where the sides were timed apart. A pass starts
only while the previous one's duration still fits in the budget left.
"""
from __future__ import annotations

import re
import time
from typing import Callable

from .asv_results import ResultsError, find_results_file, load_results
from .verdict import build_rows, claim_cells

#: Passes at most, whatever the budget.
MAX_PASSES = 3


def _param_regex(benchmark: str, kernel: str, m: int, n_x: int) -> str:
    return re.escape(f"{benchmark}('{kernel}', {m}, {n_x}, 'float64')")


def undecided_cells(results) -> list:
    """The measured cells of both claims whose interval spans more than one category.

    Returns
    -------
    list of vlr.study.verdict.Cell
    """
    rows = build_rows(results)
    return [c for kernel in ("numpy", "one_loop") for c in claim_cells(rows, results, kernel)
            if c.measured and c.category == "undecided"]


def benchmarks_for(cell) -> list[str]:
    """asv ``--bench`` regular expressions selecting what re-measures ``cell``.

    Returns
    -------
    list of str
    """
    if cell.how == "paired":
        return [_param_regex("TrackSpeedupVsTwoLoops.track_speedup", cell.kernel, cell.m, cell.n_x)]
    return [_param_regex(bench, kernel, cell.m, cell.n_x)
            for kernel in (cell.kernel, cell.baseline)
            for bench in ("TimeGradientStep.time_gradient_step", "TrackOneCall.track_seconds")]


def refine(results_dir: str, machine: str, budget: float,
           run: Callable[[list[str]], None], say: Callable[[str], None] = print) -> list:
    """Re-measure this machine's undecided cells until they are decided, the budget is spent,
    or :data:`MAX_PASSES` passes have run.

    Parameters
    ----------
    results_dir, machine : str
        Where the study's newest results of ``machine`` are.
    budget : float
        Seconds to spend at most (a pass starts only if the last one's duration fits).
    run : callable(list of str)
        Runs asv on the given ``--bench`` expressions, appending samples
        (:func:`vlr.study.asv_runner.run_benchmarks` with ``append=True``).
    say : callable(str)
        Told what is being re-measured and what stays undecided.

    Returns
    -------
    list of Cell
        The cells still undecided.
    """
    start, last = time.monotonic(), 0.0
    for n in range(1, MAX_PASSES + 1):
        try:
            results = load_results(find_results_file(results_dir, machine))
        except ResultsError:
            return []
        cells = undecided_cells(results)
        left = budget - (time.monotonic() - start)
        if not cells or left <= max(last, 1.0):
            break
        say(f"re-measuring {len(cells)} undecided cell{'s' if len(cells) != 1 else ''} (pass {n}, "
            f"{left:.0f} s of the budget left): "
            + ", ".join(f"{c.kernel} ÷ {c.baseline} at {c.m:g}×{c.n_x}" for c in cells))
        t0 = time.monotonic()
        run(sorted({b for c in cells for b in benchmarks_for(c)}))
        last = time.monotonic() - t0
    try:
        cells = undecided_cells(load_results(find_results_file(results_dir, machine)))
    except ResultsError:
        return []
    say("every measured cell is decided" if not cells else
        f"still undecided after {time.monotonic() - start:.0f} s: "
        + ", ".join(f"{c.kernel} ÷ {c.baseline} at {c.m:g}×{c.n_x} ({c.ratio:.3g}x, "
                    f"{c.low:.3g}x–{c.high:.3g}x)" if c.spread else
                    f"{c.kernel} ÷ {c.baseline} at {c.m:g}×{c.n_x} (no interval)" for c in cells))
    return cells
