/* A tile of examples when features are adjacent in memory (F-ordered X, e.g. X_sklearn.T): z
   as dot products and dw as axpys, four examples at a time -- one from each of four streams --
   in vectors along the features.

   Stream q's example k is the column X0 + q*qs + k*se, its features at unit stride (the caller
   checks; other strides keep the Cython kernel's plain loops); its z is z[q*zq + k].

   Design:
     A. Four streams: the caller (cython_omp._four_streams) splits a thread's examples into four
        quarters read side by side. One contiguous stream per thread read X at 25-30 GB/s with
        two threads on a 2-core Zen 2; four read 43-48 (whole 256 MB X, huge pages).
     B. gcc's vector extensions (32-byte vectors: 4 doubles, 8 floats) instead of loops left to
        the auto-vectoriser: a dot product's loop over a few features (10, 20) is shorter than the
        vectoriser's unrolled body, so its vector code never ran; and the feature stride was a
        run-time value, so it could not vectorise at all. The compiler lowers the vectors to the
        target's registers (two SSE halves on baseline x86-64).
     C. z: four accumulators, one per example, each a vector along the features; one
        transpose-and-add turns them into the four dot products (lane q = stream q), then the
        last n_x mod 4 (mod 8 in float) features are added one by one. Sums in X's dtype, as the
        C-order tiles do.
     D. dw: dw[j] += (c0[j]·d0 + c1[j]·d1) + (c2[j]·d2 + c3[j]·d3), vectorised along j (dw is
        restrict: never one of the columns); the four products summed in X's dtype, dw in double.
     E. vlr_examples_z_dw_*: D for the tile before, in the loop of C for the next tile, while
        memory streams the next one: 0.93-1.09x the two loops' speed, median 1.04x (10-3000
        features, float32 and float64, one interleaved run on the same X).
     F. A few features (8-23 in float, 4-11 in double): the same sums without loops over the
        features (below, at vlr_small_z_dw_*).
*/
#ifndef VLR_BY_EXAMPLES_H
#define VLR_BY_EXAMPLES_H
#include <stddef.h>
#include <string.h>

#include "_simd_loss.h" /* VLR_CLONES */

/* The helpers below take and return 32-byte vectors, always inlined; in a portable build's
   baseline clone gcc warns at each use that such vectors pass in memory there (-Wpsabi), which
   matters only across a call: silenced. */
#define VLR_INLINE static inline __attribute__((always_inline))
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi" /* for the whole file: target_clones are emitted at its end */
#endif

typedef double vlr_v4d __attribute__((vector_size(32)));
typedef float vlr_v8f __attribute__((vector_size(32)));
typedef float vlr_v4f __attribute__((vector_size(16)));
typedef long long vlr_i4d __attribute__((vector_size(32)));
typedef int vlr_i4f __attribute__((vector_size(16)));

VLR_INLINE vlr_v4d vlr_load_v4d(const double* p) {
    vlr_v4d v;
    memcpy(&v, p, sizeof v); /* unaligned: one vmovupd */
    return v;
}

VLR_INLINE vlr_v8f vlr_load_v8f(const float* p) {
    vlr_v8f v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* Lane i of the result: the sum of a_i's lanes. */
VLR_INLINE vlr_v4d vlr_sum4_v4d(vlr_v4d a0, vlr_v4d a1, vlr_v4d a2, vlr_v4d a3) {
    const vlr_i4d even = {0, 4, 2, 6}, odd = {1, 5, 3, 7}, low = {0, 1, 4, 5}, high = {2, 3, 6, 7};
    vlr_v4d h01 = __builtin_shuffle(a0, a1, even) + __builtin_shuffle(a0, a1, odd);
    vlr_v4d h23 = __builtin_shuffle(a2, a3, even) + __builtin_shuffle(a2, a3, odd);
    return __builtin_shuffle(h01, h23, low) + __builtin_shuffle(h01, h23, high);
}

VLR_INLINE vlr_v4f vlr_sum4_v4f(vlr_v4f a0, vlr_v4f a1, vlr_v4f a2, vlr_v4f a3) {
    const vlr_i4f even = {0, 4, 2, 6}, odd = {1, 5, 3, 7}, low = {0, 1, 4, 5}, high = {2, 3, 6, 7};
    vlr_v4f h01 = __builtin_shuffle(a0, a1, even) + __builtin_shuffle(a0, a1, odd);
    vlr_v4f h23 = __builtin_shuffle(a2, a3, even) + __builtin_shuffle(a2, a3, odd);
    return __builtin_shuffle(h01, h23, low) + __builtin_shuffle(h01, h23, high);
}

VLR_INLINE vlr_v4f vlr_fold_v8f(vlr_v8f a) { /* lanes i and i + 4 added */
    vlr_v4f lo = {a[0], a[1], a[2], a[3]}, hi = {a[4], a[5], a[6], a[7]};
    return lo + hi;
}

/* The columns of example k of the four streams. */
#define VLR_COLUMNS(T)                                                                   \
    const T *c0 = X0 + k * se, *c1 = c0 + qs, *c2 = c1 + qs, *c3 = c2 + qs

/* F. A few features (one or two whole vectors and a tail: 8-23 in float, 4-11 in double): dw's
   sums stay in registers, in X's dtype (as the C-order tiles' do), and go to dw every
   VLR_FLUSH groups of examples (float32 dw's error then the size of the C-order tiles'); the tail
   of the features is one more vector that ends at the column's last feature, overlapping the
   one before, its overlapped lanes cleared by a mask (no read outside the column; the mask
   comes after the products, so a NaN/inf in a cleared lane cannot leak). No loop over the
   features, no scalar tail, no load-add-store chain through dw from one group to the next.
   Measured on the 2-core Zen 4, one thread, X in L2/L3 (10-23 features, both dtypes, AVX-512
   and AVX2 code): 1.12-1.72x; float32 10 features from memory, two threads: 1.16x. */
typedef int vlr_i8f __attribute__((vector_size(32)));
#define VLR_FLUSH 64

#define VLR_SMALL_Z_DW(NAME, T, V, IV, W, LOAD, SUM4)                                      \
    VLR_INLINE void NAME(const T* X0, const T* Xd, ptrdiff_t qs, ptrdiff_t se, const T* w,   \
                         ptrdiff_t n_x, ptrdiff_t nt, T b, T* z, ptrdiff_t zq, const T* dz,   \
                         double* restrict dw, const int nv, const int do_z,                   \
                         const int do_dw) {                                                   \
        const ptrdiff_t t = n_x - W; /* the tail vector's first feature */                    \
        const int tail = n_x > W * nv, first = W * (nv + 1) - (int)n_x;                       \
        IV keep;                                                                              \
        for (int l = 0; l < W; ++l) keep[l] = l >= first ? -1 : 0;                            \
        const V vzero = {0};                                                                  \
        V wv[2] = {{0}}, gv[2] = {{0}}, gt = {0}, wt = {0};                                   \
        if (do_z) {                                                                           \
            for (int v = 0; v < nv; ++v) wv[v] = LOAD(w + W * v);                             \
            if (tail) wt = LOAD(w + t);                                                       \
        }                                                                                     \
        for (ptrdiff_t k = 0; k < nt; ++k) {                                                  \
            if (do_dw && k % VLR_FLUSH == 0 && k) {                                           \
                for (int v = 0; v < nv; ++v) {                                                \
                    for (int l = 0; l < W; ++l) dw[W * v + l] += (double)gv[v][l];            \
                    gv[v] = vzero;                                                            \
                }                                                                             \
                if (tail) {                                                                   \
                    for (int l = first; l < W; ++l) dw[t + l] += (double)gt[l];               \
                    gt = vzero;                                                               \
                }                                                                             \
            }                                                                                 \
            if (do_z) {                                                                       \
                const T *c0 = X0 + k * se, *c1 = c0 + qs, *c2 = c1 + qs, *c3 = c2 + qs;       \
                V a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};                                     \
                for (int v = 0; v < nv; ++v) {                                                \
                    a0 += LOAD(c0 + W * v) * wv[v];                                           \
                    a1 += LOAD(c1 + W * v) * wv[v];                                           \
                    a2 += LOAD(c2 + W * v) * wv[v];                                           \
                    a3 += LOAD(c3 + W * v) * wv[v];                                           \
                }                                                                             \
                if (tail) {                                                                   \
                    a0 += (V)((IV)(LOAD(c0 + t) * wt) & keep);                                \
                    a1 += (V)((IV)(LOAD(c1 + t) * wt) & keep);                                \
                    a2 += (V)((IV)(LOAD(c2 + t) * wt) & keep);                                \
                    a3 += (V)((IV)(LOAD(c3 + t) * wt) & keep);                                \
                }                                                                             \
                SUM4;                                                                         \
                z[k] = b + s[0];                                                              \
                z[zq + k] = b + s[1];                                                         \
                z[2 * zq + k] = b + s[2];                                                     \
                z[3 * zq + k] = b + s[3];                                                     \
            }                                                                                 \
            if (do_dw) {                                                                      \
                const T *e0 = Xd + k * se, *e1 = e0 + qs, *e2 = e1 + qs, *e3 = e2 + qs;       \
                const T d0 = dz[k], d1 = dz[zq + k];                                          \
                const T d2 = dz[2 * zq + k], d3 = dz[3 * zq + k];                             \
                for (int v = 0; v < nv; ++v)                                                  \
                    gv[v] += (LOAD(e0 + W * v) * d0 + LOAD(e1 + W * v) * d1)                  \
                             + (LOAD(e2 + W * v) * d2 + LOAD(e3 + W * v) * d3);               \
                if (tail)                                                                     \
                    gt += (V)((IV)((LOAD(e0 + t) * d0 + LOAD(e1 + t) * d1)                    \
                                   + (LOAD(e2 + t) * d2 + LOAD(e3 + t) * d3)) & keep);        \
            }                                                                                 \
        }                                                                                     \
        if (do_dw) {                                                                          \
            for (int v = 0; v < nv; ++v)                                                      \
                for (int l = 0; l < W; ++l) dw[W * v + l] += (double)gv[v][l];                \
            if (tail)                                                                         \
                for (int l = first; l < W; ++l) dw[t + l] += (double)gt[l];                   \
        }                                                                                     \
    }

VLR_SMALL_Z_DW(vlr_small_z_dw_f64, double, vlr_v4d, vlr_i4d, 4, vlr_load_v4d,
               vlr_v4d s = vlr_sum4_v4d(a0, a1, a2, a3))
VLR_SMALL_Z_DW(vlr_small_z_dw_f32, float, vlr_v8f, vlr_i8f, 8, vlr_load_v8f,
               vlr_v4f s = vlr_sum4_v4f(vlr_fold_v8f(a0), vlr_fold_v8f(a1), vlr_fold_v8f(a2),
                                        vlr_fold_v8f(a3)))
/* F's function (SFX: f64 or f32, W lanes) for n_x features in one or two whole vectors and a
   tail (W <= n_x < 3W), with DO_Z, DO_DW constants, then a return from the caller; other n_x
   go on to the caller's loops. */
#define VLR_SMALL(SFX, W, X0, Xd, qs, se, w, n_x, nt, b, z, zq, dz, dw, DO_Z, DO_DW)           \
    if (n_x >= W && n_x < 3 * W) {                                                            \
        if (n_x < 2 * W)                                                                      \
            vlr_small_z_dw_##SFX(X0, Xd, qs, se, w, n_x, nt, b, z, zq, dz, dw, 1, DO_Z, DO_DW); \
        else                                                                                  \
            vlr_small_z_dw_##SFX(X0, Xd, qs, se, w, n_x, nt, b, z, zq, dz, dw, 2, DO_Z, DO_DW); \
        return;                                                                               \
    }

/* G. More features, float32: the 1-7 features after the last whole vector are one more vector
   that ends at the column's last feature (as in F); its overlapped lanes, cleared after the
   products, add exact zeros. One thread, X in cache, 2-core Zen 4: 1.12-1.19x with 6-7 such
   features (AVX-512 and AVX2 code), 1.0-1.02x with 2-4. In double (1-3 features) the scalar
   loop stays: 0.96-0.97x at 15 features. VLR_TAIL declares jv (where the whole vectors end), t
   (the tail vector's first feature), vtail (whether there is one) and keep (its new lanes). */
#define VLR_TAIL(IV, W)                                                                       \
    const ptrdiff_t jv = n_x - n_x % W, t = n_x - W;                                          \
    const int vtail = n_x % W != 0 && n_x >= W;                                               \
    IV keep;                                                                                  \
    for (int l = 0; l < W; ++l) keep[l] = t + l >= jv ? -1 : 0
#define VLR_MASKED(V, IV, x) ((V)((IV)(x) & keep))

static VLR_CLONES void vlr_examples_z_f64(const double* X0, ptrdiff_t qs, /* IN  see above */
                                          ptrdiff_t se, const double* w,  /* IN  (n_x,) */
                                          ptrdiff_t n_x, ptrdiff_t nt, double b,
                                          double* z, ptrdiff_t zq) {      /* OUT (4, nt) */
    VLR_SMALL(f64, 4, X0, X0, qs, se, w, n_x, nt, b, z, zq, z, NULL, 1, 0)
    for (ptrdiff_t k = 0; k < nt; ++k) {
        VLR_COLUMNS(double);
        vlr_v4d a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
        ptrdiff_t j = 0;
        for (; j + 4 <= n_x; j += 4) {
            vlr_v4d wj = vlr_load_v4d(w + j);
            a0 += vlr_load_v4d(c0 + j) * wj;
            a1 += vlr_load_v4d(c1 + j) * wj;
            a2 += vlr_load_v4d(c2 + j) * wj;
            a3 += vlr_load_v4d(c3 + j) * wj;
        }
        vlr_v4d s = vlr_sum4_v4d(a0, a1, a2, a3);
        for (; j < n_x; ++j) {
            double wj = w[j];
            s[0] += c0[j] * wj;
            s[1] += c1[j] * wj;
            s[2] += c2[j] * wj;
            s[3] += c3[j] * wj;
        }
        z[k] = b + s[0];
        z[zq + k] = b + s[1];
        z[2 * zq + k] = b + s[2];
        z[3 * zq + k] = b + s[3];
    }
}

static VLR_CLONES void vlr_examples_z_f32(const float* X0, ptrdiff_t qs, ptrdiff_t se,
                                          const float* w, ptrdiff_t n_x, ptrdiff_t nt,
                                          double b, float* z, ptrdiff_t zq) {
    const float bf = (float)b;
    VLR_SMALL(f32, 8, X0, X0, qs, se, w, n_x, nt, bf, z, zq, z, NULL, 1, 0)
    VLR_TAIL(vlr_i8f, 8);
    const vlr_v8f wt = vtail ? vlr_load_v8f(w + t) : (vlr_v8f){0};
    for (ptrdiff_t k = 0; k < nt; ++k) {
        VLR_COLUMNS(float);
        vlr_v8f a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
        ptrdiff_t j = 0;
        for (; j + 8 <= n_x; j += 8) {
            vlr_v8f wj = vlr_load_v8f(w + j);
            a0 += vlr_load_v8f(c0 + j) * wj;
            a1 += vlr_load_v8f(c1 + j) * wj;
            a2 += vlr_load_v8f(c2 + j) * wj;
            a3 += vlr_load_v8f(c3 + j) * wj;
        }
        if (vtail) {
            a0 += VLR_MASKED(vlr_v8f, vlr_i8f, vlr_load_v8f(c0 + t) * wt);
            a1 += VLR_MASKED(vlr_v8f, vlr_i8f, vlr_load_v8f(c1 + t) * wt);
            a2 += VLR_MASKED(vlr_v8f, vlr_i8f, vlr_load_v8f(c2 + t) * wt);
            a3 += VLR_MASKED(vlr_v8f, vlr_i8f, vlr_load_v8f(c3 + t) * wt);
            j = n_x;
        }
        vlr_v4f s = vlr_sum4_v4f(vlr_fold_v8f(a0), vlr_fold_v8f(a1), vlr_fold_v8f(a2),
                                 vlr_fold_v8f(a3));
        for (; j < n_x; ++j) {
            float wj = w[j];
            s[0] += c0[j] * wj;
            s[1] += c1[j] * wj;
            s[2] += c2[j] * wj;
            s[3] += c3[j] * wj;
        }
        z[k] = bf + s[0];
        z[zq + k] = bf + s[1];
        z[2 * zq + k] = bf + s[2];
        z[3 * zq + k] = bf + s[3];
    }
}

static VLR_CLONES void vlr_examples_dw_f64(const double* X0, ptrdiff_t qs, ptrdiff_t se,
                                           ptrdiff_t n_x, ptrdiff_t nt,
                                           const double* dz, ptrdiff_t zq, /* IN  (4, nt) */
                                           double* restrict dw) { /* OUT (n_x,), added to */
    VLR_SMALL(f64, 4, X0, X0, qs, se, NULL, n_x, nt, 0.0, NULL, zq, dz, dw, 0, 1)
    for (ptrdiff_t k = 0; k < nt; ++k) {
        VLR_COLUMNS(double);
        const double d0 = dz[k], d1 = dz[zq + k], d2 = dz[2 * zq + k], d3 = dz[3 * zq + k];
        for (ptrdiff_t j = 0; j < n_x; ++j)
            dw[j] += (c0[j] * d0 + c1[j] * d1) + (c2[j] * d2 + c3[j] * d3);
    }
}

static VLR_CLONES void vlr_examples_dw_f32(const float* X0, ptrdiff_t qs, ptrdiff_t se,
                                           ptrdiff_t n_x, ptrdiff_t nt, const float* dz,
                                           ptrdiff_t zq, double* restrict dw) {
    VLR_SMALL(f32, 8, X0, X0, qs, se, NULL, n_x, nt, 0.0f, NULL, zq, dz, dw, 0, 1)
    for (ptrdiff_t k = 0; k < nt; ++k) {
        VLR_COLUMNS(float);
        const float d0 = dz[k], d1 = dz[zq + k], d2 = dz[2 * zq + k], d3 = dz[3 * zq + k];
        for (ptrdiff_t j = 0; j < n_x; ++j)
            dw[j] += (double)((c0[j] * d0 + c1[j] * d1) + (c2[j] * d2 + c3[j] * d3));
    }
}

/* Both at once, for two tiles of the same length: z of the tile at X0 (as vlr_examples_z_*)
   and dw of the tile before it at Xd with its dz (as vlr_examples_dw_*), in one loop over the
   features: the earlier tile is read back from cache while memory streams the new one (E). */
static VLR_CLONES void vlr_examples_z_dw_f64(const double* X0, const double* Xd, ptrdiff_t qs,
                                             ptrdiff_t se, const double* w, ptrdiff_t n_x,
                                             ptrdiff_t nt, double b, double* z, ptrdiff_t zq,
                                             const double* dz, double* restrict dw) {
    VLR_SMALL(f64, 4, X0, Xd, qs, se, w, n_x, nt, b, z, zq, dz, dw, 1, 1)
    for (ptrdiff_t k = 0; k < nt; ++k) {
        VLR_COLUMNS(double);
        const double *e0 = Xd + k * se, *e1 = e0 + qs, *e2 = e1 + qs, *e3 = e2 + qs;
        const double d0 = dz[k], d1 = dz[zq + k], d2 = dz[2 * zq + k], d3 = dz[3 * zq + k];
        vlr_v4d a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
        ptrdiff_t j = 0;
        for (; j + 4 <= n_x; j += 4) {
            vlr_v4d wj = vlr_load_v4d(w + j), g = vlr_load_v4d(dw + j);
            a0 += vlr_load_v4d(c0 + j) * wj;
            a1 += vlr_load_v4d(c1 + j) * wj;
            a2 += vlr_load_v4d(c2 + j) * wj;
            a3 += vlr_load_v4d(c3 + j) * wj;
            g += (vlr_load_v4d(e0 + j) * d0 + vlr_load_v4d(e1 + j) * d1)
                 + (vlr_load_v4d(e2 + j) * d2 + vlr_load_v4d(e3 + j) * d3);
            memcpy(dw + j, &g, sizeof g);
        }
        vlr_v4d s = vlr_sum4_v4d(a0, a1, a2, a3);
        for (; j < n_x; ++j) {
            double wj = w[j];
            s[0] += c0[j] * wj;
            s[1] += c1[j] * wj;
            s[2] += c2[j] * wj;
            s[3] += c3[j] * wj;
            dw[j] += (e0[j] * d0 + e1[j] * d1) + (e2[j] * d2 + e3[j] * d3);
        }
        z[k] = b + s[0];
        z[zq + k] = b + s[1];
        z[2 * zq + k] = b + s[2];
        z[3 * zq + k] = b + s[3];
    }
}

static VLR_CLONES void vlr_examples_z_dw_f32(const float* X0, const float* Xd, ptrdiff_t qs,
                                             ptrdiff_t se, const float* w, ptrdiff_t n_x,
                                             ptrdiff_t nt, double b, float* z, ptrdiff_t zq,
                                             const float* dz, double* restrict dw) {
    const float bf = (float)b;
    VLR_SMALL(f32, 8, X0, Xd, qs, se, w, n_x, nt, bf, z, zq, dz, dw, 1, 1)
    VLR_TAIL(vlr_i8f, 8);
    const vlr_v8f wt = vtail ? vlr_load_v8f(w + t) : (vlr_v8f){0};
    for (ptrdiff_t k = 0; k < nt; ++k) {
        VLR_COLUMNS(float);
        const float *e0 = Xd + k * se, *e1 = e0 + qs, *e2 = e1 + qs, *e3 = e2 + qs;
        const float d0 = dz[k], d1 = dz[zq + k], d2 = dz[2 * zq + k], d3 = dz[3 * zq + k];
        vlr_v8f a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
        ptrdiff_t j = 0;
        for (; j + 8 <= n_x; j += 8) {
            vlr_v8f wj = vlr_load_v8f(w + j);
            a0 += vlr_load_v8f(c0 + j) * wj;
            a1 += vlr_load_v8f(c1 + j) * wj;
            a2 += vlr_load_v8f(c2 + j) * wj;
            a3 += vlr_load_v8f(c3 + j) * wj;
            vlr_v8f g = (vlr_load_v8f(e0 + j) * d0 + vlr_load_v8f(e1 + j) * d1)
                        + (vlr_load_v8f(e2 + j) * d2 + vlr_load_v8f(e3 + j) * d3);
            vlr_v4d lo = {g[0], g[1], g[2], g[3]}, hi = {g[4], g[5], g[6], g[7]};
            vlr_v4d dlo = vlr_load_v4d(dw + j) + lo, dhi = vlr_load_v4d(dw + j + 4) + hi;
            memcpy(dw + j, &dlo, sizeof dlo);
            memcpy(dw + j + 4, &dhi, sizeof dhi);
        }
        if (vtail) {
            a0 += VLR_MASKED(vlr_v8f, vlr_i8f, vlr_load_v8f(c0 + t) * wt);
            a1 += VLR_MASKED(vlr_v8f, vlr_i8f, vlr_load_v8f(c1 + t) * wt);
            a2 += VLR_MASKED(vlr_v8f, vlr_i8f, vlr_load_v8f(c2 + t) * wt);
            a3 += VLR_MASKED(vlr_v8f, vlr_i8f, vlr_load_v8f(c3 + t) * wt);
            vlr_v8f g = VLR_MASKED(vlr_v8f, vlr_i8f,
                                   (vlr_load_v8f(e0 + t) * d0 + vlr_load_v8f(e1 + t) * d1)
                                   + (vlr_load_v8f(e2 + t) * d2 + vlr_load_v8f(e3 + t) * d3));
            vlr_v4d lo = {g[0], g[1], g[2], g[3]}, hi = {g[4], g[5], g[6], g[7]};
            vlr_v4d dlo = vlr_load_v4d(dw + t) + lo, dhi = vlr_load_v4d(dw + t + 4) + hi;
            memcpy(dw + t, &dlo, sizeof dlo);
            memcpy(dw + t + 4, &dhi, sizeof dhi);
            j = n_x;
        }
        vlr_v4f s = vlr_sum4_v4f(vlr_fold_v8f(a0), vlr_fold_v8f(a1), vlr_fold_v8f(a2),
                                 vlr_fold_v8f(a3));
        for (; j < n_x; ++j) {
            float wj = w[j];
            s[0] += c0[j] * wj;
            s[1] += c1[j] * wj;
            s[2] += c2[j] * wj;
            s[3] += c3[j] * wj;
            dw[j] += (double)((e0[j] * d0 + e1[j] * d1) + (e2[j] * d2 + e3[j] * d3));
        }
        z[k] = bf + s[0];
        z[zq + k] = bf + s[1];
        z[2 * zq + k] = bf + s[2];
        z[3 * zq + k] = bf + s[3];
    }
}

#endif
