"""The asv suite can benchmark any commit: its discovery imports nothing from vlr beyond the
public interface, and its grid, data and timer are the harness's files (vlr.study.grid, ...)."""
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from vlr.data import make_step_data
from vlr.kernel import KERNELS
from vlr.study import grid as study_grid

ROOT = Path(__file__).resolve().parents[1]

DISCOVER = """
import importlib, json, pkgutil, sys
sys.path.insert(0, {root!r})
import vlr
public = {{m for m in sys.modules if m == "vlr" or m.startswith("vlr.")}}
import benchmarks
for info in pkgutil.iter_modules(benchmarks.__path__):
    importlib.import_module("benchmarks." + info.name)
after = {{m for m in sys.modules if m == "vlr" or m.startswith("vlr.")}}
print(json.dumps(sorted(after - public)))
"""


def test_discovery_imports_only_the_public_interface():
    proc = subprocess.run([sys.executable, "-c", DISCOVER.format(root=str(ROOT))],
                          capture_output=True, text=True, cwd="/", timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1]) == []


def _common():
    spec = importlib.util.spec_from_file_location("bench_common", ROOT / "benchmarks" / "common.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_suite_grid_is_the_harness_grid():
    common = _common()
    for name in ("SUITE_VERSION", "GRIDS", "MAX_ELEMENTS", "TWO_LOOPS_MAX_ELEMENTS",
                 "ONE_LOOP_MAX_EXAMPLES"):
        assert getattr(common._grid, name) == getattr(study_grid, name), name
    assert common.SUITE_VERSION == study_grid.SUITE_VERSION
    assert common.KERNELS == list(KERNELS)
    for kernel, m, n_x in [("two_loops", 10_000, 1000), ("one_loop", 10**6, 1), ("numba", 10**6, 1000)]:
        assert common.skip_reason(kernel, m, n_x) == study_grid.skip_reason(kernel, m, n_x)
    for a, b in zip(common.make_step_data(300, 7, "float32"), make_step_data(300, 7, "float32")):
        np.testing.assert_array_equal(a, b)


def test_suite_timer_and_roof():
    common = _common()
    slow, fast = common.interleaved_seconds([lambda: sum(range(20_000)), lambda: None],
                                            repeat=3, min_time=0.01, settle=0)
    assert slow > fast > 0
    a = np.ones(1_000_000)
    assert 0 < common.stream_read_seconds(a, 1) < 1
    assert "none" != common.blas_label()


@pytest.mark.slow
def test_roof_runs_after_the_suite_loaded_it_under_another_name(tmp_path):
    # benchmarks/common.py loads vlr/study/bandwidth.py by path as `vlr_suite_vlr_study_bandwidth`;
    # a Numba disk cache written there broke `vlr targets` in the same clone afterwards
    import os
    import subprocess
    import sys
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "numba"))
    suite = ("import sys, numpy as np; sys.path.insert(0, %r); from benchmarks import common; "
             "common.stream_read_seconds(np.ones(1 << 16), 1, 1)" % str(ROOT))
    library = ("import numpy as np; from vlr.study.bandwidth import stream_read_seconds; "
               "stream_read_seconds(np.ones(1 << 16), 1, 1)")
    for code in (suite, library):
        proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                              timeout=300, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr[-2000:]


def test_bench_regex_selects_the_grids_own_points():
    # what vlr study (and the tests' tiny run) pass to asv --bench: the gridded benchmarks at
    # the grid's points only, so asv starts no process for a point the grid would skip
    import itertools
    import re
    from vlr.study.grid import GRIDS, QUICK_BENCH, bench_regex
    declared = json.loads((ROOT / "benchmarks" / "results" / "benchmarks.json").read_text())
    for grid in ("tiny", "quick"):
        pattern = re.compile(bench_regex(QUICK_BENCH, grid))
        g = GRIDS[grid]
        for name, b in declared.items():
            if name == "version" or not b["params"] or "m" not in b["param_names"]:
                continue
            chosen = [dict(zip(b["param_names"], ps)) for ps in itertools.product(*b["params"])
                      if pattern.search(f"{name}({', '.join(ps)})")]
            for point in chosen:
                assert int(point["m"]) in g["m"] and int(point["n_x"]) in g["n_x"], (name, point)
                assert point.get("dtype", "'float64'").strip("'") in g["dtype"], (name, point)
            if "TimeGradientStep" in name:
                assert len(chosen) == len(KERNELS) * len(g["m"]) * len(g["n_x"]) * len(g["dtype"])
            if "TimePeerGradient" in name:
                assert not chosen  # not one of the quick grid's benchmarks
        assert pattern.search("bench_environment.TrackThreads.track_threads('numba')")
        assert not pattern.search("bench_dask.TimeDaskIteration.time_iteration(1)")
