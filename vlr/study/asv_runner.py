"""``vlr study``: run the asv suite, then build the site from the results -- one command.

Runs asv against the current environment (``asv run --python=same --set-commit-hash HEAD``),
so it measures exactly what is installed (its results filed under the environment name every
kept result of the machine shares: :mod:`vlr.study.env_names`), with progress fed by asv's own
progress lines and the time left estimated from the benchmarks' durations in the newest kept results. The
machine is named for its hardware (:func:`vlr.study.machines.proposed_name`) unless asv
already knows it, and its profile is written beside the results.
"""
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from .env_names import file_same_python_results, reopen
from .grid import QUICK_BENCH  # noqa: F401 (vlr study's --bench on the quick grid)

_PROGRESS = re.compile(r"^\[\s*([\d.]+)%\]\s*[·.]+\s*(.*)")


class StudyError(RuntimeError):
    """A step of the study failed; the message says which and how to see more."""


def _asv(*args):
    proc = subprocess.run([sys.executable, "-m", "asv", *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise StudyError(f"`asv {' '.join(args)}` failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


def head_commit():
    """The checked-out commit: asv files results under it.

    Returns
    -------
    str
    """
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as exc:
        raise StudyError("vlr study must run inside a git clone of vlr (asv keys results by "
                         "commit)") from exc


def _benchmark_of(text):
    """The benchmark an asv progress line names: ``Running (bench_x.Y.z--).`` when it starts,
    ``bench_x.Y.z  ok`` when it is done; "" for asv's own steps."""
    running = re.match(r"Running \((bench_[\w.]+?)-*\)", text)
    if running:
        return running.group(1)
    first = text.split()[0] if text.split() else ""
    return first if first.startswith("bench_") else ""


def expected_durations(results_dir="benchmarks/results", machine=None):
    """Seconds each benchmark took in the newest results file that records durations (this
    machine's if it has one): what the time left is estimated from.

    Returns
    -------
    dict
        benchmark name -> seconds; empty when no results record durations.
    """
    from .asv_results import raw_results_files
    best, best_key = {}, None
    for path, data in raw_results_files(results_dir):
        try:
            i = data["result_columns"].index("duration")
            durations = {name: float(row[i]) for name, row in data["results"].items()
                         if len(row) > i and row[i]}
        except (KeyError, ValueError, TypeError):
            continue
        key = (path.parent.name == machine, data.get("date", 0))
        if durations and (best_key is None or key > best_key):
            best, best_key = durations, key
    return best


class TimeLeft:
    """Estimates the time left of an asv run from the benchmarks started so far, weighted by
    their durations in an earlier run and scaled by how fast this run goes."""

    def __init__(self, durations, selected=None):
        self.durations = {k: v for k, v in durations.items()
                          if selected is None or re.search(selected, k)}
        self.total = sum(self.durations.values())
        self.done: set = set()
        self.start = time.monotonic()

    def update(self, benchmark):
        """Record that ``benchmark`` has started; return the estimated seconds left, or None."""
        finished = {k for k in self.durations if k in self.done}
        self.done.add(benchmark)
        expected_done = sum(self.durations[k] for k in finished)
        if not self.total:
            return None
        elapsed = time.monotonic() - self.start
        if expected_done < 0.25 * self.total:  # too little done to judge this run's pace:
            return max(0.0, self.total - elapsed)  # as fast as the earlier run
        return max(0.0, (self.total - expected_done) * elapsed / expected_done)


def ensure_machine(results_dir="benchmarks/results", name=None):
    """The asv machine name of this computer; described to asv first if it has no name yet,
    under a name that says the hardware (or ``name``). Writes the machine's profile beside the
    results. ``vlr machine`` runs this alone.

    Parameters
    ----------
    results_dir : path
    name : str, optional
        Register this computer under ``name`` (asv keeps the names it already has).

    Returns
    -------
    str
    """
    from ..machine import machine_info
    from .machines import asv_description, local_machine_name, proposed_name, write_profile
    info = machine_info()
    known = local_machine_name()
    if name is None and known is not None:
        name = known
    elif name is None or name != known:
        name = name or proposed_name(info)
        import platform
        try:
            ram = f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f}GB"
        except (ValueError, OSError, AttributeError):  # not POSIX
            ram = "unknown"
        # asv records only the fields that differ from its defaults (num_cpu, arch, os usually do not)
        _asv("machine", "--yes", "--machine", name, "--cpu", asv_description(info),
             "--num_cpu", str(info["cores"]), "--arch", platform.machine(),
             "--os", f"{platform.system()} {platform.release()}", "--ram", ram)
    write_profile(name, info, Path(results_dir).parent / "machines")
    return name


def run_benchmarks(grid="quick", bench=None, on_progress=None, log_path=".asv/study.log",
                   results_dir="benchmarks/results", append=False, everything=False):
    """Run the asv suite on the installed vlr over ``grid``; returns the log path.

    The results land in ``results_dir`` (``benchmarks/results``, kept in the repository) under
    this machine's asv name (:func:`ensure_machine`), its profile in ``benchmarks/machines``.

    Parameters
    ----------
    grid : {"quick", "full", "tiny"}
    bench : str, optional
        asv ``--bench`` regular expression selecting benchmarks.
    on_progress : callable(percent: float, what: str, seconds_left: float or None), optional
    append : bool
        Add the new samples to this commit's kept ones (``--append-samples``) instead of
        replacing them: how the study re-measures its undecided cells.
    everything : bool
        Run the benchmarks the quick grid leaves out too (``VLR_BENCH_EVERYTHING=1``).

    Returns
    -------
    str
        The log's path.
    """
    if not Path("asv.conf.json").exists():
        raise StudyError("no asv.conf.json here: run vlr study from the root of the vlr repository")
    commit = head_commit()
    machine = ensure_machine(results_dir)
    env = dict(os.environ, VLR_BENCH_GRID=grid, PYTHONUNBUFFERED="1",  # live progress lines
               VLR_MACHINES_DIR=str((Path(results_dir).parent / "machines").resolve()))  # the suite's profile
    if everything:
        env["VLR_BENCH_EVERYTHING"] = "1"
    cmd = [sys.executable, "-m", "asv", "run", "--python=same", "--set-commit-hash", commit,
           "--show-stderr", "--machine", machine, "--record-samples"]  # the intervals need them
    if append:
        cmd += ["--append-samples"]
    if grid != "full":  # one process per timing benchmark instead of asv's two rounds
        cmd += ["--attribute", "rounds=1"]
    if Path(results_dir).resolve() != Path("benchmarks/results").resolve():
        from .site import write_asv_config
        Path(".asv").mkdir(exist_ok=True)
        cmd += ["--config", str(write_asv_config(".asv/study.conf.json", results_dir=results_dir))]
    if bench:
        cmd += ["--bench", bench]
    Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    left = TimeLeft(expected_durations(results_dir, machine), bench)
    reopen(results_dir, machine, commit)
    try:
        _run_logged(cmd, env, log_path, on_progress, left)
    finally:  # under the environment name every kept result of a machine shares
        file_same_python_results(results_dir, machine, commit)
    failed = [l for l in Path(log_path).read_text().splitlines() if "failed" in l and "···" in l]
    if failed:
        raise StudyError(f"{len(failed)} benchmark(s) failed, e.g. {failed[0].strip()}; see {log_path}")
    return log_path


def _run_logged(cmd, env, log_path, on_progress, left):
    with open(log_path, "w", buffering=1) as log, subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                                      stderr=subprocess.STDOUT, text=True,
                                                      env=env) as proc:
        for line in proc.stdout:
            log.write(line)
            match = _PROGRESS.match(line)
            what = _benchmark_of(match.group(2)) if match else ""
            if on_progress and what:  # a benchmark starting or done, not asv's own steps
                on_progress(float(match.group(1)), what, left.update(what))
    if proc.returncode != 0:
        raise StudyError(f"asv run failed (exit {proc.returncode}); see {log_path}")
