"""A forked child computes what its parent computes, after either compiled kernel ran in the parent.

GNU OpenMP, which both compiled kernels' threads run on, has no fork handler: without
:mod:`vlr.fork_safety` the child of a process that ran a parallel region hangs (Cython) or is
terminated by Numba's guard. Each case runs in its own process, with a timeout, because the
failure is a hang.
"""
import ast
import os
import subprocess
import sys
import textwrap

import pytest

from vlr import available_kernels
from vlr.kernel import COMPILED as OPENMP_KERNELS

COMPILED = [k for k in OPENMP_KERNELS if k in available_kernels()]

SCRIPT = textwrap.dedent("""
    import multiprocessing as mp, os, sys
    import numpy as np, vlr

    X = np.random.default_rng(0).standard_normal((20, 5000))  # parallel: above 2**15 elements
    Y = (X[0] > 0).astype(float)[None]
    PARENT, CHILD, HOW = sys.argv[1], sys.argv[2].split(","), sys.argv[3]

    def job(kernel):
        return vlr.train(X, Y, 50, 0.5, kernel=kernel).costs[-1], len(os.listdir("/proc/self/task"))

    if __name__ == "__main__":
        expected = vlr.train(X, Y, 50, 0.5, kernel=PARENT).costs[-1]
        if HOW == "pool":
            with mp.get_context("fork").Pool(2) as pool:
                got = pool.map(job, CHILD * 2)
        else:
            import joblib
            got = joblib.Parallel(n_jobs=2, backend="multiprocessing")(
                joblib.delayed(job)(k) for k in CHILD * 2)
        costs = [c for c, _ in got]
        assert np.allclose(costs, expected, rtol=1e-12), (costs, expected)
        again = vlr.train(X, Y, 50, 0.5, kernel=PARENT).costs[-1]  # the parent's pool, rebuilt
        assert np.isclose(again, expected, rtol=1e-12)
        print("threads in the children:", sorted({t for _, t in got}))
""")


def run_case(parent, children, how):
    proc = subprocess.run([sys.executable, "-c", SCRIPT, parent, ",".join(children), how],
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Terminating" not in proc.stderr
    return proc.stdout


@pytest.mark.skipif(len(COMPILED) < 2, reason="needs both compiled kernels")
@pytest.mark.parametrize("parent", ["cython", "numba"])
@pytest.mark.parametrize("how", ["pool", "joblib"])
def test_forked_children_run_both_compiled_kernels(parent, how):
    # Children run cython then numba and numba then cython (two tasks each way over 2 workers).
    out = run_case(parent, ["cython", "numba"] if parent == "numba" else ["numba", "cython"], how)
    assert "threads in the children" in out


@pytest.mark.skipif(len(COMPILED) < 2 or (os.cpu_count() or 1) < 2,
                    reason="needs both compiled kernels and two cores")
def test_forked_children_after_auto_keep_their_threads():
    # `auto` times both compiled kernels (a fresh calibration cache is enough); the children
    # then run with their own OpenMP threads (more than the main thread and the pool's helpers).
    out = run_case("auto", ["auto", "cython"], "pool")
    threads = ast.literal_eval(out.split("threads in the children:")[1])
    assert max(threads) >= 2
