"""How a compiled kernel walks X: the order, the tile of examples, and the threads.

Shared by ``numba_jit`` and ``cython_omp`` (the two one-pass kernels), so both make the same
choices for the same X.
"""
from ._shapes import check_threads

#: Below this many elements of X one thread is faster than starting several.
PARALLEL_MIN_ELEMENTS = 1 << 15
#: The same for an iteration of a training loop that keeps one team of threads for the whole
#: descent (the Cython kernel's: a barrier per iteration, ~0.4 µs on a 2-core Zen 4, instead of
#: a parallel region), counted in work: the elements of X plus TEAM_EXAMPLE_ELEMENTS per example
#: for its exp, loss and dz (~1.5 ns there, as much as ~9 elements' multiply-adds). Measured
#: there, µs per iteration, one thread → a team of two: 1000 examples × 1 feature 1.49 → 1.09,
#: × 10 features 3.16 → 2.0; 300 × 10 0.83 → 0.87; 100 × 10 0.33 → 0.57.
TEAM_MIN_WORK = 1 << 13
TEAM_EXAMPLE_ELEMENTS = 8
#: Bytes of X a tile of examples should span (at least SHORTEST_TILE examples) when examples
#: are adjacent (C order): the tile stays in L2/L3 for the second sweep; measured best on the
#: 2-core Zen 4 machine, and no different between 128 KB and 4 MB on a Zen 2.
TILE_BYTES = 1 << 20
#: The fewest examples in a C-order tile: shorter pieces of a row stream poorly, even when the
#: z sweep prefetches them. 256 against 512, 2-core Zen 4, X ≥ 400 MB, paired medians of
#: bytes/s ÷ the GEMV's over 21 rounds: 1000 features float32 0.74 → 0.78, 2000 features
#: float64 0.63 → 0.69, 1000 float64 alike (0.74, 0.75).
SHORTEST_TILE = 256
#: Fewer examples per thread than this, and the Numba kernel reads C-ordered X by bands of whole
#: rows instead of tiles (``numba_jit._pass_by_rows``; the course's 12288×209).
MIN_TILE = 512
#: How far ahead of itself the row-by-row z sweep over a C-order tile asks for X (a software
#: prefetch of whole row pieces, at least one sweep of eight rows ahead): the hardware
#: prefetchers start late on each row's short piece. 8-16 KB measured alike on the 2-core Zen 4.
PREFETCH_BYTES = 1 << 14
#: Bytes of X a tile spans when features are adjacent (F order): each example is a contiguous
#: column, so a tile can be as short as the L2 wants; the axpy sweep then reads it back from L2
#: (2-core Zen 2, 512 KB L2, X ≥ 100 MB, bytes/s ÷ the GEMV's: 300 features 0.75 → 0.77,
#: 1000 features float32 0.62 → 0.65, 3000 features 0.68 → 0.78; 10 and 100 features alike).
TILE_BYTES_BY_EXAMPLES = 1 << 19


def plan(X, n_threads, default_threads, parallel=True, team=False):
    """``(by_tiles, tile, n_chunks)`` for a pass over ``X`` (checked by ``check_kernel_arguments``).

    Parameters
    ----------
    X : ndarray, shape (n_x, m)
    n_threads : int or None
        Threads asked for (None: ``default_threads()``).
    default_threads : callable() -> int
        The kernel's default thread count.
    parallel : bool
        False when the kernel cannot run threads (Cython built without OpenMP): one chunk.
    team : bool
        True for a training loop whose threads stay together from one iteration to the next:
        threads start paying off at less work (:data:`TEAM_MIN_WORK`).

    Returns
    -------
    by_tiles : bool
        True when examples are adjacent in memory (C order): z and dw go row by row over a tile;
        False when features are adjacent (F order): a dot product and an axpy per example.
    tile : int
        Examples per tile.
    n_chunks : int
        Contiguous chunks of examples, one per thread (1: no threads started).

    Raises
    ------
    TypeError, ValueError
        If ``n_threads`` is not an integer in [1, ``_shapes.MAX_THREADS``] (or None).
    """
    n_x, m = X.shape
    s0, s1 = X.strides
    by_tiles = abs(s1) <= abs(s0)
    if by_tiles:
        tile = max(SHORTEST_TILE, min(4096, TILE_BYTES // (n_x * X.itemsize)))
    else:
        tile = max(4, min(4096, TILE_BYTES_BY_EXAMPLES // (n_x * X.itemsize)))
    small = (m * (n_x + TEAM_EXAMPLE_ELEMENTS) < TEAM_MIN_WORK if team
             else n_x * m < PARALLEL_MIN_ELEMENTS)
    if n_threads is None and small:
        return by_tiles, tile, 1  # one thread whatever the default: not worth asking it (~1.5 µs)
    threads = check_threads(n_threads, default_threads)
    if not parallel or threads == 1 or small:
        return by_tiles, tile, 1
    return by_tiles, tile, min(threads, m)
