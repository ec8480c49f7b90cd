/* The per-example math of a tile -- loss and dz of the stable formulas in vlr.kernels -- as
   one loop the compiler vectorises, with SIMD exp/expf from glibc's libmvec when setup.py found
   it (VLR_LIBMVEC; glibc >= 2.22 has _ZGVdN4v_exp, _ZGVdN8v_expf and their AVX-512 variants).

   Design:
     A. Branch-free body: e = exp(-|z|) for every example, the cases chosen by selects, so
        the loop has no branch around a call and each call is made once per vector. The math
        runs in the tile's own type (float32: 8 lanes on AVX2, 16 on AVX-512); the sums are
        double.
     B. No log per example: log1p(e) = log(factor) + (e - (factor - 1)), factor = 1 + e rounded
        (the second term is the rounding it lost, exact), and one log is taken of the product of
        up to 512 factors (each in [1, 2]: no overflow, in any order). Below e = 2^-8 a product
        rounds too coarsely for losses near 0, so log1p(e) is its degree-7 Taylor polynomial
        there (factor 1); a product then errs by < 2.9e-14 of the loss per factor.
     C. The sums J, db, the product and the count of labels outside [0, 1] are `omp simd`
        reductions: the only reordering of floating-point operations in this file. The function
        is built WITHOUT -fassociative-math (the rest of the extension has it), which once
        rewrote (1 - y) - y*e as 1 - y*(1 + e) and lost dz's relative accuracy when y = 1 and e
        is tiny.
     D. NaN and inf are not assumed away (no -ffinite-math-only): a NaN or inf in z reaches J
        and dz, where vlr's validation looks for it.
     E. z (IN) and dz (OUT) may be the same buffer: element k is read before it is written.
   Without libmvec the same loop calls scalar libm (the compiler may still vectorise the rest).
*/
#ifndef VLR_SIMD_LOSS_H
#define VLR_SIMD_LOSS_H
#include <math.h>
#include <stddef.h>

#ifndef VLR_LIBMVEC
#define VLR_LIBMVEC 0
#endif

#if VLR_LIBMVEC
#pragma omp declare simd notinbranch
double exp(double);
#pragma omp declare simd notinbranch
float expf(float);
#endif

/* Lanes per vector of the loop (omp simd's simdlen): the full register width for each type;
   left to the compiler, gcc runs the float loop at 4 lanes on AVX2 (measured 1.5x slower). */
#if defined(__AVX512F__)
#define VLR_SIMD_F64 _Pragma("omp simd simdlen(8) reduction(+:J,db,bad) reduction(*:product)")
#define VLR_SIMD_F32 _Pragma("omp simd simdlen(16) reduction(+:J,db,bad) reduction(*:product)")
#elif defined(__AVX2__)
#define VLR_SIMD_F64 _Pragma("omp simd simdlen(4) reduction(+:J,db,bad) reduction(*:product)")
#define VLR_SIMD_F32 _Pragma("omp simd simdlen(8) reduction(+:J,db,bad) reduction(*:product)")
#else
#define VLR_SIMD_F64 _Pragma("omp simd reduction(+:J,db,bad) reduction(*:product)")
#define VLR_SIMD_F32 _Pragma("omp simd reduction(+:J,db,bad) reduction(*:product)")
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

#define VLR_LOG_CHUNK 512    /* factors per log: each in [1, 2], so the product is < 2^512 */
#define VLR_SMALL_E 0x1p-8   /* below it, log1p(e) by its polynomial */

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

/* One loop body for both dtypes of the tile: z, y and the math in T, the sums in double.
   WITH_LOSS (a constant) leaves the loss out; db is summed in the same order either way, so a
   training loop's steps do not depend on which of them record a cost. */
#define VLR_TILE_BODY(T, EXP, ABS, SIMD, WITH_LOSS)                                         \
    double J = 0, db = 0, bad = 0;                                                          \
    for (ptrdiff_t c0 = 0; c0 < n; c0 += VLR_LOG_CHUNK) {                                   \
        ptrdiff_t c1 = n - c0 < VLR_LOG_CHUNK ? n : c0 + VLR_LOG_CHUNK;                     \
        double product = 1;                                                                 \
        SIMD                                                                                \
        for (ptrdiff_t k = c0; k < c1; k++) {                                               \
            T zk = z[k], yk = y[k];                                                         \
            T e = EXP(-ABS(zk));                                                            \
            T one_minus_y = 1 - yk;                                                         \
            int pos = zk > 0;                                                               \
            T d = (pos ? one_minus_y - yk * e : one_minus_y * e - yk) / (1 + e);            \
            if (WITH_LOSS) {                                                                \
                int tiny = e < (T)VLR_SMALL_E;                                              \
                T factor = tiny ? (T)1 : 1 + e;                                             \
                T e2 = e * e;  /* Estrin's scheme: a short chain of dependent operations */ \
                T poly = e + e2 * (((T)(-1.0 / 2) + (T)(1.0 / 3) * e)                       \
                                   + e2 * (((T)(-1.0 / 4) + (T)(1.0 / 5) * e)               \
                                           + e2 * ((T)(-1.0 / 6) + (T)(1.0 / 7) * e)));     \
                T linear = (pos ? one_minus_y * zk : -yk * zk)                              \
                           + (tiny ? poly : e - (factor - 1));                              \
                product *= (double)factor;                                                  \
                J += (double)linear;                                                        \
            }                                                                               \
            bad += !(yk >= 0 && yk <= 1); /* NaN too */                                     \
            db += (double)d;                                                                \
            dz[k] = d;                                                                      \
        }                                                                                   \
        if (WITH_LOSS) J += log(product);                                                   \
    }                                                                                       \
    sums[0] += J;                                                                           \
    sums[1] += db;                                                                          \
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
    VLR_TILE_BODY(double, exp, fabs, VLR_SIMD_F64, 1)
}

static VLR_CLONES VLR_NO_REASSOC void vlr_tile_loss_f32(const float* z, const float* y,
                                                        ptrdiff_t n, float* dz, double* sums)
{
    VLR_NO_REASSOC_BODY
    VLR_TILE_BODY(float, expf, fabsf, VLR_SIMD_F32, 1)
}

/* vlr_tile_loss_* without the loss: sums[1] += Σ dz, sums[2] += labels outside [0, 1]. */
static VLR_CLONES VLR_NO_REASSOC void vlr_tile_dz_f64(const double* z, const double* y,
                                                      ptrdiff_t n, double* dz, double* sums)
{
    VLR_NO_REASSOC_BODY
    VLR_TILE_BODY(double, exp, fabs, VLR_SIMD_F64, 0)
}

static VLR_CLONES VLR_NO_REASSOC void vlr_tile_dz_f32(const float* z, const float* y,
                                                      ptrdiff_t n, float* dz, double* sums)
{
    VLR_NO_REASSOC_BODY
    VLR_TILE_BODY(float, expf, fabsf, VLR_SIMD_F32, 0)
}

#endif
