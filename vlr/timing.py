"""Wall-clock timing of one call, the way timeit does it (best of several repeats)."""
from __future__ import annotations

import time
import timeit
from typing import Callable, Sequence


def format_seconds(s: float | None) -> str:
    """``1.2 ms``-style formatting; ``None`` (not measured) is ``n/a``.

    Returns
    -------
    str
    """
    if s is None:
        return "n/a"
    for unit, scale in (("s", 1), ("ms", 1e-3), ("µs", 1e-6)):
        if s >= scale:
            return f"{s / scale:.3g} {unit}"
    return f"{s / 1e-9:.3g} ns"


def _calibrated(fn, min_time):
    """Warm ``fn`` up, then find a call count whose run takes ``min_time`` (like timeit.autorange).

    Returns ``(timer, number, seconds per call of the calibrating run)``.
    """
    fn()
    timer = timeit.Timer(fn, timer=timeit.default_timer)
    number, elapsed = 1, timer.timeit(1)
    while elapsed < min_time and number < 1 << 20:
        number *= max(2, min(10, int(min_time / max(elapsed, 1e-9))))
        elapsed = timer.timeit(number)
    return timer, number, elapsed / number


def time_call(fn: Callable[[], object], repeat: int = 5, min_time: float = 0.2) -> float:
    """Best wall-clock seconds per call of ``fn()``.

    The call count per repeat grows until one repeat takes ``min_time``; the minimum over
    ``repeat`` repeats is returned, the usual estimate least disturbed by other load on the
    machine. ``fn`` is called once first, untimed (JIT compilation, caches).

    Returns
    -------
    float
    """
    timer, number, best = _calibrated(fn, min_time)
    for _ in range(repeat - 1):
        best = min(best, timer.timeit(number) / number)
    return best


#: Seconds to wait at least before each timed block of :func:`time_interleaved`; then
#: :func:`wait_until_idle` waits on until the thread pools of the previous block have gone idle.
#: OpenBLAS's threads busy-wait 2^28 cycles after a call -- 70-90 ms at 3-4 GHz, 130 ms at 2 GHz
#: -- and would otherwise take the cores from the next block (measured on 2 cores: a compiled
#: kernel timed right after NumPy ran at 0.6x of its own speed; a fixed 0.1 s pause left a 2 GHz
#: Zen 1's compiled kernels 1.4x slow in a calibration, which then chose NumPy).
SETTLE_SECONDS = 0.05
#: The longest :func:`wait_until_idle` waits for other threads to stop spinning: OpenBLAS's
#: 2^28 cycles at 1 GHz, so that a process whose own threads stay busy is not held up for long.
IDLE_TIMEOUT = 0.3


def wait_until_idle(poll: float = 0.01, timeout: float = IDLE_TIMEOUT) -> float:
    """Sleep until no thread of this process is busy (a spinning thread pool has gone to sleep):
    until the process's CPU time grows by less than a fifth of ``poll`` over a ``poll``-long
    sleep, or ``timeout`` seconds.

    Returns
    -------
    float
        Seconds waited.
    """
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        cpu = time.process_time()  # every thread's CPU time
        time.sleep(poll)
        if time.process_time() - cpu < poll / 5:
            break
    return time.perf_counter() - start


def time_rounds(fns: Sequence[Callable[[], object]], repeat: int = 5, min_time: float = 0.1,
                settle: float = SETTLE_SECONDS) -> list[list[float]]:
    """Seconds per call of each function in ``fns``, in ``repeat`` interleaved rounds.

    Each gets the same treatment (a warm-up call, then a call count reaching ``min_time`` per
    block) and the blocks are interleaved A, B, C, A, B, C, ... so that drifts of the machine
    (frequency, other load) hit every side of a ratio alike. Before each block the process
    sleeps ``settle`` seconds, then until no thread pool of another block is still spinning
    (:func:`wait_until_idle`): each side is measured as a caller using only that kernel sees it.

    Returns
    -------
    list of list of float
        ``rounds[r][i]``: seconds per call of ``fns[i]`` in round ``r``. A ratio of two sides
        taken within each round, then its median over rounds, resists slow phases of a shared
        machine better than a ratio of two best-of times.
    """
    def pause():
        if settle > 0:
            time.sleep(settle)
            wait_until_idle()

    runs = []
    for fn in fns:
        pause()
        runs.append(_calibrated(fn, min_time))
    rounds = [[run[2] for run in runs]]
    for _ in range(repeat - 1):
        this_round = []
        for timer, number, _ in runs:
            pause()
            this_round.append(timer.timeit(number) / number)
        rounds.append(this_round)
    return rounds


def time_interleaved(fns: Sequence[Callable[[], object]], repeat: int = 5, min_time: float = 0.1,
                     settle: float = SETTLE_SECONDS) -> list[float]:
    """Best wall-clock seconds per call of each function in ``fns``, measured alternately
    (the minimum over the rounds of :func:`time_rounds`).

    Returns
    -------
    list of float
    """
    rounds = time_rounds(fns, repeat, min_time, settle)
    return [min(column) for column in zip(*rounds)]


def time_pair(fn_a: Callable[[], object], fn_b: Callable[[], object], repeat: int = 5,
              min_time: float = 0.1) -> tuple[float, float]:
    """:func:`time_interleaved` of two functions: ``(seconds of fn_a, seconds of fn_b)``.

    Returns
    -------
    (float, float)
    """
    a, b = time_interleaved([fn_a, fn_b], repeat, min_time)
    return a, b
