"""Command line: ``vlr info`` and ``vlr compare`` (also ``python -m vlr ...``)."""
import argparse
import json
import sys

import numpy as np


def _size(text):
    try:
        n_x, m = (int(float(v)) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 100x10000 (n_x x m), got {text!r}")
    if n_x < 1 or m < 1:
        raise argparse.ArgumentTypeError(f"n_x and m must be >= 1, got {text!r}")
    return n_x, m


def cmd_info(args):
    from .machine import describe, machine_info
    from .registry import PREFERENCE, fastest_kernel
    info = machine_info()
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    print(describe(info))
    print("kernels :")
    for name, status in info["kernels"].items():
        print(f"  {name:<10} {status}")
    print(f"fastest : {fastest_kernel().name} (first available of {', '.join(PREFERENCE)})")
    return 0


def cmd_compare(args):
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    from .compare import compare, format_seconds, speedups
    from .machine import describe, machine_info

    console = Console()
    console.print(describe(machine_info()))
    dtype = np.dtype(args.dtype)
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("timing", total=None)
        results = compare(args.size, kernels=args.kernel, dtype=dtype,
                          python_budget=args.python_budget,
                          progress=lambda what: bar.update(task, description=f"timing {what}"))
    rows = speedups(results)
    table = Table(title=f"one gradient step, {dtype} (best of repeats, wall clock)")
    for col in ("n_x", "m", "kernel", "time / step", "vs two_loops", "vs numpy"):
        table.add_column(col, justify="right" if col != "kernel" else "left")
    fmt = lambda r: "—" if r is None else f"{r:,.1f}x"
    for r in rows:
        time = format_seconds(r["seconds"]) if r["seconds"] else f"skipped ({r['skipped']})"
        table.add_row(str(r["n_x"]), str(r["m"]), r["kernel"], time, fmt(r["vs_two_loops"]),
                      fmt(r["vs_numpy"]))
    console.print(table)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": machine_info(), "rows": rows}, f, indent=2)
        console.print(f"wrote {args.json}")
    return 0


def main(argv=None):
    from .compare import DEFAULT_SIZES, PYTHON_BUDGET
    parser = argparse.ArgumentParser(prog="vlr", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("info", help="kernels available here, threads, BLAS, versions")
    p.add_argument("--json", action="store_true", help="print the machine description as JSON")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("compare", help="time every kernel at a few sizes; speed-ups vs two loops and NumPy")
    p.add_argument("--size", type=_size, action="append",
                   help="n_x x m, e.g. 100x10000; repeatable (default: "
                        + ", ".join(f"{n}x{m}" for n, m in DEFAULT_SIZES) + ")")
    p.add_argument("--kernel", action="append", help="kernel to time; repeatable (default: all)")
    p.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    p.add_argument("--python-budget", type=float, default=PYTHON_BUDGET,
                   help="largest n_x·m at which the pure-Python kernels run (default %(default).0e)")
    p.add_argument("--json", metavar="FILE", help="also write the rows and machine info as JSON")
    p.set_defaults(func=cmd_compare)

    args = parser.parse_args(argv)
    if getattr(args, "size", 1) is None:
        args.size = list(DEFAULT_SIZES)
    try:
        return args.func(args)
    except (ValueError, TypeError) as exc:  # e.g. an unknown --kernel
        parser.error(str(exc))


if __name__ == "__main__":
    sys.exit(main())
