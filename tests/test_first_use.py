"""First use of the Numba kernel: a compile is announced on stderr, `vlr warm`'s list of
specialisations covers what the public API calls, and a compile is never timed as a candidate."""
import os
import subprocess
import sys

import numba
import numpy as np
import pytest

import vlr
from vlr.kernels import _plan, numba_jit

pytestmark = pytest.mark.skipif("numba" not in vlr.available_kernels(), reason="needs numba")


def _layouts(dtype):
    X = np.random.default_rng(0).standard_normal((5, 400)).astype(dtype)
    read_only = np.asfortranarray(X)
    read_only.flags.writeable = False  # as a memory map opened "r" or a Dask block off the network
    return {"C": X, "F": np.asfortranarray(X), "A": np.asfortranarray(np.repeat(X, 2, axis=1))[:, ::2],
            "read-only F": read_only}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("layout", ["C", "F", "A", "read-only F"])
def test_warm_covers_what_the_public_calls_compile(dtype, layout):
    X = _layouts(dtype)[layout]
    y = (np.arange(X.shape[1]) % 2).astype(dtype)
    w = np.zeros(X.shape[0], dtype)
    vlr.gradients(w, 0.0, X, y, kernel="numba")
    vlr.train(X, y, 3, 0.1, kernel="numba")
    numba_jit.gradients(w[::-1], 0.0, X, y[::-1])  # strided w and y: copied, not compiled for
    warm = {(d, tuple(sig)) for d, sig in numba_jit.specialisations()}
    plan = tuple(numba.typeof(v) for v in _plan.plan(X, None, numba_jit.default_threads))
    vector, scalar = numba.typeof(np.zeros(3, dtype)), numba.float64
    X_type = numba.types.Array(numba.from_dtype(np.dtype(dtype)), 2, numba.typeof(X).layout, readonly=True)
    step_sig = (X_type, vector, scalar, vector) + plan
    train_sig = (X_type, vector, scalar, vector, scalar, numba.int64, numba.int64) + plan
    for dispatcher, sig in ((numba_jit._gradients, step_sig), (numba_jit._train, train_sig)):
        assert sig in dispatcher.overloads, (dispatcher, sig)  # what the calls compiled
    # and everything this process compiled, whatever other tests ran in it before -- except for an
    # unaligned X (a view at an odd byte offset, which the generated inputs make): its own type
    compiled = {(d, sig) for d in (numba_jit._gradients, numba_jit._train) for sig in d.overloads
                if sig[0].aligned}
    assert compiled <= warm, compiled - warm


@pytest.mark.slow
def test_a_compile_is_announced_once_per_install(tmp_path):
    code = ("import numpy as np, vlr\n"
            "X = np.asfortranarray(np.ones((3, 64), np.float32))\n"
            "vlr.gradients(np.zeros(3, np.float32), 0.0, X, np.ones(64, np.float32), kernel='numba')\n")
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "numba-cache"))
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                           timeout=600)
    assert first.returncode == 0, first.stderr
    assert ("vlr: compiling the Numba kernel's gradient step for float32 F-layout X"
            in first.stderr), first.stderr
    assert "vlr warm" in first.stderr
    again = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                           timeout=600)
    assert again.returncode == 0, again.stderr
    assert "compiling" not in again.stderr  # loaded from Numba's cache: nothing to announce


def test_calibration_times_each_candidate_after_an_untimed_first_call():
    # a compile (or any first-call cost) lands in the warm-up call, never in a timed block
    from vlr import calibration
    calls = []

    class Candidate:
        def __init__(self, name, first, then):
            self.name, self.first, self.then = name, first, then

    def run(kernel):
        import time
        n = sum(1 for c in calls if c == kernel.name)
        calls.append(kernel.name)
        time.sleep(kernel.first if n == 0 else kernel.then)

    outcome = calibration.time_candidates([Candidate("slow-first", 0.5, 0.001),
                                           Candidate("steady", 0.002, 0.002)], run, nbytes=0)
    assert outcome["seconds"]["slow-first"] < 0.1
    assert outcome["kernel"] == "slow-first"
