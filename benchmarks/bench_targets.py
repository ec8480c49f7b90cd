"""The speed targets of the fastest kernel (the table of ``vlr targets``), one parameter each.

Each is measured in its own asv call, every ratio's sides timed alternately in that call and
every bandwidth against the roof measured in the same call (see vlr.study.targets, where each
target's measure, goal and unit are defined). ``VLR_BENCH_GRID=tiny`` uses small arrays (a smoke
run, as the tests do).

The measurements are the study harness's, imported when a benchmark runs, not when the suite
is discovered: a commit of vlr without them shows n/a.
"""
from .common import SUITE_VERSION, grid_name, only_with_everything

#: The targets' keys, in the table's order (vlr.study.targets.TARGETS).
TARGET_KEYS = ["vs_numpy_large", "vs_gemv", "bandwidth_fraction", "auto_vs_best_large",
               "vs_numpy_small", "auto_vs_best", "assignment_shape", "loss_ns", "float32_vs_float64",
               "train_vs_course", "train_vs_course_cost100", "overhead_us"]
#: The targets the quick grid measures (the others take minutes each: the full grid's).
QUICK_TARGETS = ("overhead_us", "train_vs_course")


class TrackTarget:
    """The number each target is judged on, in the target's own unit (of goal, %, x, ns or µs)."""

    params = [TARGET_KEYS]
    param_names = ["target"]
    unit = "target's unit"
    version = SUITE_VERSION
    number = 1
    repeat = 1
    timeout = 1200

    def setup(self, key):
        if key not in QUICK_TARGETS and only_with_everything():
            raise NotImplementedError(only_with_everything())
        try:
            from vlr.study.targets import TARGETS_BY_KEY, measure_target
        except ImportError as exc:
            raise NotImplementedError(f"this commit of vlr has no speed targets ({exc})")
        if key not in TARGETS_BY_KEY:
            raise NotImplementedError(f"this commit of vlr has no target {key!r}")
        self.measure = measure_target

    def track_target(self, key):
        value, _ = self.measure(key, quick=grid_name() == "tiny")
        return value
