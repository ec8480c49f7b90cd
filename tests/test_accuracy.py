"""Per-example accuracy of the vectorised loss and dz, in ulps of the two-loop reference.

The compiled kernels compute exp/log1p with SIMD code (the same arithmetic exp in both: Numba's
``vlr.kernels._vector_math`` and Cython's ``kernels/_simd_loss.h``). Each example's dz is read
exactly out of a whole vectorised pass: with X the identity (n_x = m) and w the z values, z_i = w_i exactly and
dw_i = dz_i / m exactly (m a power of two). The loss of each example is read from one-example
calls (J = loss), and the vectorised loss through J of the identity problem.
"""
import ctypes
import math
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import vlr
from vlr.kernels import _vector_math, two_loops

KERNELS = Path(__file__).resolve().parents[1] / "kernels"
M = 256  # examples per identity problem: whole vectors and tiles
MAX_ULP = 4  # loss and dz, float64, any z, labels 0 and 1
# A fractional label cancels in dz = ((1 - y)·e - y) / (1 + e): at y = 0.5, z = -0.25 it halves
# the result and so doubles to quadruples exp's own error (glibc's vector exp: < 4 ulp).
MAX_ULP_FRACTIONAL = 8
LABELS = [0.0, 0.5, 1.0]


def _z_values():
    moderate = np.linspace(-750, 750, 6001)
    huge = np.array([1e3, 1e10, 1e100, 1e300, 1.7e308])
    small = np.array([0.0, -0.0, 1e-300, 1e-16, 1e-8])
    return np.concatenate([moderate, huge, -huge, small, -small])


def _ulps(got, want):
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    return np.abs(got - want) / np.spacing(np.maximum(np.abs(want), np.finfo(float).tiny))


def _reference(z, y):
    return np.array([two_loops.loss_and_dz(float(zi), y) for zi in z]).T  # (loss, dz)


@pytest.mark.parametrize("kernel", ["numba", "cython"])
@pytest.mark.parametrize("y", LABELS)
def test_vectorised_dz_within_a_few_ulps(kernel, y):
    raw = vlr.get_kernel(kernel).module.gradients
    z = _z_values()
    worst = 0.0
    eye = np.eye(M)
    labels = np.full(M, y)
    for start in range(0, len(z), M):
        chunk = np.zeros(M)
        part = z[start:start + M]
        chunk[:len(part)] = part
        J, dw, db = raw(chunk, 0.0, eye, labels)
        loss_ref, dz_ref = _reference(chunk, y)
        exact = np.abs(dz_ref) >= M * np.finfo(float).tiny  # dz / M is exact above subnormals
        worst = max(worst, _ulps(dw * M, dz_ref)[exact].max(initial=0.0))
        # the tile's loss, summed: within MAX_ULP per example plus the summation's rounding
        total = math.fsum(loss_ref)
        bound = (MAX_ULP + M) * np.spacing(np.abs(loss_ref)).sum() + 1e-300
        assert abs(J * M - total) <= bound, (kernel, y, part[:3])
    limit = MAX_ULP if y in (0.0, 1.0) else MAX_ULP_FRACTIONAL
    assert worst <= limit, f"{kernel}: dz off by {worst:.1f} ulp at y = {y}"


@pytest.mark.parametrize("kernel", ["numba", "cython"])
@pytest.mark.parametrize("y", LABELS)
def test_loss_within_a_few_ulps(kernel, y):
    raw = vlr.get_kernel(kernel).module.gradients
    z = _z_values()[::7]
    loss_ref, dz_ref = _reference(z, y)
    got = np.array([raw(np.array([zi]), 0.0, np.ones((1, 1)), np.array([y]))[0] for zi in z])
    assert _ulps(got, loss_ref).max() <= (MAX_ULP if y in (0.0, 1.0) else MAX_ULP_FRACTIONAL)


def test_vector_math_matches_libm():
    x = -np.concatenate([np.linspace(0, 750, 300_001), [1e3, 1e300, np.inf]])
    exp = np.array([_vector_math.exp_nonpositive_f64(v) for v in x[::13]])
    assert _ulps(exp, np.exp(x[::13])).max() <= 1
    assert math.isnan(_vector_math.exp_nonpositive_f64(math.nan))


def _ulps32(got, want):
    got, want = np.asarray(got, dtype=np.float32), np.asarray(want, dtype=np.float32)
    tiny = np.finfo(np.float32).smallest_subnormal
    return np.abs(got.astype(float) - want) / np.spacing(np.maximum(np.abs(want), tiny)).astype(float)


def test_float32_vector_math_matches_libm():
    x = -np.concatenate([np.linspace(0, 110, 200_001), [1e3, 1e30, np.inf]]).astype(np.float32)
    exp = np.array([_vector_math.exp_nonpositive_f32(v) for v in x[::7]], dtype=np.float32)
    want = np.exp(x[::7].astype(float)).astype(np.float32)  # correctly rounded (almost always)
    assert _ulps32(exp, want).max() <= 1
    assert math.isnan(_vector_math.exp_nonpositive_f32(np.float32("nan")))


@pytest.mark.parametrize("kernel", ["numba", "cython"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_nan_and_inf_in_z_reach_the_outputs(kernel, dtype):
    # the product form takes one log per chunk: a NaN or inf example must still reach J (and a
    # NaN its own dz), in every chunk position and in the polynomial and the factor branches
    raw = vlr.get_kernel(kernel).module.gradients
    for bad in (math.nan, math.inf, -math.inf):
        for where in (0, 37, M - 1):
            z = np.zeros(M, dtype)
            z[where] = bad
            z[where + 1 if where < M - 1 else 0] = 40.0  # a neighbour in the polynomial branch
            J, dw, db = raw(z, 0.0, np.eye(M, dtype=dtype), np.full(M, 0.5, dtype))
            assert not math.isfinite(J), (kernel, dtype, bad, where, J)
            if math.isnan(bad):
                assert math.isnan(dw[where]) and math.isnan(db), (kernel, dtype, where)


def _float32_reference(z, y):
    loss, dz = _reference(z.astype(float), y)
    return loss, dz.astype(np.float32)


@pytest.mark.parametrize("kernel", ["numba", "cython"])
@pytest.mark.parametrize("y", LABELS)
def test_float32_math_within_float32_tolerances(kernel, y):
    # float32 X: the per-example exp, loss and dz in float32 (8 or 16 lanes), sums in float64
    raw = vlr.get_kernel(kernel).module.gradients
    z = np.concatenate([np.linspace(-100, 100, 4001), [0.0, -0.0, 1e-30, -1e-30, 3e38, -3e38]])
    worst_dz, worst_J = 0.0, 0.0
    eye = np.eye(M, dtype=np.float32)
    for start in range(0, len(z), M):
        chunk = np.zeros(M, np.float32)
        part = z[start:start + M]
        chunk[:len(part)] = part
        J, dw, db = raw(chunk, 0.0, eye, np.full(M, y, np.float32))
        loss_ref, dz_ref = _float32_reference(chunk, y)
        tiny = np.finfo(np.float32).tiny
        exact = np.abs(dz_ref) >= M * tiny  # dz / M is exact above subnormals
        got = (dw * M).astype(np.float32)
        ulps = np.abs(got.astype(float) - dz_ref) / np.spacing(np.maximum(np.abs(dz_ref), tiny))
        worst_dz = max(worst_dz, ulps[exact].max(initial=0.0))
        worst_J = max(worst_J, abs(J * M - math.fsum(loss_ref)) / max(math.fsum(loss_ref), 1e-300))
    # at y = 0.5 dz = (0.5·e - 0.5)/(1 + e) cancels near z = 0 and multiplies exp's own 1 ulp
    # (measured: 9 ulp at z = ±0.05); the agreement tests' float32 rtol 2e-4 is ~1700 ulp
    assert worst_dz <= (4 if y in (0.0, 1.0) else 16), (kernel, y, worst_dz)
    assert worst_J <= 1e-6, (kernel, y, worst_J)  # float32's eps is 1.2e-7


def _extended_loss(z, y):
    """Σ (log(1 + e^z) - y·z) in x87 extended precision (64-bit significand), as a float."""
    z = np.asarray(z, dtype=np.longdouble)
    e = np.exp(-np.abs(z))
    loss = np.log1p(e) + np.where(z > 0, (1 - np.longdouble(y)) * z, -np.longdouble(y) * z)
    return float(np.sum(loss, dtype=np.longdouble))


@pytest.mark.skipif(np.finfo(np.longdouble).nmant < 63, reason="needs x87 extended long double")
@pytest.mark.parametrize("kernel", ["numba", "cython"])
@pytest.mark.parametrize("y", LABELS)
def test_product_form_J_matches_extended_precision(kernel, y):
    # J takes one log per chunk of (1 + e) factors instead of a log1p per example: within
    # 1e-15 relative of an extended-precision sum, tile by tile (huge |z|, where e underflows;
    # tiny |z|, where e ~ 1; and losses near 0, where a product alone would round too coarsely)
    # and over the whole range at once.
    raw = vlr.get_kernel(kernel).module.gradients
    z = _z_values()
    z = z[np.abs(z) <= 1e100]  # sums of 1e300s overflow
    worst = 0.0
    for start in range(0, len(z), M):
        part = z[start:start + M]
        chunk = np.zeros(M)
        chunk[:len(part)] = part
        J, _, _ = raw(chunk, 0.0, np.eye(M), np.full(M, y))
        want = _extended_loss(chunk, y)
        worst = max(worst, abs(J * M - want) / abs(want))
    assert worst <= 1e-15, f"{kernel}: J off by {worst:.2e} relative at y = {y}"
    # the whole range as one problem: z = 1·x + 0 exactly, several tiles and chunks of factors
    X = np.resize(z, 1 << 14)[None, :].copy()
    J, _, _ = raw(np.ones(1), 0.0, X, np.full(X.shape[1], y), n_threads=1)
    want = _extended_loss(X[0], y) / X.shape[1]
    assert abs(J - want) <= 1e-15 * abs(want), (kernel, y, J, want)


# --- the exp of the vectorised loops, every sweep, subnormal results included ----------------

def _exp_grid(dtype):
    top = 750.0 if dtype == np.float64 else 110.0
    z = np.concatenate([np.linspace(0, top, 60_001), [1e3, 1e30, np.inf]]).astype(dtype)
    return np.concatenate([z, -z])


def _exp_ulps(got, z, dtype):
    want = np.exp(-np.abs(z.astype(float))).astype(dtype)  # float32: correctly rounded (almost)
    tiny = np.finfo(dtype).smallest_subnormal
    return np.abs(got.astype(float) - want) / np.spacing(np.maximum(want, tiny)).astype(float)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_numba_tile_exp_matches_libm_down_to_subnormals(dtype):
    # _tile_exp's sweep and its second, rare one (2⁻⁶⁴ where 2ᵏ is subnormal)
    from vlr.kernels import numba_jit
    z = _exp_grid(dtype)
    e = np.empty_like(z)
    numba_jit._tile_exp(z, e, z.size)
    assert _exp_ulps(e, z, dtype).max() <= 1
    assert (e[np.abs(z) > (746 if dtype == np.float64 else 104)] == 0).all()


C_WRAPPER = """#include "_simd_loss.h"
void dz64(const double* z, const double* y, ptrdiff_t n, double* dz, double* s)
{ vlr_tile_dz_f64(z, y, n, dz, s); }
void dz32(const float* z, const float* y, ptrdiff_t n, float* dz, double* s)
{ vlr_tile_dz_f32(z, y, n, dz, s); }
"""


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_c_tile_exp_matches_libm_down_to_subnormals(tmp_path, dtype):
    # the header's loops built as setup.py builds them; at y = 1 and z >= 0, dz = -e / (1 + e),
    # so e's own error shows in dz down to subnormal e (|z| > 708: the 2⁻⁶⁴ sweep)
    source = tmp_path / "exp.c"
    source.write_text(C_WRAPPER)
    library = tmp_path / "exp.so"
    subprocess.run(["gcc", "-O3", "-march=native", "-fopenmp-simd", "-fno-math-errno",
                    "-fassociative-math", "-fno-signed-zeros", "-fno-trapping-math", "-shared",
                    "-fPIC", f"-I{KERNELS}", str(source), "-o", str(library), "-lm"], check=True)
    name = "dz64" if dtype == np.float64 else "dz32"
    function = getattr(ctypes.CDLL(str(library)), name)
    z = _exp_grid(dtype)
    z = z[z >= 0]
    y, dz, sums = np.ones_like(z), np.empty_like(z), np.zeros(3)
    pointer = np.ctypeslib.as_ctypes_type
    function.argtypes = [ctypes.POINTER(pointer(dtype))] * 2 + [ctypes.c_ssize_t,
                                                               ctypes.POINTER(pointer(dtype)),
                                                               ctypes.POINTER(ctypes.c_double)]
    function(*(np.ctypeslib.as_ctypes(a) for a in (z, y)), z.size, np.ctypeslib.as_ctypes(dz),
             np.ctypeslib.as_ctypes(sums))
    e = np.exp(-z.astype(float))
    want = (-e / (1 + e)).astype(dtype)
    tiny = np.finfo(dtype).smallest_subnormal
    spacing = np.spacing(np.maximum(np.abs(want), tiny)).astype(float)
    ulps = np.abs(dz.astype(float) - want) / spacing
    assert ulps.max() <= 2, (dtype, z[ulps.argmax()], dz[ulps.argmax()], want[ulps.argmax()])


def test_c_and_numba_exp_share_their_coefficients():
    # the polynomial is written twice (C and Python): the same float64 numbers in both
    header = (KERNELS / "_simd_loss.h").read_text()
    for start, end, dtype, coefficients in (
            ("#define VLR_EXP_POLY_F64", "/* float: Q", np.float64, _vector_math._Q),
            ("#define VLR_EXP_POLY_F32", "#define VLR_EXP_SWEEPS_F64", np.float32,
             _vector_math._Q32)):
        poly = header[header.index(start):header.index(end)]
        numbers = [dtype(v) for v in re.findall(r"\d\.\d+(?:e[-+]\d+)?", poly)]
        assert numbers[0] == 1 and numbers[1:] == list(coefficients), (dtype, numbers)
