"""Streaming-read bandwidth: the roof a one-pass kernel can reach.

A step must read X at least once, so bytes-of-X / (time of a step) can be compared to how fast
this machine streams an array of X's size. Measured with threaded Numba sums, one stream per thread and
several side by side, the faster of the two (the summation order may change so LLVM can
vectorise it; the result itself is discarded).
It imports nothing of vlr: the asv suite loads this file from the working tree.
"""
import functools
import timeit

import numpy as np


@functools.cache
def _stream_sums():
    """(one stream per thread, eight streams per thread): two threaded sums of an array."""
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

    @njit(parallel=True, fastmath={"reassoc"})
    def streams_sum(a, n_chunks):
        # each thread's chunk as eight equal parts read side by side: more loads in flight
        # than one stream gets from the hardware prefetchers (as a GEMV reads several rows)
        partial = np.zeros(n_chunks)
        n = a.size
        for c in prange(n_chunks):
            chunk = a[c * n // n_chunks:(c + 1) * n // n_chunks]
            q = chunk.size // 8
            p0, p1, p2, p3 = chunk[0:q], chunk[q:2 * q], chunk[2 * q:3 * q], chunk[3 * q:4 * q]
            p4, p5, p6, p7 = chunk[4 * q:5 * q], chunk[5 * q:6 * q], chunk[6 * q:7 * q], chunk[7 * q:8 * q]
            s = 0.0
            for k in range(q):
                s += ((p0[k] + p1[k]) + (p2[k] + p3[k])) + ((p4[k] + p5[k]) + (p6[k] + p7[k]))
            for k in range(8 * q, chunk.size):
                s += chunk[k]
            partial[c] = s
        return partial.sum()
    return stream_sum, streams_sum


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
    """Seconds to read the float64 array ``a`` once with ``threads`` threads (best of ``repeat``),
    the faster of two ways: one stream per thread, and eight streams per thread side by
    side. On some machines one stream per thread leaves memory far from busy (a 2-core Zen 2
    guest: 34-37 GB/s with one, 54-57 GB/s with eight, where NumPy's GEMV read 42-47): the roof
    is what the best way reads.

    Returns
    -------
    float
    """
    import numba
    flat = a.reshape(-1)
    previous = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        best = float("inf")
        for read in _stream_sums():
            timer = timeit.Timer(lambda: read(flat, threads))
            timer.timeit(1)  # compile, warm up
            number = max(1, int(0.05 / max(timer.timeit(1), 1e-9)))  # ~50 ms per repeat
            best = min(best, min(timer.repeat(repeat, number)) / number)
        return best
    finally:
        numba.set_num_threads(previous)
