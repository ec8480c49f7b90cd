"""Streaming-read bandwidth: the roof a one-pass kernel can reach.

A step must read X at least once, so bytes-of-X / (time of a step) can be compared to how fast
this machine streams an array of X's size. Measured with a threaded Numba sum (the summation
order may change so LLVM can vectorise it; the result itself is discarded).
It imports nothing of vlr: the asv suite loads this file from the working tree.
"""
import functools
import timeit

import numpy as np


@functools.cache
def _stream_sum():
    from numba import njit, prange

    # Not cached on disk: the asv suite loads this file by path under another module name
    # (benchmarks/common.py), and Numba keys its cache by file, not module -- an entry written
    # under one name failed to load under the other ("No module named
    # 'vlr_suite_vlr_study_bandwidth'" from `vlr targets` after `vlr study`). It compiles in ~1 s.
    @njit(parallel=True, fastmath={"reassoc"})
    def stream_sum(a, n_chunks):
        partial = np.zeros(n_chunks)
        n = a.size
        for c in prange(n_chunks):
            chunk = a[c * n // n_chunks:(c + 1) * n // n_chunks]  # a slice: no index wrap-around
            s = 0.0
            for k in range(chunk.size):
                s += chunk[k]
            partial[c] = s
        return partial.sum()

    return stream_sum


def stream_read_bandwidth(nbytes=800_000_000, threads=None, repeat=5):
    """Bytes per second at which this machine reads an array of ``nbytes`` once.

    Parameters
    ----------
    nbytes : int
        Size of the array streamed (use X's size: cache effects differ at small sizes).
    threads : int, optional
        Number of threads (default: Numba's current count).
    repeat : int
        Best of this many timed reads.

    Returns
    -------
    float
        Bytes per second.
    """
    import numba
    threads = numba.get_num_threads() if threads is None else int(threads)
    a = np.ones(max(1, int(nbytes) // 8))
    return a.nbytes / stream_read_seconds(a, threads, repeat)


def stream_read_seconds(a, threads, repeat=5):
    """Seconds to read the float64 array ``a`` once with ``threads`` threads (best of ``repeat``).

    Returns
    -------
    float
    """
    import numba
    stream_sum = _stream_sum()
    flat = a.reshape(-1)
    timer = timeit.Timer(lambda: stream_sum(flat, threads))
    previous = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        timer.timeit(1)  # compile, warm up
        number = max(1, int(0.05 / max(timer.timeit(1), 1e-9)))  # ~50 ms per repeat
        return min(timer.repeat(repeat, number)) / number
    finally:
        numba.set_num_threads(previous)
