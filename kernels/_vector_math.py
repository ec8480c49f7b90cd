"""Call-free, branch-free, conversion-free ``exp`` for Numba loops that LLVM can vectorise.

Numba has had no SVML since its move to LLVM 20, so a loop calling ``math.exp`` runs one scalar
libm call per element. ``exp_nonpositive_f64`` and ``exp_nonpositive_f32`` use only arithmetic,
selects and integer/float bit casts, and are inlined at Numba's IR level (``inline="always"``):

- x = k·ln2 + r (Cody–Waite, |r| <= ln2/2), exp(r) by its Taylor polynomial (degree 13 in
  float64, truncation < 1e-17; degree 7 in float32, < 6e-9), and 2ᵏ as two factors whose
  exponent bits are built from k, so that subnormal results are right; x below the dtype's
  smallest subnormal's log (-746, -104) gives 0; NaN propagates.
- k is never *converted* from a float: ``kd + 1.5·2⁵²`` (``1.5·2²³`` in float32) is a float whose
  low mantissa bits *are* k, so an integer view and an integer subtraction read it. Converting
  a double to int64 has no packed instruction below AVX-512DQ (LLVM scalarises it, lane by lane,
  on AVX2); 64-bit integer adds and left shifts are packed on AVX2.

``exp_nonpositive`` dispatches on the argument's type (float32 math stays float32: 8 lanes on
AVX2, 16 on AVX-512). Both are within 1 ulp of the C library's exp on their domains
(``tests/test_accuracy.py``).
"""
import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic, overload

_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_ROUND = 6755399441055744.0  # 1.5·2⁵²: adding and subtracting it rounds to an integer
_ROUND_BITS = 0x4338000000000000  # its bits: those of ROUND + k are these + k, for |k| < 2⁵¹

_ROUND32 = np.float32(12582912.0)  # 1.5·2²³
_ROUND32_BITS = np.int32(0x4B400000)
_LN2_HI32 = np.float32(0.693359375)  # 8 significant bits: k·LN2_HI32 is exact for |k| < 2¹⁶
_LN2_LO32 = np.float32(-2.12194440e-4)
_LOG2E32 = np.float32(1.44269504)
_EXP_MIN32 = np.float32(-104.0)  # exp(-104) < the smallest float32 subnormal / 2
_HALF32 = np.float32(0.5)
_ONE32 = np.float32(1.0)
_BIAS32 = np.int32(127)
_TAYLOR32 = tuple(np.float32(1.0 / f) for f in (5040.0, 720.0, 120.0, 24.0, 6.0, 2.0, 1.0, 1.0))


def _bitcast(from_type, to_type, to_ir):
    @intrinsic
    def cast(typingctx, x):
        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], to_ir)
        return to_type(from_type), codegen
    return cast


_int64_as_float64 = _bitcast(types.int64, types.float64, ir.DoubleType())
_float64_as_int64 = _bitcast(types.float64, types.int64, ir.IntType(64))
_int32_as_float32 = _bitcast(types.int32, types.float32, ir.FloatType())
_float32_as_int32 = _bitcast(types.float32, types.int32, ir.IntType(32))


@njit(nogil=True, error_model="numpy", inline="always")
def exp_nonpositive_f64(x):
    """exp(x) for float64 x <= 0 (NaN passes)."""
    x = -746.0 if x < -746.0 else x  # exp(-746) is 0 already; NaN passes
    t = x * 1.4426950408889634 + _ROUND  # ROUND + k
    kd = t - _ROUND  # k = round(x / ln 2), as a float
    r = (x - kd * _LN2_HI) - kd * _LN2_LO
    # Σ rⁱ/i!, i <= 13: Horner for the first four terms, Estrin for the tail (< 6e-4 of the sum,
    # so its own rounding hardly shows), which cuts the chain of dependent operations from 13
    # to 8 -- a vectorised loop of this is latency-bound on narrow cores.
    r2 = r * r
    r4 = r2 * r2
    tail = (((1.0 / 24.0 + r * (1.0 / 120.0)) + r2 * (1.0 / 720.0 + r * (1.0 / 5040.0)))
            + r4 * ((1.0 / 40320.0 + r * (1.0 / 362880.0)) + r2 * (1.0 / 3628800.0 + r * (1.0 / 39916800.0))
                    + r4 * (1.0 / 479001600.0 + r * (1.0 / 6227020800.0))))
    p = 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6.0 + r * tail)))
    # 2ᵏ = 2ᵏ¹·2ᵏ², k1 = round(k / 2) (each factor normal down to k = -1076), read as integers
    t1 = kd * 0.5 + _ROUND  # ROUND + k1
    t2 = (kd - (t1 - _ROUND)) + _ROUND  # ROUND + k2
    s1 = _int64_as_float64((_float64_as_int64(t1) - _ROUND_BITS + 1023) << 52)
    s2 = _int64_as_float64((_float64_as_int64(t2) - _ROUND_BITS + 1023) << 52)
    return p * s1 * s2


@njit(nogil=True, error_model="numpy", inline="always")
def exp_nonpositive_f32(x):
    """exp(x) for float32 x <= 0 (NaN passes), in float32 arithmetic."""
    x = _EXP_MIN32 if x < _EXP_MIN32 else x
    t = x * _LOG2E32 + _ROUND32
    kd = t - _ROUND32
    r = (x - kd * _LN2_HI32) - kd * _LN2_LO32
    c = _TAYLOR32
    p = c[0]
    p = p * r + c[1]
    p = p * r + c[2]
    p = p * r + c[3]
    p = p * r + c[4]
    p = p * r + c[5]
    p = p * r + c[6]
    p = p * r + c[7]
    t1 = kd * _HALF32 + _ROUND32
    t2 = (kd - (t1 - _ROUND32)) + _ROUND32
    s1 = _int32_as_float32((_float32_as_int32(t1) - _ROUND32_BITS + _BIAS32) << 23)
    s2 = _int32_as_float32((_float32_as_int32(t2) - _ROUND32_BITS + _BIAS32) << 23)
    return p * s1 * s2


def exp_nonpositive(x):
    """exp(x) for x <= 0 in x's own precision (float32 or float64): a Numba-only dispatcher."""
    raise TypeError("exp_nonpositive is for Numba code; from Python call exp_nonpositive_f64 "
                    "or exp_nonpositive_f32")


@overload(exp_nonpositive, inline="always")
def _exp_nonpositive_typed(x):
    if x == types.float32:
        return lambda x: exp_nonpositive_f32(x)
    if x == types.float64:
        return lambda x: exp_nonpositive_f64(x)
    return None
