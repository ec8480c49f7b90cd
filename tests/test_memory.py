"""Inputs are never mutated; X is never copied (read-only, F-ordered and memory-mapped X)."""
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import vlr
from helpers import COMPILED, KERNELS, assert_matches, make_problem, reference


@pytest.mark.parametrize("kernel", KERNELS)
def test_inputs_unchanged(kernel):
    w, b, X, y = make_problem(6, 50, seed=5)
    w2, Y2 = w.reshape(-1, 1), y.reshape(1, -1)
    copies = [a.copy() for a in (X, w2, Y2)]
    vlr.gradients(w2, b, X, Y2, kernel=kernel)
    vlr.gradient_step(w2, b, X, Y2, 0.3, kernel=kernel)
    vlr.train(X, Y2, 3, 0.3, kernel=kernel, w0=w2, b0=b)
    for before, after in zip(copies, (X, w2, Y2)):
        np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize("kernel", KERNELS)
def test_read_only_F_ordered_X(kernel):
    w, b, X, y = make_problem(9, 300, seed=6, order="F")
    X.setflags(write=False)
    assert_matches(vlr.get_kernel(kernel).module.gradients(w, b, X, y), reference(w, b, X, y), X)
    vlr.gradient_step(w, b, X, y, 0.1, kernel=kernel)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_memory_mapped_X(kernel, dtype, tmp_path):
    w, b, X, y = make_problem(9, 300, seed=7, dtype=dtype)
    path = tmp_path / "X.dat"
    X.tofile(path)
    Xm = np.memmap(path, dtype=dtype, mode="r", shape=X.shape)
    assert_matches(vlr.gradients(w, b, Xm, y, kernel=kernel), reference(w, b, X, y), X)


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("kernel", COMPILED + ["numpy"])
def test_no_copy_of_X_peak_memory(kernel, order):
    # In a fresh process: peak RSS while stepping on a 240 MB X must grow by far less than X.
    code = textwrap.dedent(f"""\
        import resource, numpy as np, vlr
        k = vlr.get_kernel({kernel!r})
        small = np.asfortranarray(np.ones((200, 300))) if {order!r} == "F" else np.ones((200, 300))
        k.gradients(np.zeros(200), 0.0, small, np.ones(300))          # compile / warm up first
        X = np.ones((1500, 20000), order={order!r})
        X[:] = 0.5                                                     # touch every page
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        k.gradients(np.zeros(1500), 0.0, X, np.ones(20000))
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print((after - before) * 1024 / X.nbytes)
        """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    growth = float(proc.stdout.split()[-1])
    assert growth < 0.05, f"peak memory grew by {growth:.0%} of X's size"
