"""The polynomial of the compiled kernels' float64 exp, and how close it is.

``vlr.kernels._vector_math`` and ``kernels/_simd_loss.h`` compute exp(r) on |r| <= ln2/2 as
1 + r + r²·Q(r), Q of degree 9 in float64 and 4 in float32. This script fits Q (a Chebyshev
interpolant of (exp(r) - 1 - r)/r², near-minimax) in 50 significant digits, rounds the
coefficients to the dtype and prints them with the largest relative error of the rounded
polynomial on a fine grid, for the degree used and its two neighbours (the lower is not
accurate enough for the dtype's half ulp; the higher needs one operation more).

Usage: ``python scripts/exp_coefficients.py`` (needs ``mpmath``: ``pip install mpmath``).
"""
import mpmath as mp
import numpy as np

mp.mp.dps = 50
HALF_LN2 = mp.log(2) / 2


def q_exact(r):
    """(exp(r) - 1 - r)/r², its series near 0."""
    if abs(r) < mp.mpf("1e-20"):
        return mp.mpf(1) / 2 + r / 6
    return (mp.exp(r) - 1 - r) / r ** 2


def fit(degree, dtype="float64"):
    """Q's coefficients in ``dtype``, lowest degree first, and 1 + r + r²·Q's worst relative
    error."""
    poly = mp.chebyfit(q_exact, [-HALF_LN2, HALF_LN2], degree + 1)
    coefficients = [float(np.dtype(dtype).type(float(c))) for c in reversed(poly)]
    worst = mp.mpf(0)
    for i in range(4001):
        r = -HALF_LN2 + 2 * HALF_LN2 * i / 4000
        q = mp.mpf(0)
        for c in reversed(coefficients):
            q = q * r + mp.mpf(c)
        worst = max(worst, abs((1 + r + r * r * q) / mp.exp(r) - 1))
    return coefficients, float(worst)


if __name__ == "__main__":
    for dtype, used in (("float64", 9), ("float32", 4)):
        half_ulp = np.finfo(dtype).eps / 2
        for degree in (used - 1, used, used + 1):
            coefficients, worst = fit(degree, dtype)
            print(f"{dtype}, degree {degree}{' (used)' if degree == used else ''}: worst relative "
                  f"error {worst:.2e} (half an ulp: {half_ulp:.1e})")
            print("  Q =", repr(tuple(coefficients)))
