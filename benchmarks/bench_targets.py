"""The speed targets of the fastest kernel (the table of ``vlr targets``), one benchmark each.

Each is measured in its own asv call, every ratio's sides timed alternately in that call and
every bandwidth against the roof measured in the same call (see vlr.study.targets).
``VLR_BENCH_GRID=tiny`` uses small arrays (a smoke run, as the tests do).

The measurements are the study harness's (``vlr.study.targets``), imported when a benchmark runs,
not when the suite is discovered: a commit of vlr without them shows n/a.
"""
from .common import SUITE_VERSION, grid_name


class _Target:
    key = None
    version = SUITE_VERSION
    number = 1
    repeat = 1
    timeout = 1200

    def setup(self):
        try:
            from vlr.study.targets import TARGETS_BY_KEY, measure_target
        except ImportError as exc:
            raise NotImplementedError(f"this commit of vlr has no speed targets ({exc})")
        if self.key not in TARGETS_BY_KEY:
            raise NotImplementedError(f"this commit of vlr has no target {self.key!r}")
        self.measure = measure_target

    def track_target(self):
        value, _ = self.measure(self.key, quick=grid_name() == "tiny")
        return value


class TrackTarget_vs_numpy_large(_Target):
    """Fastest vs NumPy on X >= 100 MB, C and F order, as a fraction of min(3, 0.8·L) (worst shape)."""
    key = "vs_numpy_large"
    unit = "of goal"


class TrackTarget_bandwidth_fraction(_Target):
    """Fastest's bytes of X per second, percent of the stream-read roof of the same run."""
    key = "bandwidth_fraction"
    unit = "%"


class TrackTarget_vs_numpy_small(_Target):
    """Fastest vs NumPy below 100 MB (grid and held-out shapes), as a fraction of its goal (worst)."""
    key = "vs_numpy_small"
    unit = "of goal"


class TrackTarget_auto_vs_best(_Target):
    """auto's time vs the best single kernel's at the same points (worst)."""
    key = "auto_vs_best"
    unit = "x"


class TrackTarget_loss_ns(_Target):
    """ns per example of a one-thread step at n_x = 1 (loss and dz), best compiled kernel."""
    key = "loss_ns"
    unit = "ns"


class TrackTarget_float32_vs_float64(_Target):
    """float64 time / float32 time of the fastest kernel on X >= 100 MB (worst shape)."""
    key = "float32_vs_float64"
    unit = "x"


class TrackTarget_train_vs_course(_Target):
    """The course's NumPy loop time / vlr.train's, n_x = 10, m = 1000, 1000 iterations."""
    key = "train_vs_course"
    unit = "x"


class TrackTarget_overhead_us(_Target):
    """vlr.gradients minus the raw kernel, n_x = m = 8, microseconds (worst compiled kernel)."""
    key = "overhead_us"
    unit = "µs"
