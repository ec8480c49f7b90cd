"""The speed targets of the compiled kernels (the table of ``vlr targets``), one benchmark each.

Each is measured in its own asv call, both sides of every ratio timed alternately in that call
(see vlr.targets). ``VLR_BENCH_GRID=tiny`` uses small arrays (a smoke run, as the tests do).
"""
from vlr.study_grid import SUITE_VERSION, grid_name
from vlr.targets import TARGETS_BY_KEY, measure_target


class _Target:
    key = None
    version = SUITE_VERSION
    number = 1
    repeat = 1
    timeout = 900

    def track_target(self):
        value, _ = measure_target(self.key, quick=grid_name() == "tiny")
        return value


def _target(key, doc):
    target = TARGETS_BY_KEY[key]
    attrs = dict(key=key, unit=target.unit, __doc__=f"{target.measure} (target {target.op} "
                                                     f"{target.goal:g} {target.unit}). {doc}")
    return type(f"TrackTarget_{key}", (_Target,), attrs)


TrackTarget_vs_numpy_large = _target("vs_numpy_large", "Worst of 100x1e6 and 1000x1e5 float64.")
TrackTarget_bandwidth_fraction = _target("bandwidth_fraction", "Percent of the stream read.")
TrackTarget_vs_numpy_grid_min = _target("vs_numpy_grid_min", "Worst grid point.")
TrackTarget_float32_vs_float64 = _target("float32_vs_float64", "Worst of the large shapes.")
TrackTarget_overhead_us = _target("overhead_us", "Worst compiled kernel, microseconds.")
TrackTarget_train_speedup = _target("train_speedup", "Python loop time / compiled loop time.")
