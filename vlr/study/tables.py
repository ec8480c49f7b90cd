"""One table model, and each of the study's tables built once with it.

A :class:`Table` is a header and rows of already formatted cells. It renders to Markdown (the
report; ``index.html`` is that Markdown rendered by markdown-it-py) and to a ``rich`` table (the
terminal), so no table is laid out twice.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..kernel import KERNELS
from ..timing import format_seconds
from .plots import fmt_x


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
    rows: list[tuple[str, ...]]
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
        for row in self.rows:
            table.add_row(*row)
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
    def ratio(r):
        return "—" if r is None else f"{r:,.1f}x"
    return Table(("n_x", "m", "kernel", "time / step", "vs two_loops", "vs numpy"),
                 [(str(r["n_x"]), str(r["m"]), r["kernel"],
                   format_seconds(r["seconds"]) if r["seconds"] else f"skipped ({r['skipped']})",
                   ratio(r["vs_two_loops"]), ratio(r["vs_numpy"])) for r in rows], "rrlrrr")


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
        return "not run" if v is None else f"{v:.3g} {t.unit}"

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
