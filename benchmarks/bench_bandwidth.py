"""The machine's streaming-read bandwidth at X's sizes: the roof for a one-pass kernel."""
from vlr.bandwidth import stream_read_bandwidth
from vlr.study_grid import SUITE_VERSION


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

    def track_stream_read(self, nbytes, threads):
        return stream_read_bandwidth(nbytes, threads=threads) / 1e9
