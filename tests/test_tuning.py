"""The measured ``fastest``: classes, calibration on the caller's data, the cache, its key, the override."""
import json
import os
import subprocess
import sys
import tracemalloc

import numpy as np
import pytest

import vlr
from vlr import calibration
from vlr.registry import FASTEST
from helpers import assert_matches, make_problem, reference

STEP_CLASS = "step float64 C n_x 4-7 m 256-511"  # _small_problem's


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    """An empty cache dir, and a FASTEST that has forgotten everything."""
    monkeypatch.setenv("VLR_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("VLR_FASTEST", raising=False)
    FASTEST.reset()
    yield tmp_path / "fastest.json"
    FASTEST.reset()


def _small_problem(order="C"):
    return make_problem(5, 300, seed=3, order=order)


def _choose(X):
    """FASTEST's choice for a gradient step on X (calibrating on a step of a made-up problem)."""
    w, y = np.zeros(X.shape[0], X.dtype), np.zeros(X.shape[1], X.dtype)
    return FASTEST.choose(X, lambda k: k.module.gradients(w, 0.0, X, y))  # run(k), no args


def test_shape_classes():
    cls = calibration.shape_class
    assert cls(np.zeros((8, 100))) == "step float64 C n_x 8-15 m 64-127"
    assert cls(np.zeros((8, 100), order="F")) == "step float64 F n_x 8-15 m 64-127"
    assert cls(np.zeros((1, 10_000), dtype=np.float32), "train") == "train float32 C n_x 1 m 8192-16383"
    assert cls(np.zeros((12288, 209))) == "step float64 C n_x 8192-16383 m 128-255"
    assert cls(np.zeros((17, 1))) == "step float64 C n_x 16-31 m 1"  # one example: layout by the rule
    assert cls(np.empty((100, 100))[:, ::-2]) == "step float64 C n_x 64-127 m 32-63"  # negative strides
    with pytest.raises(ValueError, match="purpose must be one of"):
        cls(np.zeros((2, 2)), "predict")


def test_fresh_cache_calibrates_on_the_call_and_returns_its_answer(fresh_cache):
    w, b, X, y = _small_problem()
    assert not fresh_cache.exists()
    assert_matches(vlr.fastest.gradients(w, b, X, y), reference(w, b, X, y), X)
    stored = json.loads(fresh_cache.read_text())
    entry = stored["classes"][STEP_CLASS]
    assert entry["kernel"] in calibration.CANDIDATES
    assert set(entry["seconds"]) == set(calibration.CANDIDATES)
    fastest_two = sorted(entry["seconds"], key=entry["seconds"].get)[:2]
    if "playoff" in entry:  # the two fastest were within the margin: the paired rounds decided
        assert entry["playoff"]["pair"] == fastest_two
        assert entry["kernel"] == fastest_two[0 if entry["playoff"]["ratio"] <= 1 else 1]
    else:
        assert entry["kernel"] == fastest_two[0]
        assert calibration.close_pair(entry["seconds"]) is None
    assert stored["key"] == calibration.cache_key()
    assert list(stored["classes"]) == [STEP_CLASS]  # only what was needed


def test_calibration_uses_the_callers_arrays_and_allocates_nothing_of_X_size(fresh_cache):
    w, b, X, y = make_problem(100, 50_000, seed=1)  # 40 MB
    # Every module imported first, which a test run has done only now and then before this
    # test: the cache key loads each kernel (Numba's CUDA and typing modules are 20-50 MB of
    # objects), and a close race imports scipy.stats (27 MB).
    import scipy.stats  # noqa: F401
    vlr.available_kernels()
    for kernel in calibration.CANDIDATES:
        vlr.gradients(*_small_problem(), kernel=kernel)
    tracemalloc.start()
    try:
        result = vlr.gradients(w, b, X, y)  # calibrates its class, then answers
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert_matches(result, vlr.gradients(w, b, X, y, kernel="numpy"), X)
    assert "step float64 C n_x 64-127 m 32768-65535" in json.loads(fresh_cache.read_text())["classes"]
    # (a copy of X, or of X in float32, would be 1 or 0.5 X; the timing's own temporaries are
    # ~0.1 X here: z, a, dz and the loss's for 50 000 examples)
    assert peak < 0.25 * X.nbytes, f"calibration allocated {peak / 1e6:.1f} MB for a {X.nbytes / 1e6:.0f} MB X"


def test_train_is_chosen_for_the_training_loop(fresh_cache):
    w, b, X, y = _small_problem()
    result = vlr.train(X, y, 20, 0.1)
    classes = json.loads(fresh_cache.read_text())["classes"]
    assert list(classes) == ["train float64 C n_x 4-7 m 256-511"]
    winner = classes["train float64 C n_x 4-7 m 256-511"]["kernel"]
    expected = vlr.train(X, y, 20, 0.1, kernel=winner)
    np.testing.assert_array_equal(result.costs, expected.costs)
    np.testing.assert_array_equal(result.w, expected.w)


def test_second_use_reads_the_cache(fresh_cache):
    w, b, X, y = _small_problem()
    vlr.gradients(w, b, X, y)  # calibrates
    stored = json.loads(fresh_cache.read_text())
    # a stored choice is followed as is: make it one the measurement would hardly pick
    stored["classes"][STEP_CLASS] = {"kernel": "numpy", "seconds": {"numpy": 1.0}}
    fresh_cache.write_text(json.dumps(stored))
    FASTEST.reset()
    assert _choose(X).name == "numpy"
    assert_matches(vlr.gradients(w, b, X, y), reference(w, b, X, y), X)
    assert json.loads(fresh_cache.read_text()) == stored  # not recalibrated, not rewritten


def test_a_changed_key_recalibrates(fresh_cache):
    w, b, X, y = _small_problem()
    stale_key = calibration.cache_key()
    stale_key["versions"]["numpy"] = "1.0.0"  # as if NumPy had been upgraded since
    fresh_cache.write_text(json.dumps({"schema": calibration.SCHEMA_VERSION, "key": stale_key, "classes": {
        STEP_CLASS: {"kernel": "numpy", "seconds": {"numpy": 1.0}}}}))
    FASTEST.reset()
    assert "another machine or with other versions" in FASTEST.calibration.discarded
    _choose(X)
    stored = json.loads(fresh_cache.read_text())
    assert stored["key"] == calibration.cache_key()
    assert set(stored["classes"][STEP_CLASS]["seconds"]) == set(calibration.CANDIDATES)


def test_an_unreadable_cache_is_replaced(fresh_cache):
    fresh_cache.write_text("{not json")
    w, b, X, y = _small_problem(order="F")
    _choose(X)
    assert "unreadable" in FASTEST.calibration.discarded
    assert "step float64 F n_x 4-7 m 256-511" in json.loads(fresh_cache.read_text())["classes"]


def test_override_by_environment(fresh_cache, monkeypatch):
    w, b, X, y = _small_problem()
    monkeypatch.setenv("VLR_FASTEST", "numba")
    assert _choose(X).name == "numba"
    assert not fresh_cache.exists()  # no calibration
    FASTEST.reset()
    monkeypatch.setenv("VLR_FASTEST", "fortran")
    with pytest.raises(ValueError, match="VLR_FASTEST='fortran'.*valid kernels"):
        vlr.gradients(w, b, X, y)


def test_each_class_can_have_its_own_kernel(fresh_cache):
    w, b, X, y = _small_problem()
    X32 = X.astype(np.float32)
    fresh_cache.write_text(json.dumps({"schema": calibration.SCHEMA_VERSION, "key": calibration.cache_key(), "classes": {
        STEP_CLASS: {"kernel": "numba", "seconds": {"numba": 1.0}},
        "train float32 C n_x 4-7 m 256-511": {"kernel": "cython", "seconds": {"cython": 1.0}}}}))
    FASTEST.reset()
    assert _choose(X).name == "numba"
    result = vlr.train(X32, y, 5, 0.1)
    expected = vlr.train(X32, y, 5, 0.1, kernel="cython")
    np.testing.assert_array_equal(result.costs, expected.costs)
    assert list(json.loads(fresh_cache.read_text())["classes"]) == [
        STEP_CLASS, "train float32 C n_x 4-7 m 256-511"]  # nothing measured


def test_cli_tune_and_info(fresh_cache):
    env = dict(os.environ, VLR_CACHE_DIR=str(fresh_cache.parent))
    run = lambda *args: subprocess.run([sys.executable, "-m", "vlr", *args], env=env,
                                       capture_output=True, text=True, timeout=600)
    tuned = run("tune", "--size", "20x300", "--dtype", "float32", "--order", "F")
    assert tuned.returncode == 0, tuned.stderr
    classes = json.loads(fresh_cache.read_text())["classes"]
    assert set(classes) == {"step float32 F n_x 16-31 m 256-511", "train float32 F n_x 16-31 m 256-511"}
    info = run("info")
    assert info.returncode == 0, info.stderr
    for cls, entry in classes.items():
        line = next(l for l in info.stdout.splitlines() if cls in l)
        assert line.split(cls)[1].split()[0] == entry["kernel"]
    bad = run("tune", "--size", "20by300")
    assert bad.returncode == 2 and "size must look like 100x10000" in bad.stderr


def test_resolve_answers_for_a_measured_class_and_says_how_otherwise(fresh_cache):
    # documented as the way to ask (or log) which kernel runs for an X, before or after the first step
    w, b, X, y = _small_problem()
    with pytest.raises(ValueError, match=r"not been measured yet.*vlr tune --size 5x300"):
        vlr.fastest.resolve(X)
    assert not fresh_cache.exists()  # nothing measured, nothing allocated
    chosen = vlr.fastest.resolve(X, "step", (w, b, X, y))  # with the call's arguments: measured now
    assert chosen.name in calibration.CANDIDATES
    assert vlr.fastest.resolve(X) is chosen  # measured: answers without arguments
    assert json.loads(fresh_cache.read_text())["classes"][STEP_CLASS]["kernel"] == chosen.name
    buffer = np.zeros(5 * 300 * 8 + 8, np.uint8)
    unaligned = buffer[1:1 + 5 * 300 * 8].view(np.float64).reshape(5, 300)
    assert not unaligned.flags.aligned
    assert vlr.fastest.resolve(unaligned).name in ("numba", "numpy")  # never measured: always numba
    with pytest.warns(DeprecationWarning, match=r"choose\(X\) is deprecated.*resolve\(X\)"):
        assert vlr.fastest.choose(X) is chosen  # the old name still answers, for one more release


def test_close_pairs_go_to_a_playoff_decided_by_paired_rounds():
    close_pair, ratio = calibration.close_pair, calibration.paired_median_ratio
    assert close_pair({"numpy": 2.0, "numba": 1.0, "cython": 1.09}) == ("numba", "cython")
    assert close_pair({"numpy": 2.0, "numba": 1.0, "cython": 1.2}) is None
    assert close_pair({"numba": 1.0}) is None
    # a slow phase that hit one side's best-of but not the pairs: the median of pairs says b
    rounds = [[1.00, 0.95], [1.30, 1.25], [1.02, 0.97], [0.90, 1.40], [1.05, 1.00]]
    assert ratio(rounds) == pytest.approx(1.05 / 1.00)
    assert min(r[0] for r in rounds) < min(r[1] for r in rounds)  # best-of would pick a


def test_a_playoff_is_recorded_for_two_close_candidates(fresh_cache, monkeypatch):
    # two kernels whose work is the same: always within the margin, so always a playoff
    monkeypatch.setattr(calibration, "PLAYOFF_MARGIN", 10.0)
    w, b, X, y = _small_problem()
    vlr.fastest.gradients(w, b, X, y)
    entry = json.loads(fresh_cache.read_text())["classes"][STEP_CLASS]
    assert entry["playoff"]["pair"] == sorted(entry["seconds"], key=entry["seconds"].get)[:2]
    assert entry["kernel"] in entry["playoff"]["pair"]


def test_timing_waits_for_spinning_threads_to_stop():
    # a thread pool that busy-waits after its work (OpenBLAS: 2^28 cycles) would take the cores
    # from the next timed block; the pause before a block lasts until no thread is busy
    import threading
    import time
    from vlr.timing import wait_until_idle
    assert wait_until_idle() < 0.2  # nothing spinning: a poll or two
    stop = time.perf_counter() + 0.25

    def spin():
        while time.perf_counter() < stop:
            pass
    threading.Thread(target=spin).start()
    waited = wait_until_idle()
    assert 0.18 <= waited < 0.3 + 0.1, waited  # until the spinning stopped (or the timeout)


def test_median_interval_is_the_sign_tests_order_statistics():
    median_interval = calibration.median_interval
    values = list(range(1, 22))  # 21 values: the 6th to the 16th cover 95 %
    assert median_interval(values) == (6, 16)
    assert median_interval([5, 3, 1, 7, 2, 6, 4]) == (1, 7)  # 7 values: their range (98.4 %)
    from scipy import stats
    for n in (7, 10, 14, 21, 40):
        low, high = median_interval(list(range(n)))  # the values are their own indices
        # the median lies below the value of index k when at most k values are below it
        assert 1 - 2 * stats.binom.cdf(low, n, 0.5) >= 0.95
        assert high == n - 1 - low  # symmetric
        assert 1 - 2 * stats.binom.cdf(low + 1, n, 0.5) < 0.95  # one narrower covers less


def _rounds_from(ratios):
    """A more_rounds for playoff that hands out rounds whose a ÷ b are ``ratios`` in turn, and
    counts what it was asked for."""
    asked = []

    def more_rounds(n):
        start = sum(asked)
        asked.append(n)
        return [[r, 1.0] for r in ratios[start:start + n]]
    return more_rounds, asked


def test_a_clear_playoff_is_decided_in_its_first_rounds():
    more, asked = _rounds_from([0.8, 0.85, 0.9, 0.82, 0.88, 0.79, 0.84] + [1.2] * 14)
    result = calibration.playoff(more)
    assert asked == [7] and result["decided"] and result["rounds"] == 7
    assert result["ratio"] == pytest.approx(0.84) and result["interval"][1] < 1


def test_a_noisy_playoff_takes_more_rounds_until_its_interval_decides():
    # a is ~12 % faster, but one slow block of a in the first seven hides it from their range
    ratios = [0.85, 0.9, 1.3, 0.88, 0.86, 0.92, 0.87] + [0.89, 0.84, 0.9, 0.86, 0.91, 0.88, 0.87]
    more, asked = _rounds_from(ratios + [1.5] * 7)
    result = calibration.playoff(more)
    assert asked == [7, 7] and result["decided"] and result["rounds"] == 14
    assert result["interval"][1] < 1 < 1.3  # decided for a despite its slow block


def test_an_undecidable_playoff_stops_at_its_most_rounds_and_the_median_decides():
    ratios = [0.9, 1.1] * 10 + [0.95]  # no side faster: never decided
    more, asked = _rounds_from(ratios + [0.5] * 7)
    result = calibration.playoff(more)
    assert sum(asked) == result["rounds"] == calibration.PLAYOFF_MAX_ROUNDS
    assert not result["decided"]
    assert result["ratio"] == pytest.approx(0.95)
