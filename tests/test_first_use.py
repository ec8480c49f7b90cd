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


@pytest.mark.slow
def test_a_step_cached_over_callees_from_the_cache_runs_in_a_new_process(tmp_path):
    # Numba (#8578, #9938) caches a function compiled over a parallel callee that came from the
    # disk cache without the callee's "launch the threading layer first" hook; a new process that
    # loads only that function then calls unresolved symbols (a null pointer: SIGSEGV). Here: the
    # step's own cache entry is lost (as when asv's timeout killed the process that was writing
    # it), the next process compiles the step over the cached parallel callees, and a third loads
    # that step alone at a shape small enough to plan one thread (no thread count is asked).
    code = ("import numpy as np, vlr\n"
            "X = np.linspace(-1, 1, 300).reshape(100, 3)\n"
            "J, dw, db = vlr.gradients(np.zeros(100), 0.0, X, np.array([0., 1., 1.]), kernel='numba')\n"
            "print(repr(J))\n")
    cache = tmp_path / "numba-cache"
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache))

    def run():
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
        return float(done.stdout)

    first = run()
    step_entries = list(cache.rglob("numba_jit._gradients-*"))
    assert step_entries  # the index and the data of the step's one specialisation
    for path in step_entries:
        path.unlink()
    assert run() == first  # compiled over the callees the first process cached
    assert run() == first  # the step loaded alone from the cache


def test_no_threading_layer_makes_numba_unavailable_not_the_library(tmp_path):
    # the Numba kernel launches Numba's threading layer on import; where none loads, it is
    # reported unavailable (with the reason) and every other kernel, "auto" too, still works
    import importlib.util
    if importlib.util.find_spec("tbb") is not None:
        pytest.skip("Intel TBB is installed here: the tbb layer would load")
    code = ("import numpy as np, vlr\n"
            "print(vlr.available_kernels())\n"
            "print(vlr.kernel_status(['numba'])['numba'])\n"
            "print(vlr.gradients(np.zeros(3), 0.0, np.ones((3, 5)), np.ones(5))[0])\n")
    env = dict(os.environ, NUMBA_THREADING_LAYER="tbb", NUMBA_CACHE_DIR=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    kernels, status, J = done.stdout.splitlines()
    assert "'numba'" not in kernels and "'numpy'" in kernels
    assert status.startswith("not available: Numba's threading layer could not be loaded")
    assert status.endswith("Numba is installed but cannot run here")
    assert float(J) == pytest.approx(np.log(2))
