"""The machine's streaming-read bandwidth at X's sizes: the roof for a one-pass kernel."""
import numpy as np

from .common import SUITE_VERSION, stream_read_seconds


class TrackStreamBandwidth:
    """GB/s reading an array once, by its size and thread count (threaded Numba sum)."""

    params = [[8_000_000, 80_000_000, 800_000_000], [1, 2]]
    param_names = ["nbytes", "threads"]
    unit = "GB/s"
    version = SUITE_VERSION
    number = 1
    repeat = 1

    def setup(self, nbytes, threads):
        import numba
        if threads > numba.config.NUMBA_NUM_THREADS:
            raise NotImplementedError(f"only {numba.config.NUMBA_NUM_THREADS} threads here")
        self.a = np.ones(nbytes // 8)

    def track_stream_read(self, nbytes, threads):
        return self.a.nbytes / stream_read_seconds(self.a, threads) / 1e9
