"""Wall-clock timing of one call, the way timeit does it (best of several repeats)."""
import timeit


def time_call(fn, repeat=5, min_time=0.2):
    """Best wall-clock seconds per call of ``fn()``.

    The call count per repeat grows until one repeat takes ``min_time`` (``timeit.autorange``);
    the minimum over ``repeat`` repeats is returned, the usual estimate least disturbed by other
    load on the machine. ``fn`` is called once first, untimed (JIT compilation, caches).
    """
    fn()
    timer = timeit.Timer(fn, timer=timeit.default_timer)
    number = 1
    while True:
        elapsed = timer.timeit(number)
        if elapsed >= min_time or number >= 1 << 20:
            break
        number *= max(2, min(10, int(min_time / max(elapsed, 1e-9))))
    best = elapsed / number
    for _ in range(repeat - 1):
        best = min(best, timer.timeit(number) / number)
    return best
