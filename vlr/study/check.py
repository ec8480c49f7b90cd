"""``vlr check BASE HEAD``: did a commit make the kernels slower? The study's rule, on two commits.

asv's own ``continuous`` flags a benchmark when its medians differ by more than a factor and
asv's statistics do not rule it out; one noisy round is enough to cry wolf (on a busy 2-core
machine ``--quick`` reported a commit that touches no kernel as 116x slower). Here both commits
are built and run by asv in one ``asv run`` with their rounds interleaved (base, head, base,
head, ...), every sample kept, into a scratch results directory (never the kept results). Each
point's speed-up base ÷ head gets the study's interval (:func:`vlr.study.intervals.unpaired_ratio`)
and the study's rule decides it (:func:`vlr.study.intervals.category` with ``k = 1``): *slower*
only when the whole 95 % interval lies below ``1 / factor``, *faster* when it lies above
``factor``, *no change* when it lies within ``[1 / factor, factor]``, else *undecided*. The
check fails only on a slowdown so decided.
"""
from __future__ import annotations

import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from .grid import GRIDS, MAX_ELEMENTS
from .intervals import ABOUT, ABOVE, BELOW, LEVEL, Estimate, category, unpaired_ratio

#: A change smaller than this factor either way is no change (asv's default ``--factor``).
FACTOR = 1.1
#: asv rounds per commit, interleaved: each round is a fresh process.
ROUNDS = 4
#: What a pull request's check times by default: the compiled kernels and NumPy, one step, on
#: the quick grid's float64 points within the size limit (about 10 minutes for two commits on 2 cores).
CHECK_KERNELS = ("numpy", "numba", "cython")
VERDICTS = {BELOW: "slower", ABOVE: "faster", ABOUT: "no change"}


def default_bench() -> str:
    """asv ``--bench`` regular expression of the check's default subset: one
    ``TimeGradientStep`` point per kernel of :data:`CHECK_KERNELS` and quick-grid (m, n_x).

    Returns
    -------
    str
    """
    g = GRIDS["quick"]
    m_values, n_x_values = cast(list[int], g["m"]), cast(list[int], g["n_x"])
    points = [(m, n_x) for m, n_x in itertools.product(m_values, n_x_values) if m * n_x <= MAX_ELEMENTS]
    ms = "|".join(sorted({str(m) for m, _ in points}, key=int))
    nxs = "|".join(sorted({str(n) for _, n in points}, key=int))
    return (rf"TimeGradientStep\.time_gradient_step\('({'|'.join(CHECK_KERNELS)})', ({ms}), ({nxs}), "
            r"'float64'\)")


@dataclass(frozen=True)
class Change:
    """One benchmark point, base against head.

    Attributes
    ----------
    benchmark : str
        asv's name with its parameters.
    base, head : float
        Median seconds (or the benchmark's unit) of each commit.
    estimate : Estimate
        base ÷ head: above 1 the head is faster.
    verdict : str
        ``"slower"``, ``"faster"``, ``"no change"`` or ``"undecided"``.
    """

    benchmark: str
    base: float
    head: float
    estimate: Estimate
    verdict: str


def _samples(path: Path) -> dict[str, list[float]]:
    """'benchmark(params)' -> the samples of an asv results file kept with ``--record-samples``."""
    data = json.loads(path.read_text())
    columns = data["result_columns"]
    i_params, i_samples = columns.index("params"), columns.index("samples")
    out = {}
    for name, row in data["results"].items():
        if len(row) <= i_samples or not row[i_samples]:
            continue
        combos = list(itertools.product(*row[i_params])) if row[i_params] else [()]
        for combo, samples in zip(combos, row[i_samples]):
            if samples:
                out[f"{name}({', '.join(combo)})" if combo else name] = [float(s) for s in samples]
    return out


def decide(base: dict[str, list[float]], head: dict[str, list[float]], factor: float = FACTOR,
           level: float = LEVEL) -> list[Change]:
    """Every point both commits measured: base ÷ head with its interval and the rule's verdict.

    Parameters
    ----------
    base, head : dict
        'benchmark(params)' -> samples (seconds).
    factor : float
        The smallest change that counts, either way (> 1).
    level : float
        The intervals' confidence level.

    Returns
    -------
    list of Change
    """
    if not factor > 1:
        raise ValueError(f"factor must be > 1, got {factor!r}")
    changes = []
    for name in sorted(set(base) & set(head)):
        est = unpaired_ratio(base[name], head[name], level)
        if est is None:
            continue
        # the study's rule with k = 1 and a band of `factor`: speed-up base ÷ head
        verdict = VERDICTS.get(category(est.low, est.high, 1.0, band_factor=factor), "undecided")
        changes.append(Change(name, statistics.median(base[name]), statistics.median(head[name]), est, verdict))
    return changes


def table(changes: list[Change], base: str, head: str) -> str:
    """The comparison as a Markdown table (what a pull request's job summary shows).

    Returns
    -------
    str
    """
    from ..timing import format_seconds
    counts = {v: sum(c.verdict == v for c in changes) for v in ("slower", "faster", "no change", "undecided")}
    lines = [f"**vlr check** `{base[:8]}` → `{head[:8]}`: " + ", ".join(f"{n} {v}" for v, n in counts.items())
             + f" (of {len(changes)}; a change counts when the whole {LEVEL:.0%} interval of base ÷ head "
             f"lies beyond the factor)", "",
             "| verdict | base | head | base ÷ head | 95 % interval | samples | benchmark |",
             "|---|---:|---:|---:|---|---:|---|"]
    order = {"slower": 0, "faster": 1, "undecided": 2, "no change": 3}
    for c in sorted(changes, key=lambda c: (order[c.verdict], c.benchmark)):
        e = c.estimate
        interval = "n/a" if e.low is None else f"{e.low:.3f}–{e.high:.3f}"
        lines.append(f"| {c.verdict} | {format_seconds(c.base)} | {format_seconds(c.head)} | {e.ratio:.3f} "
                     f"| {interval} | {e.n} | `{c.benchmark}` |")
    return "\n".join(lines) + "\n"


def _git(*args) -> str:
    try:
        return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        raise ValueError(f"git {' '.join(args)} failed: {detail.strip()}") from exc


def run_check(base: str, head: str, bench: str | None = None, rounds: int = ROUNDS,
              factor: float = FACTOR, work_dir: str | os.PathLike | None = None,
              log=print) -> tuple[list[Change], str, str]:
    """Build and run ``base`` and ``head`` with asv, rounds interleaved, into a scratch results
    directory; returns the changes and the two full commit hashes.

    Parameters
    ----------
    base, head : str
        Commits (anything git names: a branch, a tag, ``HEAD~1``).
    bench : str, optional
        asv ``--bench`` regular expression (default :func:`default_bench`).
    rounds : int
        asv rounds per commit (≥ 2: the rounds are what is interleaved).
    factor : float
    work_dir : path, optional
        Where asv's scratch results go (default: a new directory under ``.asv/``).
    log : callable
        Receives a line per step.

    Returns
    -------
    (list of Change, str, str)
    """
    if not isinstance(rounds, int) or rounds < 2:
        raise ValueError(f"rounds must be an integer >= 2, got {rounds!r}")
    if not factor > 1:
        raise ValueError(f"factor must be > 1, got {factor!r}")
    if not Path("asv.conf.json").exists():
        raise ValueError("no asv.conf.json here: run vlr check from the root of the vlr repository")
    base_hash, head_hash = _git("rev-parse", "--verify", f"{base}^{{commit}}"), _git(
        "rev-parse", "--verify", f"{head}^{{commit}}")
    from .asv_runner import ensure_machine
    from .site import write_asv_config
    Path(".asv").mkdir(exist_ok=True)
    work = (Path(work_dir) if work_dir else Path(tempfile.mkdtemp(prefix="check-", dir=".asv"))).resolve()
    results = work / "results"
    config = write_asv_config(work / "asv.conf.json", results_dir=results, html_dir=work / "html")
    machine = ensure_machine(results)  # the profile goes beside the scratch results, not the kept ones
    options = ["--config", str(config), "--machine", machine, "--attribute", f"rounds={rounds}",
               "--record-samples", "--show-stderr", "--bench", bench or default_bench()]
    if base_hash != head_hash:
        commits = work / "commits.txt"
        commits.write_text(f"{base_hash}\n{head_hash}\n")
        log(f"asv run: {base_hash[:8]} and {head_hash[:8]}, {rounds} interleaved rounds each, into {results}")
        _asv_run([f"HASHFILE:{commits}", "--interleave-rounds", *options], work / "asv.log")
        found = _kept_samples(results / machine)
        missing = [c[:8] for c in (base_hash, head_hash) if c not in found]
        if missing:
            raise RuntimeError(f"asv kept no results for {', '.join(missing)}; see {work / 'asv.log'}")
        return decide(found[base_hash], found[head_hash], factor), base_hash, head_hash
    # one commit against itself (the noise check): asv runs a commit once per run, so two runs
    runs = []
    for i in (1, 2):
        log(f"asv run {i} of 2: {base_hash[:8]} against itself, {rounds} rounds, into {results}")
        _asv_run([f"{base_hash}^!", *options], work / f"asv-{i}.log")
        runs.append(_kept_samples(results / machine)[base_hash])
        for path in (results / machine).glob(f"{base_hash[:8]}-*.json"):
            path.rename(work / f"run{i}-{path.name}")  # the second run starts afresh
    return decide(runs[0], runs[1], factor), base_hash, head_hash


def _asv_run(args, log_path):
    env = dict(os.environ, VLR_MACHINES_DIR=str(Path(log_path).parent / "machines"))  # not the kept profiles
    proc = subprocess.run([sys.executable, "-m", "asv", "run", *args], capture_output=True, text=True, env=env)
    Path(log_path).write_text(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        raise RuntimeError(f"asv run failed (exit {proc.returncode}); see {log_path}")


def _kept_samples(machine_dir: Path) -> dict[str, dict[str, list[float]]]:
    """commit hash -> its samples, for every asv results file in ``machine_dir``."""
    return {json.loads(p.read_text())["commit_hash"]: _samples(p)
            for p in machine_dir.glob("*.json") if p.name != "machine.json"}
