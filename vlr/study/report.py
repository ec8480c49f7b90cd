"""The study's report: the verdict on the course's ~300x / ~10x claims, the pivoted table, the
figures and the history across kept commits, written from asv results (``vlr report``; the
first page of the site ``vlr site`` builds).

One Markdown document (``report.md``) is the report; ``index.html`` is that document rendered by
markdown-it-py with a small stylesheet, so every table is laid out once. Every section says
which machine and which commit its numbers came from, and how to reproduce them.
"""
import csv
import datetime
import urllib.parse
from pathlib import Path

from ..timing import format_seconds
from . import plots
from .asv_results import ResultsError, find_results_file, load_results
from .tables import (Table, claims_table, fits_table, model_errors_table, peers_table, pivot_table,
                     shape_label, targets_table)
from .verdict import _num, grid_of, verdict


def targets_rows(results):
    """The speed targets tracked by ``benchmarks/bench_targets.py``: (Target, value or None).

    Returns
    -------
    list of (Target, float or None)
    """
    from .targets import TARGETS
    values = results.get("TrackTarget.track_target")
    return [(target, _num(values.get((target.key,)))) for target in TARGETS]


def peers_rows(results, rows):
    """Per grid point: NumPy's and the fastest compiled step, and each peer's gradient time.

    Returns
    -------
    list of dict
    """
    from .peers import PEERS
    peers = results.get("TimePeerGradient.time_gradient")
    by_point = {}
    for r in rows:
        by_point.setdefault((r.dtype, r.m, r.n_x), {})[r.kernel] = r.seconds
    table = []
    for (dtype, m, n_x), times in sorted(by_point.items(), key=lambda kv: (kv[0][0] != "float64", kv[0])):
        compiled = [t for k, t in times.items() if k in ("numba", "cython") and t]
        table.append(dict(dtype=dtype, m=m, n_x=n_x, numpy=times.get("numpy"),
                          compiled=min(compiled) if compiled else None,
                          **{p: _num(peers.get((p, m, n_x, dtype))) for p in PEERS}))
    return table if peers else []


def fit_rows(results):
    """Per fit-race problem (``TrackFitVsSklearn``): seconds of each fit, speed-up, objective gap.

    Returns
    -------
    list of dict
    """
    from .peers import FIT_PROBLEMS

    def value(measure, problem):
        return _num(results.get(f"TrackFitVsSklearn.track_{measure}").get((problem,)))
    problems = {k[0] for k in results.get("TrackFitVsSklearn.track_speedup")}
    rows = [dict(problem=p, **{m: value(m, p) for m in ("sklearn_seconds", "vlr_seconds", "speedup",
                                                          "objective_gap")})
            for p in FIT_PROBLEMS if p in problems]
    return [r for r in rows if r["speedup"] is not None]


def dask_line(results):
    """One sentence on the Dask benchmark, or "" if it did not run.

    Returns
    -------
    str
    """
    times = {k[0]: _num(v) for k, v in results.get("TimeDaskIteration.time_iteration").items()}
    if not any(times.values()):
        return ""
    shown = ", ".join(f"{w} worker{'s' if w > 1 else ''}: {format_seconds(t)}" for w, t in sorted(times.items()))
    return (f"**Dask:** one gradient step on a 100 × 10⁶ float64 X (800 MB) generated chunk-wise "
            f"on a LocalCluster whose workers have 600 MB each: {shown} per iteration "
            f"(generation of X's chunks included; `benchmarks/bench_dask.py`).")


def asv_graph(benchmark, x_axis="m", machine=None, **params):
    """The asv page's URL fragment for ``benchmark``'s graph with ``x_axis`` on the x axis, a
    log y axis (the kernels span five decades) and the given parameter values selected (asv
    matches them as the repr strings it stores).

    Returns
    -------
    str
    """
    query = [("x-axis", x_axis), ("y-axis-scale", "log")] + [(f"p-{k}", repr(v)) for k, v in params.items()]
    if machine:
        query.append(("machine", machine))
    return "#" + benchmark + "?" + urllib.parse.urlencode(query, quote_via=urllib.parse.quote)


def _newest_study(results_dir):
    """The newest results file holding the study's step timings (a kept commit may hold only
    the history's speed-ups); the newest file of all when none does, so the error says why."""
    newest = find_results_file(results_dir)  # raises when there are none
    studies = []
    for path in Path(results_dir).glob("*/*.json"):
        if path.name == "machine.json":
            continue
        try:
            results = load_results(path)
        except ResultsError:
            continue
        if results.get("TimeGradientStep.time_gradient_step"):
            studies.append(results)
    return max(studies, key=lambda r: r.date).path if studies else newest


HISTORY_SHAPES = [(1_000_000, 100), (1_000_000, 10), (10_000, 1_000), (10_000, 10), (100, 10)]


def history_series(kept):
    """Per shape (m, n_x): the best compiled kernel's TrackSpeedupVsNumpy per kept commit.

    Returns
    -------
    dict
        Shape label -> list of float or None, one per kept commit.
    """
    series = {}
    for m, n_x in HISTORY_SHAPES:
        values = []
        for res in kept:
            vs = res.get("TrackSpeedupVsNumpy.track_speedup")
            got = [_num(vs.get((k, m, n_x, "float64"))) for k in ("numba", "cython")]
            got = [v for v in got if v]
            values.append(max(got) if got else None)
        if any(values):
            series[f"{m:,} × {n_x:,}"] = values
    return series


def _attribution(results):
    when = datetime.datetime.fromtimestamp(results.date / 1000, datetime.timezone.utc)
    return (f"*Measured on `{results.machine.get('machine', '?')}` at commit "
            f"`{results.commit[:8]}` (committed {when:%Y-%m-%d}).*")


def _environment(results, path, profile=None):
    m = results.machine
    profile = profile or {}
    threads = results.get("TrackThreads.track_threads")
    recorded = ", ".join(f"{lib[0]}: {n}" for lib, n in threads.items() if n) if threads else ""
    cpus = m.get("num_cpu") or profile.get("cores")
    lines = [f"machine `{m.get('machine', '?')}`: {m.get('cpu', '?')}"
             + (f", {cpus} CPUs" if cpus else "") + f", {m.get('ram', '?')} RAM, {m.get('os', '?')}",
             f"commit `{results.commit}`, results file `{path}`",
             f"Python {results.python or '?'}; pinned libraries: "
             + (", ".join(f"{k} {v}" for k, v in sorted(results.requirements.items())) or
                "none (the environment vlr study ran in)"),
             f"threads and BLAS: {recorded or 'not recorded'}"]
    if profile:
        built = profile.get("kernels_built_for") or {}
        lines.append(f"vector ISA {profile.get('vector_isa', '?')}; compiled kernels built for: "
                     + ", ".join(f"{k} {v}" for k, v in built.items() if v) + " "
                     f"(`benchmarks/machines/{m.get('machine', '?')}.json`)")
    return lines


_CSS = """
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1150px;margin:0 auto;
padding:1em 1.5em;color:#222}
nav{display:flex;gap:1.2em;padding:.6em 0;border-bottom:1px solid #ddd;margin-bottom:1em}
nav a{font-weight:600;text-decoration:none;color:#0b5cad}
h1{font-size:1.7em;margin:.3em 0}h2{margin-top:1.6em;border-bottom:1px solid #eee;padding-bottom:.2em}
table{border-collapse:collapse;margin:.8em 0;font-size:.92em;display:block;overflow-x:auto}
th,td{border:1px solid #d0d7de;padding:3px 9px}th{background:#f3f5f7}
td{text-align:right;min-width:3.5em}tr:nth-child(even) td{background:#fafbfc}
img{max-width:100%;height:auto;border:1px solid #eee}
.figs{display:grid;grid-template-columns:1fr 1fr;gap:1em}
code{background:#f3f5f7;padding:0 .25em;border-radius:3px}
"""


def _render_html(md_text, title, asv_href, home_href="index.html", docs_href=None):
    from markdown_it import MarkdownIt
    body = MarkdownIt("commonmark", {"html": True}).enable("table").render(md_text)
    nav = (f"<nav><a href='{home_href}'>Study</a><a href='{asv_href}'>asv: grid</a>"
           f"<a href='{asv_href}#summarylist'>asv: list</a>"
           f"<a href='{asv_href}#regressions'>asv: regressions</a>"
           + (f"<a href='{docs_href}'>Documentation</a>" if docs_href else "") + "</nav>")
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<style>{_CSS}</style></head><body>{nav}\n{body}</body></html>\n")


def _figure(name, caption, link):
    return f"[![{caption}]({name})]({link})\n\n{caption} [Open it in asv]({link}).\n"


def model_section(study) -> list[str]:
    """The cost model of one machine as Markdown: constants per kernel, worst residual, misses.

    Returns
    -------
    list of str
    """
    from .cost_model import TOLERANCE, misses
    from .tables import model_table
    if not study.models:
        return []
    missed = misses(study.models)
    md = model_table(study).markdown() + [
        "", f"Fitted to this machine's float64 steps by non-negative least squares on relative "
        f"errors (`vlr/study/cost_model.py`): t ≈ max(per call + per example·m + per "
        f"element·m·n_x, passes·bytes ÷ roof). Stated error ±{TOLERANCE:.0%}."]
    if missed:
        md += ["", "**Points the model misses by more than its stated error** (predicted ÷ "
               "measured − 1): " + "; ".join(f"{k} at (m={m:g}, n_x={n}) {r:+.0%}"
                                             for k, m, n, r in missed) + "."]
    else:
        md += ["", f"Every measured point is within ±{TOLERANCE:.0%} of the model."]
    return md + [""]


def write_report(results_path=None, out_dir=".asv/html", results_dir="benchmarks/results",
                 asv_href="asv/index.html", profile=None, home_href=None, docs_href=None, study=None):
    """Write one machine's study page: ``report.md``, ``index.html``, ``table.csv`` and SVG figures.

    Parameters
    ----------
    results_path : path, optional
        The asv results file of the study (default: the newest in ``results_dir``).
    out_dir : path
        Where to write.
    results_dir : path
        Where the kept results are: the history figure uses every file of the same machine.
    asv_href : str
        Where asv's pages are, relative to ``out_dir``; figures link into them.
    profile : dict, optional
        The machine's profile (``benchmarks/machines/<name>.json``).
    home_href : str, optional
        The across-machines first page, relative to ``out_dir`` (linked from this page).
    docs_href : str, optional
        The documentation's first page, relative to ``out_dir``, when it is published beside.
    study : vlr.study.machine_study.MachineStudy, optional
        The machine's study already built (the site builds each machine's once); without it,
        it is built from ``results_path``.

    Returns
    -------
    (Path, list of Row, list of str)
        The output directory, the table's rows and the verdict's Markdown lines.

    Raises
    ------
    vlr.study.asv_results.ResultsError
        When there are no usable results.
    """
    from .cost_model import predicted_speedup
    from .machine_study import kept_results, study_of
    if study is None:
        path = Path(results_path) if results_path else _newest_study(results_dir)
        results = load_results(path)
        study = study_of(results, kept_results(Path(path).parent.parent, path.parent.name), profile)
    results, kept, path, profile = study.results, study.kept, Path(study.results.path), study.profile
    rows = study.rows
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "table.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["dtype", "m", "n_x", "kernel", "seconds", "vs_two_loops", "vs_numpy"])
        for r in rows:
            writer.writerow([r.dtype, r.m, r.n_x, r.kernel, r.seconds, r.vs_two_loops, r.vs_numpy])
    f64 = [r for r in rows if r.dtype == "float64"] or rows
    machine = results.machine.get("machine")
    step_graph = "bench_step.TimeGradientStep.time_gradient_step"
    lines = verdict(rows, results, study.models)
    by = _attribution(results)
    grid = grid_of(rows)
    reproduce = (f"git checkout {results.commit[:8]} && pip install -e . && "
                 f"VLR_BENCH_GRID={grid} vlr study")
    md = [f"# The vlr study on `{machine}`", ""]
    if home_href:
        md += [f"[← every machine side by side]({home_href})", ""]
    md += [by + f" Reproduce: `{reproduce}`.", ""]
    if study.problems:
        md += ["**Files of this machine skipped** (this page shows the newest readable run):", ""]
        md += [f"- {line}" for line in study.problems] + [""]
    md += ["## Verdict", ""]
    from .explain import RULE
    md += [f"- {l}" for l in lines] + [""]
    md += claims_table(study).markdown() + [
        "", RULE, "", "n: the samples behind the interval (paired rounds, or the smaller "
        "side's timings); `TrackOneCall` times a pure-Python side over its repeated benchmarks' "
        "budget a few times. Predicted points are the fitted cost model's and are never counted.", ""]

    predict = {k: (lambda m, n, k=k: predicted_speedup(study.models, k, "two_loops", m, n))
               for k in ("numpy", "one_loop")}
    figs = [_figure(plots.heat_maps(study.full, study.partial, out, predict["numpy"], predict["one_loop"]),
                    "Speed-up over two loops across m × n_x, each cell with its 95 % interval and "
                    "category; red cells are about right (within a factor 2 of the claim), "
                    "hatched cells are the cost model's predictions (not measured, not counted), "
                    "the dashed line is where the model expects the claim.",
                    asv_href + asv_graph("bench_step.TrackSpeedupVsTwoLoops.track_speedup",
                                         machine=machine, kernel="numpy", dtype="float64"))]
    if study.roof:  # the roof the machine's study already read (and its model used)
        figs.append(_figure(plots.roofline(f64, study.roof_at, out),
                            "Bytes of X per second ÷ the stream-read roof measured in the same run.",
                            asv_href + asv_graph("bench_bandwidth.TrackStreamBandwidth.track_stream_read",
                                                 x_axis="nbytes", machine=machine)))
    series = history_series(kept)
    if len(kept) > 1 and series:
        labels = [f"{k.commit[:7]}" for k in kept]
        figs.append(_figure(plots.history(series, labels, out, band=noise_limit_of(study)),
                            f"The fastest compiled kernel's speed-up over NumPy at {len(kept)} "
                            f"kept commits on `{machine}` ({', '.join(labels)}); hollow markers: "
                            f"a change from the previous commit within the noise band (a tie).",
                            asv_href + asv_graph("bench_step.TrackSpeedupVsNumpy.track_speedup",
                                                 x_axis="commit", machine=machine,
                                                 kernel="cython", dtype="float64")))
    md += ["## Figures", "", by, ""] + figs
    from .explain import model_lines as _model_lines
    md += ["## Why: a model of measured costs", "", by, ""] + _model_lines(study) + [""]
    if study.params:
        md += model_errors_table([study]).markdown() + [""]
        from .prediction import MODELLED, predict_seconds
        measured = {(r.kernel, r.m, r.n_x): r.seconds for r in f64 if r.seconds}
        md += ["Predicted beside measured, each cell's time per step:", ""]
        md += Table(("m × n_x", *MODELLED),
                    [(shape_label(m, n), *(f"{format_seconds(predict_seconds(study.params, k, m, n))} / "
                                           f"{format_seconds(measured.get((k, m, n)))}" for k in MODELLED))
                     for m, n in sorted({(r.m, r.n_x) for r in f64})], "lrrr").markdown() + [
            "", "predicted / measured (n/a: not measured, over the kernel's budget).", ""]
    md += ["## For comparison: a cost model fitted to this machine's cells", "", by, ""] + model_section(study)
    md += ["## Time per step vs m", "", by, ""]
    md += [_figure(plots.time_vs_m(f64, out, n_x), f"Time per step vs m at n_x = {n_x}.",
                   asv_href + asv_graph(step_graph, machine=machine, n_x=n_x, dtype="float64"))
           for n_x in sorted({r.n_x for r in f64})]
    md += ["## Table: time per step (speed-up over NumPy)", "", by, ""] + pivot_table(rows).markdown() + [
        "", "Speed-ups are measured with both sides timed alternately in the same benchmark call "
        "(`TrackSpeedupVsNumpy`); n/a marks points over a kernel's time budget, never "
        "extrapolated. All values: [table.csv](table.csv).", ""]
    targets = targets_rows(results)
    if any(v is not None for _, v in targets):
        md += ["## Speed targets of the fastest kernel", "", by, ""] + targets_table(targets).markdown() + [
            "", "\"fastest\" is `vlr.fastest`, the kernel measured fastest for the class of call "
            "(dtype, layout, octaves of n_x and m) on its own data; bandwidths are fractions of "
            "the stream-read roof measured in the same benchmark. `vlr targets` measures the "
            "same table with per-point detail.", ""]
    peers = peers_rows(results, rows)
    if peers:
        md += ["## Peers: the same gradient elsewhere", "", by, ""] + peers_table(peers).markdown()
        md += ["", "Peers are timed by `TimePeerGradient` (their own layout and threads, see "
               "`vlr/study/peers.py`); n/a: not installed or over the size limit.", ""]
    fits = fit_rows(results)
    if fits:
        md += ["## Fitting: vlr vs scikit-learn's L-BFGS", "", by, ""] + fits_table(fits).markdown()
        md += ["", "Time to fit to scikit-learn's objective (C = 1): `vlr.LogisticRegression()` "
               "(L-BFGS, one fused pass over X per evaluation) against "
               "`sklearn.linear_model.LogisticRegression()`, timed alternately, median of 3 "
               "rounds (`TrackFitVsSklearn`, `vlr.study.peers.time_fits`); the gap is vlr's objective "
               "minus scikit-learn's, relative (≤ 1e-6 counts as reached).", ""]
    dask = dask_line(results)
    if dask:
        md += ["## Beyond one machine", "", by, "", dask, ""]
    md += ["## Where these numbers come from", ""] + [f"- {e}" for e in _environment(results, path, profile)]
    md += [f"- to reproduce: `{reproduce}`",
           "- kept commits on this machine: " + ", ".join(f"`{k.commit[:8]}`" for k in kept), ""]
    text = "\n".join(md)
    (out / "report.md").write_text(text, encoding="utf-8")
    (out / "index.html").write_text(_render_html(text, f"vlr study: {machine}", asv_href,
                                                 home_href or "index.html", docs_href),
                                    encoding="utf-8")
    return out, rows, lines


def noise_limit_of(study) -> float:
    """The half-width of the noise band of a machine's run (at least the 10 % the study warns at).

    Returns
    -------
    float
    """
    from .verdict import NOISE_LIMIT
    band = study.noise
    return max(NOISE_LIMIT, *(abs(v - 1) for v in band)) if band else NOISE_LIMIT
