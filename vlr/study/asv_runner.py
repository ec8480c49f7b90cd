"""``vlr study``: run the asv suite, then build the site from the results -- one command.

Runs asv against the current environment (``asv run --python=same --set-commit-hash HEAD``),
so it measures exactly what is installed, with a progress bar fed by asv's own progress lines.
"""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

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


def run_benchmarks(grid="quick", bench=None, on_progress=None, log_path=".asv/study.log",
                   results_dir="benchmarks/results"):
    """Run the asv suite on the installed vlr over ``grid``; returns the log path.

    The results land in ``results_dir`` (``benchmarks/results``, kept in the repository) under
    this machine's asv name (``asv machine``; the host name unless set).

    Parameters
    ----------
    grid : {"quick", "full", "tiny"}
    bench : str, optional
        asv ``--bench`` regular expression selecting benchmarks.
    on_progress : callable(percent: float, what: str), optional

    Returns
    -------
    str
        The log's path.
    """
    if not Path("asv.conf.json").exists():
        raise StudyError("no asv.conf.json here: run vlr study from the root of the vlr repository")
    commit = head_commit()
    machines = Path("~/.asv-machine.json").expanduser()
    if not machines.exists():
        _asv("machine", "--yes")  # describe this machine once, under its host name
    env = dict(os.environ, VLR_BENCH_GRID=grid, PYTHONUNBUFFERED="1")  # live progress lines
    cmd = [sys.executable, "-m", "asv", "run", "--python=same", "--set-commit-hash", commit,
           "--show-stderr"]
    named = [k for k in json.loads(machines.read_text()) if k != "version"]
    if len(named) == 1:  # the one machine described here, whatever the host is called
        cmd += ["--machine", named[0]]
    if Path(results_dir).resolve() != Path("benchmarks/results").resolve():
        from .site import write_asv_config
        Path(".asv").mkdir(exist_ok=True)
        cmd += ["--config", str(write_asv_config(".asv/study.conf.json", results_dir=results_dir))]
    if bench:
        cmd += ["--bench", bench]
    Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w", buffering=1) as log, subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                                      stderr=subprocess.STDOUT, text=True,
                                                      env=env) as proc:
        for line in proc.stdout:
            log.write(line)
            match = _PROGRESS.match(line)
            if match and on_progress:
                on_progress(float(match.group(1)), match.group(2).split()[0] if match.group(2) else "")
    if proc.returncode != 0:
        raise StudyError(f"asv run failed (exit {proc.returncode}); see {log_path}")
    failed = [l for l in Path(log_path).read_text().splitlines() if "failed" in l and "···" in l]
    if failed:
        raise StudyError(f"{len(failed)} benchmark(s) failed, e.g. {failed[0].strip()}; see {log_path}")
    return log_path
