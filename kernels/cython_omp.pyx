# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Cython: one fused pass over X, OpenMP threads over examples when compiled with them.

Design:
  A. ``_tile_loss`` is the stable per-example math of :mod:`vlr.kernels` for a whole tile, in
     X's dtype, written in C (``_simd_loss.h``) so that gcc vectorises it: the exp is
     arithmetic (Numba's, in two short sweeps), one log per 512 examples instead of a log1p
     per example, and it is built without ``-fassociative-math`` so ``(1 - y) - y·e`` keeps
     its accuracy.
  B. ``_block`` processes examples ``i0:i1`` of X given as a pointer and element strides, so
     C-ordered, F-ordered, sliced and negatively strided X all work without a copy, a tile of
     examples at a time: z, then loss and dz for the tile, then dw from the same tile while it
     is in cache. z and dw go row by row when examples are adjacent (C order), as dot
     products and axpys when features are adjacent (F order, ``X_sklearn.T``): with unit
     feature stride, ``_four_streams`` reads the examples as four quarters side by side, in the
     C vectors of ``_by_examples.h``, each tile's dw in the loop of the next tile's z.
  C. ``_pass`` splits the examples into one contiguous chunk per thread
     (``prange(schedule='static')``), each with its own dw row padded to 64 bytes; the rows are
     summed after the parallel region in a fixed order.
float32 and float64 are the fused type ``floating``: X is read in its own dtype; a tile's z and
dw sums and the per-example math run in it too (float32 keeps twice the SIMD width and needs no
conversions), while J, db and the sums over tiles are double. Without ``-fopenmp`` the prange
runs serially: ``OPENMP`` says which.
"""
from cython cimport floating
from cython.parallel cimport parallel, prange
from libc.math cimport isfinite

import numpy as np

from ._plan import PREFETCH_BYTES as _PREFETCH_BYTES, plan
from ._shapes import (check_cost_every, check_iterations, check_kernel_arguments, check_real,
                      contiguous)

cdef extern from *:
    """
    #ifdef _OPENMP
    #include <omp.h>
    #define VLR_OPENMP 1
    static int vlr_max_threads(void) { return omp_get_max_threads(); }
    static int vlr_team_size(void) { return omp_get_num_threads(); }
    static int vlr_thread_id(void) { return omp_get_thread_num(); }
    /* every thread of the enclosing parallel region waits here for the others */
    static void vlr_barrier(void) { _Pragma("omp barrier") }
    #else
    #define VLR_OPENMP 0
    static int vlr_max_threads(void) { return 1; }
    static int vlr_team_size(void) { return 1; }
    static int vlr_thread_id(void) { return 0; }
    static void vlr_barrier(void) {}
    #endif
    /* Ask for n_rows rows of nbytes each, stride_bytes apart, into L2 (prefetcht1: t0 into L1
       measured 30 % slower, as it evicts the rows being summed). A prefetch never faults. */
    static void vlr_prefetch_rows(const void* first, Py_ssize_t stride_bytes, Py_ssize_t n_rows,
                                  Py_ssize_t nbytes) {
    #if defined(__GNUC__)
        for (Py_ssize_t r = 0; r < n_rows; r++) {
            const char* p = (const char*)first + r * stride_bytes;
            for (Py_ssize_t o = 0; o < nbytes; o += 64) __builtin_prefetch(p + o, 0, 2);
        }
    #endif
    }
    #ifndef VLR_CYTHON_VERSION
    #define VLR_CYTHON_VERSION "unknown"
    #endif
    #if defined(__AVX512F__)
    #define VLR_VECTOR_ISA "AVX-512"
    #elif defined(__AVX2__)
    #define VLR_VECTOR_ISA "AVX2"
    #elif defined(__AVX__)
    #define VLR_VECTOR_ISA "AVX"
    #elif defined(__SSE4_2__)
    #define VLR_VECTOR_ISA "SSE4.2"
    #elif defined(__SSE2__)
    #define VLR_VECTOR_ISA "SSE2"
    #else
    #define VLR_VECTOR_ISA "scalar"
    #endif
    """
    const int VLR_OPENMP
    const char* VLR_CYTHON_VERSION
    const char* VLR_VECTOR_ISA
    int vlr_max_threads() noexcept nogil
    int vlr_team_size() noexcept nogil
    int vlr_thread_id() noexcept nogil
    void vlr_barrier() noexcept nogil
    void vlr_prefetch_rows(const void* first, Py_ssize_t stride_bytes, Py_ssize_t n_rows,
                           Py_ssize_t nbytes) noexcept nogil

#: True when this extension was compiled with OpenMP (otherwise every call runs on one thread).
OPENMP = bool(VLR_OPENMP)
#: The Cython version that generated this extension (set by setup.py).
CYTHON_VERSION = VLR_CYTHON_VERSION.decode()
#: The widest x86 vector instruction set the compiler was allowed (``-march``): what the C loops
#: were vectorised for ("AVX-512", "AVX2", ..., "scalar" on other CPUs).
VECTOR_ISA = VLR_VECTOR_ISA.decode()

cdef Py_ssize_t PAD = 8  # doubles per 64-byte cache line
cdef Py_ssize_t PREFETCH_BYTES = _PREFETCH_BYTES  # how far ahead _tile_z asks for X

cdef extern from "_simd_loss.h" nogil:
    const int VLR_RUNTIME_DISPATCH
    void vlr_tile_loss_f64(const double* z, const double* y, Py_ssize_t n, double* dz,
                           double* sums)
    void vlr_tile_loss_f32(const float* z, const float* y, Py_ssize_t n, float* dz,
                           double* sums)
    void vlr_tile_dz_f64(const double* z, const double* y, Py_ssize_t n, double* dz,
                         double* sums)
    void vlr_tile_dz_f32(const float* z, const float* y, Py_ssize_t n, float* dz,
                         double* sums)

#: Always True: the per-example exp is the vectorised arithmetic of ``_simd_loss.h`` whatever
#: the C library (kept for callers that read it; it once said whether glibc's libmvec was found).
SIMD_MATH = True
#: True in a portable build (VLR_PORTABLE=1, e.g. a distributed wheel): the rest of the extension
#: is built for the baseline ``VECTOR_ISA``, and the per-example loops exist for x86-64-v4
#: (AVX-512), x86-64-v3 (AVX2) and the baseline, the CPU's chosen when the extension loads.
RUNTIME_DISPATCH = bool(VLR_RUNTIME_DISPATCH)

cdef extern from "_by_examples.h" nogil:
    void vlr_examples_z_f64(const double* X0, Py_ssize_t qs, Py_ssize_t se, const double* w,
                            Py_ssize_t n_x, Py_ssize_t nt, double b, double* z, Py_ssize_t zq)
    void vlr_examples_z_f32(const float* X0, Py_ssize_t qs, Py_ssize_t se, const float* w,
                            Py_ssize_t n_x, Py_ssize_t nt, double b, float* z, Py_ssize_t zq)
    void vlr_examples_dw_f64(const double* X0, Py_ssize_t qs, Py_ssize_t se, Py_ssize_t n_x,
                             Py_ssize_t nt, const double* dz, Py_ssize_t zq, double* dw)
    void vlr_examples_dw_f32(const float* X0, Py_ssize_t qs, Py_ssize_t se, Py_ssize_t n_x,
                             Py_ssize_t nt, const float* dz, Py_ssize_t zq, double* dw)
    void vlr_examples_z_dw_f64(const double* X0, const double* Xd, Py_ssize_t qs, Py_ssize_t se,
                               const double* w, Py_ssize_t n_x, Py_ssize_t nt, double b,
                               double* z, Py_ssize_t zq, const double* dz, double* dw)
    void vlr_examples_z_dw_f32(const float* X0, const float* Xd, Py_ssize_t qs, Py_ssize_t se,
                               const float* w, Py_ssize_t n_x, Py_ssize_t nt, double b,
                               float* z, Py_ssize_t zq, const float* dz, double* dw)


cdef inline void _tile_loss(const floating* z,   # IN  (nt,)
                            const floating* y,   # IN  (nt,)
                            Py_ssize_t nt,
                            floating* dz,        # OUT (nt,), may be z
                            bint with_loss,      # False: J is not computed (nothing added)
                            double* sums) noexcept nogil:  # OUT (3,) J, db, bad labels: added to
    if floating is double:
        if with_loss:
            vlr_tile_loss_f64(z, y, nt, dz, sums)
        else:
            vlr_tile_dz_f64(z, y, nt, dz, sums)
    else:
        if with_loss:
            vlr_tile_loss_f32(z, y, nt, dz, sums)
        else:
            vlr_tile_dz_f32(z, y, nt, dz, sums)


cdef inline void _tile_z(const floating* X0,    # IN  X0[j * sf + k * se], the tile's first column
                         Py_ssize_t sf, Py_ssize_t se,
                         const floating* w,     # IN  (n_x,)
                         floating b,
                         Py_ssize_t n_x, Py_ssize_t nt,
                         floating* z) noexcept nogil:  # OUT (nt,)
    cdef Py_ssize_t j = 0, k, ahead
    cdef Py_ssize_t row_bytes = nt * <Py_ssize_t>sizeof(floating)
    cdef const floating* r
    cdef floating w0, w1, w2, w3, w4, w5, w6, w7
    if se == 1 and n_x >= 4:  # eight contiguous rows per sweep over the tile (measured: 3-5 %
        # over four). Each row's piece of the tile is a new stream to the hardware prefetchers,
        # which start late on it: the sweep asks for the rows PREFETCH_BYTES ahead itself.
        for k in range(nt):
            z[k] = b
        ahead = 8 * max(1, PREFETCH_BYTES // (8 * row_bytes))
        while j + 8 <= n_x:
            r = X0 + j * sf
            if j + ahead + 8 <= n_x:
                vlr_prefetch_rows(r + ahead * sf, sf * <Py_ssize_t>sizeof(floating), 8, row_bytes)
            w0, w1, w2, w3 = w[j], w[j + 1], w[j + 2], w[j + 3]
            w4, w5, w6, w7 = w[j + 4], w[j + 5], w[j + 6], w[j + 7]
            for k in range(nt):
                z[k] += (w0 * r[k] + w1 * r[sf + k] + w2 * r[2 * sf + k] + w3 * r[3 * sf + k]
                         + w4 * r[4 * sf + k] + w5 * r[5 * sf + k] + w6 * r[6 * sf + k]
                         + w7 * r[7 * sf + k])
            j += 8
        if j + 4 <= n_x:
            r = X0 + j * sf
            w0, w1, w2, w3 = w[j], w[j + 1], w[j + 2], w[j + 3]
            for k in range(nt):
                z[k] += w0 * r[k] + w1 * r[sf + k] + w2 * r[2 * sf + k] + w3 * r[3 * sf + k]
            j += 4
        if j + 2 <= n_x:  # two rows in one sweep, as Numba's (one store of z, not two)
            r = X0 + j * sf
            w0, w1 = w[j], w[j + 1]
            for k in range(nt):
                z[k] += w0 * r[k] + w1 * r[sf + k]
            j += 2
    while j < n_x:  # the remaining row, and any stride
        r = X0 + j * sf
        w0 = w[j]
        if j == 0:  # the first row writes b plus its products: no sweep to fill z with b (a
            for k in range(nt):  # store per example, 5 % of a one-thread step at n_x = 1)
                z[k] = b + w0 * r[k * se]
        else:
            for k in range(nt):
                z[k] += w0 * r[k * se]
        j += 1


cdef inline void _tile_dw(const floating* X0,   # IN  X0[j * sf + k * se], the tile's first column
                          Py_ssize_t sf, Py_ssize_t se,
                          Py_ssize_t n_x, Py_ssize_t nt,
                          const floating* dz,   # IN  (nt,)
                          double* dw_acc) noexcept nogil:  # OUT (n_x,), added to
    cdef Py_ssize_t j = 0, k, q
    cdef const floating* r0
    cdef const floating* r1
    cdef const floating* r2
    cdef const floating* r3
    cdef Py_ssize_t n4 = n_x - n_x % 4
    cdef floating s0, s1, s2, s3, d  # per tile in X's dtype; summed over tiles in double
    if se == 1:  # the rows from the last (the z sweep's last, still in L2) to the first: the
        # tile's later rows are summed before the cache evicts them (first to last, a tile
        # larger than L2 comes back whole from L3). Every row's sums are the same either way.
        j = n4
        if j + 2 <= n_x:  # two of the remaining rows in one sweep (as Numba's), each in two
            r0 = X0 + j * sf  # independent sums over the tile's halves
            r1 = r0 + sf
            q = nt // 2
            s0 = s1 = s2 = s3 = 0
            for k in range(q):
                d = dz[k]
                s0 += r0[k] * d
                s1 += r1[k] * d
                d = dz[q + k]
                s2 += r0[q + k] * d
                s3 += r1[q + k] * d
            for k in range(2 * q, nt):
                s0 += r0[k] * dz[k]
                s1 += r1[k] * dz[k]
            dw_acc[j] += s0 + s2
            dw_acc[j + 1] += s1 + s3
            j += 2
        q = nt // 4  # the last remaining row in four independent sums, over the tile's quarters
        if j < n_x:  # (one sum would wait on its own multiply-add at every step)
            r0 = X0 + j * sf
            s0 = s1 = s2 = s3 = 0
            for k in range(q):
                s0 += r0[k] * dz[k]
                s1 += r0[q + k] * dz[q + k]
                s2 += r0[2 * q + k] * dz[2 * q + k]
                s3 += r0[3 * q + k] * dz[3 * q + k]
            for k in range(4 * q, nt):
                s0 += r0[k] * dz[k]
            dw_acc[j] += (s0 + s1) + (s2 + s3)
            j += 1
        j = n4
        while j > 0:  # four rows per sweep, four independent sums
            j -= 4
            r0 = X0 + j * sf
            r1 = r0 + sf
            r2 = r1 + sf
            r3 = r2 + sf
            s0 = s1 = s2 = s3 = 0
            for k in range(nt):
                d = dz[k]
                s0 += r0[k] * d
                s1 += r1[k] * d
                s2 += r2[k] * d
                s3 += r3[k] * d
            dw_acc[j] += s0
            dw_acc[j + 1] += s1
            dw_acc[j + 2] += s2
            dw_acc[j + 3] += s3
    else:  # any other stride: one row at a time
        while j < n_x:
            r0 = X0 + j * sf
            s0 = 0
            for k in range(nt):
                s0 += r0[k * se] * dz[k]
            dw_acc[j] += s0
            j += 1


cdef inline void _examples_dw(const floating* X0, Py_ssize_t qs, Py_ssize_t se, Py_ssize_t n_x,
                              Py_ssize_t nt, const floating* dz, double* dw) noexcept nogil:
    if floating is double:
        vlr_examples_dw_f64(X0, qs, se, n_x, nt, dz, nt, dw)
    else:
        vlr_examples_dw_f32(X0, qs, se, n_x, nt, dz, nt, dw)


cdef inline Py_ssize_t _quarter(Py_ssize_t n, Py_ssize_t column_bytes) noexcept nogil:
    # A quarter of n examples, shortened by up to 63 so that the four streams start 1 or 3 KB
    # apart modulo 4 KB (numba_jit._quarter is the same rule): columns of 64, 128, 256, ...
    # bytes otherwise put the quarters at one offset in every page, where the streams evict
    # each other from the L1 cache's sets (2-core Zen 2, two threads, 256 MB of X: 64-128
    # features read 29-38 GB/s from run to run, then 37-41).
    cdef Py_ssize_t quarter = n // 4, best = quarter, best_gap = 4096, length, r, gap
    if quarter < 256:
        return quarter
    for length in range(quarter, quarter - 64, -1):
        r = (length * column_bytes) % 4096  # 0 <= r < 4096: both are positive
        gap = r - 1024 if r >= 1024 else 1024 - r
        if r >= 2048:
            gap = r - 3072 if r >= 3072 else 3072 - r
        if gap < best_gap:
            best, best_gap = length, gap
    return best


cdef void _four_streams(const floating* X,  # IN  X[j, i] = X[j + i * se]: unit feature stride
                        Py_ssize_t se,
                        const floating* w,  # IN  (n_x,)
                        double b,
                        const floating* y,  # IN  (m,)
                        Py_ssize_t n_x, Py_ssize_t i0, Py_ssize_t quarter, Py_ssize_t tile,
                        bint with_loss,
                        floating* z,        # SCRATCH (2 * tile,)
                        double* dw_acc,     # OUT (n_x,), added to
                        double* J_db) noexcept nogil:  # OUT (3,), added to
    # Features adjacent with unit stride (F-ordered X): the examples i0:i0 + 4·quarter as four
    # quarters read side by side, a tile of each quarter at a time (_by_examples.h); the dw of
    # each tile is summed in the same loop as the next tile's z, while memory streams that one.
    cdef Py_ssize_t qs = quarter * se, part = tile // 4
    cdef Py_ssize_t t0 = 0, nt, s, prev_nt = 0
    cdef const floating* X0
    cdef const floating* prev_X0 = NULL
    cdef floating* zt = z           # this tile's z (then dz): 4 parts of nt
    cdef floating* prev_dz = z + 4 * part  # the tile before's dz, waiting for its dw
    cdef floating* swap
    while t0 < quarter:
        nt = min(part, quarter - t0)
        X0 = X + (i0 + t0) * se
        if prev_X0 != NULL and nt == prev_nt:
            if floating is double:
                vlr_examples_z_dw_f64(X0, prev_X0, qs, se, w, n_x, nt, b, zt, nt, prev_dz, dw_acc)
            else:
                vlr_examples_z_dw_f32(X0, prev_X0, qs, se, w, n_x, nt, b, zt, nt, prev_dz, dw_acc)
        else:
            if prev_X0 != NULL:
                _examples_dw(prev_X0, qs, se, n_x, prev_nt, prev_dz, dw_acc)
            if floating is double:
                vlr_examples_z_f64(X0, qs, se, w, n_x, nt, b, zt, nt)
            else:
                vlr_examples_z_f32(X0, qs, se, w, n_x, nt, b, zt, nt)
        for s in range(4):  # z becomes dz
            _tile_loss(zt + s * nt, y + i0 + s * quarter + t0, nt, zt + s * nt, with_loss, J_db)
        swap = prev_dz
        prev_dz = zt
        zt = swap
        prev_X0 = X0
        prev_nt = nt
        t0 += part
    if prev_X0 != NULL:
        _examples_dw(prev_X0, qs, se, n_x, prev_nt, prev_dz, dw_acc)


cdef void _block(const floating* X,         # IN  X[j, i] = X[j * sf + i * se]
                 Py_ssize_t sf, Py_ssize_t se,
                 const floating* w,         # IN  (n_x,)
                 double b,
                 const floating* y,         # IN  (m,)
                 Py_ssize_t n_x, Py_ssize_t i0, Py_ssize_t i1, bint by_rows, Py_ssize_t tile,
                 bint with_loss,            # False: J stays 0 (a training step without a cost)
                 floating* z,               # SCRATCH (2 * tile,)
                 double* dw_acc,            # OUT (n_x,), added to
                 double* J_db) noexcept nogil:  # OUT (3,), set: J, db, labels outside [0, 1]
    cdef Py_ssize_t i, j, k, t0, nt, quarter, column_bytes
    cdef double zi, d
    cdef const floating* col
    J_db[0] = J_db[1] = J_db[2] = 0
    t0 = i0
    if not by_rows and sf == 1 and tile >= 4:  # four streams, then four over what a shortened
        column_bytes = (se if se > 0 else -se) * <Py_ssize_t>sizeof(floating)  # quarter left out
        quarter = _quarter(i1 - i0, column_bytes)
        _four_streams(X, se, w, b, y, n_x, t0, quarter, tile, with_loss, z, dw_acc, J_db)
        t0 += 4 * quarter
        quarter = (i1 - t0) // 4
        _four_streams(X, se, w, b, y, n_x, t0, quarter, tile, with_loss, z, dw_acc, J_db)
        t0 += 4 * quarter  # the last 0-3 examples below
    while t0 < i1:  # a tile of examples at a time: z, then loss and dz, then dw from cache
        nt = min(tile, i1 - t0)
        if by_rows:  # z and dw row by row
            _tile_z(X + t0 * se, sf, se, w, <floating>b, n_x, nt, z)
        else:  # features adjacent: a dot product per example
            for k in range(nt):
                col = X + (t0 + k) * se
                zi = b
                for j in range(n_x):
                    zi += <double>w[j] * col[j * sf]
                z[k] = <floating>zi
        _tile_loss(z, y + t0, nt, z, with_loss, J_db)  # z becomes dz
        if by_rows:
            _tile_dw(X + t0 * se, sf, se, n_x, nt, z, dw_acc)
        else:
            for k in range(nt):
                col = X + (t0 + k) * se
                d = z[k]
                for j in range(n_x):
                    dw_acc[j] += col[j * sf] * d
        t0 += tile


cdef void _pass(const floating* Xp, Py_ssize_t sf, Py_ssize_t se, const floating* w, double b,
                const floating* y, Py_ssize_t n_x, Py_ssize_t m, bint by_rows, Py_ssize_t tile,
                Py_ssize_t n_chunks, bint with_loss,
                double[:, ::1] dw_rows, double[:, ::1] z, double[:, ::1] J_db,  # SCRATCH
                double[::1] dw, double* J_out, double* db_out,  # OUT (sums)
                double* bad_out) noexcept nogil:                # OUT labels outside [0, 1]
    """One pass over X: per-thread chunks of examples, then a fixed-order sum of their parts."""
    cdef Py_ssize_t c
    if n_chunks == 1:  # no parallel region to start
        _chunk(Xp, sf, se, w, b, y, n_x, m, by_rows, tile, 0, 1, with_loss,
               <floating*>&z[0, 0], &dw_rows[0, 0], &J_db[0, 0])
    else:
        for c in prange(n_chunks, schedule="static", num_threads=n_chunks):
            _chunk(Xp, sf, se, w, b, y, n_x, m, by_rows, tile, c, n_chunks, with_loss,
                   <floating*>&z[c, 0], &dw_rows[c, 0], &J_db[c, 0])
    _sum_chunks(n_x, n_chunks, &dw_rows[0, 0], dw_rows.shape[1], &J_db[0, 0], &dw[0], J_out,
                db_out, bad_out)


cdef inline void _chunk(const floating* Xp, Py_ssize_t sf, Py_ssize_t se, const floating* w,
                        double b, const floating* y, Py_ssize_t n_x, Py_ssize_t m, bint by_rows,
                        Py_ssize_t tile, Py_ssize_t c, Py_ssize_t n_chunks, bint with_loss,
                        floating* z,                   # SCRATCH (2 * tile,)
                        double* dw_row,                # OUT (n_x,): the chunk's dw
                        double* J_db) noexcept nogil:  # OUT (3,): its J, db, bad labels
    """Chunk c of n_chunks of the examples."""
    cdef Py_ssize_t j
    for j in range(n_x):
        dw_row[j] = 0
    _block(Xp, sf, se, w, b, y, n_x, c * m // n_chunks, (c + 1) * m // n_chunks, by_rows, tile,
           with_loss, z, dw_row, J_db)


cdef inline void _sum_chunks(Py_ssize_t n_x, Py_ssize_t n_chunks,
                             const double* dw_rows,  # IN (n_chunks, row_stride)
                             Py_ssize_t row_stride,
                             const double* J_db,     # IN (n_chunks, 3)
                             double* dw, double* J_out, double* db_out,  # OUT
                             double* bad_out) noexcept nogil:
    """The chunks' parts summed in a fixed order: bit-identical results for a fixed thread
    count."""
    cdef Py_ssize_t c, j
    J_out[0] = 0
    db_out[0] = 0
    bad_out[0] = 0
    for j in range(n_x):
        dw[j] = 0
    for c in range(n_chunks):
        J_out[0] += J_db[3 * c]
        db_out[0] += J_db[3 * c + 1]
        bad_out[0] += J_db[3 * c + 2]
        for j in range(n_x):
            dw[j] += dw_rows[c * row_stride + j]


cdef class _Scratch:
    """What a pass writes besides its outputs: per-thread dw rows (padded to 64 bytes against
    false sharing), tiles of z, per-thread (J, db, bad labels), and the summed dw."""
    cdef double[:, ::1] dw_rows
    cdef double[:, ::1] z
    cdef double[:, ::1] J_db
    cdef double[::1] dw

    def __init__(self, Py_ssize_t n_x, Py_ssize_t tile, Py_ssize_t n_chunks):
        self.dw_rows = np.empty((n_chunks, (n_x + PAD - 1) // PAD * PAD))
        self.z = np.empty((n_chunks, 2 * tile))  # F order: a tile's dz waits for the next's z
        self.J_db = np.empty((n_chunks, 3))
        self.dw = np.empty(n_x)


# The two entry points below are cdef: only this module's def functions call them, after
# check_kernel_arguments (shapes, dtypes, strides, alignment) and plan (tile, chunks, threads).

cdef tuple _gradients(const floating[::1] w, double b, const floating[:, :] X,
                      const floating[::1] y, bint by_rows, Py_ssize_t tile, Py_ssize_t n_chunks,
                      floating[::1] dw_out):  # OUT (n_x,)
    """The gradients at w, b (dw in ``dw_out``) and the two checks vlr needs: returns
    (J, db, labels_ok, finite) -- every y in [0, 1]; J, dw, db finite."""
    cdef Py_ssize_t n_x = X.shape[0], m = X.shape[1], j
    cdef _Scratch s = _Scratch(n_x, tile, n_chunks)
    cdef double J = 0, db = 0, bad = 0
    cdef bint finite
    with nogil:
        _pass(&X[0, 0], X.strides[0] // <Py_ssize_t>sizeof(floating),
              X.strides[1] // <Py_ssize_t>sizeof(floating),  # signed: a stride may be < 0
              &w[0], b, &y[0], n_x, m, by_rows, tile, n_chunks, True, s.dw_rows, s.z, s.J_db,
              s.dw, &J, &db, &bad)
        J = J / m
        db = db / m
        finite = isfinite(J) and isfinite(db)
        for j in range(n_x):
            dw_out[j] = <floating>(s.dw[j] / m)
            finite = finite and isfinite(dw_out[j])
    return J, db, bad == 0, finite


cdef inline double _update(Py_ssize_t n_x, Py_ssize_t m, floating step, double alpha,
                           const double* dw_sum, double db_sum,
                           floating* w, double b) noexcept nogil:  # w: IN/OUT (n_x,)
    """One step's update of w (in X's dtype) and b, from the sums of a pass; returns b."""
    cdef Py_ssize_t j
    for j in range(n_x):
        w[j] = w[j] - step * <floating>(dw_sum[j] / m)
    return b - alpha * (db_sum / m)


cdef double _train(const floating[:, :] X, const floating[::1] y, bint by_rows, Py_ssize_t tile,
                   Py_ssize_t n_chunks, double alpha, Py_ssize_t iterations, Py_ssize_t cost_every,
                   floating[::1] w,        # IN the start, OUT the trained weights (n_x,)
                   double b,
                   double[::1] costs):     # OUT (ceil(iterations / cost_every),)
    """``iterations`` gradient steps from w, b in compiled code, with the arithmetic of
    vlr.train's loop over gradient steps, J every ``cost_every``-th; returns the trained b.

    With several chunks, one team of threads runs the whole descent (a parallel region per
    step costs more than a small step's work), with one barrier per step: each thread passes
    over its chunks, waits for the others, then sums every chunk's parts in ``_pass``'s fixed
    order and updates its own copy of w and b -- the same operations on the same numbers in
    every thread, so the copies stay equal. The chunks' parts alternate between two buffers,
    so that a thread already writing the next step's never overwrites what a slower one is
    still summing."""
    cdef Py_ssize_t n_x = X.shape[0], m = X.shape[1], it, c, j, parity
    cdef Py_ssize_t sf = X.strides[0] // <Py_ssize_t>sizeof(floating)
    cdef Py_ssize_t se = X.strides[1] // <Py_ssize_t>sizeof(floating)  # signed: may be < 0
    # the team's rows padded to whole cache lines (16 elements: 64 bytes of float32) against
    # false sharing
    cdef Py_ssize_t width = (n_x + 2 * PAD - 1) // (2 * PAD) * (2 * PAD)
    cdef int thread, team
    cdef bint with_loss
    cdef double J = 0, db = 0, bad = 0, b_own
    cdef floating step = <floating>alpha
    cdef _Scratch s = _Scratch(n_x, tile, n_chunks)
    cdef double[:, ::1] rows, J_db, dw_sums  # the team's: parts of two steps; each thread's sum
    cdef floating[:, ::1] w_own               # each thread's copy of w
    cdef double[::1] b_out                    # thread 0's b at the end
    if n_chunks == 1:
        with nogil:
            for it in range(iterations):
                with_loss = it % cost_every == 0
                _pass(&X[0, 0], sf, se, &w[0], b, &y[0], n_x, m, by_rows, tile, 1, with_loss,
                      s.dw_rows, s.z, s.J_db, s.dw, &J, &db, &bad)
                if with_loss:
                    costs[it // cost_every] = J / m
                b = _update(n_x, m, step, alpha, &s.dw[0], db, &w[0], b)
        return b
    rows = np.empty((2 * n_chunks, width))
    J_db = np.empty((2 * n_chunks, 3))
    dw_sums = np.empty((n_chunks, width))
    w_own = np.empty((n_chunks, width), dtype=np.asarray(w).dtype)
    b_out = np.empty(1)
    for c in range(n_chunks):
        w_own[c, :n_x] = w
    with nogil, parallel(num_threads=n_chunks):
        thread = vlr_thread_id()
        team = vlr_team_size()  # OpenMP may start fewer threads than asked: chunks go round
        b_own = b
        J = db = bad = 0  # assigned here: each thread's own (Cython makes them private)
        for it in range(iterations):
            with_loss = it % cost_every == 0
            parity = (it % 2) * n_chunks
            c = thread
            while c < n_chunks:
                _chunk(&X[0, 0], sf, se, &w_own[thread, 0], b_own, &y[0], n_x, m, by_rows,
                       tile, c, n_chunks, with_loss, <floating*>&s.z[c, 0], &rows[parity + c, 0],
                       &J_db[parity + c, 0])
                c = c + team
            vlr_barrier()  # every chunk of this step done
            _sum_chunks(n_x, n_chunks, &rows[parity, 0], width, &J_db[parity, 0],
                        &dw_sums[thread, 0], &J, &db, &bad)
            if with_loss and thread == 0:
                costs[it // cost_every] = J / m
            b_own = _update(n_x, m, step, alpha, &dw_sums[thread, 0], db, &w_own[thread, 0],
                            b_own)
        if thread == 0:
            for j in range(n_x):
                w[j] = w_own[0, j]
            b_out[0] = b_own
    return b_out[0]


def default_threads():
    """Number of threads used when ``n_threads`` is not given (OpenMP's maximum; 1 without OpenMP)."""
    return vlr_max_threads()


def gradients(w, b, X, y, n_threads=None):
    """Cost and gradients of logistic regression in one fused, OpenMP-threaded pass over X.

    Same parameters and returns as :func:`vlr.kernels.two_loops.gradients`, plus

    n_threads : int, optional
        Threads to use (default: OpenMP's maximum). Ignored, with one thread used, when the
        extension was built without OpenMP (see ``OPENMP``).
    """
    J, dw, db, _, _ = gradients_checked(w, b, X, y, n_threads)
    return J, dw, db


def gradients_checked(w, b, X, y, n_threads=None):
    """:func:`gradients`, plus ``labels_ok`` (every y in [0, 1]) and ``finite`` (J, dw, db all
    finite): the checks :mod:`vlr` needs, made in the same compiled call."""
    check_kernel_arguments(w, X, y, aligned=True)  # C code may assume aligned floats
    b = check_real(b, "b")
    by_rows, tile, n_chunks = plan(X, n_threads, default_threads, OPENMP)
    dw = np.empty(X.shape[0], dtype=X.dtype)
    try:
        if X.itemsize == 8:
            J, db, labels_ok, finite = _gradients[double](w, b, X, y, by_rows, tile, n_chunks, dw)
        else:
            J, db, labels_ok, finite = _gradients[float](w, b, X, y, by_rows, tile, n_chunks, dw)
    except ValueError:  # raised before any work: w or y is strided, and the C code reads them
        if contiguous(w) is w and contiguous(y) is y:  # with unit stride -- copy them (O(n_x + m));
            raise                                      # no check on the common, contiguous path
        return gradients_checked(contiguous(w), b, X, contiguous(y), n_threads)
    return J, dw, db, labels_ok, finite


def train(w, b, X, y, alpha, iterations, n_threads=None, cost_every=1):
    """Gradient descent with every iteration in compiled code (no GIL, no Python per step).

    Parameters are those of :func:`gradients`, plus ``alpha`` (float), ``iterations`` (int) and
    ``cost_every`` (int >= 1: J before steps 0, k, 2k, ...; the other steps skip the loss).
    Returns ``(w, b, costs)``: the trained weights (X's dtype), bias, and those costs -- what
    looping :func:`gradients` and updating w, b in NumPy gives.
    """
    w, y = contiguous(w), contiguous(y)
    check_kernel_arguments(w, X, y, aligned=True)
    b, alpha = check_real(b, "b"), check_real(alpha, "alpha", positive=True)
    iterations, cost_every = check_iterations(iterations), check_cost_every(cost_every)
    costs = np.empty((iterations + cost_every - 1) // cost_every)
    by_rows, tile, n_chunks = plan(X, n_threads, default_threads, OPENMP, team=True)
    w_out = np.array(w)  # a contiguous copy: the C code updates it in place
    if X.itemsize == 8:
        b = _train[double](X, y, by_rows, tile, n_chunks, alpha, iterations, cost_every, w_out, b,
                           costs)
    else:
        b = _train[float](X, y, by_rows, tile, n_chunks, alpha, iterations, cost_every, w_out, b,
                          costs)
    return w_out, b, costs
