"""The measured ``fastest``: calibration, the on-disk cache, its key, the override."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import vlr
from vlr import tuning
from helpers import assert_matches, make_problem, reference


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    """An empty cache dir, and a FASTEST that has forgotten everything."""
    monkeypatch.setenv("VLR_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("VLR_FASTEST", raising=False)
    tuning.FASTEST.reset()
    yield tmp_path / "fastest.json"
    tuning.FASTEST.reset()


def _small_problem(order="C"):
    return make_problem(5, 300, seed=3, order=order)


def test_shape_classes():
    cls = tuning.shape_class
    assert cls(np.zeros((8, 100))) == "small-narrow-float64-C"
    assert cls(np.zeros((8, 100), order="F")) == "small-narrow-float64-F"
    assert cls(np.zeros((100, 8), dtype=np.float32)) == "small-wide-float32-C"
    assert cls(np.zeros((17, 1))) == "small-wide-float64-C"  # one example: layout by the rule
    assert cls(np.empty((4, 1 << 20))) == "medium-narrow-float64-C"  # 32 MiB
    assert cls(np.empty((4, (1 << 20) + 1))) == "large-narrow-float64-C"
    assert cls(np.empty((100, 100))[:, ::-2]) == "small-wide-float64-C"  # negative strides
    assert set(map(cls, (tuning._example(c)[2] for c in tuning.all_classes()
                         if c.startswith("small")))) == {c for c in tuning.all_classes()
                                                        if c.startswith("small")}
    assert len(tuning.all_classes()) == 24


def test_fresh_cache_calibrates_and_gives_a_working_kernel(fresh_cache):
    w, b, X, y = _small_problem()
    assert not fresh_cache.exists()
    assert_matches(vlr.fastest.gradients(w, b, X, y), reference(w, b, X, y), X)
    stored = json.loads(fresh_cache.read_text())
    entry = stored["classes"]["small-narrow-float64-C"]
    assert entry["kernel"] in tuning.CANDIDATES
    assert set(entry["seconds"]) == set(tuning.CANDIDATES)
    assert entry["kernel"] == min(entry["seconds"], key=entry["seconds"].get)
    assert stored["key"] == tuning.cache_key()
    assert list(stored["classes"]) == ["small-narrow-float64-C"]  # only what was needed


def test_second_use_reads_the_cache(fresh_cache):
    w, b, X, y = _small_problem()
    vlr.gradients(w, b, X, y)  # calibrates
    stored = json.loads(fresh_cache.read_text())
    # a stored choice is followed as is: make it one the measurement would hardly pick
    stored["classes"]["small-narrow-float64-C"] = {"kernel": "numpy", "seconds": {"numpy": 1.0}}
    fresh_cache.write_text(json.dumps(stored))
    tuning.FASTEST.reset()
    assert tuning.FASTEST.choose(X).name == "numpy"
    assert_matches(vlr.gradients(w, b, X, y), reference(w, b, X, y), X)
    assert json.loads(fresh_cache.read_text()) == stored  # not recalibrated, not rewritten


def test_a_changed_key_recalibrates(fresh_cache):
    w, b, X, y = _small_problem()
    stale_key = tuning.cache_key()
    stale_key["versions"]["numpy"] = "1.0.0"  # as if NumPy had been upgraded since
    fresh_cache.write_text(json.dumps({"key": stale_key, "classes": {
        "small-narrow-float64-C": {"kernel": "numpy", "seconds": {"numpy": 1.0}}}}))
    tuning.FASTEST.reset()
    assert "another machine or with other versions" in tuning.FASTEST.calibration.discarded
    tuning.FASTEST.choose(X)
    stored = json.loads(fresh_cache.read_text())
    assert stored["key"] == tuning.cache_key()
    assert set(stored["classes"]["small-narrow-float64-C"]["seconds"]) == set(tuning.CANDIDATES)


def test_an_unreadable_cache_is_replaced(fresh_cache):
    fresh_cache.write_text("{not json")
    w, b, X, y = _small_problem(order="F")
    tuning.FASTEST.choose(X)
    assert "unreadable" in tuning.FASTEST.calibration.discarded
    assert "small-narrow-float64-F" in json.loads(fresh_cache.read_text())["classes"]


def test_override_by_environment(fresh_cache, monkeypatch):
    w, b, X, y = _small_problem()
    monkeypatch.setenv("VLR_FASTEST", "numba")
    assert tuning.FASTEST.choose(X).name == "numba"
    assert not fresh_cache.exists()  # no calibration
    tuning.FASTEST.reset()
    monkeypatch.setenv("VLR_FASTEST", "fortran")
    with pytest.raises(ValueError, match="VLR_FASTEST='fortran'.*valid kernels"):
        vlr.gradients(w, b, X, y)


def test_each_class_can_have_its_own_kernel(fresh_cache):
    w, b, X, y = _small_problem()
    X32 = X.astype(np.float32)
    fresh_cache.write_text(json.dumps({"key": tuning.cache_key(), "classes": {
        "small-narrow-float64-C": {"kernel": "numba", "seconds": {"numba": 1.0}},
        "small-narrow-float32-C": {"kernel": "cython", "seconds": {"cython": 1.0}}}}))
    tuning.FASTEST.reset()
    assert tuning.FASTEST.choose(X).name == "numba"
    assert tuning.FASTEST.choose(X32).name == "cython"
    result = vlr.train(X32, y, 5, 0.1)
    expected = vlr.train(X32, y, 5, 0.1, kernel="cython")
    np.testing.assert_array_equal(result.costs, expected.costs)


def test_cli_tune_and_info(fresh_cache):
    env = dict(os.environ, VLR_CACHE_DIR=str(fresh_cache.parent))
    run = lambda *args: subprocess.run([sys.executable, "-m", "vlr", *args], env=env,
                                       capture_output=True, text=True, timeout=600)
    tuned = run("tune", "--class", "small-wide-float32-F")
    assert tuned.returncode == 0, tuned.stderr
    winner = json.loads(fresh_cache.read_text())["classes"]["small-wide-float32-F"]["kernel"]
    info = run("info")
    assert info.returncode == 0, info.stderr
    line = next(l for l in info.stdout.splitlines() if "small-wide-float32-F" in l)
    assert line.split()[1] == winner
    assert "not measured yet" in info.stdout
    bad = run("tune", "--class", "huge-float64")
    assert bad.returncode == 2 and "unknown class 'huge-float64'" in bad.stderr
