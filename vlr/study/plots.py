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


def heat_maps(rows, out):
    """Speed-up over two loops across m x n_x for NumPy (claim ~300x) and one loop (~10x);
    cells reaching the claim are outlined in red.

    Returns
    -------
    str
        The figure's file name.
    """
    import numpy as np
    plt = _pyplot()
    n_xs = sorted({r.n_x for r in rows})
    ms = sorted({r.m for r in rows})
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.4))
    for ax, (kernel, claim) in zip(axes, [("numpy", COURSE_FULL), ("one_loop", COURSE_PARTIAL)]):
        Z = np.full((len(n_xs), len(ms)), np.nan)
        for r in rows:
            if r.kernel == kernel and r.vs_two_loops:
                Z[n_xs.index(r.n_x), ms.index(r.m)] = r.vs_two_loops
        with np.errstate(divide="ignore", invalid="ignore"):
            im = ax.imshow(np.log10(Z), origin="lower", aspect="auto", cmap="viridis")
        for i in range(len(n_xs)):
            for j in range(len(ms)):
                missing = np.isnan(Z[i, j])
                ax.text(j, i, "n/a" if missing else fmt_x(Z[i, j]), ha="center", va="center",
                        fontsize=10, color="0.4" if missing else ("w" if Z[i, j] < 30 else "k"))
        for i, j in zip(*np.nonzero(np.nan_to_num(Z) >= claim)):
            ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, ec="r", lw=2.5))
        ax.set_xticks(range(len(ms)), [f"{m:.0e}" for m in ms])
        ax.set_yticks(range(len(n_xs)), [str(n) for n in n_xs])
        ax.set(xlabel="m (examples)", ylabel="n_x (features)",
               title=f"{kernel} vs two_loops (red: reaches ~{claim:.0f}x)")
        fig.colorbar(im, ax=ax, label="log10 speed-up")
    return _save(fig, out, "speedup_heatmaps.svg")


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


def history(series, commits, out):
    """The fastest compiled kernel's speed-up over NumPy at a few shapes, across kept commits.

    ``series`` maps a label (a shape) to one value or None per commit; ``commits`` are the
    x-axis labels, oldest first.

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
        if pts:
            ax.plot(*zip(*pts), "o-", label=label)
    ax.axhline(1.0, color="k", lw=1, ls=":")
    ax.set_yscale("log")
    ax.set_xticks(list(x), commits, rotation=20, ha="right", fontsize=9)
    ax.set(ylabel="fastest compiled ÷ NumPy (speed-up)",
           title="Fastest compiled kernel vs NumPy across the kept commits (float64)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=9, title="m × n_x")
    return _save(fig, out, "history.svg")
