"""What misleads ``vlr.fastest``'s choice: fresh calibrations of one shape against a long,
steady-state measurement of the same call (the targets' way), in one process.

    python scripts/chooser_probe.py 30x569 12288x209 --calibrations 6

For each shape it calibrates the step class (``--via step``: by a first ``gradient_step`` call;
``--via kernel``: on the bare kernel call, as vlr did before) ``--calibrations`` times, each in a fresh cache
(exactly what a first call does), and prints every candidate's time and the winner; then it
times each single kernel's public ``gradient_step`` interleaved (15 rounds of 0.1 s) and prints
the paired ratios. A calibration that picks the kernel the long measurement calls slower (by
more than the noise of its rounds) is a wrong choice.
"""
import argparse
import os
import statistics
import tempfile

import numpy as np

import vlr
from vlr.calibration import shape_class
from vlr.data import make_step_data
from vlr.registry import FASTEST
from vlr.timing import time_rounds


def shape(text):
    n_x, m = (int(v) for v in text.lower().split("x"))
    return n_x, m


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shapes", type=shape, nargs="+")
    parser.add_argument("--calibrations", type=int, default=6)
    parser.add_argument("--order", choices="CF", default="C")
    parser.add_argument("--dtype", default="float64")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--via", choices=("step", "kernel"), default="step",
                        help="step: calibrate as a user's first call does (a whole gradient "
                             "step timed per candidate); kernel: time the bare kernel call, as "
                             "vlr did before")
    args = parser.parse_args()
    kernels = [vlr.get_kernel(k) for k in ("numpy", "numba", "cython")]
    for n_x, m in args.shapes:
        w, b, X, Y = make_step_data(m, n_x, args.dtype)
        if args.order == "F":
            X = np.asfortranarray(X)
        wf, y = np.ascontiguousarray(w.ravel()), np.ascontiguousarray(Y.ravel())
        print(f"== {n_x}x{m} {args.dtype} {args.order}: {shape_class(X)}")
        winners = []
        for _ in range(args.calibrations):
            with tempfile.TemporaryDirectory() as cache:
                os.environ["VLR_CACHE_DIR"] = cache
                FASTEST.reset()
                if args.via == "step":  # what a user's first call does
                    FASTEST.gradient_step(w, b, X, Y, 0.01)
                    winner = FASTEST.resolve(X).name
                else:  # how vlr timed a class before: the bare kernel call
                    winner = FASTEST.choose(X, lambda k: k.checked_gradients(wf, b, X, y)).name
                entry = FASTEST.calibration.classes[shape_class(X)]
            winners.append(winner)
            s = entry["seconds"]
            playoff = entry.get("playoff")
            print(f"  calibration: {winner:<7}" + " ".join(f"{k} {v * 1e6:9.2f}us" for k, v in sorted(s.items()))
                  + (f"  playoff {playoff['pair']} {playoff['ratio']:.3f}" if playoff else ""))
        rounds = time_rounds([lambda k=k: k.gradient_step(w, b, X, Y, 0.01) for k in kernels],
                             repeat=args.rounds, min_time=0.1)
        names = [k.name for k in kernels]
        best = {n: min(r[i] for r in rounds) for i, n in enumerate(names)}
        ratio = statistics.median(r[1] / r[2] for r in rounds)
        spread = sorted(r[1] / r[2] for r in rounds)
        print("  steady state: " + " ".join(f"{n} {t * 1e6:9.2f}us" for n, t in best.items())
              + f"  numba/cython median {ratio:.3f} (rounds {spread[0]:.3f}..{spread[-1]:.3f})")
        print(f"  chosen: {dict((w_, winners.count(w_)) for w_ in set(winners))}")


if __name__ == "__main__":
    main()
