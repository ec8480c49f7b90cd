import os
import sys
import tempfile

from hypothesis import settings

sys.path.insert(0, os.path.dirname(__file__))  # tests/helpers.py

# kernel="auto" calibrates into a cache dir: never the user's one from the tests
os.environ["VLR_CACHE_DIR"] = tempfile.mkdtemp(prefix="vlr-test-cache-")
os.environ.pop("VLR_FASTEST", None)

settings.register_profile("default", max_examples=60, deadline=None)
settings.register_profile("long", max_examples=10_000, deadline=None)
settings.load_profile(os.environ.get("VLR_HYPOTHESIS_PROFILE", "default"))


def pytest_sessionstart(session):
    """Before the workers of a parallel run (pytest-xdist) start: compile every specialisation of
    the Numba kernel that the tests load, split over two processes (one per entry point, so each
    cache index has one writer). A fresh clone then pays each compile once instead of once per
    worker, in whichever test needs it first; with a warm cache this takes a second."""
    config = session.config
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        return  # a worker, or a serial run: the tests compile what they need when they need it
    import subprocess
    import time
    start = time.perf_counter()
    code = "import sys; from vlr.kernels import numba_jit; numba_jit.warm(entry_point=sys.argv[1])"
    procs = [subprocess.Popen([sys.executable, "-c", code, entry]) for entry in ("step", "train")]
    if any(p.wait() for p in procs):
        raise RuntimeError("compiling the Numba kernel before the tests failed (see above)")
    seconds = time.perf_counter() - start
    if seconds > 5:
        print(f"\nvlr tests: compiled the Numba kernel's specialisations in {seconds:.0f} s "
              "(once per clone and Numba version)")
