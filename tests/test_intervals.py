"""The study's statistics: one band rule for both claims, intervals from scipy.stats, a cell
decided only when its interval says so, and `vlr verdict --json` / `vlr predict --json` built on
them."""
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from vlr.study import intervals
from vlr.study.intervals import category, paired_ratio, ratio_of_intervals, unpaired_ratio

ROOT = Path(__file__).resolve().parents[1]
KEPT = ROOT / "benchmarks" / "results"


@pytest.mark.parametrize("low,high,k,expected", [
    (160, 590, 300, "about"), (150, 600, 300, "about"),  # the band's edges belong to it
    (100, 140, 300, "below"), (610, 900, 300, "above"),
    (140, 200, 300, "undecided"), (500, 700, 300, "undecided"), (100, 700, 300, "undecided"),
    (6, 19, 10, "about"), (4, 6, 10, "undecided"), (1, 4.9, 10, "below"),
    (None, None, 10, "undecided"), (math.nan, 5, 10, "undecided"),
])
def test_one_band_rule_for_both_claims(low, high, k, expected):
    assert category(low, high, k) == expected


def test_paired_interval_covers_the_true_ratio_and_narrows_with_samples():
    rng = np.random.default_rng(1)
    true = 250.0
    covered, widths = 0, []
    for trial in range(400):
        est = paired_ratio(true * np.exp(rng.normal(0, 0.1, 8)))
        covered += est.low <= true <= est.high
        widths.append(est.high / est.low)
    assert 0.90 <= covered / 400 <= 0.99  # a 95 % interval, not a point
    wide = paired_ratio(true * np.exp(rng.normal(0, 0.1, 4)))
    narrow = paired_ratio(true * np.exp(rng.normal(0, 0.1, 64)))
    assert narrow.high / narrow.low < wide.high / wide.low
    assert "t interval" in narrow.method and narrow.n == 64


def test_one_sample_has_no_interval_and_decides_nothing():
    est = paired_ratio([300.0])
    assert est.low is None and est.high is None and category(est.low, est.high, 300) == "undecided"
    est = unpaired_ratio([20.0], [0.06, 0.061, 0.059])
    assert est.ratio == pytest.approx(20.0 / 0.06, rel=0.02) and est.low is None
    assert paired_ratio([]) is None and paired_ratio([math.nan, -1.0]) is None


def test_unpaired_welch_interval():
    rng = np.random.default_rng(2)
    base = 20.0 * np.exp(rng.normal(0, 0.02, 3))   # three single calls of a slow side
    fast = 0.05 * np.exp(rng.normal(0, 0.05, 10))  # ten timings of the other side
    est = unpaired_ratio(base, fast)
    assert est.low < 400 < est.high and est.high / est.low < 1.3 and est.n == 3


def test_asv_intervals_of_both_medians_combine_conservatively():
    est = ratio_of_intervals((10.0, 9.0, 11.0), (0.05, 0.045, 0.055), n=10)
    assert est.ratio == pytest.approx(200) and est.low == pytest.approx(9 / 0.055)
    assert est.high == pytest.approx(11 / 0.045) and "99 %" in est.method
    assert ratio_of_intervals((10.0, 9.0, 11.0), (0.05, 0.045, 0.055), n=1).low is None


def _verdict_json(tmp_path):
    out = tmp_path / "verdict.json"
    proc = subprocess.run([sys.executable, "-m", "vlr", "verdict", "--results-dir", str(KEPT),
                           "--json", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text())


def test_verdict_json_every_cell_agrees_with_its_interval(tmp_path):
    data = _verdict_json(tmp_path)
    machines = {m["machine"]: m for m in data["machines"]}
    assert {"zen-epyc-2core", "zen3-epyc-2core", "zen4-epyc-2core", "zen5-epyc-2core"} <= set(machines)
    for m in machines.values():
        assert m["rule"]["band"] == intervals.BAND and m["cells"]
        for c in m["cells"]:
            assert {"claim", "kernel", "baseline", "m", "n_x", "estimate", "ci_low", "ci_high",
                    "n_samples", "how", "category"} <= set(c)
            k = m["rule"]["claims"][c["claim"]]["k"]
            if c["how"] in ("paired", "timed apart", "single calls"):
                assert c["category"] == category(c["ci_low"], c["ci_high"], k), c
                if c["n_samples"] < 2:  # a single sample is never decided
                    assert c["category"] == "undecided" and c["ci_low"] is None, c
                if c["ci_low"] is not None:
                    assert c["ci_low"] <= c["estimate"] <= c["ci_high"], c
            else:
                assert c["category"].startswith("predicted") or c["category"] == "unknown", c
        assert m["model"] is not None and m["model"]["parameters_source"] in ("measured", "fitted")
        if m["model"]["parameters_source"] == "fitted":  # kept runs before the parameters: named
            assert m["model"]["fitted_terms"]


def test_terminal_verdict_fits_100_columns_and_cuts_nothing():
    proc = subprocess.run([sys.executable, "-m", "vlr", "verdict", "--results-dir", str(KEPT)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert max(len(l) for l in lines) <= 100 and "…" not in proc.stdout
    assert "zen5-epyc-2core" in proc.stdout and "undecided" in proc.stdout


def test_predict_json_shape(tmp_path):
    """`vlr predict` measures the model's costs here (the quick probes) and predicts every cell."""
    out = tmp_path / "predict.json"
    proc = subprocess.run([sys.executable, "-m", "vlr", "predict", "--quick", "--json", str(out)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    from vlr.study.model_parameters import parameter_names
    assert set(data["parameters"]) == set(parameter_names())
    params = data["parameters"]
    assert all(params[k] >= 0 for k in parameter_names() if not k.startswith("read."))
    assert params["two_loops.per_element"] > 0 and params["numpy.fixed"] > 0
    assert all(params[k] > 0 for k in parameter_names() if ".gemv." in k or k.startswith("cache."))
    assert len(data["cells"]) == 11  # the quick grid's points within the size limit
    for c in data["cells"]:
        assert all(c["seconds"][k] > 0 for k in ("two_loops", "one_loop", "numpy"))
        for claim in ("full", "partial"):
            assert c[claim]["category"] in ("below", "about", "above")
    # more features: two loops pay more per example; the model's NumPy keeps a fixed cost
    by = {(c["m"], c["n_x"]): c for c in data["cells"]}
    assert by[(10_000, 1000)]["seconds"]["two_loops"] > by[(10_000, 1)]["seconds"]["two_loops"]
    assert "should hold" in proc.stdout
