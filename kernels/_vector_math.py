"""Call-free, branch-free, conversion-free ``exp`` for Numba loops that LLVM can vectorise.

Numba has had no SVML since its move to LLVM 20, so a loop calling ``math.exp`` runs one scalar
libm call per element. ``exp_nonpositive_f64`` and ``exp_nonpositive_f32`` use only arithmetic,
selects and integer/float bit casts, and are inlined at Numba's IR level (``inline="always"``):

- x = k·ln2 + r (Cody–Waite, |r| <= ln2/2), and exp(r) as 1 + r + r²·Q(r) by Estrin's scheme,
  Q fitted by ``scripts/exp_coefficients.py``: of degree 9 in float64 (within 1.6e-17 of
  exp(r)), 4 in float32 (9.7e-9).
- 2ᵏ has its exponent bits built from k. Where 2ᵏ would be subnormal (x below -708, -87) the
  scale is 2ᵏ⁺⁶⁴ and the result is multiplied by 2⁻⁶⁴ afterwards: one rounding either way, so
  subnormal results are right. x below the dtype's smallest subnormal's log (-746, -104) gives
  0; NaN propagates.
- k is never *converted* from a float: ``kd + 1.5·2⁵²`` (``1.5·2²³`` in float32) is a float whose
  low mantissa bits *are* k, so an integer view and an integer addition read it. Converting
  a double to int64 has no packed instruction below AVX-512DQ (LLVM scalarises it, lane by lane,
  on AVX2); 64-bit integer adds and left shifts are packed on AVX2.

Each is two halves, ``exp_reduce`` (x -> r and the scale s) and ``exp_finish`` ((r, s) ->
exp(r)·s, to be multiplied by TWO_M64 where x < EXP_LOW: a rare case a loop can fix apart), so
that a loop over many elements can run them as two sweeps: each sweep's chain of dependent
operations is short, and a narrow core's scheduler keeps more elements in flight (one sweep of
the whole exp is latency-bound: measured 1.3x slower on a Zen 2). ``exp_nonpositive`` (and
``exp_reduce``, ``exp_finish``, ``exp_low``) dispatches on the argument's type (float32 math
stays float32: 8 lanes on AVX2, 16 on AVX-512). Both are within 1 ulp of the C library's exp on
their domains (``tests/test_accuracy.py``).
"""
import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic, overload

_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_ROUND = 6755399441055744.0  # 1.5·2⁵²: adding and subtracting it rounds to an integer
_ROUND_BITS = 0x4338000000000000  # its bits: those of ROUND + k are these + k, for |k| < 2⁵¹

#: Q(r) ≈ (exp(r) - 1 - r) / r² on |r| <= ln2/2, degree 9: a Chebyshev fit in 50 digits
#: (``scripts/exp_coefficients.py``); 1 + r + r²·Q(r) is within 1.6e-17 of exp(r) there.
_Q = (0.5000000000000001, 0.16666666666666669, 0.041666666666624164, 0.008333333333330065,
      0.0013888888917196719, 0.00019841269863040545, 2.4801521322368692e-05,
      2.7557268480310024e-06, 2.7620075879983367e-07, 2.5100375832561234e-08)
#: Below these x, 2ᵏ is subnormal: exp_reduce's scale is 2ᵏ⁺⁶⁴ and the result needs a factor
#: TWO_M64 (one rounding, so subnormal results are right).
EXP_LOW_F64 = -708.0
EXP_LOW_F32 = np.float32(-87.0)
TWO_M64 = 2.0 ** -64
TWO_M64_F32 = np.float32(TWO_M64)

_ROUND32 = np.float32(12582912.0)  # 1.5·2²³
_ROUND32_BITS = np.int32(0x4B400000)
_LN2_HI32 = np.float32(0.693359375)  # 8 significant bits: k·LN2_HI32 is exact for |k| < 2¹⁶
_LN2_LO32 = np.float32(-2.12194440e-4)
_LOG2E32 = np.float32(1.44269504)
_EXP_MIN32 = np.float32(-104.0)  # exp(-104) < the smallest float32 subnormal / 2
_ONE32 = np.float32(1.0)
_BIAS32 = np.int32(127)
_BIAS32_LOW = np.int32(127 + 64)

#: float32's Q, degree 4 (the same fit): 1 + r + r²·Q(r) within 9.7e-9 of exp(r)
_Q32 = tuple(np.float32(c) for c in (0.5, 0.16666577756404877, 0.041666556149721146,
                                     0.008363173343241215, 0.0013926175888627768))


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
def exp_reduce_f64(x):
    """(r, s) for float64 x <= 0: exp(x) = exp(r)·s, times 2⁻⁶⁴ where x < EXP_LOW_F64."""
    x = -746.0 if x < -746.0 else x  # exp(-746) is 0 already; NaN passes
    t = x * 1.4426950408889634 + _ROUND  # ROUND + k
    kd = t - _ROUND  # k = round(x / ln 2), as a float
    r = (x - kd * _LN2_HI) - kd * _LN2_LO
    bias = 1023 + 64 if x < EXP_LOW_F64 else 1023  # 2ᵏ⁺⁶⁴ where 2ᵏ is subnormal
    return r, _int64_as_float64((_float64_as_int64(t) - _ROUND_BITS + bias) << 52)


@njit(nogil=True, error_model="numpy", inline="always")
def exp_finish_f64(r, s):
    """exp(r)·s for exp_reduce_f64's (r, s)."""
    r2 = r * r
    r4 = r2 * r2
    q = (((_Q[0] + _Q[1] * r) + r2 * (_Q[2] + _Q[3] * r))
         + r4 * (((_Q[4] + _Q[5] * r) + r2 * (_Q[6] + _Q[7] * r)) + r4 * (_Q[8] + _Q[9] * r)))
    return (1.0 + (r + r2 * q)) * s


@njit(nogil=True, error_model="numpy", inline="always")
def exp_nonpositive_f64(x):
    """exp(x) for float64 x <= 0 (NaN passes)."""
    r, s = exp_reduce_f64(x)
    return exp_finish_f64(r, s) * (TWO_M64 if x < EXP_LOW_F64 else 1.0)  # one rounding


@njit(nogil=True, error_model="numpy", inline="always")
def exp_reduce_f32(x):
    """exp_reduce_f64 for float32 x <= 0, in float32 arithmetic (EXP_LOW_F32)."""
    x = _EXP_MIN32 if x < _EXP_MIN32 else x
    t = x * _LOG2E32 + _ROUND32
    kd = t - _ROUND32
    r = (x - kd * _LN2_HI32) - kd * _LN2_LO32
    bias = _BIAS32_LOW if x < EXP_LOW_F32 else _BIAS32
    return r, _int32_as_float32((_float32_as_int32(t) - _ROUND32_BITS + bias) << 23)


@njit(nogil=True, error_model="numpy", inline="always")
def exp_finish_f32(r, s):
    """exp_finish_f64 for float32, in float32 arithmetic."""
    r2 = r * r
    q = ((_Q32[0] + _Q32[1] * r) + r2 * (_Q32[2] + _Q32[3] * r)) + (r2 * r2) * _Q32[4]
    return (_ONE32 + (r + r2 * q)) * s


@njit(nogil=True, error_model="numpy", inline="always")
def exp_nonpositive_f32(x):
    """exp(x) for float32 x <= 0 (NaN passes), in float32 arithmetic."""
    r, s = exp_reduce_f32(x)
    return exp_finish_f32(r, s) * (TWO_M64_F32 if x < EXP_LOW_F32 else _ONE32)


def exp_nonpositive(x):
    """exp(x) for x <= 0 in x's own precision (float32 or float64): a Numba-only dispatcher."""
    raise TypeError("exp_nonpositive is for Numba code; from Python call exp_nonpositive_f64 "
                    "or exp_nonpositive_f32")


def exp_low(x):
    """x < EXP_LOW_F32 or x < EXP_LOW_F64 by x's type: a Numba-only dispatcher."""
    raise TypeError("exp_low is for Numba code")


def exp_reduce(x):
    """exp_reduce_f32 or exp_reduce_f64 by x's type: a Numba-only dispatcher."""
    raise TypeError("exp_reduce is for Numba code; from Python call exp_reduce_f64 or "
                    "exp_reduce_f32")


def exp_finish(r, s):
    """exp_finish_f32 or exp_finish_f64 by r's type: a Numba-only dispatcher."""
    raise TypeError("exp_finish is for Numba code; from Python call exp_finish_f64 or "
                    "exp_finish_f32")


_F32_F64 = (types.float32, types.float64)


def _overload_unary(stub, float32_version, float64_version):
    """Make the Numba-only ``stub(x)`` call the version for x's type, inlined."""
    versions = dict(zip(_F32_F64, (float32_version, float64_version)))

    @overload(stub, inline="always")
    def typed(x):
        version = versions.get(x)
        return None if version is None else (lambda x: version(x))


_overload_unary(exp_nonpositive, exp_nonpositive_f32, exp_nonpositive_f64)
_overload_unary(exp_reduce, exp_reduce_f32, exp_reduce_f64)
_overload_unary(exp_low, njit(inline="always")(lambda x: x < EXP_LOW_F32),
                njit(inline="always")(lambda x: x < EXP_LOW_F64))


@overload(exp_finish, inline="always")
def _exp_finish_typed(r, s):
    version = dict(zip(_F32_F64, (exp_finish_f32, exp_finish_f64))).get(r)
    return None if version is None else (lambda r, s: version(r, s))
