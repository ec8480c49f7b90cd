"""The study's commands: ``vlr study | site | verdict | predict | machine | check | report | compare |
targets`` (also ``python -m vlr ...``); the library's own (``info``, ``tune``, ``warm``) are
:mod:`vlr.commands`, listed here too."""
import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from ..commands import TUNE_SIZES, _console, _size, add_library_commands, run


def _json_path(text):
    """A --json target: ``-`` or a file in an existing, writable directory (checked before any
    timing starts, not after)."""
    if text == "-":
        return text
    parent = os.path.dirname(os.path.abspath(text))
    if not os.path.isdir(parent):
        raise argparse.ArgumentTypeError(f"the directory {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise argparse.ArgumentTypeError(f"the directory {parent} is not writable")
    if os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"{text} is a directory")
    return text


def _port(text):
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"port must be an integer, got {text!r}")
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be in 0..65535 (0: any free one), got {port}")
    return port


def _existing_dir(text):
    from pathlib import Path
    if not Path(text).is_dir():
        raise argparse.ArgumentTypeError(
            f"no results directory {text!r}: run `vlr study` to make one, or pass the directory "
            f"that holds asv's results (default benchmarks/results in a clone of vlr)")
    return text


DESCRIPTION = """vlr: one logistic-regression gradient step five ways, measured.

  vlr study     run the asv suite here, build the site, print every machine's verdict
  vlr site      build (and --serve) the published study from the kept results
  vlr verdict   every machine's verdict side by side, from the kept results (--json: every cell)
  vlr predict   measure the model's costs here (~1 min) and predict this machine's verdict
  vlr machine   name this machine for asv after its hardware and write its profile
  vlr check     compare two commits with the study's intervals (a pull request's check)
  vlr report    write the study's page from one asv results file
  vlr compare   time every kernel at a few sizes (no asv)
  vlr targets   measure the speed targets of the fastest kernel
  vlr tune      measure the fastest kernel for some shapes ahead of time
  vlr warm      compile every specialisation of the Numba kernel ahead of time
  vlr info      kernels available here, threads, BLAS, versions, the measured choices

Also `python -m vlr ...`. `vlr COMMAND --help` says more."""


def _cmd_machine(args):
    from .asv_runner import ensure_machine
    from .machines import load_profiles
    name = ensure_machine(args.results_dir, args.name)
    profiles_dir = Path(args.results_dir).parent / "machines"
    profile = load_profiles(profiles_dir).get(name, {})
    hardware = profile.get("hardware")
    print(f"asv machine `{name}`" + (f" (hardware: {hardware})" if hardware and hardware != name else "")
          + f"; profile {profiles_dir / (name + '.json')}")
    print(f"next: asv run --machine {name} HEAD^!   (or vlr study)")
    return 0


def _cmd_check(args):
    from .check import run_check, table
    try:
        changes, base, head = run_check(args.base, args.head, bench=args.bench, rounds=args.rounds,
                                        factor=args.factor, log=lambda line: print(line, flush=True))
    except RuntimeError as exc:  # asv could not build or run a commit: nothing decided
        print(f"vlr check: {exc}", file=sys.stderr)
        return 2
    text = table(changes, base, head)
    print(text)
    summary = args.summary or os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as f:
            f.write(text + "\n")
    if not changes:
        print("vlr check: no benchmark was measured on both commits", file=sys.stderr)
        return 2
    return 1 if any(c.verdict == "slower" for c in changes) else 0


def _cmd_targets(args):

    from .targets import format_targets, measure_targets
    console = _console()
    with console.status("measuring") as status:
        results = measure_targets(progress=lambda what: status.update(f"measuring {what}"),
                                  quick=args.quick)
    console.print(format_targets(results))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
        console.print(f"wrote {args.json}")
    return 0


def _cmd_compare(args):
    from rich.progress import Progress

    from ..machine import describe, machine_info
    from .compare import compare, speedups
    from .tables import compare_table

    console = _console()
    console.print(describe(machine_info()))
    dtype = np.dtype(args.dtype)
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("timing", total=None)
        results = compare(args.size, kernels=args.kernel, dtype=dtype,
                          python_budget=args.python_budget,
                          progress=lambda what: bar.update(task, description=f"timing {what}"))
    rows = speedups(results)
    console.print(compare_table(rows).rich(f"one gradient step, {dtype} (best of repeats, wall clock)"))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": machine_info(), "rows": rows}, f, indent=2)
        console.print(f"wrote {args.json}")
    return 0


def _print_verdict(console, rows, lines, out):
    from rich.markdown import Markdown

    from .tables import steps_table
    console.print(steps_table(rows).rich("the study's table: time per step and speed-ups"))
    console.print(Markdown("\n\n".join(lines)))
    console.print(f"study page: {out}/index.html (also report.md, table.csv, *.svg)")


def _cmd_report(args):

    from .report import write_report
    # figures link to asv's pages of the site `vlr site` builds (default .asv/html/asv)
    asv_href = os.path.relpath(os.path.join(".asv", "html", "asv", "index.html"), args.out)
    out, rows, lines = write_report(args.results, out_dir=args.out, results_dir=args.results_dir,
                                    asv_href=asv_href)
    _print_verdict(_console(), rows, lines, out)
    return 0


def _cmd_site(args):
    from .site import build_site, serve
    site, _, _ = build_site(args.site, results_dir=args.results_dir, docs=False if args.no_docs else None)
    docs = (site / "docs" / "index.html").exists() and not args.no_docs
    print(f"site: {site}/index.html (the study; asv's pages in {site}/asv/"
          + (f"; the documentation in {site}/docs/)" if docs else ")"))
    if args.serve:
        serve(site, args.port)
    return 0


def _minutes(seconds):
    """``"12 min 5 s"``, ``"40 s"``: a duration as a person reads it."""
    seconds = int(round(seconds))
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


def _cmd_study(args):
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from ..machine import describe, machine_info
    from .site import build_site
    from .asv_runner import QUICK_BENCH, run_benchmarks

    console = _console()
    console.print(describe(machine_info()))
    from .grid import bench_regex  # the grid's own points only: no asv process per skipped point
    bench = args.bench or (None if args.grid == "full" else
                           bench_regex("." if args.everything else QUICK_BENCH, args.grid))
    if not args.no_run:
        start = time.monotonic()
        if console.is_terminal:
            with Progress(TextColumn("[bold]asv run[/] {task.description}"), BarColumn(),
                          TextColumn("{task.percentage:>5.1f}%"), TimeElapsedColumn(),
                          TextColumn("{task.fields[left]}"), console=console) as bar:
                task = bar.add_task(f"({args.grid} grid)", total=100, left="")

                def progress(pct, what, left):
                    bar.update(task, completed=pct, description=what[-60:],
                               left=f"~{_minutes(left)} left" if left is not None else "")
                run_benchmarks(args.grid, bench=bench, results_dir=args.results_dir, on_progress=progress,
                               everything=args.everything)
        else:  # a log file or a pipe: one plain line per benchmark, flushed
            def progress(pct, what, left):
                elapsed = _minutes(time.monotonic() - start)
                print(f"[{pct:5.1f}%] measuring {what} ({elapsed} elapsed"
                      + (f", ~{_minutes(left)} left)" if left is not None else ")"), flush=True)
            run_benchmarks(args.grid, bench=bench, results_dir=args.results_dir, on_progress=progress,
                               everything=args.everything)
        console.print(f"asv run took {_minutes(time.monotonic() - start)}")
        if args.refine_budget > 0:
            _refine(console, args)
    studies = _studies(args.results_dir)
    site, rows, lines = build_site(args.site, results_dir=args.results_dir,
                                   docs=False if args.no_docs else None, studies=studies)
    _print_verdict(console, rows, lines, site)
    _print_across(console, studies)
    console.print(f"site  : {site}/index.html (offline; `vlr site --serve` shows it in a browser)")
    console.print(f"results: {args.results_dir}/ (commit them, and benchmarks/machines/<name>.json, "
                  f"to keep this run in the published history)")
    return 0


def _refine(console, args):
    """Re-measure the undecided cells of this machine's run within ``--refine-budget`` seconds."""
    from .asv_runner import ensure_machine, run_benchmarks
    from .refine import refine
    machine = ensure_machine(args.results_dir)

    def run(regexes):
        run_benchmarks(args.grid, bench="|".join(regexes), results_dir=args.results_dir,
                       log_path=".asv/refine.log", append=True)
    refine(args.results_dir, machine, args.refine_budget, run,
           say=lambda text: console.print(text, highlight=False))


def _studies(results_dir, own=True):
    """Every machine's study from ``results_dir``, read once (the renderers share them)."""
    from pathlib import Path

    from .machine_study import all_studies
    from .machines import load_profiles, local_machine_name
    return all_studies(results_dir, load_profiles(Path(results_dir).parent / "machines"),
                       local_machine_name() if own else None)


def _write_json(data, target):
    """``data`` as JSON to the file ``target``, or to stdout for ``-``."""
    import json
    from pathlib import Path
    text = json.dumps(data, indent=1, default=float)
    if target == "-":
        print(text)
        return
    path = Path(target)  # checked when the arguments were parsed (_json_path)
    path.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)


def _cmd_verdict(args):
    from .across import readme_block
    from .tables import machines_verdict_table
    studies = _studies(args.results_dir, own=not args.markdown)
    if not studies:
        raise ValueError(f"no results with the study's step timings in {args.results_dir}/: run `vlr study`")
    if args.json:
        _write_json({"machines": [s.as_dict() for s in studies]}, args.json)
    elif args.markdown:
        print("\n".join(readme_block(studies)))
    else:
        print("\n".join(machines_verdict_table(studies).text(title=VERDICT_TITLE)))
    return 0


def _cmd_predict(args):
    import numba

    from .. import get_kernel
    from ..machine import cpu_facts
    from .bandwidth import stream_read_seconds
    from .grid import GRIDS, skip_reason
    from .model_parameters import measure
    from .prediction import prediction_table
    from .tables import prediction_table as table_of, shape_label
    start = time.monotonic()
    steps = {k: (lambda w, b, X, Y, k=get_kernel(k): k.gradient_step(w, b, X, Y, 0.01))
             for k in ("two_loops", "one_loop", "numpy")}
    params = measure(steps, cpu_facts()["caches_kib"],
                     lambda a: stream_read_seconds(a, numba.get_num_threads()), quick=args.quick,
                     progress=lambda what: print(f"[{time.monotonic() - start:4.0f} s] measuring {what}",
                                                 file=sys.stderr, flush=True))
    grid = GRIDS[args.grid]
    points = [(m, n_x) for m in grid["m"] for n_x in grid["n_x"]
              if not skip_reason("numpy", m, n_x)]  # the grid's points within the size limit
    rows = prediction_table(params, points)
    seconds = time.monotonic() - start
    if args.json:
        _write_json({"grid": args.grid, "seconds": seconds, "parameters": params, "cells": rows,
                     "machine": cpu_facts()}, args.json)
    if args.json != "-":
        lines = table_of(rows).text(title=f"predicted on this machine from {len(params)} measured costs "
                                          f"({seconds:.0f} s); no cell of the grid was run")
        print("\n".join(lines))
        for claim, title in (("full", "~300x"), ("partial", "~10x")):
            about = [shape_label(r["m"], r["n_x"]) for r in rows if r[claim]["category"] == "about"]
            print(f"{title} should hold (within a factor 2) at: {', '.join(about) or 'no cell of the grid'}")
    return 0


def _print_across(console, studies):
    """Every machine's verdict side by side, and a warning for a run too noisy to publish."""
    from .tables import machines_verdict_table
    from .verdict import NOISE_LIMIT, noisy_points
    console.out("\n".join(machines_verdict_table(studies).text(title=VERDICT_TITLE)), highlight=False)
    for s in studies:
        band = s.noise
        if s.own and band and not (1 - NOISE_LIMIT <= band[0] and band[1] <= 1 + NOISE_LIMIT):
            points = noisy_points(s.rows, s.results)
            console.print(f"[bold red]warning:[/] this run is noisier than ±{NOISE_LIMIT:.0%} (a kernel "
                          f"timed against itself gave {band[0]:.2f}x to {band[1]:.2f}x): re-measure on a "
                          f"quiet machine, e.g. " + ", ".join(f"{r.kernel} {r.m:g}x{r.n_x}" for r in points[:8]))


#: The heading of every machine's verdict in the terminal.
VERDICT_TITLE = ("every machine's verdict (measured points only; a cell is decided only when its whole 95 % "
                 "interval lies in one category: about = within a factor 2 of the claim)")


def main(argv=None):
    from .compare import DEFAULT_SIZES, PYTHON_BUDGET
    from .. import __version__
    parser = argparse.ArgumentParser(prog="vlr", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"vlr {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("study", help="run the asv suite, publish the offline site, write the report")
    p.add_argument("--grid", choices=["quick", "full", "tiny"], default="quick",
                   help="benchmark grid (default quick: the verdict's benchmarks, about 15 min on "
                        "2 cores; full: every benchmark over the full grid, hours)")
    p.add_argument("--bench", help="asv --bench regex to run only some benchmarks")
    p.add_argument("--everything", action="store_true",
                   help="run every benchmark (peers, Dask, the fit race, compile times, all targets), "
                        "not only the verdict's")
    p.add_argument("--no-run", action="store_true", help="reuse existing results: build the site only")
    p.add_argument("--no-docs", action="store_true", help="leave the documentation out of the site")
    p.add_argument("--site", default=".asv/html", help="site directory (default %(default)s)")
    p.add_argument("--results-dir", default="benchmarks/results",
                   help="asv results directory (default %(default)s: kept in the repository)")
    p.add_argument("--refine-budget", type=float, default=180.0, metavar="SECONDS",
                   help="after the run, re-measure the cells whose 95 %% interval decides no "
                        "category, for at most this long (default %(default)s; 0: never)")
    p.set_defaults(func=_cmd_study)

    p = sub.add_parser("machine", help="name this machine for asv after its hardware (if asv has no "
                                       "name for it yet) and write its profile beside the results")
    p.add_argument("--name", help="register it under this asv machine name instead")
    p.add_argument("--results-dir", default="benchmarks/results",
                   help="asv results directory (default %(default)s): the profile goes to ../machines")
    p.set_defaults(func=_cmd_machine)

    from .check import FACTOR, ROUNDS
    p = sub.add_parser("check", help="compare two commits with asv, rounds interleaved, by the study's "
                                     "interval rule; exit 1 only on a slowdown the intervals decide",
                       description="Build BASE and HEAD with asv, run both with their rounds "
                                   "interleaved into a scratch results directory (never the kept "
                                   "results), and decide each point by the study's rule: slower only "
                                   "when the whole 95 %% interval of base ÷ head lies below 1/FACTOR. "
                                   "Exit 0: no slowdown; 1: a slowdown decided; 2: nothing could be "
                                   "decided (asv failed, or nothing measured on both).")
    p.add_argument("base", help="the commit to compare against (a branch, tag or hash)")
    p.add_argument("head", help="the commit to judge")
    p.add_argument("--bench", help="asv --bench regular expression (default: one step of numpy, numba "
                                   "and cython on the quick grid's float64 points)")
    p.add_argument("--rounds", type=int, default=ROUNDS,
                   help="asv rounds per commit, interleaved (default %(default)s)")
    p.add_argument("--factor", type=float, default=FACTOR,
                   help="smallest change that counts, either way (default %(default)s)")
    p.add_argument("--summary", metavar="FILE",
                   help="also append the Markdown table to FILE (default $GITHUB_STEP_SUMMARY if set)")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("report", help="write the study's page (verdict, table, figures) from asv results")
    p.add_argument("--results", help="asv results file (default: the newest in --results-dir)")
    p.add_argument("--results-dir", default="benchmarks/results", type=_existing_dir,
                   help="default %(default)s")
    p.add_argument("--out", default=".asv/report", help="output directory (default %(default)s)")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("site", help="build the published site from the kept results (no benchmark "
                                    "runs): the study first, asv's pages one click away")
    p.add_argument("--site", default=".asv/html", help="site directory (default %(default)s)")
    p.add_argument("--results-dir", default="benchmarks/results", type=_existing_dir,
                   help="default %(default)s")
    p.add_argument("--serve", action="store_true", help="then serve it on 127.0.0.1 and print the URL")
    p.add_argument("--no-docs", action="store_true",
                   help="leave the documentation out (built into <site>/docs when Sphinx is installed)")
    p.add_argument("--port", type=_port, default=8000, help="port for --serve (0: any free one)")
    p.set_defaults(func=_cmd_site)

    p = sub.add_parser("verdict", help="every machine's verdict side by side, from the kept results "
                                       "(no benchmark runs)")
    p.add_argument("--results-dir", default="benchmarks/results", type=_existing_dir,
                   help="default %(default)s")
    p.add_argument("--markdown", action="store_true", help="as the README's Markdown table")
    p.add_argument("--json", metavar="FILE", type=_json_path,
                   help="write every machine's cells (estimate, 95 %% interval, samples, how measured, "
                        "category, the model's prediction) as JSON to FILE, or - for stdout")
    p.set_defaults(func=_cmd_verdict)

    p = sub.add_parser("predict", help="measure the model's costs on this machine (about a minute) "
                                       "and predict every cell's speed-ups and categories")
    p.add_argument("--json", metavar="FILE", type=_json_path, help="also write the parameters and predictions as "
                                                  "JSON to FILE (- for stdout only)")
    p.add_argument("--grid", choices=["quick", "full", "tiny"], default="quick",
                   help="the grid to predict (default %(default)s)")
    p.add_argument("--quick", action="store_true", help="smaller probes (seconds; rougher numbers)")
    p.set_defaults(func=_cmd_predict)

    add_library_commands(sub)

    p = sub.add_parser("targets", help="measure the speed targets (fastest vs NumPy, bandwidth, "
                                       "float32, overhead, training loop) in one run")
    p.add_argument("--quick", action="store_true", help="smaller arrays and grid (a smoke run)")
    p.add_argument("--json", metavar="FILE", type=_json_path, help="also write the measurements as JSON")
    p.set_defaults(func=_cmd_targets)

    p = sub.add_parser("compare", help="time every kernel at a few sizes; speed-ups vs two loops and NumPy")
    p.add_argument("--size", type=_size, action="append",
                   help="n_x x m, e.g. 100x10000; repeatable (default: "
                        + ", ".join(f"{n}x{m}" for n, m in DEFAULT_SIZES) + ")")
    p.add_argument("--kernel", action="append", help="kernel to time; repeatable (default: all)")
    p.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    p.add_argument("--python-budget", type=float, default=PYTHON_BUDGET,
                   help="largest n_x·m at which the pure-Python kernels run (default %(default).0e)")
    p.add_argument("--json", metavar="FILE", type=_json_path, help="also write the rows and machine info as JSON")
    p.set_defaults(func=_cmd_compare)

    given = sys.argv[1:] if argv is None else list(argv)
    if given and given[0].startswith("-") and given[0] not in ("-h", "--help", "--version"):
        parser.error(f"unknown option {given[0]}: options follow a command (vlr COMMAND --help "
                     f"lists them); the commands are study, site, verdict, predict, machine, check, "
                     f"report, compare, targets, tune, warm, info")
    args = parser.parse_args(argv)
    if getattr(args, "size", 1) is None:
        args.size = list(DEFAULT_SIZES) if args.command == "compare" else list(TUNE_SIZES)
    from .site import SiteError
    from .asv_runner import StudyError
    from .docs import DocsError
    return run(parser, args, failures=(StudyError, SiteError, DocsError))


if __name__ == "__main__":
    sys.exit(main())
