"""`vlr check`: two commits compared by the study's interval rule -- a slowdown only when the
whole interval says so; a commit against itself reports no change."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from vlr.study.check import decide, default_bench, table

ROOT = Path(__file__).resolve().parent.parent


def _noisy(median, spread, n=40, seed=0):
    return list(median * np.exp(np.random.default_rng(seed).normal(0, spread, n)))


def test_same_timings_with_noise_are_never_a_slowdown():
    # 200 points of pure noise (5 % per sample): the rule's verdicts are no change or undecided
    base = {f"p{i}": _noisy(1e-3, 0.05, seed=i) for i in range(200)}
    head = {f"p{i}": _noisy(1e-3, 0.05, seed=1000 + i) for i in range(200)}
    verdicts = [c.verdict for c in decide(base, head)]
    assert "slower" not in verdicts and "faster" not in verdicts
    assert verdicts.count("no change") > 190


def test_a_decided_slowdown_and_speed_up():
    base = {"slow": _noisy(1e-3, 0.02), "fast": _noisy(1e-3, 0.02, seed=1)}
    head = {"slow": _noisy(1.5e-3, 0.02, seed=2), "fast": _noisy(0.5e-3, 0.02, seed=3)}
    by = {c.benchmark: c for c in decide(base, head)}
    assert by["slow"].verdict == "slower" and by["slow"].estimate.high < 1 / 1.1
    assert by["fast"].verdict == "faster" and by["fast"].estimate.low > 1.1


def test_a_small_or_uncertain_change_is_not_called_a_slowdown():
    base = {"small": _noisy(1e-3, 0.01), "wild": _noisy(1e-3, 0.6, n=4, seed=5)}
    head = {"small": _noisy(1.05e-3, 0.01, seed=6), "wild": _noisy(1.3e-3, 0.6, n=4, seed=7)}
    by = {c.benchmark: c for c in decide(base, head)}
    assert by["small"].verdict == "no change"  # 5 % slower, decided within the 10 % factor
    assert by["wild"].verdict == "undecided"   # 30 % slower by the medians, but the interval spans it


def test_only_points_both_commits_measured_and_a_bad_factor_refused():
    assert [c.benchmark for c in decide({"a": [1.0, 1.1], "b": [1.0, 1.0]}, {"a": [1.0, 1.05]})] == ["a"]
    with pytest.raises(ValueError, match="factor"):
        decide({}, {}, factor=1.0)


def test_the_table_says_each_verdict_and_interval():
    changes = decide({"x": _noisy(1e-3, 0.02)}, {"x": _noisy(2e-3, 0.02, seed=9)})
    text = table(changes, "a" * 40, "b" * 40)
    assert "1 slower" in text and "| slower |" in text and "`x`" in text and "–" in text


def test_the_default_subset_is_the_compiled_kernels_and_numpy_on_the_quick_grid():
    import re
    pattern = re.compile(default_bench())
    name = "bench_step.TimeGradientStep.time_gradient_step('{}', {}, {}, 'float64')"
    assert pattern.search(name.format("numba", 10000, 100))
    assert pattern.search(name.format("numpy", 1000000, 100))
    assert not pattern.search(name.format("two_loops", 100, 1))
    assert not pattern.search(name.format("numba", 1000, 1))  # not a quick-grid m
    assert not pattern.search(name.format("numba", 100, 1).replace("float64", "float32"))


@pytest.mark.slow
@pytest.mark.parametrize("base", ["HEAD~1", "HEAD"])
def test_a_check_on_real_commits_reports_no_slowdown_and_keeps_nothing(base, tmp_path):
    # real asv: the commits built in a virtualenv of the pinned libraries; HEAD~1 against HEAD
    # (rounds interleaved) and HEAD against itself (two runs); one point each, two rounds
    before = sorted(str(p) for p in (ROOT / "benchmarks" / "results").rglob("*"))
    summary = tmp_path / "summary.md"
    proc = subprocess.run([sys.executable, "-m", "vlr", "check", base, "HEAD", "--rounds", "2",
                           "--bench", r"TimeGradientStep\.time_gradient_step\('numpy', 10000, 10, 'float64'\)",
                           "--summary", str(summary)],
                          cwd=ROOT, capture_output=True, text=True, timeout=1500)
    # the numpy kernel's step is the same in both (no commit of this suite slows it by 10 %)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    text = summary.read_text()
    assert "0 slower" in text and text.count("`bench_step.TimeGradientStep") == 1, text
    assert sorted(str(p) for p in (ROOT / "benchmarks" / "results").rglob("*")) == before


def test_the_pull_request_workflow_runs_vlr_check():
    workflow = (ROOT / ".github" / "workflows" / "benchmark-check.yml").read_text()
    assert "pull_request:" in workflow and "fetch-depth: 0" in workflow
    runs = [line.split("run:", 1)[1].strip() for line in workflow.splitlines() if "run:" in line]
    assert any(r.startswith("vlr check ") and r.endswith(" HEAD") for r in runs), runs
    assert any('pip install -e ".[bench]"' in r for r in runs), runs
