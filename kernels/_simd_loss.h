/* The per-example math of a tile -- loss and dz of the stable formulas in vlr.kernels -- as
   one loop the compiler vectorises, with SIMD exp/log1p from glibc's libmvec when setup.py
   found it (VLR_LIBMVEC; glibc >= 2.35 has _ZGVeN8v_exp and _ZGVeN8v_log1p).

   Design:
     A. Branch-free body: e = exp(-|z|) for every example, the two cases chosen by selects, so
        the loop has no branch around a call and each call is made once per vector.
     B. The sums J, db and the count of labels outside [0, 1] are `omp simd` reductions: the
        only reordering of floating-point sums in this file. The function is built WITHOUT
        -fassociative-math (the rest of the extension has it), which once rewrote
        (1 - y) - y*e as 1 - y*(1 + e) and lost dz's relative accuracy when y = 1 and e is tiny.
     C. NaN and inf are not assumed away (no -ffinite-math-only): a NaN or inf in z reaches J
        and dz, where vlr's validation looks for it.
     D. z (IN) and dz (OUT) may be the same buffer: element k is read before it is written.
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
double log1p(double);
#endif

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

/* One loop body for both dtypes of the tile: z and y in T, the math and the sums in double. */
#define VLR_TILE_LOSS_BODY(T)                                                               \
    double J = 0, db = 0, bad = 0;                                                          \
    _Pragma("omp simd reduction(+:J,db,bad)")                                               \
    for (ptrdiff_t k = 0; k < n; k++) {                                                     \
        double zk = (double)z[k], yk = (double)y[k];                                        \
        double e = exp(-fabs(zk));                                                          \
        double one_minus_y = 1.0 - yk;                                                      \
        int pos = zk > 0;                                                                   \
        J += log1p(e) + (pos ? one_minus_y * zk : -yk * zk);                                \
        double d = (pos ? one_minus_y - yk * e : one_minus_y * e - yk) / (1.0 + e);         \
        bad += !(yk >= 0 && yk <= 1); /* NaN too */                                         \
        db += d;                                                                            \
        dz[k] = (T)d;                                                                       \
    }                                                                                       \
    sums[0] += J;                                                                           \
    sums[1] += db;                                                                          \
    sums[2] += bad;

/* For k < n: dz[k] = dz(z[k], y[k]); sums[0] += Σ loss, sums[1] += Σ dz, sums[2] += labels
   outside [0, 1]. */
static VLR_NO_REASSOC void vlr_tile_loss_f64(const double* z,   /* IN  (n,) */
                                             const double* y,   /* IN  (n,) */
                                             ptrdiff_t n,
                                             double* dz,        /* OUT (n,), may be z */
                                             double* sums)      /* OUT (3,), added to */
{
    VLR_NO_REASSOC_BODY
    VLR_TILE_LOSS_BODY(double)
}

static VLR_NO_REASSOC void vlr_tile_loss_f32(const float* z, const float* y, ptrdiff_t n,
                                             float* dz, double* sums)
{
    VLR_NO_REASSOC_BODY
    VLR_TILE_LOSS_BODY(float)
}

#endif
