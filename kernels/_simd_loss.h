/* The per-example math of a tile -- loss and dz of the stable formulas in vlr.kernels -- as
   branch-free loops the compiler vectorises, with no library call per example: the same
   arithmetic exp as Numba's (vlr.kernels._vector_math).

   Design:
     A. e = exp(-|z|) for a chunk of examples first, in a loop of its own: x = k·ln2 + r
        (Cody-Waite) and the scale 2^k, whose exponent bits are read from kd + 1.5·2^52 (no
        float-to-integer conversion, which AVX2 lacks for 64 bits); then the polynomial, times
        the scale. With 16 vector registers (AVX2) the two halves run as two sweeps
        (VLR_EXP_ONE_SWEEP). One loop of exp, loss and dz is latency-bound on a narrow core (its
        chain of dependent operations is long): the former single loop, calling glibc's vector
        exp, took 5.6 ns per example on a Zen 2 against 2.3 for these sweeps (part of it the
        half-width vectors of B); on a Zen 4 (AVX-512), 1.21 against 1.15 for the exp's loop
        and then the loss's.
        Where 2^k would be subnormal (x < -708, -87 in float) the scale is 2^(k+64) and a rare
        last sweep multiplies by 2^-64: one rounding, so subnormal results are right.
     B. The loss and dz are a branch-free loop over e, the cases chosen by selects; no integer
        temporaries (gcc then picks half-width vectors for the doubles). The math runs in the
        tile's own type (float32: 8 lanes on AVX2, 16 on AVX-512); the sums are double.
     C. No log per example: J is Σ linear + Σ log1p(e), and the log1p(e) of a chunk of up to
        512 examples are one log1p(Q), 1 + Q the product of their factors 1 + e (each in
        [1, 2]: no overflow). Each running product is kept as q = product - 1 and multiplied by
        a factor as q + (e + q·e): exact in real arithmetic, with every rounding relative to q
        itself, so losses near 0 (e tiny) keep their accuracy; 32 of them side by side in double
        (a vector loop), combined pairwise. (Before: a product of the factors themselves, which
        rounds near 1, and a degree-7 Taylor polynomial of log1p(e) per example below e = 2^-8.)
     D. The sums J, db and the count of labels outside [0, 1] are `omp simd` reductions: the
        only reordering of floating-point operations in this file. The functions
        are built WITHOUT -fassociative-math (the rest of the extension has it), which would
        rewrite (1 - y) - y*e as 1 - y*(1 + e) (losing dz's relative accuracy when y = 1 and e
        is tiny) and fold away the exp's rounding constant.
     E. NaN and inf are not assumed away (no -ffinite-math-only): a NaN or inf in z reaches J
        and dz, where vlr's validation looks for it.
     F. z (IN) and dz (OUT) may be the same buffer: a chunk's z is read before its dz is written.
*/
#ifndef VLR_SIMD_LOSS_H
#define VLR_SIMD_LOSS_H
#include <math.h>
#include <stddef.h>

#include <stdint.h>
#include <string.h>

/* Lanes per vector of the loop (omp simd's simdlen): the full register width for each type;
   left to the compiler, gcc runs the float loop at 4 lanes on AVX2 (measured 1.5x slower). */
#define VLR_PRAGMA_STRING(x) _Pragma(#x)
#define VLR_PRAGMA(x) VLR_PRAGMA_STRING(x) /* x's macros expanded first */
#if defined(__AVX512F__)
#define VLR_LANES_F64 simdlen(8)
#define VLR_LANES_F32 simdlen(16)
#elif defined(__AVX2__)
#define VLR_LANES_F64 simdlen(4)
#define VLR_LANES_F32 simdlen(8)
#else
#define VLR_LANES_F64
#define VLR_LANES_F32
#endif

/* A portable build (VLR_PORTABLE=1, what distributed wheels use: no -march=native) compiles
   the loops below three times -- x86-64-v4 (AVX-512), x86-64-v3 (AVX2, FMA) and the baseline --
   and glibc picks the CPU's version when the extension loads (gcc's target_clones, an ifunc). */
#if defined(VLR_PORTABLE) && VLR_PORTABLE && defined(__x86_64__) && defined(__linux__) \
    && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#define VLR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#define VLR_RUNTIME_DISPATCH 1
#else
#define VLR_CLONES
#define VLR_RUNTIME_DISPATCH 0
#endif

#define VLR_LOG_CHUNK 512    /* factors per log1p: each in [1, 2], so the product is < 2^512 */
#define VLR_PRODUCT_LANES 32 /* running products of a chunk, side by side */

#if defined(__clang__)
#define VLR_NO_REASSOC
#define VLR_NO_REASSOC_BODY _Pragma("clang fp reassociate(off)")
#elif defined(__GNUC__)
#define VLR_NO_REASSOC __attribute__((optimize("no-associative-math")))
#define VLR_NO_REASSOC_BODY
#else
#define VLR_NO_REASSOC
#define VLR_NO_REASSOC_BODY
#endif

/* e = exp(-|z|) in one sweep or two (A): one where the vector registers are 32 (AVX-512), two
   where they are 16 (AVX2, baseline x86-64), which the reduction's and the polynomial's
   constants together overflow. Measured on a 2-core Zen 4, ns per example of the tile's loss
   and dz (z in L1), two sweeps -> one: AVX-512 float64 1.28 -> 1.15, float32 0.82 -> 0.74;
   AVX2 code (-march=x86-64-v3) float64 1.32 -> 1.37, float32 0.92 -> 0.90. A portable build's
   clones share one preprocessor pass, so they all take two. */
#if defined(__AVX512F__)
#define VLR_EXP_ONE_SWEEP 1
#else
#define VLR_EXP_ONE_SWEEP 0
#endif

/* x = -|zk| clamped, and its Cody-Waite reduction: x = k·ln2 + rk (declares x, rk and scale =
   2^k, or 2^(k+64) where x < EXP_LOW). */
#define VLR_EXP_REDUCE(T, U, FABS, zk, EXP_MIN, EXP_LOW, LOG2E, ROUND, ROUND_BITS, LN2_HI,        \
                       LN2_LO, BIAS, MANT)                                                      \
    T x = -FABS(zk);                                                                            \
    x = x < (T)(EXP_MIN) ? (T)(EXP_MIN) : x; /* exp is 0 below; NaN passes */                   \
    T t = x * (T)(LOG2E) + (T)(ROUND);       /* ROUND + k */                                    \
    T kd = t - (T)(ROUND);                   /* k = round(x / ln 2) */                          \
    T rk = (x - kd * (T)(LN2_HI)) - kd * (T)(LN2_LO);                                           \
    U bits;                                                                                     \
    memcpy(&bits, &t, sizeof bits);                                                             \
    bits = (bits - (U)(ROUND_BITS) + (U)(BIAS) + (x < (T)(EXP_LOW) ? 64 : 0)) << MANT;          \
    T scale;                                                                                    \
    memcpy(&scale, &bits, sizeof scale);

/* e[k] = exp(-|z[k]|) for k < n (n <= VLR_LOG_CHUNK), in T = double or float; r: scratch.
   U is the unsigned integer of T's width (an int there makes gcc pick half-width vectors; a
   signed one would shift negative values); the constants are those of _vector_math. */
#if VLR_EXP_ONE_SWEEP
#define VLR_EXP_POLY_SWEEPS(T, U, FABS, LANES, z, n, r, e, EXP_MIN, EXP_LOW, LOG2E, ROUND,     \
                            ROUND_BITS, LN2_HI, LN2_LO, BIAS, MANT, POLY)                       \
    (void)(r);                                                                                  \
    VLR_PRAGMA(omp simd LANES reduction(+:low))                                                 \
    for (ptrdiff_t k = 0; k < n; k++) {                                                         \
        VLR_EXP_REDUCE(T, U, FABS, z[k], EXP_MIN, EXP_LOW, LOG2E, ROUND, ROUND_BITS, LN2_HI,    \
                       LN2_LO, BIAS, MANT)                                                      \
        T r2 = rk * rk, r4 = r2 * r2; /* POLY's powers of r */                                  \
        e[k] = (POLY) * scale;                                                                  \
        low += x < (T)(EXP_LOW);                                                                \
    }
#else
#define VLR_EXP_POLY_SWEEPS(T, U, FABS, LANES, z, n, r, e, EXP_MIN, EXP_LOW, LOG2E, ROUND,     \
                            ROUND_BITS, LN2_HI, LN2_LO, BIAS, MANT, POLY)                       \
    VLR_PRAGMA(omp simd LANES reduction(+:low))                                                 \
    for (ptrdiff_t k = 0; k < n; k++) {                                                         \
        VLR_EXP_REDUCE(T, U, FABS, z[k], EXP_MIN, EXP_LOW, LOG2E, ROUND, ROUND_BITS, LN2_HI,    \
                       LN2_LO, BIAS, MANT)                                                      \
        r[k] = rk;                                                                              \
        e[k] = scale;                                                                           \
        low += x < (T)(EXP_LOW);                                                                \
    }                                                                                           \
    VLR_PRAGMA(omp simd LANES)                                                                  \
    for (ptrdiff_t k = 0; k < n; k++) {                                                         \
        T rk = r[k], r2 = rk * rk, r4 = r2 * r2; /* POLY's powers of r */                       \
        e[k] = (POLY) * e[k];                                                                   \
    }
#endif

#define VLR_EXP_SWEEPS(T, U, FABS, LANES, z, n, r, e, EXP_MIN, EXP_LOW, LOG2E, ROUND,          \
                       ROUND_BITS, LN2_HI, LN2_LO, BIAS, MANT, POLY, TWO_M64)                   \
    {                                                                                           \
        U low = 0; /* a count of T's width: a wider one would widen every lane */              \
        VLR_EXP_POLY_SWEEPS(T, U, FABS, LANES, z, n, r, e, EXP_MIN, EXP_LOW, LOG2E, ROUND,      \
                            ROUND_BITS, LN2_HI, LN2_LO, BIAS, MANT, POLY)                       \
        if (low) /* |z| > 708 (87 in float): the scale was 2^(k+64) */                          \
            for (ptrdiff_t k = 0; k < n; k++)                                                   \
                if (-FABS(z[k]) < (T)(EXP_LOW)) e[k] *= (T)(TWO_M64);                          \
    }

/* exp(r) on |r| <= ln2/2 in the sweep's rk, r2 = rk^2, r4 = rk^4: 1 + r + r^2·Q(r), Q of
   degree 9 (scripts/exp_coefficients.py), by Estrin's scheme; within 1.6e-17 of exp(r). The coefficients are _vector_math's (a test
   checks). */
#define VLR_EXP_POLY_F64                                                                        \
    (1.0 + (rk + r2 * (((0.5000000000000001 + 0.16666666666666669 * rk)                         \
                        + r2 * (0.041666666666624164 + 0.008333333333330065 * rk))              \
                       + r4 * (((0.0013888888917196719 + 0.00019841269863040545 * rk)           \
                                + r2 * (2.4801521322368692e-05 + 2.7557268480310024e-06 * rk))  \
                               + r4 * (2.7620075879983367e-07 + 2.5100375832561234e-08 * rk)))))
/* float: Q of degree 4 (the same fit), within 9.7e-9 of exp(r) */
#define VLR_EXP_POLY_F32                                                                        \
    (1.0f + (rk + r2 * ((0.5f + 0.16666577756404877f * rk)                                      \
                        + r2 * (0.041666556149721146f + 0.008363173343241215f * rk)             \
                        + r4 * 0.0013926175888627768f)))

#define VLR_EXP_SWEEPS_F64(z, n, r, e)                                                          \
    VLR_EXP_SWEEPS(double, uint64_t, fabs, VLR_LANES_F64, z, n, r, e, -746.0, -708.0,           \
                   1.4426950408889634, 6755399441055744.0, 0x4338000000000000ULL,               \
                   6.93147180369123816490e-01, 1.90821492927058770002e-10, 1023, 52,            \
                   VLR_EXP_POLY_F64, 0x1p-64)
#define VLR_EXP_SWEEPS_F32(z, n, r, e)                                                          \
    VLR_EXP_SWEEPS(float, uint32_t, fabsf, VLR_LANES_F32, z, n, r, e, -104.0f, -87.0f,          \
                   1.44269504f, 12582912.0f, 0x4B400000U, 0.693359375f, -2.12194440e-4f, 127,   \
                   23, VLR_EXP_POLY_F32, 0x1p-64f)

/* Σ log1p(e[k]) for k < n <= VLR_LOG_CHUNK as one log1p (C above), in double whatever T; Numba's
   _log1p_sum is the same with 64 lanes (gcc: 32 lanes 0.12 ns per example, 64 lanes 0.17, on a
   2-core Zen 4 with AVX-512). */
#define VLR_LOG1P_SUM(T, e, n, total)                                                           \
    {                                                                                           \
        double q[VLR_PRODUCT_LANES] = {0};                                                      \
        ptrdiff_t r0 = 0;                                                                       \
        for (; r0 + VLR_PRODUCT_LANES <= n; r0 += VLR_PRODUCT_LANES) {                          \
            VLR_PRAGMA(omp simd)                                                                \
            for (int l = 0; l < VLR_PRODUCT_LANES; l++) {                                       \
                double ek = (double)(e)[r0 + l], ql = q[l];                                     \
                q[l] = ql + (ek + ql * ek);                                                     \
            }                                                                                   \
        }                                                                                       \
        for (int l = 0; r0 + l < n; l++) {                                                      \
            double ek = (double)(e)[r0 + l], ql = q[l];                                         \
            q[l] = ql + (ek + ql * ek);                                                         \
        }                                                                                       \
        for (int width = VLR_PRODUCT_LANES / 2; width >= 1; width /= 2)                         \
            for (int l = 0; l < width; l++) {                                                   \
                double a = q[l], b = q[width + l];                                              \
                q[l] = a + (b + a * b);                                                         \
            }                                                                                   \
        total += log1p(q[0]);                                                                   \
    }

/* One loop body for both dtypes of the tile: z, y and the math in T, the sums in double.
   WITH_LOSS (a constant) leaves the loss out; db is summed in the same order either way, so a
   training loop's steps do not depend on which of them record a cost. */
#define VLR_TILE_BODY(T, EXP_SWEEPS, LANES, WITH_LOSS)                                           \
    double J = 0, db = 0, bad = 0;                                                              \
    T r_[VLR_LOG_CHUNK], e_[VLR_LOG_CHUNK];                                                     \
    for (ptrdiff_t c0 = 0; c0 < n; c0 += VLR_LOG_CHUNK) {                                       \
        ptrdiff_t nc = n - c0 < VLR_LOG_CHUNK ? n - c0 : VLR_LOG_CHUNK;                         \
        const T* zc = z + c0;                                                                   \
        const T* yc = y + c0;                                                                   \
        T* dzc = dz + c0;                                                                       \
        EXP_SWEEPS(zc, nc, r_, e_)                                                              \
        VLR_PRAGMA(omp simd LANES reduction(+:J,db,bad))                                        \
        for (ptrdiff_t k = 0; k < nc; k++) {                                                    \
            T zk = zc[k], yk = yc[k], e = e_[k];                                                \
            T one_minus_y = 1 - yk;                                                             \
            /* dz's numerator, (1 - y) - y·e for z > 0 and (1 - y)·e - y else, as one           \
               multiply-add of selected terms: gcc copies a division under a select into both   \
               of its arms (two divisions per example: the tile 1.16x slower) */                \
            T slope = zk > 0 ? -yk : one_minus_y, offset = zk > 0 ? one_minus_y : -yk;          \
            T d = (slope * e + offset) / (1 + e);                                               \
            if (WITH_LOSS) /* the loss's linear part; its log1p(e) below */                     \
                J += (double)(offset * zk);                                                     \
            bad += (yk >= 0 && yk <= 1) ? 0.0 : 1.0; /* NaN too */                              \
            db += (double)d;                                                                    \
            dzc[k] = d;                                                                         \
        }                                                                                       \
        if (WITH_LOSS) VLR_LOG1P_SUM(T, e_, nc, J)                                              \
    }                                                                                           \
    sums[0] += J;                                                                               \
    sums[1] += db;                                                                              \
    sums[2] += bad;

/* For k < n: dz[k] = dz(z[k], y[k]); sums[0] += Σ loss, sums[1] += Σ dz, sums[2] += labels
   outside [0, 1]. */
static VLR_CLONES VLR_NO_REASSOC void vlr_tile_loss_f64(const double* z,   /* IN  (n,) */
                                                        const double* y,   /* IN  (n,) */
                                                        ptrdiff_t n,
                                                        double* dz,        /* OUT (n,), may be z */
                                                        double* sums)      /* OUT (3,), added to */
{
    VLR_NO_REASSOC_BODY
    VLR_TILE_BODY(double, VLR_EXP_SWEEPS_F64, VLR_LANES_F64, 1)
}

static VLR_CLONES VLR_NO_REASSOC void vlr_tile_loss_f32(const float* z, const float* y,
                                                        ptrdiff_t n, float* dz, double* sums)
{
    VLR_NO_REASSOC_BODY
    VLR_TILE_BODY(float, VLR_EXP_SWEEPS_F32, VLR_LANES_F32, 1)
}

/* vlr_tile_loss_* without the loss: sums[1] += Σ dz, sums[2] += labels outside [0, 1]. */
static VLR_CLONES VLR_NO_REASSOC void vlr_tile_dz_f64(const double* z, const double* y,
                                                      ptrdiff_t n, double* dz, double* sums)
{
    VLR_NO_REASSOC_BODY
    VLR_TILE_BODY(double, VLR_EXP_SWEEPS_F64, VLR_LANES_F64, 0)
}

static VLR_CLONES VLR_NO_REASSOC void vlr_tile_dz_f32(const float* z, const float* y,
                                                      ptrdiff_t n, float* dz, double* sums)
{
    VLR_NO_REASSOC_BODY
    VLR_TILE_BODY(float, VLR_EXP_SWEEPS_F32, VLR_LANES_F32, 0)
}

#endif
