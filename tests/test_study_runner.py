"""`vlr study`'s runner: the machine named for its hardware and profiled, progress parsed from
asv's own lines, the time left estimated from an earlier run's durations."""
import json
from pathlib import Path

import pytest

from vlr.study import asv_runner, machines
from vlr.study.asv_runner import QUICK_BENCH, TimeLeft, _benchmark_of, expected_durations

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("line,name", [
    ("Running (bench_numpy_parts.TimeNumpyParts.time_part--).", "bench_numpy_parts.TimeNumpyParts.time_part"),
    ("bench_step.TimeGradientStep.time_gradient_step                  ok", "bench_step.TimeGradientStep.time_gradient_step"),
    ("Building for existing-py_tmp_clone_.venv_bin_python", ""),
    ("=========== ==================== ====================", ""),
    ("For parameters: 'two_loops', 100, 1, 'float64'", ""),
])
def test_progress_lines_name_benchmarks_only(line, name):
    assert _benchmark_of(line) == name


def test_time_left_follows_the_run_pace(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(asv_runner.time, "monotonic", lambda: clock[0])
    left = TimeLeft({"bench_a.A.a": 100.0, "bench_b.B.b": 300.0, "bench_c.C.c": 600.0})
    assert left.update("bench_a.A.a") == pytest.approx(1000.0)  # nothing done: the earlier run's total
    clock[0] = 50.0
    assert left.update("bench_b.B.b") == pytest.approx(950.0)  # 10 % done: too little to judge the pace
    clock[0] = 200.0  # a and b done (40 % of the work) in 200 s: this run is half as slow
    assert left.update("bench_c.C.c") == pytest.approx(600.0 * 200 / 400)
    assert TimeLeft({}).update("bench_a.A.a") is None
    assert TimeLeft({"bench_step.TimeGradientStep.time_gradient_step": 1.0,
                     "bench_dask.TimeDaskIteration.time_iteration": 9.0}, QUICK_BENCH).total == 1.0


def test_expected_durations_come_from_the_kept_results():
    durations = expected_durations(ROOT / "benchmarks" / "results", "zen3-epyc-2core")
    assert durations and all(v > 0 for v in durations.values())
    assert "bench_step.TimeGradientStep.time_gradient_step" in durations


def test_a_new_machine_is_named_for_its_hardware_and_profiled(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))  # asv writes ~/.asv-machine.json
    name = asv_runner.ensure_machine(tmp_path / "benchmarks" / "results")
    from vlr.machine import machine_info
    assert name == machines.proposed_name(machine_info())
    described = json.loads((tmp_path / ".asv-machine.json").read_text())[name]
    # (asv stores only the fields that differ from its own defaults, e.g. not num_cpu)
    assert described["machine"] == name and described["cpu"].startswith(machine_info()["cpu"])
    profile = json.loads((tmp_path / "benchmarks" / "machines" / f"{name}.json").read_text())
    assert profile["machine"] == name and profile["vector_isa"] and profile["kernels_built_for"]
    assert machines.local_machine_name() == name
    assert asv_runner.ensure_machine(tmp_path / "benchmarks" / "results") == name  # kept, not renamed


@pytest.mark.slow
def test_study_runs_are_filed_under_the_machines_one_environment_name(tmp_path, monkeypatch):
    # two real `asv run --python=same` runs of one commit: each is filed under the name asv gives
    # this Python with these libraries, and the second adds to the first (asv's own behaviour)
    import sys
    from vlr.study.env_names import installed_requirements, kept_env_name
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(ROOT)
    results = tmp_path / "results"
    asv_runner.run_benchmarks("tiny", bench="TrackThreads", results_dir=results,
                              log_path=str(tmp_path / "a.log"))
    asv_runner.run_benchmarks("tiny", bench="TrackModelParameter", results_dir=results,
                              log_path=str(tmp_path / "b.log"), append=True)
    files = [p for p in results.glob("*/*.json") if p.name != "machine.json"]
    python = f"{sys.version_info[0]}.{sys.version_info[1]}"
    name = kept_env_name(python, installed_requirements())
    assert [p.name for p in files] == [f"{asv_runner.head_commit()[:8]}-{name}.json"]
    data = json.loads(files[0].read_text())
    assert data["env_name"] == name and data["python"] == data["params"]["python"] == python
    assert {"bench_environment.TrackThreads.track_threads",
            "bench_model.TrackModelParameter.track_parameter"} <= set(data["results"])
