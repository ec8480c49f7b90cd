"""Start-up costs, each in a fresh interpreter: importing vlr, and the Numba kernel's first call
with an empty (cold) and with a filled on-disk cache."""
import subprocess
import sys
import tempfile

from .common import SUITE_VERSION, only_with_everything

FIRST_CALL = """
import os
os.environ["NUMBA_CACHE_DIR"] = {cache!r}
import numpy as np, vlr
X = np.ones((10, 100)); vlr.gradients(np.zeros(10), 0.0, X, np.ones(100), kernel="numba")
"""


class TimeStartup:
    version = SUITE_VERSION
    repeat = (1, 3, 60.0)
    number = 1
    timeout = 600

    def setup_cache(self):
        if only_with_everything():
            return None  # setup skips every benchmark: no first call to compile
        cache = tempfile.mkdtemp(prefix="vlr-numba-cache-")
        subprocess.run([sys.executable, "-c", FIRST_CALL.format(cache=cache)], check=True)
        return cache

    def setup(self, cache):
        if only_with_everything():
            raise NotImplementedError(only_with_everything())

    def timeraw_import_vlr(self, cache):
        return "import vlr"

    def timeraw_numba_first_call_cold_cache(self, cache):
        return FIRST_CALL.format(cache=tempfile.mkdtemp(prefix="vlr-numba-cold-"))

    def timeraw_numba_first_call_warm_cache(self, cache):
        return FIRST_CALL.format(cache=cache)
