"""The library's own commands: ``vlr info``, ``vlr tune``, ``vlr warm`` (also ``python -m vlr``).

They serve anyone who imports vlr -- what runs here, the measured choices of ``vlr.fastest``,
the Numba kernel compiled ahead of time -- and never import the study harness; the ``vlr``
command (:mod:`vlr.__main__`) sends every other command to :mod:`vlr.study.cli`.
"""
import argparse
import json
import os
import sys
import time

#: The commands this module runs.
LIBRARY_COMMANDS = ("info", "tune", "warm")
#: ``vlr tune``'s shapes when none is given: (n_x, m) for n_x in 1, 10, 100, 1000 and m in 100,
#: 10⁴, 10⁶, at most 2·10⁸ elements (1.6 GB of float64).
TUNE_SIZES = [(n_x, m) for m in (100, 10_000, 1_000_000) for n_x in (1, 10, 100, 1000)
              if n_x * m <= 200_000_000]


def _console():
    """A rich console that, when the reader of a pipe leaves (`vlr compare | head -1`), stops
    quietly with exit status 0 as the plain-print commands do (rich's own choice is 1)."""
    from rich.console import Console

    class QuietOnClosedPipe(Console):
        def on_broken_pipe(self) -> None:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise SystemExit(0)
    return QuietOnClosedPipe()


def _size(text):
    try:
        n_x, m = (int(float(v)) for v in text.lower().split("x"))
    except (ValueError, OverflowError):  # OverflowError: inf
        raise argparse.ArgumentTypeError(f"size must look like 100x10000 (n_x x m, finite), got {text!r}")
    if n_x < 1 or m < 1:
        raise argparse.ArgumentTypeError(f"n_x and m must be >= 1, got {text!r}")
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") if hasattr(os, "sysconf") else None
    if memory and n_x * m * 8 > memory:
        raise argparse.ArgumentTypeError(
            f"{text}: not enough memory: X would take {n_x * m * 8 / 2**30:,.0f} GiB, more than this machine's "
            f"{memory / 2**30:.0f} GiB of memory; pick a smaller --size")
    return n_x, m


def _cmd_info(args):
    from .machine import describe, machine_info
    from .calibration import ENV_OVERRIDE, Calibration, fastest_override
    override = fastest_override()  # a bad value is refused before anything is printed
    info = machine_info()
    calibration = Calibration()
    if args.json:
        print(json.dumps(info | {"fastest": calibration.classes,
                                 "fastest_cache": str(calibration.path)}, indent=2))
        return 0
    print(describe(info))
    print("kernels :")
    for name, status in info["kernels"].items():
        print(f"  {name:<10} {status}")
    print(f"fastest : measured per class of call on its own data, cached in {calibration.path}"
          + (f"\n          OVERRIDDEN by {ENV_OVERRIDE}={override}" if override else "")
          + (f"\n          (stored file ignored: {calibration.discarded})" if calibration.discarded else ""))
    if not calibration.classes:
        print("  no class measured yet (the first call of a class measures it; or vlr tune)")
    for cls, entry in sorted(calibration.classes.items()):
        best = entry["seconds"][entry["kernel"]]
        others = ", ".join(f"{k} {v / best:.2f}x" for k, v in sorted(entry["seconds"].items())
                           if k != entry["kernel"])
        playoff = entry.get("playoff")
        decided = ""
        if playoff:
            a, b = playoff["pair"]
            decided = f"; playoff {a} ÷ {b} = {playoff['ratio']:.2f}"
            if "rounds" in playoff:  # (entries calibrated before playoffs recorded rounds lack it)
                decided += f" in {playoff['rounds']} rounds"
                decided += "" if playoff["decided"] else ", undecided"
        print(f"  {cls:<40} {entry['kernel']:<7} ({others} its time{decided})")
    return 0


def _cmd_tune(args):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .calibration import ENV_OVERRIDE, fastest_override
    from .registry import FASTEST
    if fastest_override():
        raise ValueError(f"{ENV_OVERRIDE}={fastest_override()} fixes the kernel of every class, so "
                         f"there is nothing to tune: unset it (or set it to auto) to measure")
    console = _console()
    with Progress(TextColumn("[bold]tune[/] {task.description}"), BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task("", total=2 * len(args.size))

        def progress(n_x, m, purpose):
            bar.update(task, description=f"{purpose} n_x={n_x} m={m}")
            bar.advance(task)
        winners = FASTEST.tune(args.size, dtype=args.dtype, order=args.order, progress=progress)
    for (n_x, m, purpose), winner in winners.items():
        console.print(f"  {purpose:<5} n_x={n_x:<6} m={m:<9} {winner}")
    console.print("saved; `vlr info` shows the timings")
    return 0


def _cmd_warm(args):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .kernel import kernel_status
    console = _console()
    status = kernel_status()["numba"]
    if status != "available":
        raise ValueError(f"nothing to compile: numba is {status}")
    from .kernels import numba_jit
    pairs = numba_jit.specialisations()
    start = time.monotonic()
    with Progress(TextColumn("[bold]warm[/] {task.description}"), BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task("", total=len(pairs))
        started: list = []  # what warm() has begun compiling, in order

        def progress(what):
            bar.update(task, description=what, completed=len(started))
            started.append(what)
        numba_jit.warm(progress)
        bar.update(task, completed=len(pairs))
    console.print(f"compiled {len(pairs)} specialisations of the Numba kernel in "
                  f"{time.monotonic() - start:.0f} s; Numba's cache keeps them for later processes "
                  f"(the Cython kernel is compiled when vlr is installed)")
    return 0


def add_library_commands(sub):
    """Add ``info``, ``tune`` and ``warm`` to an argparse ``sub``-parsers object (this module's
    parser, and the study's, which lists every command)."""
    p = sub.add_parser("info", help="kernels available here, threads, BLAS, versions")
    p.add_argument("--json", action="store_true", help="print the machine description as JSON")
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser("tune", help="measure the fastest kernel for the classes of some shapes now "
                                    "(on generated data) and cache it")
    p.add_argument("--size", type=_size, action="append",
                   help="n_x x m, e.g. 100x10000; repeatable (default: n_x 1, 10, 100, 1000 by "
                        "m 100, 10^4, 10^6)")
    p.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    p.add_argument("--order", choices=["C", "F"], default="C",
                   help="X's layout: C (examples adjacent) or F (features adjacent, X_sklearn.T)")
    p.set_defaults(func=_cmd_tune)

    p = sub.add_parser("warm", help="compile every specialisation of the Numba kernel now (float32 "
                                    "and float64, C, F and strided X; a few minutes), so that no "
                                    "first call waits for a compile")
    p.set_defaults(func=_cmd_warm)


def run(parser, args, failures=()):
    """Run a parsed command, turning the errors a user can fix into one line and an exit status:
    2 for bad input, 1 for the exception types in ``failures`` (the study's failed runs).

    Returns
    -------
    int
    """
    try:
        return args.func(args)
    except (ValueError, TypeError) as exc:  # e.g. a bad VLR_FASTEST, an unknown --kernel
        parser.exit(2, f"vlr {args.command}: error: {exc}\n")
    except MemoryError as exc:  # e.g. vlr compare --size 1000000000x1000000
        parser.exit(2, f"vlr {args.command}: error: not enough memory ({exc}); pick a smaller "
                       f"--size\n")
    except failures as exc:
        parser.exit(1, f"vlr {args.command}: {exc}\n")
    except BrokenPipeError:  # e.g. `vlr info | head`: the reader left; nothing more to say
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that Python's own flush at exit stays quiet
        return 0
    except KeyboardInterrupt:
        parser.exit(130, f"vlr {args.command}: interrupted\n")


def main(argv=None):
    """``vlr info | tune | warm``.

    Returns
    -------
    int
        The exit status.
    """
    from . import __version__
    parser = argparse.ArgumentParser(prog="vlr", description="vlr's library commands (`vlr --help` "
                                                             "lists the study's too)")
    parser.add_argument("--version", action="version", version=f"vlr {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_library_commands(sub)
    args = parser.parse_args(argv)
    if getattr(args, "size", 1) is None:
        args.size = list(TUNE_SIZES)
    return run(parser, args)
