"""How sure a speed-up is: one band rule for both of the course's claims, a 95 % confidence
interval for every ratio, and a category that is decided only when the interval says so.

Design
------
A. **One rule for both claims.** The course claims "~300x" (full vectorization over two loops)
   and "~10x" (one loop over two loops). A claim "~K×" is *about* right at a cell when the
   speed-up lies within a factor :data:`BAND` of K, i.e. in [K/2, 2K]; *below* under K/2;
   *above* over 2K. "~" in the course reads as "the order of", and a factor of 2 is the
   narrowest band that the course's own ~10x (which vlr read as 5-20x before) already used.
B. **Intervals on the log scale (Student's t).** Speed-ups multiply, so every interval is
   computed on log times, as pyperf does on times: a paired ratio from the per-round ratios
   of one benchmark call (both sides timed alternately, :func:`vlr.timing.time_rounds`) gets
   a one-sample t interval of the mean log ratio; two sides timed apart (a pure-Python side
   over its budget, timed in ``TrackOneCall``) get Welch's two-sample t interval of the
   difference of mean logs. Assumptions: the samples are independent and their logs roughly
   normal; the rounds of one side share the machine's state (a busy phase widens the interval,
   it does not bias it towards a category). Both come from :mod:`scipy.stats`.
C. **Kept results without samples** (asv runs before samples were recorded) still carry asv's
   own 99 % interval of each side's median (``stats_ci_99_a``/``_b``, order statistics). The
   speed-up's interval is then [ref_low / own_high, ref_high / own_low], which covers the
   ratio whenever both intervals cover their medians: at least 0.99² ≈ 98 % (conservative).
D. **Decided or not.** A cell takes a category only when its whole interval lies inside one
   (:func:`category`); otherwise it is *undecided*, and a single sample is never decided.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

#: A claim "~K×" holds (is *about* right) within this factor of K either way.
BAND = 2.0
#: The confidence level of every interval the study reports.
LEVEL = 0.95

#: The course's two claims: name -> (kernel, baseline, K).
CLAIMS = {"full": ("numpy", "two_loops", 300.0), "partial": ("one_loop", "two_loops", 10.0)}
#: How a reader names each claim.
CLAIM_TITLES = {"full": "~300x (numpy vs two loops)", "partial": "~10x (one loop vs two loops)"}

BELOW, ABOUT, ABOVE, UNDECIDED = "below", "about", "above", "undecided"
CATEGORIES = (BELOW, ABOUT, ABOVE, UNDECIDED)


def band(k: float, band_factor: float = BAND) -> tuple[float, float]:
    """The speed-ups at which a claim "~k×" is about right: ``(k / band_factor, k * band_factor)``.

    Returns
    -------
    (float, float)
    """
    return k / band_factor, k * band_factor


def category(low: float | None, high: float | None, k: float, band_factor: float = BAND) -> str:
    """The category of a speed-up known to lie in [low, high] for the claim "~k×" (about right
    within ``band_factor`` either way; ``vlr check`` asks "~1×?" within its factor).

    Returns
    -------
    str
        ``"below"``, ``"about"`` or ``"above"`` when the whole interval lies in one of them,
        else ``"undecided"`` (also without an interval).
    """
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        return UNDECIDED
    lo, hi = band(k, band_factor)
    if high < lo:
        return BELOW
    if low > hi:
        return ABOVE
    if lo <= low and high <= hi:
        return ABOUT
    return UNDECIDED


def point_category(ratio: float | None, k: float) -> str | None:
    """Where a point estimate (a prediction) falls for the claim "~k×", without an interval.

    Returns
    -------
    str or None
    """
    if ratio is None:
        return None
    lo, hi = band(k)
    return BELOW if ratio < lo else ABOVE if ratio > hi else ABOUT


@dataclass(frozen=True)
class Estimate:
    """A speed-up with its interval.

    Attributes
    ----------
    ratio : float
        The estimate (geometric mean of the samples' ratios, or the ratio of medians).
    low, high : float or None
        The interval; None when it cannot be had (one sample).
    n : int
        Samples behind the estimate (the smaller side for two sides timed apart).
    method : str
        How the interval was computed, in words.
    """

    ratio: float
    low: float | None
    high: float | None
    n: int
    method: str

    @property
    def half_width(self) -> float | None:
        """The interval's half width relative to the estimate (0.1 = ±10 %), or None."""
        if self.low is None or self.high is None:
            return None
        return max(self.high / self.ratio - 1, 1 - self.low / self.ratio)


def _clean(samples: Sequence[float] | None) -> np.ndarray:
    a = np.asarray([s for s in (() if samples is None else samples) if s is not None], dtype=float)
    return a[np.isfinite(a) & (a > 0)]


def paired_ratio(ratios: Sequence[float], level: float = LEVEL) -> Estimate | None:
    """The speed-up from per-round paired ratios (baseline ÷ kernel in each round): the
    geometric mean with a one-sample Student's t interval on the logs.

    Returns
    -------
    Estimate or None
        None without any positive finite ratio; ``low``/``high`` None with one.
    """
    from scipy import stats
    logs = np.log(_clean(ratios))
    if logs.size == 0:
        return None
    ratio = float(np.exp(logs.mean()))
    if logs.size < 2:
        return Estimate(ratio, None, None, 1, "one paired round (no interval)")
    if np.ptp(logs) == 0:
        return Estimate(ratio, ratio, ratio, int(logs.size), "paired rounds, all equal")
    ci = stats.ttest_1samp(logs, 0.0).confidence_interval(level)
    return Estimate(ratio, float(np.exp(ci.low)), float(np.exp(ci.high)), int(logs.size),
                    f"paired rounds, t interval of the mean log ratio ({level:.0%})")


def unpaired_ratio(baseline: Sequence[float], kernel: Sequence[float],
                   level: float = LEVEL) -> Estimate | None:
    """The speed-up of ``kernel`` over ``baseline`` from two sets of seconds timed apart: the
    ratio of geometric means with Welch's t interval of the difference of mean logs.

    Returns
    -------
    Estimate or None
        None when a side has no sample; ``low``/``high`` None when a side has one sample.
    """
    from scipy import stats
    a, b = np.log(_clean(baseline)), np.log(_clean(kernel))
    if a.size == 0 or b.size == 0:
        return None
    ratio = float(np.exp(a.mean() - b.mean()))
    n = int(min(a.size, b.size))
    if n < 2:
        return Estimate(ratio, None, None, n, "a side timed once (no interval)")
    if np.ptp(a) == 0 and np.ptp(b) == 0:
        return Estimate(ratio, ratio, ratio, n, "two sides timed apart, all samples equal")
    ci = stats.ttest_ind(a, b, equal_var=False).confidence_interval(level)
    return Estimate(ratio, float(np.exp(ci.low)), float(np.exp(ci.high)), n,
                    f"two sides timed apart, Welch t interval of the log ratio ({level:.0%})")


def ratio_of_intervals(baseline: tuple[float, float, float], kernel: tuple[float, float, float],
                       n: int) -> Estimate | None:
    """The speed-up from each side's median and asv's 99 % interval of it,
    ``(median, low, high)``: ratio of medians in [base_low / kernel_high, base_high / kernel_low]
    (covers with probability ≥ 0.99² when both do; see the module's design note C).

    Returns
    -------
    Estimate or None
    """
    (bm, bl, bh), (km, kl, kh) = baseline, kernel
    if not all(v and v > 0 and math.isfinite(v) for v in (bm, bl, bh, km, kl, kh)):
        return None
    if n < 2:
        return Estimate(bm / km, None, None, n, "a side timed once (no interval)")
    return Estimate(bm / km, bl / kh, bh / kl, n,
                    "asv's 99 % intervals of both medians combined (≥ 98 %; no samples kept)")
