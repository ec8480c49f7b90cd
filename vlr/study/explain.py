"""The study's rule and its model in words, shared by the first page and every machine's page."""
from __future__ import annotations

from .intervals import BAND, LEVEL
from .model_parameters import level_of
from .prediction import GOAL_WORST
from .tables import shape_label

#: The rule and the intervals, in the words every page uses.
RULE = (f"**The rule, for both claims:** a claim \"~K×\" is *about* right at a cell when the "
        f"speed-up lies within a factor {BAND:g} of K ([K/{BAND:g}, {BAND:g}K]: 150x–600x for ~300x, "
        f"5x–20x for ~10x), *below* or *above* outside it. Every speed-up has a {LEVEL:.0%} "
        f"confidence interval, and a cell takes a category only when its whole interval lies in "
        f"one; otherwise it is *undecided*. Paired cells (both sides timed alternately, one ratio "
        f"per round) get a Student's t interval of the mean log ratio; sides timed apart get "
        f"Welch's t interval of the difference of mean log times (as pyperf does on times: "
        f"independent rounds, roughly log-normal noise); kept runs that recorded no samples "
        f"combine asv's own 99 % intervals of both medians (≥ 98 %). A side measured once has no "
        f"interval and never decides a cell. `vlr/study/intervals.py` holds the rule.")


def model_lines(s) -> list[str]:
    """One machine's measured-cost model in words: where its parameters came from, how many
    decided categories it predicted right, its median and worst error, every cell beyond ±25 %
    with the reason, and the cells left out of its errors (Markdown list lines).

    Returns
    -------
    list of str
    """
    ev = s.evaluation
    if ev is None or s.params is None:
        return [f"- `{s.name}`: its results hold too little to predict from."]
    overall = ev.summary()
    right, compared = ev.categories
    text = (f"- `{s.name}`: " + ("predicted from the costs measured in its own run (no grid cell "
                                 "used)" if ev.source == "measured" else
                                 "measured before the parameters existed: "
                                 + "; ".join(f"{term} fitted to "
                                             + (v if isinstance(v, str) else
                                                ", ".join(f"{k} {shape_label(m, n)}" for k, m, n in v))
                                             for term, v in ev.fitted.items())
                                 + " (those cells are left out of its errors)")
            + (f": {right} of {compared} decided categories predicted right" if compared else "")
            + (f", median |error| {overall['median']:.0%} over {overall['n']} precise cells, worst "
               f"{overall['worst'][1]:+.0%} ({overall['worst'][0][0]} at "
               f"{shape_label(overall['worst'][0][1], overall['worst'][0][2])})"
               if overall["n"] else ", no cell precise enough to judge it") + ".")
    lines = [text]
    if overall["beyond"]:
        lines.append(f"  Beyond ±{GOAL_WORST:.0%}: " + "; ".join(
            f"{k[0]} at {shape_label(k[1], k[2])} {e:+.0%} ({_miss_reason(k, s.params)})" for k, e in overall["beyond"]) + ".")
    left_out = sorted(ev.excluded.items())
    if left_out:
        lines.append("  Left out of its errors: " + "; ".join(
            f"{k[0]} at {shape_label(k[1], k[2])} ({why})" for k, why in left_out[:12])
            + ("; …" if len(left_out) > 12 else "") + ".")
    return lines


def _miss_reason(key, params) -> str:
    """Why the model misses a cell, as far as its terms say."""
    kernel, m, n_x = key
    caches = {"L2": params["cache.L2"], "L3": params["cache.L3"]}
    if kernel == "two_loops" and level_of(8 * m * n_x, caches) != "L2":
        return "X outside L2: the per-element cost of a strided column, probed on a window, not the whole X"
    if kernel == "numpy" and n_x >= 1000:
        return "a wide GEMV: its bandwidth probed at 300 rows"
    if kernel == "numpy":
        return "NumPy's temporaries and GEMV share the cache level the model gives each alone"
    return "a cost the model has no term for"
