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


def time_pair(fn_a, fn_b, repeat=5, min_time=0.1):
    """Best wall-clock seconds per call of ``fn_a()`` and of ``fn_b()``, measured alternately.

    Both get the same treatment (a warm-up call, a call count reaching ``min_time`` per repeat,
    the minimum of ``repeat`` repeats) and their repeats are interleaved A, B, A, B, ... so that
    drifts of the machine (frequency, other load) hit both sides of a ratio alike.
    """
    timers, numbers, best = [], [], []
    for fn in (fn_a, fn_b):
        fn()
        timer = timeit.Timer(fn, timer=timeit.default_timer)
        number, elapsed = 1, timer.timeit(1)
        while elapsed < min_time and number < 1 << 20:
            number *= max(2, min(10, int(min_time / max(elapsed, 1e-9))))
            elapsed = timer.timeit(number)
        timers.append(timer)
        numbers.append(number)
        best.append(elapsed / number)
    for _ in range(repeat - 1):
        for i in (0, 1):
            best[i] = min(best[i], timers[i].timeit(numbers[i]) / numbers[i])
    return best[0], best[1]
