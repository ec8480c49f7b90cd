"""The study's cost model, machine names and profiles, and the verdict's claim cells: counted
only where both sides were measured."""
import json
import math
from pathlib import Path

import pytest

from vlr.study import cost_model, machines
from vlr.study.machine_study import all_studies
from vlr.study.verdict import Cell, tally, verdict

ROOT = Path(__file__).resolve().parents[1]
KEPT = ROOT / "benchmarks" / "results"
GRID = [(m, n) for m in (100, 10_000, 1_000_000) for n in (1, 10, 100, 1000)]


def test_fit_recovers_known_constants_and_flags_a_planted_miss():
    fixed, per_example, per_element = 30e-6, 10e-9, 0.3e-9
    points = [(m, n, fixed + per_example * m + per_element * m * n) for m, n in GRID]
    model = cost_model.fit_kernel("numpy", points)
    assert math.isclose(model.fixed, fixed, rel_tol=1e-6)
    assert math.isclose(model.per_example, per_example, rel_tol=1e-6)
    assert math.isclose(model.per_element, per_element, rel_tol=1e-6)
    assert model.rms < 1e-9 and cost_model.misses({"numpy": model}) == []
    # one point measured 3x slower than the others say: the fit keeps it, the report flags it
    planted = [(m, n, t * (3 if (m, n) == (10_000, 100) else 1)) for m, n, t in points]
    model = cost_model.fit_kernel("numpy", planted)
    missed = cost_model.misses({"numpy": model})
    assert missed and missed[0][:3] == ("numpy", 10_000, 100) and missed[0][3] < -0.5


def test_the_roof_is_a_floor_for_large_X():
    roof = lambda nbytes: 10e9  # 10 GB/s
    points = [(m, n, 1e-6 + 1e-12 * m * n) for m, n in GRID]  # far faster than memory
    model = cost_model.fit_kernel("numpy", points, roof)
    big = model.predict(1_000_000, 1000)
    assert big == pytest.approx(2 * 8e9 / 10e9)  # two passes over 8 GB at 10 GB/s
    assert cost_model.fit_kernel("numpy", points[:2]) is None  # too few points for 3 constants


def test_predicted_speedup_and_constants_text():
    a = cost_model.KernelModel("two_loops", 0.0, 0.0, 100e-9, 1)
    b = cost_model.KernelModel("numpy", 30e-6, 0.0, 0.0, 2)
    models = {"two_loops": a, "numpy": b}
    assert cost_model.predicted_speedup(models, "numpy", "two_loops", 1000, 90) == pytest.approx(300)
    assert cost_model.predicted_speedup(models, "cython", "two_loops", 10, 10) is None
    assert cost_model.format_constants(b) == "30 µs per call"


@pytest.mark.parametrize("facts,cpu,name", [
    ({"generation": "Zen 3", "vendor": "AuthenticAMD", "family": 25, "model_number": 1, "cores": 2},
     "AMD EPYC", "zen3-epyc-2core"),
    ({"generation": "Zen 5", "vendor": "AuthenticAMD", "family": 26, "model_number": 2, "cores": 16},
     "AMD Ryzen 9 9950X 16-Core Processor", "zen5-ryzen-16core"),
    ({"generation": None, "vendor": "GenuineIntel", "family": 6, "model_number": 999, "cores": 4},
     "Intel(R) Xeon(R) CPU", "intel-f6m999-xeon-4core"),
])
def test_proposed_machine_names_say_the_hardware(facts, cpu, name):
    assert machines.proposed_name({"cpu": cpu, "cpu_facts": facts}) == name


def test_this_machine_is_described_by_measurement(tmp_path):
    from vlr.machine import cpu_facts, machine_info
    facts = cpu_facts()
    assert facts["cores"] >= 1 and facts["vector_isa"] in {"AVX-512", "AVX2", "AVX", "SSE4.2", "SSE2", "unknown"}
    if Path("/sys/devices/system/cpu/cpu0/cache").exists():
        assert {"L1d", "L2"} <= set(facts["caches_kib"])
    info = machine_info()
    path = machines.write_profile("test-box", info, tmp_path)
    profile = machines.load_profiles(tmp_path)["test-box"]
    assert json.loads(path.read_text())["machine"] == "test-box"
    assert profile["vector_isa"] == facts["vector_isa"] and profile["cores"] == facts["cores"]
    assert set(profile["kernels_built_for"]) == {"numba", "cython"}


def _kept_study(name):
    studies = {s.name: s for s in all_studies(KEPT, machines.load_profiles(ROOT / "benchmarks" / "machines"))}
    if name not in studies:
        pytest.skip(f"no kept results of {name}")
    return studies[name]


@pytest.mark.parametrize("machine", ["zen4-epyc-2core", "zen3-epyc-2core", "zen5-epyc-2core"])
def test_the_verdict_counts_only_measured_points(machine):
    study = _kept_study(machine)
    t = study.claims()["full"]
    measured = [c for name in ("below", "about", "above", "undecided") for c in t[name]]
    assert all(c.measured and c.how in ("paired", "timed apart", "single calls") for c in measured)
    assert all(not c.measured for c in t["not measured"])
    assert len(measured) + len(t["not measured"]) == len(study.full)
    text = "\n".join(verdict(study.rows, study.results, study.models))
    assert f"of {len(measured)} measured points" in text
    if t["not measured"]:  # the unmeasured points are quoted as predictions, never counted
        assert "predictions, not counted" in text or "unknown at" in text


def test_single_calls_are_never_decided_alone():
    """A side timed once (TrackOneCall in the kept runs) gives no interval: the cell is undecided."""
    study = _kept_study("zen5-epyc-2core")
    singles = [c for c in study.full + study.partial if c.how == "single calls" and c.n < 2]
    assert singles, "the kept Zen 5 results hold single calls"
    once = study.results.get("TrackOneCall.track_seconds")
    for c in singles:
        assert c.spread is None and c.category == "undecided"
        t_two = once.get(("two_loops", c.m, c.n_x, "float64"))
        assert t_two and c.ratio > 0


def test_tally_by_category():
    cells = [Cell(1, 1, 400.0, "paired", 350.0, 450.0, 8), Cell(2, 1, 12.0, "single calls", None, None, 1),
             Cell(3, 1, 900.0, "predicted"), Cell(4, 1, None, None), Cell(5, 1, 100.0, "timed apart", 90, 110, 10),
             Cell(6, 1, 700.0, "paired", 640, 800, 8), Cell(7, 1, 160, "paired", 140, 190, 8)]
    t = tally(cells)
    assert [c.m for c in t["about"]] == [1] and [c.m for c in t["below"]] == [5]
    assert [c.m for c in t["above"]] == [6] and [c.m for c in t["undecided"]] == [2, 7]
    assert [c.m for c in t["not measured"]] == [3, 4]
    partial = tally([Cell(1, 1, 12.0, "paired", 11.0, 13.0, 8, claim="partial")])
    assert len(partial["about"]) == 1  # the same rule: within a factor 2 of ~10x
