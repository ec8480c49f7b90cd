"""One table model, and each of the study's tables built once with it.

A :class:`Table` is a header and rows of already formatted cells. It renders to Markdown (the
report; ``index.html`` is that Markdown rendered by markdown-it-py) and to a ``rich`` table (the
terminal), so no table is laid out twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..kernel import KERNELS
from ..timing import format_seconds
from .plots import fmt_x
from .targets import format_measured


@dataclass(frozen=True)
class Table:
    """A table of formatted cells.

    Attributes
    ----------
    header : tuple of str
    rows : list of tuple of str
    align : str
        One letter per column, ``"l"`` or ``"r"``.
    """

    header: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]
    align: str

    def markdown(self) -> list[str]:
        """The table as Markdown lines (GitHub's pipe tables).

        Returns
        -------
        list of str
        """
        rule = "|" + "|".join("---:" if a == "r" else "---" for a in self.align) + "|"
        return (["| " + " | ".join(self.header) + " |", rule]
                + ["| " + " | ".join(row) + " |" for row in self.rows])

    def text(self, width: int = 100, title: str | None = None) -> list[str]:
        """The table as plain text no wider than ``width``: a column-aligned table when it fits,
        else one block per row (the first cell as its heading, then ``column: value`` lines
        wrapped at ``width``). Nothing is cut: a log or a narrow terminal reads it whole.

        Returns
        -------
        list of str
        """
        import textwrap

        def plain(cell):
            return cell.replace("**", "").replace("`", "")
        header = [plain(h) for h in self.header]
        body = [[plain(c) for c in row] for row in self.rows]
        widths = [max(len(r[i]) for r in [header] + body) for i in range(len(header))]
        lines = textwrap.wrap(title, width) + [""] if title else []
        if sum(widths) + 2 * (len(widths) - 1) <= width:
            def line(cells):
                return "  ".join(c.rjust(w) if a == "r" else c.ljust(w)
                                 for c, w, a in zip(cells, widths, self.align)).rstrip()
            return lines + [line(header), "  ".join("-" * w for w in widths)] + [line(r) for r in body]
        for row in body:
            lines.append(row[0])
            for name, cell in zip(header[1:], row[1:]):
                lines += textwrap.wrap(f"{name}: {cell}", width, initial_indent="  ",
                                       subsequent_indent="      ", break_on_hyphens=False) or ["  " + name + ":"]
            lines.append("")
        return lines

    def rich(self, title: str | None = None):
        """The table as a ``rich.table.Table`` for the terminal.

        Returns
        -------
        rich.table.Table
        """
        from rich.table import Table as RichTable
        table = RichTable(title=title)
        for name, a in zip(self.header, self.align):
            table.add_column(name, justify="right" if a == "r" else "left")
        for row in self.rows:  # the terminal shows no Markdown: drop its emphasis and code marks
            table.add_row(*(cell.replace("**", "").replace("`", "") for cell in row))
        return table


def steps_table(rows) -> Table:
    """The study's rows, one per kernel and point: time per step and both speed-ups.

    Returns
    -------
    Table
    """
    return Table(("dtype", "m", "n_x", "kernel", "time / step", "vs two_loops", "vs numpy"),
                 [(r.dtype, str(r.m), str(r.n_x), r.kernel, format_seconds(r.seconds),
                   fmt_x(r.vs_two_loops), fmt_x(r.vs_numpy)) for r in rows], "lrrlrrr")


def compare_table(rows) -> Table:
    """``vlr compare``'s rows (:func:`vlr.study.compare.speedups`): time per step and speed-ups.

    Returns
    -------
    Table
    """
    return Table(("n_x", "m", "kernel", "time / step", "vs two_loops", "vs numpy"),
                 [(str(r["n_x"]), str(r["m"]), r["kernel"],
                   format_seconds(r["seconds"]) if r["seconds"] else f"skipped ({r['skipped']})",
                   format_speedup(r["vs_two_loops"]), format_speedup(r["vs_numpy"])) for r in rows],
                 "rrlrrr")


def format_speedup(ratio: float | None) -> str:
    """A speed-up a reader can read at any size: ``"12.3x"``, ``"1.0x"``, and below 1 the
    slowdown, ``"640x slower"`` (never ``"0.0x"``); ``"—"`` when not measured.

    Returns
    -------
    str
    """
    if ratio is None:
        return "—"
    if ratio >= 0.95:
        return f"{ratio:,.1f}x"
    return f"{1 / ratio:,.{1 if ratio > 0.1 else 0}f}x slower"


def pivot_table(rows) -> Table:
    """The study's rows pivoted: one row per (dtype, m, n_x), one column per kernel, each cell
    the time per step and the speed-up over NumPy.

    Returns
    -------
    Table
    """
    kernels = [k for k in KERNELS if any(r.kernel == k for r in rows)]
    cells = {(r.dtype, r.m, r.n_x, r.kernel): r for r in rows}
    points = sorted({(r.dtype, r.m, r.n_x) for r in rows},
                    key=lambda p: (p[0] != "float64", p[0], p[1], p[2]))

    def cell(r, kernel):
        if r is None or r.seconds is None:
            return "n/a"
        if kernel == "numpy":
            return format_seconds(r.seconds)
        return f"{format_seconds(r.seconds)} ({fmt_x(r.vs_numpy)})"
    return Table(("dtype", "m", "n_x", *kernels),
                 [(dtype, f"{m:,}", f"{n_x:,}", *(cell(cells.get((dtype, m, n_x, k)), k) for k in kernels))
                  for dtype, m, n_x in points], "lrr" + "r" * len(kernels))


def targets_table(targets) -> Table:
    """The speed targets: ``(Target, value or None)`` pairs, as the report shows them.

    Returns
    -------
    Table
    """
    def shown(t, v):
        return "not run" if v is None else f"{format_measured(v, t.goal)} {t.unit}"

    def met(t, v):
        return "" if v is None else ("yes" if t.met(v) else "**no**")
    return Table(("measure", "target", "measured", "met"),
                 [(t.measure, f"{t.op} {t.goal:g} {t.unit}", shown(t, v), met(t, v)) for t, v in targets],
                 "llrl")


def peers_table(peers) -> Table:
    """Per grid point: NumPy's and the fastest compiled step, and each peer's gradient time.

    Returns
    -------
    Table
    """
    return Table(("dtype", "m", "n_x", "numpy step", "fastest compiled step", "sklearn loss_gradient",
                  "torch autograd", "jax jit grad"),
                 [(p["dtype"], f"{p['m']:,}", f"{p['n_x']:,}", format_seconds(p["numpy"]),
                   format_seconds(p["compiled"]), format_seconds(p["sklearn"]),
                   format_seconds(p["torch"]), format_seconds(p["jax"])) for p in peers], "lrrrrrrr")


def fits_table(fits) -> Table:
    """The fit race: each problem's fit times, speed-up and objective gap.

    Returns
    -------
    Table
    """
    return Table(("problem (n × d)", "scikit-learn lbfgs", "vlr lbfgs", "speed-up", "objective gap"),
                 [(f["problem"], format_seconds(f["sklearn_seconds"]), format_seconds(f["vlr_seconds"]),
                   f"{f['speedup']:.2f}x",
                   "n/a" if f["objective_gap"] is None else format(f["objective_gap"], ".1e"))
                  for f in fits], "lrrrr")


def model_table(study) -> Table:
    """One machine's cost model: each kernel's fitted constants, its RMS and worst residual.

    Returns
    -------
    Table
    """
    rows = []
    for kernel in KERNELS:
        model = study.models.get(kernel)
        if model is None:
            continue
        m, n, r = model.worst
        rows.append((kernel, format_seconds(model.fixed), format_seconds(model.per_example),
                     format_seconds(model.per_element), str(model.passes),
                     f"{model.rms:.0%}", f"{r:+.0%} at (m={m:g}, n_x={n})"))
    return Table(("kernel", "per call", "per example", "per element of X", "passes over X",
                  "RMS residual", "worst residual"), rows, "lrrrrrl")


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def shape_label(m, n_x) -> str:
    """``"10⁴×100"``: m (a power of ten as such) × n_x.

    Returns
    -------
    str
    """
    exponent = len(str(m)) - 1
    shown = f"10{str(exponent).translate(_SUPERSCRIPT)}" if m == 10 ** exponent and m >= 100 else f"{m:,}"
    return f"{shown}×{n_x:,}"


def _cells(cells):
    return ", ".join(shape_label(c.m, c.n_x) for c in cells) or "none"


def claim_counts(t) -> str:
    """One claim on one machine from :func:`vlr.study.verdict.tally`: ``"about 1 of 11
    (10⁴×1,000); below 7; above 1 (10⁴×100); undecided 2 (…); 1 not measured"``.

    Returns
    -------
    str
    """
    measured = sum(len(t[c]) for c in ("below", "about", "above", "undecided"))
    text = f"about {len(t['about'])} of {measured}" + (f" ({_cells(t['about'])})" if t["about"] else "")
    text += f"; below {len(t['below'])}"
    for name in ("above", "undecided"):
        if t[name]:
            text += f"; {name} {len(t[name])} ({_cells(t[name])})"
    if t["not measured"]:
        text += f"; {len(t['not measured'])} not measured"
    return text


def machines_verdict_table(studies) -> Table:
    """Machines side by side: where ~300x and ~10x hold (measured points only), the fastest
    kernel over NumPy at the smallest and the largest X, its fraction of the roof, and
    ``vlr.train`` against the course's loop.

    Returns
    -------
    Table
    """
    rows = []
    for s in studies:
        claims = s.claims()
        small, large, roof = s.fastest_vs_numpy(False), s.fastest_vs_numpy(True), s.roof_fraction()
        train = s.target("train_vs_course")
        rows.append((
            f"`{s.name}`" + (" **(yours)**" if s.own else "")
            + (f" ⚠ {len(s.problems)} results file{'s' if len(s.problems) != 1 else ''} unreadable: "
               f"this row may not be its newest run" if getattr(s, "problems", None) else ""),
            claim_counts(claims["full"]),
            claim_counts(claims["partial"]),
            "n/a" if small is None else f"{fmt_x(small[0])} ({small[1]}, {shape_label(small[2], small[3])})",
            "n/a" if large is None else f"{fmt_x(large[0])} ({large[1]}, {shape_label(large[2], large[3])})",
            "n/a" if roof is None else f"{roof[0]:.0%} ({roof[1]}, {shape_label(roof[2], roof[3])})",
            "not run" if train is None else fmt_x(train),
            f"`{s.results.commit[:8]}`"))
    return Table(("machine", "~300x (numpy ÷ two loops): about / below / above / undecided",
                  "~10x (one loop ÷ two loops): about / below / above / undecided",
                  "fastest ÷ NumPy, smallest X", "fastest ÷ NumPy, largest X", "fastest's share of the roof",
                  "vlr.train ÷ course's loop", "commit"), rows, "llllllrl")


def machines_params_table(studies) -> Table:
    """Machines side by side: what the verdict depends on, measured or fitted on each.

    Returns
    -------
    Table
    """
    rows = []
    for s in studies:
        p = s.profile
        asv = s.results.machine  # what asv recorded of the machine: shown where no profile says more
        unknown = "?" if p else "not recorded"
        caches = p.get("caches_kib") or {}
        cache = " / ".join(f"{caches[k] // 1024} MB" if caches[k] >= 1024 else f"{caches[k]} KB"
                           for k in ("L1d", "L2", "L3") if k in caches) or unknown
        built = p.get("kernels_built_for") or {}
        threads = p.get("threads") or {}
        two, numpy = s.models.get("two_loops"), s.models.get("numpy")
        blas = next((str(lib[0]).removeprefix("blas: ") for lib in s.results.get("TrackThreads.track_threads")
                     if str(lib[0]).startswith("blas: ")), p.get("blas") or unknown)
        cpu = asv.get("cpu") or p.get("cpu") or "CPU not recorded"
        rows.append((
            f"`{s.name}`" + (f" ({p['hardware']})" if p.get("hardware", s.name) != s.name else "")
            + (" **(yours)**" if s.own else ""),
            (f"{p['generation']} ({cpu})" if p.get("generation") else cpu)
            + ("" if p else (f", {asv['arch']}" if asv.get("arch") else "")
               + " (asv's description; no profile: `vlr machine` there writes one)"),
            (f"{p.get('vector_isa', '?')}; built: numba {built.get('numba') or '?'}, cython {built.get('cython') or '?'}"
             if p else unknown),
            cache,
            f"{p.get('cores') or asv.get('num_cpu') or unknown} / "
            + (", ".join(f"{k} {v}" for k, v in threads.items() if v) or unknown),
            "n/a" if s.largest_roof is None else f"{s.largest_roof / 1e9:.1f} GB/s",
            "n/a" if numpy is None else format_seconds(numpy.fixed),
            "n/a" if two is None else format_seconds(two.per_element),
            str(blas)))
    return Table(("machine", "CPU", "vector ISA (kernels built for)", "L1d / L2 / L3", "cores / threads used",
                  "stream-read roof (largest array)", "NumPy's fixed cost per step (fitted)",
                  "interpreter per element (two loops, fitted)", "BLAS (kernel)"), rows, "lllllrrrl")


def claims_table(study) -> Table:
    """Every point of the two claims on one machine: the speed-up over two loops of NumPy and of
    one loop, how it is known (paired, one call, predicted) and its spread (from the two sides'
    interquartile ranges of the steps asv sampled).

    Returns
    -------
    Table
    """
    from .verdict import format_cell

    def shown(c):
        if not c.measured:
            return format_cell(c) + (", not counted" if c.ratio else "")
        return f"**{c.category}**: {format_cell(c)}, {c.how}, n = {c.n}"
    partial = {(c.m, c.n_x): c for c in study.partial}
    return Table(("m × n_x", "numpy ÷ two loops (~300x?), 95 % interval",
                  "one loop ÷ two loops (~10x?), 95 % interval"),
                 [(shape_label(c.m, c.n_x), shown(c), shown(partial[(c.m, c.n_x)]))
                  for c in study.full if (c.m, c.n_x) in partial], "lrr")


def prediction_table(rows) -> Table:
    """``vlr predict``'s cells (:func:`vlr.study.prediction.prediction_table`): each kernel's
    predicted time per step and each claim's predicted speed-up and category.

    Returns
    -------
    Table
    """
    def claim(r):
        return f"{fmt_x(r['ratio'])} ({r['category']})" if r["ratio"] else "n/a"
    return Table(("m × n_x", "two loops", "one loop", "NumPy", "numpy ÷ two loops (~300x?)",
                  "one loop ÷ two loops (~10x?)"),
                 [(shape_label(r["m"], r["n_x"]), *(format_seconds(r["seconds"][k]) for k in
                                                    ("two_loops", "one_loop", "numpy")),
                   claim(r["full"]), claim(r["partial"])) for r in rows], "lrrrrr")


def cells_across_table(studies, claim: str) -> Table:
    """One claim's cells on every machine: rows are (m, n_x), columns machines; each cell its
    estimate, 95 % interval and category (``"728x (612x–866x) above"``).

    Returns
    -------
    Table
    """
    from .verdict import format_cell
    points = sorted({(c.m, c.n_x) for s in studies for c in getattr(s, claim)})
    by = {s.name: {(c.m, c.n_x): c for c in getattr(s, claim)} for s in studies}

    def shown(c):
        if c is None:
            return "—"
        return format_cell(c) + (f" **{c.category}**" if c.measured else "")
    return Table(("m × n_x", *(f"`{s.name}`" for s in studies)),
                 [(shape_label(m, n), *(shown(by[s.name].get((m, n))) for s in studies)) for m, n in points],
                 "l" + "r" * len(studies))


def model_errors_table(studies) -> Table:
    """The measured-cost model's errors on every machine, per kernel: cells judged, median and
    worst |error|, cells beyond ±25 %, and the categories it predicted right.

    Returns
    -------
    Table
    """
    from .prediction import GOAL_WORST, MODELLED
    rows = []
    for s in studies:
        ev = s.evaluation
        if ev is None or s.params is None:
            rows.append((f"`{s.name}`", "no parameters", "", "", "", "", ""))
            continue
        source = "measured" if ev.source == "measured" else "partly fitted (see below)"
        right, compared = ev.categories
        for kernel in MODELLED + (None,):
            sm = ev.summary(kernel)
            worst = sm["worst"]
            rows.append((f"`{s.name}`" if kernel == "two_loops" else "", kernel or "**all**",
                         source if kernel == "two_loops" else "", str(sm["n"]),
                         "n/a" if sm["median"] is None else f"{sm['median']:.0%}",
                         "n/a" if worst is None else f"{worst[1]:+.0%} at {shape_label(worst[0][1], worst[0][2])}",
                         (", ".join(f"{shape_label(k[1], k[2])} {e:+.0%}" for k, e in sm["beyond"]) or "none")
                         + (f"; categories right: {right} of {compared}" if kernel is None else "")))
    return Table(("machine", "kernel", "parameters", "cells judged", "median abs. error", "worst",
                  f"beyond ±{GOAL_WORST:.0%}"), rows, "lllrrll")
