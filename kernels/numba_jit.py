"""Numba ``@njit``: one fused pass over X, threads over examples.

Design:
  A. ``_loss_parts`` is the reference's stable per-example math (:mod:`.two_loops`) in X's
     dtype, branch-free, given e = exp(-|z|) from ``_tile_exp`` (the call-free exp of
     :mod:`._vector_math` in a sweep of its own: short chains of dependent operations), so
     that LLVM vectorises ``_tile_loss``, the loop over a tile's examples (float32: twice the
     lanes), compiled without reassociation: ``(1 - y) - y·e`` is not rewritten. The loss
     needs no log per example: ``_tile_J`` sums the linear terms, and the log1p(e) as one
     log1p per 512 examples of their product of factors 1 + e, each running product kept as
     q = product - 1 (64 of them side by side, in float64), so that losses near 0 keep their
     relative accuracy.
  B. Two block kernels process the examples ``i0:i1`` while they are in cache, and differ only
     in the order they walk X:
     - ``_block_by_tiles`` when examples are adjacent in memory (X C-ordered, shape (n_x, m)):
       for a tile of examples, z row by row, then dz, then dw from the same tile;
     - ``_block_by_examples`` when features are adjacent (X F-ordered, e.g. ``X_sklearn.T``):
       the examples as four quarters read side by side (four streams from memory), for a tile
       of each, four dot products at once (one example per quarter), then dz, then an axpy of
       the same four examples.
     Both read X once; J, db and dw are summed in float64 (a tile's sums run in X's dtype).
     Wide-and-short C-ordered X (fewer than MIN_TILE examples per thread, e.g. the course's
     12288×209) goes to ``_pass_by_rows`` instead: each thread reads a band of whole rows,
     contiguous in memory, twice -- z's partial sums, then its rows' dw from the whole dz --
     rather than short pieces of every row that no cache could keep for the dw sweep.
  C. ``_gradients_parallel`` gives each thread a contiguous chunk of examples and its own dw
     row (padded to 64 bytes against false sharing), then sums the rows: never ``dw[j] +=``
     across threads (numba issues #3681, #7133). Small problems skip threading.
Any strides work (Numba specialises C, F and strided layouts); X is never copied.
"""
import logging
import math

import numba
import numpy as np
from numba import njit, prange
from numba.core import event
from numba.extending import overload

from ._plan import MIN_TILE, PREFETCH_BYTES, plan
from ._prefetch import prefetch_row
from ._shapes import check_cost_every, check_iterations, check_kernel_arguments, check_real, contiguous
from ._vector_math import TWO_M64, exp_finish, exp_low, exp_reduce

_PAD = 8  # float64 per 64-byte cache line
#: Let LLVM reorder sums (so reductions vectorise) and fuse multiply-adds -- but never assume
#: away NaN/inf: non-finite X must still show in the outputs (see vlr._validation).
_FASTMATH = {"reassoc", "contract"}


def _make_loss_parts(dtype):
    one, zero = dtype(1.0), dtype(0.0)

    @njit(nogil=True, error_model="numpy", inline="always")
    def loss_parts(z, y, e):
        # The reference's stable math (two_loops.loss_and_dz) given e = exp(-|z|), but for
        # log1p(e): the loss is linear + log1p(e), and the log1p(e) of a tile are summed by
        # _tile_J as one log1p per chunk of examples (of a product of the factors 1 + e).
        # dz's numerator, (1 - y) - y·e for z > 0 and (1 - y)·e - y else, is one multiply-add
        # of selected terms, and the linear part reuses one of them.
        one_minus_y = one - y
        positive = z > zero
        slope = -y if positive else one_minus_y
        offset = one_minus_y if positive else -y
        return offset * z, (slope * e + offset) / (one + e)

    @njit(nogil=True, error_model="numpy", inline="always")
    def dz_only(z, y, e):
        # loss_parts' dz alone (the iterations of a training loop that record no cost): the
        # same expression, so a step's dz does not depend on whether it records a cost
        return loss_parts(z, y, e)[1]
    return loss_parts, dz_only


def _loss_parts(z, y, e):
    """(linear, dz) of one example given e = exp(-|z|); loss = linear + log1p(e). Numba-only."""


def _dz(z, y, e):
    """dz of one example given e = exp(-|z|). Numba-only."""


def _overload_by_dtype(stub, implementations):
    """Make the Numba-only ``stub(z, y, e)`` call ``implementations[type of z]``, inlined."""
    @overload(stub, inline="always")
    def typed(z, y, e):
        implementation = implementations.get(z)
        return None if implementation is None else (lambda z, y, e: implementation(z, y, e))


_PARTS = {numba.float32: _make_loss_parts(np.float32), numba.float64: _make_loss_parts(np.float64)}
_overload_by_dtype(_loss_parts, {dtype: parts[0] for dtype, parts in _PARTS.items()})
_overload_by_dtype(_dz, {dtype: parts[1] for dtype, parts in _PARTS.items()})


@njit(cache=True, nogil=True, boundscheck=False, fastmath={"contract"}, error_model="numpy")
def _tile_exp(z, e, nt):  # z IN (nt,); e OUT (nt,): exp(-|z|)
    # One sweep, exp_reduce then exp_finish, in a loop of its own: LLVM's code for it is faster
    # than for two sweeps (the reduction, then the polynomial) on a 2-core Zen 4, ns per example
    # of the exp, float64: AVX-512 0.70 -> 0.65, AVX2 code (NUMBA_CPU_NAME=znver2) 0.70 -> 0.66.
    # (gcc's AVX2 code is faster in two sweeps: _simd_loss.h.)
    low = False  # an "or" of the lanes: a count's int64 would widen float32's 8 lanes
    for k in range(nt):
        x = -abs(z[k])
        r, s = exp_reduce(x)
        e[k] = exp_finish(r, s)
        low = low | exp_low(x)
    if low:  # |z| > 708 (87 in float32): the subnormal results' last factor
        two_m64 = e.dtype.type(TWO_M64)
        for k in range(nt):
            if exp_low(-abs(z[k])):
                e[k] *= two_m64


@njit(cache=True, nogil=True, boundscheck=False, fastmath={"contract"}, error_model="numpy")
def _tile_loss(z, y, linear, e, nt):  # z, y IN (nt,); linear, e OUT (nt,); z OUT: dz.
    # All in X's dtype (float32 stays float32, 8 lanes on AVX2). No reassociation here:
    # (1 - y) - y·e is not rewritten (that loses dz's accuracy when y = 1 and e is tiny); fused
    # multiply-adds only round less. e = exp(-|z|) is a sweep of its own: one loop of exp,
    # loss and dz is latency-bound (measured 1.3x slower on a Zen 2).
    _tile_exp(z, e, nt)
    for k in range(nt):
        lk, dk = _loss_parts(z[k], y[k], e[k])
        linear[k] = lk
        z[k] = dk


#: Examples per log1p: the product of their factors 1 + e (each in [1, 2]) stays below 2⁵¹².
_LOG_CHUNK = 512
#: Running products per chunk, side by side (a vector loop; each sees 8 factors).
_PRODUCT_LANES = 64


@njit(cache=True, nogil=True, boundscheck=False, fastmath={"contract"}, error_model="numpy")
def _log1p_sum(e, nt):  # e IN (nt,)
    # Σ log1p(e[k]) with one log1p per chunk of _LOG_CHUNK examples: log1p(Q), 1 + Q the
    # product of the chunk's factors 1 + e. Each running product is kept as q = product - 1,
    # multiplied by a factor as q + (e + q·e): exact in real arithmetic, with every rounding
    # relative to q itself, so losses near 0 (e tiny) lose nothing to a product rounded near 1.
    # (The Cython kernel's VLR_LOG1P_SUM in _simd_loss.h is the same.)
    # The lanes of q side by side, combined pairwise at the chunk's end: a loop of constant
    # length 64 over a slice of e, which LLVM packs into vectors with contiguous loads. Measured
    # on a 2-core Zen 4, AVX-512 and AVX2 code, float64 and float32 e: 0.18-0.21 ns per example;
    # 32 lanes 0.20-0.82 by ISA and dtype, and e indexed as e[r0 + lane] (whose wrap-around for
    # a negative index LLVM cannot rule out) compiled to gathers: 0.53-1.03.
    q = np.empty(_PRODUCT_LANES)
    total = 0.0
    for c0 in range(0, nt, _LOG_CHUNK):
        c1 = min(nt, c0 + _LOG_CHUNK)
        for lane in range(_PRODUCT_LANES):
            q[lane] = 0.0
        r0 = c0
        while r0 + _PRODUCT_LANES <= c1:
            row = e[r0:r0 + _PRODUCT_LANES]
            for lane in range(_PRODUCT_LANES):
                ek = np.float64(row[lane])
                ql = q[lane]
                q[lane] = ql + (ek + ql * ek)
            r0 += _PRODUCT_LANES
        row = e[r0:c1]
        for lane in range(c1 - r0):
            ek = np.float64(row[lane])
            ql = q[lane]
            q[lane] = ql + (ek + ql * ek)
        width = _PRODUCT_LANES
        while width > 1:
            width //= 2
            for lane in range(width):
                a = q[lane]
                b = q[width + lane]
                q[lane] = a + (b + a * b)
        total += math.log1p(q[0])
    return total


@njit(cache=True, nogil=True, boundscheck=False, fastmath=_FASTMATH, error_model="numpy")
def _tile_linear_sum(linear, nt):
    # Σ linear in float64 whatever X's dtype; LLVM may reorder the sum to vectorise it.
    J = 0.0
    for k in range(nt):
        J += linear[k]
    return J


@njit(cache=True, nogil=True, error_model="numpy")
def _tile_J(linear, e, nt):
    # The tile's J·nt: the linear terms plus Σ log1p(e) (each a call of its own: one may
    # reassociate, the other must not).
    return _tile_linear_sum(linear, nt) + _log1p_sum(e, nt)


@njit(cache=True, nogil=True, boundscheck=False, fastmath={"contract"}, error_model="numpy")
def _tile_dz(z, y, e, nt):  # z, y IN (nt,); z OUT: overwritten by dz; e: (nt,), overwritten
    # -- _tile_loss without the loss
    _tile_exp(z, e, nt)
    for k in range(nt):
        z[k] = _dz(z[k], y[k], e[k])


@njit(cache=True, nogil=True, boundscheck=False, fastmath=_FASTMATH, error_model="numpy")
def _tile_dz_sums(dz, y, nt):
    # The tile's db and labels outside [0, 1] (NaN too), one loop whether or not J is computed:
    # a training loop's steps are the same with and without a cost.
    db = 0.0
    bad = 0
    for k in range(nt):
        db += dz[k]
        yk = y[k]
        bad += not (yk >= 0.0 and yk <= 1.0)
    return db, bad


@njit(cache=True, nogil=True, boundscheck=False, fastmath=_FASTMATH, error_model="numpy")
def _tile_db(dz, nt):
    # The tile's db alone (a training loop's labels were checked once, before it)
    db = 0.0
    for k in range(nt):
        db += dz[k]
    return db


@njit(cache=True, nogil=True, error_model="numpy")
def _tile_loss_and_sums(z, y, linear, e, nt, with_loss, check_labels):
    # Each a call of its own (never inlined into a fast-math caller): the tile's dz in z, and
    # its J (0 without ``with_loss``), db and count of labels outside [0, 1] (0 without
    # ``check_labels``).
    J = 0.0
    if with_loss:
        _tile_loss(z, y, linear, e, nt)
        J = _tile_J(linear, e, nt)
    else:
        _tile_dz(z, y, e, nt)
    if check_labels:
        return J, *_tile_dz_sums(z, y, nt)
    return J, _tile_db(z, nt), 0


@njit(nogil=True, boundscheck=False, fastmath=_FASTMATH, error_model="numpy", inline="always")
def _four_dots(r0, r1, r2, r3, d, n):
    # (r0·d, r1·d, r2·d, r3·d) over the first n elements in the rows' dtype: four rows' dw
    # terms against one dz in a single sweep, four independent sums (the tiles' and the rows
    # path's dw)
    s0 = s1 = s2 = s3 = r0.dtype.type(0)
    for k in range(n):
        dk = d[k]
        s0 += r0[k] * dk
        s1 += r1[k] * dk
        s2 += r2[k] * dk
        s3 += r3[k] * dk
    return s0, s1, s2, s3


@njit(cache=True, nogil=True, boundscheck=False, fastmath=_FASTMATH, error_model="numpy")
def _block_by_tiles(X, w, b, y, i0, i1, tile, with_loss, check_labels, dw_acc, scratch):
    # dw_acc OUT (+=); scratch: (3, tile) in X's dtype, overwritten; the rest IN.
    # The tile's sums run in X's dtype (float32 stays float32: twice the SIMD width, no
    # conversions); J, db and the sums over tiles (dw_acc) are float64.
    n_x = X.shape[0]
    z = scratch[0]
    linear = scratch[1]  # the tile's per-example loss: linear + log1p(e)
    e = scratch[2]  # exp(-|z|)
    zero = X.dtype.type(0)
    b_x = X.dtype.type(b)  # b in X's dtype, as z is
    J = 0.0
    db = 0.0
    bad = 0
    for t0 in range(i0, i1, tile):
        nt = min(tile, i1 - t0)
        zt = z[:nt]
        # z for the tile, eight rows of X per sweep over it (measured 3-5 % faster than four on
        # wide X), then four, two, one (rows are slices: no index wrap-around); the first sweep
        # writes b + its rows' sum (no pass to fill z with b), the others add
        # Each row's piece is a new stream to the hardware prefetchers, which start late on
        # it: the sweep asks for the rows PREFETCH_BYTES ahead itself (_prefetch)
        ahead = 8 * max(1, PREFETCH_BYTES // (8 * nt * X.itemsize))
        j = 0
        while j + 8 <= n_x:
            if j + ahead + 8 <= n_x:
                for q in range(j + ahead, j + ahead + 8):
                    prefetch_row(X[q, t0:t0 + nt])
            r0, r1 = X[j, t0:t0 + nt], X[j + 1, t0:t0 + nt]
            r2, r3 = X[j + 2, t0:t0 + nt], X[j + 3, t0:t0 + nt]
            r4, r5 = X[j + 4, t0:t0 + nt], X[j + 5, t0:t0 + nt]
            r6, r7 = X[j + 6, t0:t0 + nt], X[j + 7, t0:t0 + nt]
            w0, w1, w2, w3 = w[j], w[j + 1], w[j + 2], w[j + 3]
            w4, w5, w6, w7 = w[j + 4], w[j + 5], w[j + 6], w[j + 7]
            for k in range(nt):
                zt[k] = (b_x if j == 0 else zt[k]) + (
                    w0 * r0[k] + w1 * r1[k] + w2 * r2[k] + w3 * r3[k]
                    + w4 * r4[k] + w5 * r5[k] + w6 * r6[k] + w7 * r7[k])
            j += 8
        if j + 4 <= n_x:
            r0, r1 = X[j, t0:t0 + nt], X[j + 1, t0:t0 + nt]
            r2, r3 = X[j + 2, t0:t0 + nt], X[j + 3, t0:t0 + nt]
            w0, w1, w2, w3 = w[j], w[j + 1], w[j + 2], w[j + 3]
            for k in range(nt):
                zt[k] = (b_x if j == 0 else zt[k]) + (w0 * r0[k] + w1 * r1[k] + w2 * r2[k]
                                                      + w3 * r3[k])
            j += 4
        if j + 2 <= n_x:
            r0, r1, w0, w1 = X[j, t0:t0 + nt], X[j + 1, t0:t0 + nt], w[j], w[j + 1]
            for k in range(nt):
                zt[k] = (b_x if j == 0 else zt[k]) + (w0 * r0[k] + w1 * r1[k])
            j += 2
        if j < n_x:
            row, wj = X[j, t0:t0 + nt], w[j]
            for k in range(nt):
                zt[k] = (b_x if j == 0 else zt[k]) + wj * row[k]
        tJ, tdb, tbad = _tile_loss_and_sums(zt, y[t0:t0 + nt], linear, e, nt,
                                               with_loss, check_labels)  # zt becomes dz
        J += tJ
        db += tdb
        bad += tbad
        # dw from the same tile while it is in cache, its rows from the last (the z sweep's
        # last, still in L2) to the first: the tile's later rows are summed before the cache
        # evicts them (first to last, a tile larger than L2 comes back whole from L3). Every
        # row's sums are the same in either order. The 1-3 rows after the last multiple of
        # four first, each row's sum in two (one row: four) independent parts, the tile's
        # halves (quarters), else a sum waits on its own multiply-add (4-5 cycles); then four
        # rows at a time.
        n4 = n_x - n_x % 4
        j = n4
        if j + 2 <= n_x:
            r0, r1 = X[j, t0:t0 + nt], X[j + 1, t0:t0 + nt]
            h = nt // 2
            s0 = s1 = s2 = s3 = zero
            for k in range(h):
                d, d2 = zt[k], zt[h + k]
                s0 += r0[k] * d
                s1 += r1[k] * d
                s2 += r0[h + k] * d2
                s3 += r1[h + k] * d2
            for k in range(2 * h, nt):
                s0 += r0[k] * zt[k]
                s1 += r1[k] * zt[k]
            dw_acc[j] += s0 + s2
            dw_acc[j + 1] += s1 + s3
            j += 2
        if j < n_x:
            row = X[j, t0:t0 + nt]
            q = nt // 4
            s0 = s1 = s2 = s3 = zero
            for k in range(q):
                s0 += row[k] * zt[k]
                s1 += row[q + k] * zt[q + k]
                s2 += row[2 * q + k] * zt[2 * q + k]
                s3 += row[3 * q + k] * zt[3 * q + k]
            for k in range(4 * q, nt):
                s0 += row[k] * zt[k]
            dw_acc[j] += (s0 + s1) + (s2 + s3)
        j = n4
        while j > 0:
            j -= 4
            s0, s1, s2, s3 = _four_dots(X[j, t0:t0 + nt], X[j + 1, t0:t0 + nt],
                                        X[j + 2, t0:t0 + nt], X[j + 3, t0:t0 + nt], zt, nt)
            dw_acc[j] += s0
            dw_acc[j + 1] += s1
            dw_acc[j + 2] += s2
            dw_acc[j + 3] += s3
    return J, db, bad


@njit(cache=True, nogil=True)
def _quarter(n, column_bytes):
    # A quarter of n examples, shortened by up to 63 so that the four streams start 1 or 3 KB
    # apart modulo 4 KB (the Cython kernel's _quarter is the same rule): columns of 64, 128, 256,
    # ... bytes otherwise put the quarters at one offset in every page, where the streams evict
    # each other from the L1 cache's sets (2-core Zen 2, two threads, 256 MB of X: 64-128
    # features read 29-38 GB/s from run to run, then 37-41).
    quarter = n // 4
    if quarter < 256:
        return quarter
    best, best_gap = quarter, 4096
    for length in range(quarter, quarter - 64, -1):
        r = (length * column_bytes) % 4096
        gap = min(abs(r - 1024), abs(r - 3072))
        if gap < best_gap:
            best, best_gap = length, gap
    return best


@njit(cache=True, nogil=True, boundscheck=False, fastmath=_FASTMATH, error_model="numpy")
def _four_streams(X, w, b, y, i0, quarter, tile, with_loss, check_labels, dw_acc, scratch):
    # dw_acc OUT (+=); scratch: (3, tile) in X's dtype, overwritten; the rest IN.
    # The examples i0:i0 + 4·quarter as four quarters read side by side (four streams from
    # memory: one stream read 25-30 GB/s on a 2-core Zen 2 with two threads, four 43-48), a
    # tile of each quarter at a time: four dot products at once (one example per quarter), the
    # tile's loss and dz, then an axpy of the same four examples while they are in cache.
    n_x = X.shape[0]
    z = scratch[0]  # z (then dz) in X's dtype, as by tiles: float32 z overflows
    linear = scratch[1]  # the tile's per-example loss: linear + log1p(e)
    e = scratch[2]  # exp(-|z|)
    J = 0.0
    db = 0.0
    bad = 0
    part = tile // 4
    for t0 in range(i0, i0 + quarter, part):
        nt = min(part, i0 + quarter - t0)
        for k in range(nt):
            i = t0 + k
            z0 = z1 = z2 = z3 = b
            for j in range(n_x):
                wj = np.float64(w[j])
                z0 += wj * X[j, i]
                z1 += wj * X[j, i + quarter]
                z2 += wj * X[j, i + 2 * quarter]
                z3 += wj * X[j, i + 3 * quarter]
            z[k], z[nt + k], z[2 * nt + k], z[3 * nt + k] = z0, z1, z2, z3
        for s in range(4):  # z becomes dz
            a = t0 + s * quarter
            tJ, tdb, tbad = _tile_loss_and_sums(z[s * nt:(s + 1) * nt], y[a:a + nt], linear,
                                                   e, nt, with_loss, check_labels)
            J += tJ
            db += tdb
            bad += tbad
        for k in range(nt):
            i = t0 + k
            d0, d1, d2, d3 = z[k], z[nt + k], z[2 * nt + k], z[3 * nt + k]
            for j in range(n_x):
                dw_acc[j] += ((X[j, i] * d0 + X[j, i + quarter] * d1)
                              + (X[j, i + 2 * quarter] * d2 + X[j, i + 3 * quarter] * d3))
    return J, db, bad


@njit(cache=True, nogil=True, boundscheck=False, fastmath=_FASTMATH, error_model="numpy")
def _block_by_examples(X, w, b, y, i0, i1, tile, with_loss, check_labels, dw_acc, scratch):
    # dw_acc OUT (+=); scratch: (3, tile) in X's dtype, overwritten; the rest IN.
    # Four streams (a quarter shortened so that they do not share the L1 cache's sets), then
    # four streams over what that left, then the last 0-3 examples one at a time.
    J = db = 0.0
    bad = 0
    rest = i0
    if tile >= 4:  # (always: _plan's tiles have 4 examples at least)
        quarter = _quarter(i1 - i0, abs(X.strides[1]))
        J, db, bad = _four_streams(X, w, b, y, i0, quarter, tile, with_loss, check_labels,
                                   dw_acc, scratch)
        rest = i0 + 4 * quarter
        quarter = (i1 - rest) // 4
        tJ, tdb, tbad = _four_streams(X, w, b, y, rest, quarter, tile, with_loss, check_labels,
                                      dw_acc, scratch)
        J += tJ
        db += tdb
        bad += tbad
        rest += 4 * quarter
    n_x = X.shape[0]
    z, linear, e = scratch[0], scratch[1], scratch[2]
    for i in range(rest, i1):
        zk = b
        for j in range(n_x):
            zk += np.float64(w[j]) * X[j, i]
        z[0] = zk
        tJ, tdb, tbad = _tile_loss_and_sums(z[:1], y[i:i + 1], linear, e, 1, with_loss,
                                               check_labels)
        J += tJ
        db += tdb
        bad += tbad
        dz = z[0]
        for j in range(n_x):
            dw_acc[j] += X[j, i] * dz
    return J, db, bad


@njit(cache=True, nogil=True)
def _block(X, w, b, y, i0, i1, by_tiles, tile, with_loss, check_labels, dw_acc, scratch):
    if by_tiles:
        return _block_by_tiles(X, w, b, y, i0, i1, tile, with_loss, check_labels, dw_acc, scratch)
    return _block_by_examples(X, w, b, y, i0, i1, tile, with_loss, check_labels, dw_acc, scratch)


@njit(cache=True, nogil=True)
def _workspace(X, tile, n_chunks):
    # What a pass writes besides its outputs, allocated once per call (a training loop's
    # iterations reuse it): each chunk's tile scratch (z, linear, e) in X's dtype, each
    # chunk's dw row (padded to 64 bytes against false sharing), and dw.
    width = (X.shape[0] + _PAD - 1) // _PAD * _PAD
    return (np.empty((n_chunks, 3, tile), dtype=X.dtype), np.empty((n_chunks, width)),
            np.empty(X.shape[0]))


@njit(cache=True, nogil=True)
def _gradients_serial(X, w, b, y, by_tiles, tile, with_loss, check_labels, scratch, dw):
    dw[:] = 0.0
    return _block(X, w, b, y, 0, X.shape[1], by_tiles, tile, with_loss, check_labels, dw,
                  scratch[0])


@njit(cache=True, parallel=True)
def _gradients_parallel(X, w, b, y, by_tiles, tile, n_chunks, with_loss, check_labels, scratch,
                        dw_rows, dw):
    n_x, m = X.shape
    J_parts = np.zeros(n_chunks)
    db_parts = np.zeros(n_chunks)
    bad_parts = np.zeros(n_chunks, dtype=np.int64)
    for c in prange(n_chunks):
        i0 = c * m // n_chunks
        i1 = (c + 1) * m // n_chunks
        row = dw_rows[c]
        row[:] = 0.0
        J_parts[c], db_parts[c], bad_parts[c] = _block(X, w, b, y, i0, i1, by_tiles, tile,
                                                       with_loss, check_labels, row, scratch[c])
    dw[:] = 0.0
    for c in range(n_chunks):  # fixed order: bit-identical results for a fixed thread count
        for j in range(n_x):
            dw[j] += dw_rows[c, j]
    return J_parts.sum(), db_parts.sum(), bad_parts.sum()


@njit(cache=True, parallel=True, fastmath=_FASTMATH, error_model="numpy")
def _pass_by_rows(X, w, b, y, n_chunks, with_loss, check_labels, work):
    # Wide-and-short X in C order (fewer than MIN_TILE examples per thread): a tile would
    # be a short piece of every row, a poor stream, and too big to stay in cache for dw. Each
    # thread reads a band of whole rows instead -- contiguous in memory -- twice: z's partial
    # sums over its band, then its band's dw from the whole dz. Two long streams per thread.
    n_x, m = X.shape
    dw = work[2]
    z, linear, e = np.empty((3, m), dtype=X.dtype)  # m may exceed the workspace's tiles
    parts = np.zeros((n_chunks, m), dtype=X.dtype)
    for c in prange(n_chunks):
        j0 = c * n_x // n_chunks
        j1 = (c + 1) * n_x // n_chunks
        zc = parts[c]
        j = j0
        while j + 4 <= j1:
            r0, r1, r2, r3 = X[j], X[j + 1], X[j + 2], X[j + 3]
            w0, w1, w2, w3 = w[j], w[j + 1], w[j + 2], w[j + 3]
            for k in range(m):
                zc[k] += w0 * r0[k] + w1 * r1[k] + w2 * r2[k] + w3 * r3[k]
            j += 4
        while j < j1:
            row, wj = X[j], w[j]
            for k in range(m):
                zc[k] += wj * row[k]
            j += 1
    for k in range(m):
        z[k] = b
    for c in range(n_chunks):  # fixed order: bit-identical results for a fixed thread count
        for k in range(m):
            z[k] += parts[c, k]
    J, db, bad = _tile_loss_and_sums(z, y, linear, e, m, with_loss, check_labels)  # z -> dz
    zero = X.dtype.type(0)
    for c in prange(n_chunks):
        j0 = c * n_x // n_chunks
        j1 = (c + 1) * n_x // n_chunks
        j = j0
        while j + 4 <= j1:
            dw[j], dw[j + 1], dw[j + 2], dw[j + 3] = _four_dots(X[j], X[j + 1], X[j + 2],
                                                                X[j + 3], z, m)
            j += 4
        while j < j1:
            row = X[j]
            s = zero
            for k in range(m):
                s += row[k] * z[k]
            dw[j] = s
            j += 1
    return J, db, bad


@njit(cache=True)
def _pass(X, w, b, y, by_tiles, tile, n_chunks, with_loss, check_labels, work):
    # One pass over X on n_chunks threads, in a workspace from _workspace: the sums (J·m -- 0
    # without with_loss --, db·m, labels outside [0, 1] -- 0 without check_labels), and dw·m
    # in work[2].
    scratch, dw_rows, dw = work
    if by_tiles and n_chunks > 1 and X.shape[1] < MIN_TILE * n_chunks:
        return _pass_by_rows(X, w, b, y, n_chunks, with_loss, check_labels, work)
    if n_chunks == 1:
        return _gradients_serial(X, w, b, y, by_tiles, tile, with_loss, check_labels, scratch, dw)
    return _gradients_parallel(X, w, b, y, by_tiles, tile, n_chunks, with_loss, check_labels,
                               scratch, dw_rows, dw)


@njit(cache=True)
def _gradients(X, w, b, y, by_tiles, tile, n_chunks):
    # One pass, then the final scaling in compiled code (no NumPy call per step), with the two
    # checks the public interface needs: labels in [0, 1], and every output finite.
    work = _workspace(X, tile, n_chunks)
    J, db, bad = _pass(X, w, b, y, by_tiles, tile, n_chunks, True, True, work)
    dw_sum = work[2]
    m = X.shape[1]
    dw = np.empty(X.shape[0], dtype=X.dtype)
    finite = math.isfinite(J) and math.isfinite(db)
    for j in range(dw.shape[0]):
        dw[j] = dw_sum[j] / m
        finite = finite and math.isfinite(dw[j])
    return J / m, dw, db / m, bad == 0, finite


# Numba caches a function compiled over a parallel callee taken from its disk cache without the
# callee's hook that launches the threading layer on load (numba issues #8578, #9938): a later
# process that loads only that function (``_gradients`` or ``_train``, left so by a process killed
# while it compiled) and has not launched the layer calls unresolved symbols (SIGSEGV). Launched
# here, once per process (~30 ms), before any entry point can be loaded. Where no layer loads
# (NUMBA_THREADING_LAYER naming one that is not installed) this kernel is not available.
try:
    numba.get_num_threads()
except ValueError as exc:
    raise ImportError(f"Numba's threading layer could not be loaded ({exc})".replace("\n", " "))


def default_threads():
    """Number of threads used when ``n_threads`` is not given (Numba's current setting)."""
    return numba.get_num_threads()


def _vectors(w, y):
    """(w, y) contiguous and writeable: a copy of O(n_x + m) only when strided or read-only.
    Numba compiles one specialisation per array type, so vectors of any other kind would each
    cost a compile (~20 s) that `vlr warm` does not cover."""
    return contiguous(w, writeable=True), contiguous(y, writeable=True)


def _read_only(X):
    """A read-only view of X (no copy): Numba compiles one specialisation per array type and
    read-only is part of the type, so every X -- writeable, memory-mapped read-only, a Dask block
    unpickled from the network -- runs the same compiled code."""
    if type(X) is np.ndarray:
        if not X.flags.writeable:
            return X
        view = X.view()
    else:
        view = X.view(np.ndarray)  # np.memmap and other subclasses: their data, typed as ndarray
    view.setflags(write=False)  # ~0.8 us on a 2 GHz Zen 1, against a compile of ~25 s
    return view


def gradients(w, b, X, y, n_threads=None):
    """Cost and gradients of logistic regression in one fused, threaded pass over X.

    Same parameters and returns as :func:`vlr.kernels.two_loops.gradients`, plus

    n_threads : int, optional
        Threads to use (default: Numba's current number of threads). Results are
        bit-identical for a fixed thread count; different counts change the summation order.
    """
    J, dw, db, _, _ = gradients_checked(w, b, X, y, n_threads)
    return J, dw, db


def gradients_checked(w, b, X, y, n_threads=None):
    """:func:`gradients`, plus ``labels_ok`` (every y in [0, 1]) and ``finite`` (J, dw, db all
    finite): the checks :mod:`vlr` needs, made in the same compiled call."""
    check_kernel_arguments(w, X, y)
    b = check_real(b, "b")
    by_tiles, tile, n_chunks = plan(X, n_threads, default_threads)
    w, y = _vectors(w, y)
    return _gradients(_read_only(X), w, b, y, by_tiles, tile, n_chunks)


@njit(cache=True)
def _train(X, w0, b, y, alpha, iterations, cost_every, by_tiles, tile, n_chunks):
    # The same arithmetic as vlr.train's loop over gradient steps, without leaving compiled code:
    # J, db in float64; dw cast to X's dtype before the update w - alpha * dw in X's dtype. J
    # only every cost_every-th iteration; the others compute dz alone.
    n_x, m = X.shape
    w = w0.copy()
    step = np.empty(1, dtype=w.dtype)
    step[0] = alpha
    dw_cast = np.empty(n_x, dtype=w.dtype)
    costs = np.empty((iterations + cost_every - 1) // cost_every)
    work = _workspace(X, tile, n_chunks)  # once for every iteration
    dw = work[2]
    for it in range(iterations):
        with_loss = it % cost_every == 0
        J, db, _ = _pass(X, w, b, y, by_tiles, tile, n_chunks, with_loss, False, work)
        if with_loss:
            costs[it // cost_every] = J / m
        for j in range(n_x):
            dw_cast[j] = dw[j] / m
            w[j] = w[j] - step[0] * dw_cast[j]
        b = b - alpha * (db / m)
    return w, b, costs


def train(w, b, X, y, alpha, iterations, n_threads=None, cost_every=1):
    """Gradient descent with every iteration in compiled code.

    Parameters are those of :func:`gradients`, plus ``alpha`` (float), ``iterations`` (int) and
    ``cost_every`` (int >= 1: J before steps 0, k, 2k, ...; the other steps skip the loss).
    Returns ``(w, b, costs)``: the trained weights (X's dtype), bias, and those costs -- what
    looping :func:`gradients` and updating w, b in NumPy gives.
    """
    check_kernel_arguments(w, X, y)
    b, alpha = check_real(b, "b"), check_real(alpha, "alpha", positive=True)
    iterations, cost_every = check_iterations(iterations), check_cost_every(cost_every)
    by_tiles, tile, n_chunks = plan(X, n_threads, default_threads)
    w, y = _vectors(w, y)
    return _train(_read_only(X), w, b, y, alpha, iterations, cost_every, by_tiles, tile, n_chunks)


# --- first use: compiles announced, and compiled ahead of time by `vlr warm` ----------------

log = logging.getLogger("vlr")


class _CompileAnnouncer(event.Listener):
    """Says on the ``vlr`` logger (WARNING: stderr unless logging is configured) when Numba
    starts compiling one of this module's entry points -- which it does only when neither this
    process nor Numba's on-disk cache has that specialisation: seconds of silence otherwise."""

    def on_start(self, ev):
        dispatcher = ev.data["dispatcher"]
        if dispatcher in _ENTRY_POINTS and not _warming:
            X = ev.data["args"][0]
            what = "training loop" if dispatcher is _train else "gradient step"
            log.warning("vlr: compiling the Numba kernel's %s for %s %s-layout X (once per install; "
                        "~10-30 s; `vlr warm` compiles every specialisation ahead of time)", what,
                        X.dtype, X.layout)

    def on_end(self, ev):
        pass


_ENTRY_POINTS = (_gradients, _train)
_warming = False  # warm() says what it compiles itself
event.register("numba:compile", _CompileAnnouncer())


def specialisations():
    """The (dispatcher, signature) pairs a call through :mod:`vlr` can need: the step and the
    training loop for float32 and float64 X (read-only) in C, F and any other (strided) layout, w
    and y contiguous.

    Returns
    -------
    list of (Dispatcher, tuple of numba types)
    """
    pairs = []
    for dtype in (numba.float64, numba.float32):
        vector = numba.types.Array(dtype, 1, "C")
        for layout in ("C", "F", "A"):
            X = numba.types.Array(dtype, 2, layout, readonly=True)  # as _read_only passes it
            plan_types = (numba.boolean, numba.int64, numba.int64)  # by_tiles, tile, n_chunks
            pairs.append((_gradients, (X, vector, numba.float64, vector) + plan_types))
            pairs.append((_train, (X, vector, numba.float64, vector, numba.float64, numba.int64,
                                   numba.int64) + plan_types))
    return pairs


def warm(progress=None, entry_point=None):
    """Compile every specialisation of :func:`specialisations` now (Numba caches them on disk,
    so later processes load them in about a second instead of compiling on first use).

    Parameters
    ----------
    progress : callable(str), optional
        Called before each compile with what is compiled.
    entry_point : {"step", "train"}, optional
        Only the gradient step's or the training loop's specialisations (processes warming one
        each at once never write the same cache index).

    Returns
    -------
    int
        The number of specialisations compiled.
    """
    global _warming
    pairs = [(d, sig) for d, sig in specialisations()
             if entry_point is None or d is {"step": _gradients, "train": _train}[entry_point]]
    _warming = True
    try:
        for dispatcher, signature in pairs:
            if progress:
                what = "training loop" if dispatcher is _train else "gradient step"
                progress(f"{what}, {signature[0].dtype} X in {signature[0].layout} layout")
            dispatcher.compile(signature)
    finally:
        _warming = False
    return len(pairs)
