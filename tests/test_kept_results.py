"""The kept results compare the asv way: one environment name per machine, so that
``asv compare --machine M A B`` gives a ratio for every benchmark both commits ran, and asv's
graphs draw one line per benchmark and parameter set."""
import itertools
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from vlr.study.env_names import kept_env_name, refile, results_path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


def _kept(machine_dir):
    files = [p for p in sorted(machine_dir.glob("*.json")) if p.name != "machine.json"]
    return [(p, json.loads(p.read_text())) for p in files]


MACHINES = sorted(p for p in RESULTS.iterdir() if p.is_dir())


@pytest.mark.parametrize("machine_dir", MACHINES, ids=lambda p: p.name)
def test_one_environment_name_per_machine(machine_dir):
    kept = _kept(machine_dir)
    assert kept, f"{machine_dir} keeps no results"
    names = {d["env_name"] for _, d in kept}
    assert len(names) == 1, names
    for path, data in kept:
        # the name asv itself would file it under, and the same Python in every place it is recorded
        assert path == results_path(RESULTS, machine_dir.name, data["commit_hash"], data["env_name"])
        assert data["env_name"] == kept_env_name(data["python"], data["requirements"])
        assert data["params"]["python"] == data["python"]
        assert data["params"]["machine"] == machine_dir.name
    # asv's graphs split a benchmark's line by every parameter of the run: one set per machine
    assert len({json.dumps(d["params"], sort_keys=True) for _, d in kept}) == 1


def _values(data):
    """(benchmark, params) -> value for every measured point of an asv results file."""
    columns = data["result_columns"]
    i_result, i_params = columns.index("result"), columns.index("params")
    out = {}
    for name, row in data["results"].items():
        values = row[i_result] or []
        combos = list(itertools.product(*row[i_params])) if row[i_params] else [()]
        for combo, value in zip(combos, values):
            if value is not None and not (isinstance(value, float) and math.isnan(value)):
                out[(name, combo)] = value
    return out


PAIRS = [(m.name, a, b) for m in MACHINES
         for a, b in itertools.pairwise(sorted(_kept(m), key=lambda pd: pd[1]["date"]))]


@pytest.mark.parametrize("machine,a,b", PAIRS,
                         ids=[f"{m}-{a[1]['commit_hash'][:8]}-{b[1]['commit_hash'][:8]}" for m, a, b in PAIRS])
def test_asv_compare_gives_a_ratio_for_every_benchmark_both_ran(machine, a, b):
    both = set(_values(a[1])) & set(_values(b[1]))
    assert both, "two kept runs of a machine share no measured benchmark"
    proc = subprocess.run([sys.executable, "-m", "asv", "compare", "--machine", machine,
                           a[1]["commit_hash"], b[1]["commit_hash"]],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    rows = [r.split("|") for r in proc.stdout.splitlines() if r.startswith("|") and "bench_" in r]
    ratios = [r for r in rows if re.fullmatch(r"\s*~?[\d.]+\s*", r[4])]
    assert len(ratios) == len(both), (len(ratios), len(both))


def test_refile_changes_the_name_and_nothing_measured(tmp_path):
    source = next(p for p, _ in _kept(RESULTS / "zen4-epyc-2core"))
    machine_dir = tmp_path / "zen4-epyc-2core"
    machine_dir.mkdir()
    copy = machine_dir / source.name
    copy.write_text(source.read_text())
    moved = refile(copy, "existing-py_x_bin_python", "/x/bin/python")
    assert not copy.exists() and moved.name.endswith("-existing-py_x_bin_python.json")
    before, after = json.loads(source.read_text()), json.loads(moved.read_text())
    assert after["env_name"] == "existing-py_x_bin_python"
    assert after["python"] == after["params"]["python"] == "/x/bin/python"
    for d in (before, after):
        del d["env_name"], d["python"], d["params"]["python"]
    assert before == after
    with pytest.raises(ValueError, match="not an asv results file"):
        (machine_dir / "other.json").write_text("[1, 2]")
        refile(machine_dir / "other.json", "x", "3.11")
