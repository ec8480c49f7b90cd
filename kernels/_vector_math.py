"""Call-free, branch-free ``exp`` and ``log1p`` for Numba loops that LLVM can vectorise.

Numba has had no SVML since its move to LLVM 20, so a loop calling ``math.exp`` runs one scalar
libm call per element. These two functions use only arithmetic, selects and an integer-to-float
bit cast, and are inlined at Numba's IR level (``inline="always"``) into a loop compiled
*without* fast-math flags, so nothing in them is reordered:

- ``exp_nonpositive(x)``, x <= 0: x = k·ln2 + r (Cody–Waite, |r| <= ln2/2), exp(r) by its Taylor
  polynomial of degree 13 (truncation < 1e-17), 2ᵏ as two factors built from the exponent bits so
  that subnormal results are right; x < -746 gives 0.
- ``log1p_unit(e)``, 0 <= e <= 1: 1 + e = 2ᵏ·(1 + f) with k in {0, 1}, then fdlibm's ``log``
  kernel (its Lg1–Lg7 minimax polynomial in s = f / (2 + f)).
Both are within 1 ulp of glibc's libm on their domains, and NaN propagates through both
(``tests/test_accuracy.py``).
"""
import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_ROUND = 6755399441055744.0  # 1.5·2⁵², adding and subtracting it rounds to an integer


@intrinsic
def _int64_bits_as_float64(typingctx, bits):
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())
    return types.float64(types.int64), codegen


@njit(nogil=True, error_model="numpy", inline="always")
def exp_nonpositive(x):
    x = -746.0 if x < -746.0 else x  # exp(-746) is 0 already; NaN passes
    kd = x * 1.4426950408889634 + _ROUND
    kd -= _ROUND  # round(x / ln 2)
    r = (x - kd * _LN2_HI) - kd * _LN2_LO
    p = 1.0 / 6227020800.0
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    k = np.int64(kd)
    k1 = k >> 1
    k2 = k - k1
    return p * _int64_bits_as_float64((k1 + 1023) << 52) * _int64_bits_as_float64((k2 + 1023) << 52)


@njit(nogil=True, error_model="numpy", inline="always")
def log1p_unit(e):
    big = e > 0.41421356237309503  # 1 + e > √2: halve it
    f = (e - 1.0) * 0.5 if big else e
    k = 1.0 if big else 0.0
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    t1 = w * (3.999999999940941908e-01 + w * (2.222219843214978396e-01 + w * 1.531383769920937332e-01))
    t2 = z * (6.666666666666735130e-01 + w * (2.857142874366239149e-01
                                                + w * (1.818357216161805012e-01 + w * 1.479819860511658591e-01)))
    R = t2 + t1
    hfsq = 0.5 * f * f
    return k * _LN2_HI - ((hfsq - (s * (hfsq + R) + k * _LN2_LO)) - f)
