"""Concurrency and determinism: threads share kernels safely; results are reproducible."""
import os
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import vlr
from helpers import COMPILED, KERNELS, make_problem


@pytest.mark.parametrize("kernel", KERNELS)
def test_eight_threads_get_the_serial_results(kernel):
    # shared inputs (the same X for all) and different ones, both sizes that run threaded
    # inside the compiled kernels and sizes that do not
    n_x, m = (40, 2000) if kernel in ("two_loops", "one_loop") else (64, 4000)
    problems = [make_problem(n_x, m, seed=s) for s in range(4)] + [make_problem(5, 300, seed=9)]
    shared = problems[0]
    calls = [shared] * 8 + problems * 2
    serial = [vlr.gradients(w, b, X, y, kernel=kernel) for w, b, X, y in calls]
    for _ in range(3):
        with ThreadPoolExecutor(8) as pool:
            parallel = list(pool.map(lambda p: vlr.gradients(*p, kernel=kernel), calls))
        for (J, dw, db), (J1, dw1, db1) in zip(parallel, serial):
            assert J == J1 and db == db1
            np.testing.assert_array_equal(dw, dw1)


@pytest.mark.parametrize("kernel", COMPILED)
def test_eight_threads_training_in_compiled_code(kernel):
    w, b, X, y = make_problem(16, 5000, seed=3)
    serial = vlr.train(X, y, 20, 0.1, kernel=kernel, w0=w, b0=b)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: vlr.train(X, y, 20, 0.1, kernel=kernel, w0=w, b0=b),
                                range(8)))
    for r in results:
        np.testing.assert_array_equal(r.costs, serial.costs)
        np.testing.assert_array_equal(r.w, serial.w)


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kernel", COMPILED)
def test_fixed_thread_count_is_bit_identical_and_counts_differ_only_by_rounding(kernel, dtype, order):
    w, b, X, y = make_problem(37, 20_011, seed=4, dtype=dtype, order=order)
    module = vlr.get_kernel(kernel).module
    by_threads = {}
    for n_threads in (1, 2, 3, 4):
        first = module.gradients(w, b, X, y, n_threads=n_threads)
        for _ in range(3):
            again = module.gradients(w, b, X, y, n_threads=n_threads)
            assert again[0] == first[0] and again[2] == first[2]
            np.testing.assert_array_equal(again[1], first[1])
        by_threads[n_threads] = first
    # Across thread counts the chunks, hence the tiles, start elsewhere: the float64 sums over
    # chunks change order, and in float32 an example's z may round differently (vector body
    # vs remainder loop, fused multiply-add or not): a few ulps of float32 per example.
    J1, dw1, db1 = by_threads[1]
    rel = 1e-13 if dtype == np.float64 else 1e-6
    for J, dw, db in by_threads.values():
        assert abs(J - J1) <= rel * abs(J1)
        assert abs(db - db1) <= rel * max(abs(db1), 1e-3)
        np.testing.assert_allclose(dw, dw1, rtol=1e-5 if dtype == np.float32 else 1e-12,
                                   atol=1e-7 if dtype == np.float32 else 1e-15)


@pytest.mark.slow
def test_numba_cache_survives_processes_compiling_at_once(tmp_path):
    # four fresh interpreters with an empty Numba cache compile and write it concurrently
    code = textwrap.dedent("""\
        import numpy as np
        from vlr.kernels import numba_jit
        X = np.arange(12.0).reshape(3, 4) / 10
        J, dw, db = numba_jit.gradients(np.ones(3), 0.5, X, np.array([0, 1, 1, 0.5]))
        print(repr(J), repr(db), *map(repr, dw))
        """)
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "numba-cache"))
    for round_ in range(2):  # first: all compile and write; second: all read what was written
        procs = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(4)]
        outs = [p.communicate(timeout=600) for p in procs]
        for p, (out, err) in zip(procs, outs):
            assert p.returncode == 0, err
            assert "Traceback" not in err and "NumbaWarning" not in err, err
        assert len({out for out, _ in outs}) == 1, outs
    assert any((tmp_path / "numba-cache").rglob("*.nbi")), "no cache index written"
