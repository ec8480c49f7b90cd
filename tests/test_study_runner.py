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


@pytest.mark.slow
def test_a_machine_registered_by_plain_asv_is_profiled_by_its_first_asv_run(tmp_path):
    # `asv machine --yes` names the machine after the host; the suite's first run profiles it,
    # with the name vlr would have given it, and the site shows both
    import os
    import socket
    import subprocess
    import sys
    from vlr.machine import machine_info
    from vlr.study.machine_study import all_studies
    from vlr.study.machines import load_profiles
    from vlr.study.site import write_asv_config
    from vlr.study.tables import machines_params_table
    env = dict(os.environ, HOME=str(tmp_path), VLR_MACHINES_DIR=str(tmp_path / "machines"),
               VLR_BENCH_GRID="tiny")
    config = write_asv_config(tmp_path / "asv.conf.json", config=ROOT / "asv.conf.json",
                              results_dir=tmp_path / "results")
    run = lambda *a: subprocess.run([sys.executable, "-m", "asv", *a, "--config", str(config)],  # noqa: E731
                                    cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run("machine", "--yes").returncode == 0
    host = next(k for k in json.loads((tmp_path / ".asv-machine.json").read_text()) if k != "version")
    assert host == socket.gethostname()
    proc = run("run", "--python=same", "--set-commit-hash", asv_runner.head_commit(), "--bench", "TrackThreads")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    profile = load_profiles(tmp_path / "machines")[host]
    assert profile["hardware"] == machines.proposed_name(machine_info())
    assert profile["vector_isa"] and profile["caches_kib"]
    # the site names such a machine by both: a kept machine's results under its profile as `vm`'s
    kept = ROOT / "benchmarks" / "results"
    as_vm = {"zen3-epyc-2core": dict(profile, machine="zen3-epyc-2core")}
    row = machines_params_table(all_studies(kept, as_vm)).rows
    zen3 = next(r for r in row if r[0].startswith("`zen3-epyc-2core`"))
    assert zen3[0].startswith(f"`zen3-epyc-2core` ({profile['hardware']})") or profile["hardware"] == "zen3-epyc-2core"


def test_a_machine_without_a_profile_is_shown_as_asv_describes_it():
    from vlr.study.machine_study import all_studies
    from vlr.study.tables import machines_params_table
    rows = machines_params_table(all_studies(ROOT / "benchmarks" / "results", {})).rows
    assert rows
    for row in rows:
        assert not any(str(cell).startswith("?") for cell in row), row
        assert "asv's description" in row[1] and "AMD EPYC" in row[1] or "Xeon" in row[1]


def test_vlr_machine_names_and_profiles_this_machine(tmp_path, monkeypatch, capsys):
    from vlr.study.cli import main
    from vlr.machine import machine_info
    monkeypatch.setenv("HOME", str(tmp_path))
    results = tmp_path / "benchmarks" / "results"
    assert main(["machine", "--results-dir", str(results)]) == 0
    name = machines.proposed_name(machine_info())
    out = capsys.readouterr().out
    assert f"asv machine `{name}`" in out and f"asv run --machine {name} HEAD^!" in out
    assert json.loads((tmp_path / "benchmarks" / "machines" / f"{name}.json").read_text())["hardware"] == name
    # registered under another name (as `asv machine --yes` does): kept, profiled, both names said
    assert main(["machine", "--name", "vm", "--results-dir", str(results)]) == 0
    assert "asv machine `vm` (hardware: " + name + ")" in capsys.readouterr().out
