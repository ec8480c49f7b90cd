"""The study's figures, drawn with matplotlib as SVG (legible at any page width).

Each function takes the report's rows (see :mod:`vlr.study.report`) or the kept results, writes one
file into ``out`` and returns its name. Nothing here computes a number the report does not
also print.
"""
import math

from ..kernel import KERNELS

COURSE_FULL, COURSE_PARTIAL = 300.0, 10.0


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams.update({"font.size": 11, "svg.fonttype": "none", "axes.titlesize": 12})
    return plt


def fmt_x(r):
    """A speed-up as text: ``412x``, ``3.1x``, ``0.55x``; ``n/a`` when not measured.

    Returns
    -------
    str
    """
    return "n/a" if r is None else (f"{r:,.0f}x" if r >= 100 else f"{r:.2g}x")


def _save(fig, out, name):
    fig.tight_layout()
    fig.savefig(out / name, format="svg")
    import matplotlib.pyplot as plt
    plt.close(fig)
    return name


def _series(rows, point):
    """Per kernel with measured rows, in the study's order: ``point(row)`` of each, sorted."""
    series = {k: sorted(point(r) for r in rows if r.kernel == k and r.seconds) for k in KERNELS}
    return {k: pts for k, pts in series.items() if pts}


def time_vs_m(rows, out, n_x):
    """Seconds per step against m, one line per kernel, at one n_x (float64).

    Returns
    -------
    str
        The figure's file name.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for kernel, pts in _series([r for r in rows if r.n_x == n_x], lambda r: (r.m, r.seconds)).items():
        ax.loglog(*zip(*pts), "o-", label=kernel)
    ax.set(title=f"Time per step vs m at n_x = {n_x} (float64)", xlabel="m (examples)",
           ylabel="seconds per step")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=9)
    return _save(fig, out, f"time_vs_m_nx{n_x}.svg")


def _claim_panel(ax, cells, claim, title, predict=None, norm=None, axes=None):
    """One heat map of speed-ups over two loops on the m x n_x grid: measured cells coloured
    (red outline where the claim is about right: its whole 95 % interval within a factor 2), predicted cells hatched with "~Nx" in grey (never
    counted), and, with ``predict(m, n_x)``, the line where the cost model expects the claim.
    ``axes`` = (ms, n_xs) puts every panel on the same grid (cells outside a machine's grid
    stay blank)."""
    import numpy as np
    import matplotlib.colors as mcolors
    plt = _pyplot()
    ms, n_xs = axes or (sorted({c.m for c in cells}), sorted({c.n_x for c in cells}))
    Z = np.full((len(n_xs), len(ms)), np.nan)
    for c in cells:
        if c.measured:
            Z[n_xs.index(c.n_x), ms.index(c.m)] = c.ratio
    norm = norm or mcolors.LogNorm(vmin=max(np.nanmin(Z), 0.1) if np.isfinite(Z).any() else 0.1,
                                   vmax=np.nanmax(Z) if np.isfinite(Z).any() else 1000)
    im = ax.imshow(np.ma.masked_invalid(Z), origin="lower", aspect="auto", cmap="viridis", norm=norm)
    for c in cells:
        i, j = n_xs.index(c.n_x), ms.index(c.m)
        if c.measured:
            dark = norm(c.ratio) < 0.55
            ax.text(j, i, fmt_x(c.ratio) + (f"\n{fmt_x(c.low)}–{fmt_x(c.high)}" if c.spread else "\nno interval")
                    + f"\n{c.category}", ha="center", va="center", fontsize=8, color="w" if dark else "k")
            if c.category == "about":
                ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, ec="r", lw=2.5))
        else:
            ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, ec="0.6", hatch="//", lw=0))
            ax.text(j, i, ("~" + fmt_x(c.ratio) + "\npredicted") if c.ratio else "unknown",
                    ha="center", va="center", fontsize=8, color="0.35", style="italic")
    if predict is not None and len(ms) > 1 and len(n_xs) > 1:
        lm, ln = np.log10(ms), np.log10(n_xs)
        gm = np.linspace(lm[0], lm[-1], 80)
        gn = np.linspace(ln[0], ln[-1], 80)
        R = np.array([[predict(10 ** a, 10 ** b) or np.nan for a in gm] for b in gn])
        if np.isfinite(R).any() and np.nanmin(R) < claim < np.nanmax(R):
            ax.contour(np.interp(gm, lm, range(len(ms))), np.interp(gn, ln, range(len(n_xs))), R,
                       levels=[claim], colors="r", linestyles="--", linewidths=1.5)
    ax.set_xticks(range(len(ms)), [f"{m:.0e}" for m in ms])
    ax.set_yticks(range(len(n_xs)), [str(n) for n in n_xs])
    ax.set(xlabel="m (examples)", ylabel="n_x (features)", title=title)
    return im


def _x_colorbar(fig, im, ax):
    """A colour bar labelled in "x" (the speed-up itself, on a log scale)."""
    from matplotlib.ticker import FuncFormatter
    bar = fig.colorbar(im, ax=ax, label="speed-up over two loops",
                       format=FuncFormatter(lambda v, _: fmt_x(v)))
    return bar


def heat_maps(full, partial, out, predict_full=None, predict_partial=None, name="speedup_heatmaps.svg"):
    """Speed-up over two loops across m x n_x for NumPy (claim ~300x) and one loop (~10x):
    measured cells coloured (red outline: the claim holds), predicted ones hatched, and the
    cost model's ~300x / ~10x line dashed.

    Parameters
    ----------
    full, partial : list of vlr.study.verdict.Cell
        numpy's and one_loop's cells.
    predict_full, predict_partial : callable(m, n_x) -> speed-up, optional
        The cost model's predictions (the dashed lines).

    Returns
    -------
    str
        The figure's file name.
    """
    plt = _pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.6))
    for ax, cells, claim, kernel, predict in zip(axes, (full, partial), (COURSE_FULL, COURSE_PARTIAL),
                                                 ("numpy", "one_loop"), (predict_full, predict_partial)):
        im = _claim_panel(ax, cells, claim, f"{kernel} vs two_loops (red: reaches ~{claim:.0f}x; "
                                             f"dashed: model's ~{claim:.0f}x)", predict)
        _x_colorbar(fig, im, ax)
    return _save(fig, out, name)


def machines_heat_maps(studies, out, name="machines_heatmaps.svg"):
    """Small multiples: one row per machine, NumPy's and one loop's speed-up over two loops on
    the same axes and the same colour scale, with each machine's model lines.

    Parameters
    ----------
    studies : list of vlr.study.machine_study.MachineStudy

    Returns
    -------
    str
        The figure's file name.
    """
    import matplotlib.colors as mcolors
    from .cost_model import predicted_speedup
    plt = _pyplot()
    ratios = [c.ratio for s in studies for c in s.full + s.partial if c.measured]
    grid = (sorted({c.m for s in studies for c in s.full}), sorted({c.n_x for s in studies for c in s.full}))
    norm = mcolors.LogNorm(vmin=max(min(ratios), 0.05), vmax=max(ratios)) if ratios else None
    fig, axes = plt.subplots(len(studies), 2, figsize=(12, 4.0 * len(studies)), squeeze=False)
    for row, s in zip(axes, studies):
        label = s.name + (" (yours)" if s.own else "")
        for ax, cells, claim, kernel in zip(row, (s.full, s.partial), (COURSE_FULL, COURSE_PARTIAL),
                                            ("numpy", "one_loop")):
            predict = (lambda m, n, k=kernel, s=s: predicted_speedup(s.models, k, "two_loops", m, n))
            im = _claim_panel(ax, cells, claim, f"{label}: {kernel} vs two_loops", predict, norm, grid)
            _x_colorbar(fig, im, ax)
    return _save(fig, out, name)


def residuals(studies, out, tolerance, name="model_residuals.svg"):
    """The cost model's residuals (predicted ÷ measured − 1) against the measured time, one
    panel per machine on the same axes, one colour per kernel; the band is the stated error.

    Returns
    -------
    str
        The figure's file name.
    """
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(studies), figsize=(6.2 * len(studies), 4.2), squeeze=False,
                             sharey=True)
    for ax, s in zip(axes[0], studies):
        seconds = {(r.kernel, r.m, r.n_x): r.seconds for r in s.rows if r.dtype == "float64" and r.seconds}
        for kernel in KERNELS:
            model = s.models.get(kernel)
            if model is None:
                continue
            pts = [(seconds.get((kernel, m, n)) or model.predict(m, n) / (1 + r), r)
                   for (m, n), r in model.residuals.items()]
            ax.semilogx(*zip(*pts), "o", label=kernel, alpha=0.85)
        ax.axhspan(-tolerance, tolerance, color="0.9", zorder=0)
        ax.axhline(0, color="k", lw=1)
        ax.set(title=s.name + (" (yours)" if s.own else ""), xlabel="measured seconds per step",
               ylabel="predicted ÷ measured − 1")
        ax.grid(True, which="both", alpha=0.3)
    axes[0][0].legend(fontsize=9)
    return _save(fig, out, name)


def roofline(rows, roof_of, out):
    """Bytes of X per second of each kernel as a fraction of the streaming-read roof measured
    at X's size (``roof_of(nbytes)`` -> bytes/s).

    Returns
    -------
    str
        The figure's file name.
    """
    def fraction(r):
        nbytes = r.m * r.n_x * 8
        return nbytes, nbytes / r.seconds / roof_of(nbytes)

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.8, 4.4))
    for kernel, pts in _series(rows, fraction).items():
        ax.semilogx(*zip(*pts), "o", label=kernel, alpha=0.85)
    ax.axhline(1.0, color="k", lw=1)
    ax.axhline(0.5, color="k", lw=1, ls=":")
    ax.text(0.01, 1.03, "one pass at the roof", fontsize=9, transform=ax.get_yaxis_transform())
    ax.text(0.01, 0.53, "two passes at the roof (NumPy's limit)", fontsize=9,
            transform=ax.get_yaxis_transform())
    ax.set_yscale("log")
    ax.set(xlabel="bytes of X", ylabel="bytes of X per s ÷ stream-read roof",
           title="Roofline view (float64, every grid point)")
    ax.legend(fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    return _save(fig, out, "roofline.svg")


def history(series, commits, out, band=None):
    """The fastest compiled kernel's speed-up over NumPy at a few shapes, across kept commits.

    ``series`` maps a label (a shape) to one value or None per commit; ``commits`` are the
    x-axis labels, oldest first. With ``band`` (the run's relative noise, e.g. 0.1), a point
    that changed by less than that from the previous commit is drawn hollow: a tie.

    Returns
    -------
    str
        The figure's file name.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 4.4))
    x = range(len(commits))
    for label, values in series.items():
        pts = [(i, v) for i, v in zip(x, values) if v is not None and math.isfinite(v)]
        if not pts:
            continue
        line, = ax.plot(*zip(*pts), "-", label=label)
        for k, (i, v) in enumerate(pts):
            tie = band is not None and k > 0 and abs(v / pts[k - 1][1] - 1) <= band
            ax.plot([i], [v], "o", color=line.get_color(),
                    markerfacecolor="white" if tie else line.get_color())
    ax.axhline(1.0, color="k", lw=1, ls=":")
    ax.set_yscale("log")
    ax.set_xticks(list(x), commits, rotation=20, ha="right", fontsize=9)
    ax.set(ylabel="fastest compiled ÷ NumPy (speed-up)",
           title="Fastest compiled kernel vs NumPy across the kept commits (float64)"
                 + (f"; hollow: within ±{band:.0%} of the previous (a tie)" if band else ""))
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=9, title="m × n_x")
    return _save(fig, out, "history.svg")
