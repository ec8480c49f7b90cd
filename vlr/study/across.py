"""The study's first page: every machine's verdict side by side, explained by a cost model
fitted on each, with links to each machine's own page.

A reader's own machine (the one ``vlr study`` ran on, ``asv machine`` of this computer) is shown
first and marked, beside every kept machine -- never instead of them. Nothing here mixes
machines in one number: every ratio, constant and figure panel is one machine's.
"""
from __future__ import annotations

from pathlib import Path

from . import plots
from .cost_model import TOLERANCE, format_constants, misses
from .machine_study import MachineStudy
from .explain import RULE, model_lines as _model_lines
from .intervals import CLAIM_TITLES, LEVEL
from .prediction import GOAL_MEDIAN, GOAL_WORST, PRECISE
from .tables import (cells_across_table, machines_params_table, machines_verdict_table,
                     model_errors_table, model_table)
from .verdict import NOISE_LIMIT, noisy_points

TITLE = "Is vectorized logistic regression ~300x faster? The vlr study across machines"

def machine_href(study: MachineStudy) -> str:
    """Where a machine's own page is, relative to the first page.

    Returns
    -------
    str
    """
    return f"machines/{study.name}/index.html"


def _why_line(s: MachineStudy) -> str:
    parts = []
    if "two_loops" in s.models:
        parts.append(f"two loops {format_constants(s.models['two_loops'])}")
    if "one_loop" in s.models:
        parts.append(f"one loop {format_constants(s.models['one_loop'])}")
    if "numpy" in s.models:
        parts.append(f"NumPy {format_constants(s.models['numpy'])}")
    best = min((m for k, m in s.models.items() if k in ("numba", "cython")),
               key=lambda m: m.per_element, default=None)
    if best is not None:
        parts.append(f"{best.kernel} {format_constants(best)}")
    roof = s.largest_roof
    return (f"`{s.name}`: " + "; ".join(parts)
            + (f"; roof {roof / 1e9:.1f} GB/s (NumPy reads X twice, the fused kernels once)" if roof else "")
            + ".")


def _noise_line(s: MachineStudy) -> str:
    band = s.noise
    if band is None:
        return f"`{s.name}`: no self-timing in this run."
    lo, hi = band
    wide = not (1 - NOISE_LIMIT <= lo and hi <= 1 + NOISE_LIMIT)
    text = f"`{s.name}`: a kernel timed against itself gave {lo:.2f}x to {hi:.2f}x"
    if wide:
        points = noisy_points(s.rows, s.results)
        text += (f" — **wider than ±{NOISE_LIMIT:.0%}: read this machine's ratios with that band; "
                 f"re-measure on a quiet machine** ({len(points)} points, e.g. "
                 + ", ".join(f"{r.kernel} {r.m:g}×{r.n_x}" for r in points[:6]) + ")")
    return text + "."


def write_across(studies: list[MachineStudy], out_dir, asv_href="asv/index.html",
                 docs_href: str | None = None) -> Path:
    """Write the first page (``report.md``, ``index.html`` and its figures) into ``out_dir``.

    Parameters
    ----------
    studies : list of MachineStudy
        Every machine with step timings (the reader's own first).
    out_dir : path
    asv_href : str
        asv's pages, relative to ``out_dir``.

    Returns
    -------
    Path
        ``out_dir``.
    """
    from .report import _render_html
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = ", ".join(f"`{s.name}`" + (" (yours)" if s.own else "") for s in studies)
    md = [f"# {TITLE}", "",
          f"{len(studies)} machine{'s' if len(studies) != 1 else ''}: {names}. Each row, figure "
          f"panel and constant below is one machine's newest study (the commit is in the table); "
          f"no number mixes machines. Only points where both sides were measured are counted; "
          f"the cost model's predictions are shown as such and never counted. Rebuild this page "
          f"from the kept results with `vlr site` (no benchmark runs); each machine's own page "
          f"says how to re-measure it and records its versions, threads and BLAS.", "",
          "## The verdict on each machine", "", RULE, ""]
    md += machines_verdict_table(studies).markdown()
    skipped = [(s.name, line) for s in studies for line in s.problems]
    if skipped:
        md += ["", "**Files skipped** (unreadable or of the wrong shape; nothing from them is shown):", ""]
        md += [f"- `{name}`: {line}" for name, line in skipped]
    md += ["", "Each claim's measured cells by category (\"about 1 of 11\": one cell's whole "
           "interval lies within a factor 2 of the claim); cells not measured are never counted. "
           "\"fastest\": the faster of the two fused "
           "compiled kernels (numba, cython); its share of the roof is its bytes of X per second "
           "at the largest X over the stream-read roof measured in the same run. Each machine's "
           "own page has its full verdict: "
           + ", ".join(f"[{s.name}]({machine_href(s)})" for s in studies) + ".", ""]
    for claim in ("full", "partial"):
        md += [f"### Every cell of {CLAIM_TITLES[claim]}, with its {LEVEL:.0%} interval", ""]
        md += cells_across_table(studies, claim).markdown() + [""]
    md += ["Estimate (interval) and category per machine and cell; \"no interval\": a side "
           "measured once (undecided); \"predicted\": not measured (the fitted model's, never "
           "counted). `vlr verdict --json` gives the same cells with their samples and methods.", ""]
    md += ["## Why: a model of measured costs, predicting every cell", "",
           "Each kernel's time per step from costs measured by small microbenchmarks at sizes off "
           "the grid, in the same run (`benchmarks/bench_model.py`, `vlr/study/model_parameters.py`; "
           "`vlr predict` measures them on any machine in about a minute): two loops pay the "
           "interpreter per example and per element of X; one loop pays NumPy's per-call cost once "
           "per example; NumPy pays its fixed cost per step, its per-example work (the loss, dz, "
           "its temporaries) and two reads of X at the bandwidth its GEMV reaches in the cache "
           "level X sits in (L2, L3 or memory, from the machine's cache sizes) — roofline/ECM "
           "style (`vlr/study/prediction.py`). Its errors are predicted ÷ measured − 1 of the "
           f"time per step, judged on the cells whose own interval is within ±{PRECISE:.0%}; the "
           f"goal is every such cell within ±{GOAL_WORST:.0%} and a median |error| within "
           f"{GOAL_MEDIAN:.0%}.", ""]
    md += model_errors_table(studies).markdown() + [""]
    for s in studies:
        md += _model_lines(s)
    md += [""]
    md += ["## The machines", ""] + machines_params_table(studies).markdown() + [
        "", "Hardware as each machine's profile records it (`benchmarks/machines/<name>.json`, "
        "written by `vlr study`, `vlr machine` or the suite's first `asv run` there; a machine "
        "without one is shown as asv describes it); roof, NumPy's fixed cost and the interpreter's cost per element "
        "come from that machine's own asv results (the cost model below).", ""]
    heat = plots.machines_heat_maps(studies, out)
    md += ["## Where the claims hold, machine by machine", "",
           f"![Speed-ups over two loops on each machine]({heat})", "",
           "One row per machine, the same axes and colour scale for all. Red outline: the claim "
           "is about right (its whole interval within a factor 2); each cell shows its estimate, "
           "interval and category; "
           "hatched: not measured, the cost model's prediction (not counted); dashed red: where "
           "the machine's cost model expects ~300x (left) and ~10x (right).", ""]
    md += ["## For comparison: a cost model fitted on each machine", "",
           "t(m, n_x) ≈ max(per call + per example·m + per element·m·n_x, passes·bytes ÷ roof), "
           "fitted per kernel to the machine's measured float64 steps (non-negative least squares "
           f"on relative errors, `vlr/study/cost_model.py`); stated error ±{TOLERANCE:.0%}. Its "
           f"constants are fitted to the cells it then explains: a description, not a prediction, "
           f"kept beside the measured-cost model above only for comparison.", ""]
    md += [f"- {_why_line(s)}" for s in studies] + [""]
    for s in studies:
        md += [f"### `{s.name}` (commit `{s.results.commit[:8]}`)", ""] + model_table(s).markdown() + [""]
        missed = misses(s.models)
        md += [("**Missed by more than ±{:.0%}:** ".format(TOLERANCE)
                + "; ".join(f"{k} at (m={m:g}, n_x={n}) {r:+.0%}" for k, m, n, r in missed) + ".")
               if missed else f"Every measured point within ±{TOLERANCE:.0%}.", ""]
    resid = plots.residuals(studies, out, TOLERANCE)
    md += [f"![The model's residuals on each machine]({resid})", "",
           "Predicted ÷ measured − 1 for every measured point; the grey band is the stated error.", ""]
    md += ["## Noise", ""] + [f"- {_noise_line(s)}" for s in studies] + [""]
    md += ["## Add your machine", "",
           "`pip install -e \".[bench]\" && vlr study` runs the quick study here and files its "
           "results under a name that says the hardware (proposed from the CPU, e.g. "
           "`zen3-epyc-2core`; `vlr machine --name <name>` sets another), with its profile in "
           "`benchmarks/machines/`. Plain asv works too: `vlr machine` (or `asv machine`), then "
           "`asv run HEAD^!`. This page then shows it first, marked as yours, beside every "
           "kept machine. To keep it as a reference, commit `benchmarks/results/<name>/` and "
           "`benchmarks/machines/<name>.json`.", ""]
    text = "\n".join(md)
    (out / "report.md").write_text(text, encoding="utf-8")
    (out / "index.html").write_text(_render_html(text, "vlr study across machines", asv_href,
                                                 docs_href=docs_href),
                                    encoding="utf-8")
    return out


def readme_block(studies: list[MachineStudy]) -> list[str]:
    """The across-machines verdict as the README shows it (the first page's table, plus how to
    reproduce it): Markdown lines.

    Returns
    -------
    list of str
    """
    return machines_verdict_table(studies).markdown() + [
        "", "Built by `vlr verdict --markdown` from the kept results in `benchmarks/results/` "
        "(the same code as the site's first page); each machine's row is its newest kept study, "
        "measured points only."]
