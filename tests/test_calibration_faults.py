"""The measured ``fastest`` under threads and faults: concurrent first calls, a damaged or
unwritable cache, two processes calibrating into one file. Every case must end with the call's
right answer; where the cache was unusable, with one warning on the ``vlr`` logger."""
import json
import logging
import os
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import vlr
from vlr import calibration, registry
from vlr.registry import FASTEST
from helpers import assert_matches, make_problem, reference

#: Eight problems of eight classes: C/F, float32/float64, n_x and m in different octaves.
SHAPES = [(2, 100, np.float64, "C"), (2, 100, np.float64, "F"), (5, 300, np.float32, "C"),
          (5, 300, np.float32, "F"), (20, 700, np.float64, "C"), (20, 700, np.float32, "F"),
          (40, 1500, np.float64, "F"), (3, 5000, np.float32, "C")]


def _problems():
    return [make_problem(n, m, seed=i, dtype=dt, order=o) for i, (n, m, dt, o) in enumerate(SHAPES)]


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """A FASTEST with an empty cache dir, forgetting everything before and after."""
    monkeypatch.setenv("VLR_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("VLR_FASTEST", raising=False)
    calibration._warned.clear()
    FASTEST.reset()
    yield tmp_path / "fastest.json"
    FASTEST.reset()
    calibration._warned.clear()


def _warnings(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "vlr" and r.levelno >= logging.WARNING]


def _all_at_once(calls, work):
    """Run ``work(call)`` for every call in its own thread, all released by one barrier."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return work(call)
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.mark.parametrize("purpose", ["step", "train"])
def test_eight_threads_first_calls_on_a_fresh_cache(fresh, tmp_path, purpose):
    problems = _problems()
    if purpose == "step":
        work = lambda p: vlr.gradients(*p, kernel="auto")
    else:
        work = lambda p: vlr.train(p[2], p[3], 5, 0.1, w0=p[0], b0=p[1], kernel="auto")
    for trial in range(3):  # the race showed in every trial
        os.environ["VLR_CACHE_DIR"] = str(tmp_path / f"trial{trial}")
        FASTEST.reset()
        threaded = _all_at_once(problems, work)  # raised KeyError before calibration took a lock
        serial = [work(p) for p in problems]     # the same choices, now from the calibration
        for got, want in zip(threaded, serial):
            if purpose == "step":
                assert got[0] == want[0] and got[2] == want[2]
                np.testing.assert_array_equal(got[1], want[1])
            else:
                np.testing.assert_array_equal(got.costs, want.costs)
                np.testing.assert_array_equal(got.w, want.w)
        stored = json.loads((tmp_path / f"trial{trial}" / "fastest.json").read_text())
        assert len(stored["classes"]) == len(SHAPES)


def test_threads_that_need_one_class_calibrate_it_once(fresh, monkeypatch):
    timed = []
    real = registry.time_candidates
    monkeypatch.setattr(registry, "time_candidates", lambda *a: timed.append(1) or real(*a))
    a = make_problem(5, 300, seed=1)
    b = make_problem(40, 1500, seed=2, order="F")
    results = _all_at_once([a] * 4 + [b] * 4, lambda p: vlr.gradients(*p))
    assert len(timed) == 2  # one calibration per class, the other threads waited for it
    for p, got in zip([a] * 4 + [b] * 4, results):
        assert_matches(got, reference(*p), p[2])


MALFORMED = {
    "a list": "[]", "null": "null", "a string": '"hello"', "a number": "42",
    "empty": "", "truncated": '{"schema": 2, "key": {', "binary": b"\x00\xff\xfe garbage",
    "no key": '{"classes": {}}',
}


@pytest.mark.parametrize("content", list(MALFORMED.values()), ids=list(MALFORMED))
def test_a_damaged_cache_file_is_ignored_with_a_warning(fresh, caplog, content):
    if isinstance(content, bytes):
        fresh.write_bytes(content)
    else:
        fresh.write_text(content)
    w, b, X, y = make_problem(5, 300, seed=3)
    with caplog.at_level(logging.WARNING, logger="vlr"):
        assert_matches(vlr.gradients(w, b, X, y), reference(w, b, X, y), X)
    warned = _warnings(caplog)
    assert len(warned) == 1 and str(fresh) in warned[0] and "recalibrating" in warned[0]
    stored = json.loads(fresh.read_text())  # replaced by a valid file
    assert stored["schema"] == calibration.SCHEMA_VERSION and len(stored["classes"]) == 1


BAD_CLASSES = {
    "classes a list": [],
    "an entry a string": {"step float64 C n_x 4-7 m 256-511": "numba"},
    "an entry without kernel": {"step float64 C n_x 4-7 m 256-511": {"seconds": {"numba": 1.0}}},
    "seconds not numbers": {"step float64 C n_x 4-7 m 256-511": {"kernel": "numba",
                                                                 "seconds": {"numba": "fast"}}},
}


@pytest.mark.parametrize("classes", list(BAD_CLASSES.values()), ids=list(BAD_CLASSES))
def test_malformed_classes_under_the_right_key_are_ignored(fresh, caplog, classes):
    fresh.write_text(json.dumps({"schema": calibration.SCHEMA_VERSION,
                                 "key": calibration.cache_key(), "classes": classes}))
    w, b, X, y = make_problem(5, 300, seed=3)
    with caplog.at_level(logging.WARNING, logger="vlr"):
        assert_matches(vlr.gradients(w, b, X, y), reference(w, b, X, y), X)
    warned = _warnings(caplog)
    assert len(warned) == 1 and str(fresh) in warned[0] and "malformed" in warned[0]
    entry = json.loads(fresh.read_text())["classes"]["step float64 C n_x 4-7 m 256-511"]
    assert entry["kernel"] in calibration.CANDIDATES


def _unwritable(kind, tmp_path):
    if kind == "under a regular file":
        (tmp_path / "file").write_text("")
        return tmp_path / "file" / "cache"
    if kind == "in /proc":
        return "/proc/vlr-cache"
    (tmp_path / "cache" / "fastest.json").mkdir(parents=True)  # the file is a directory
    return tmp_path / "cache"


@pytest.mark.parametrize("kind", ["under a regular file", "in /proc", "fastest.json a directory"])
def test_an_unwritable_cache_keeps_choices_in_memory_and_warns_once(fresh, tmp_path, caplog,
                                                                    monkeypatch, kind):
    if kind == "in /proc" and not os.path.isdir("/proc/self"):
        pytest.skip("no /proc here")
    monkeypatch.setenv("VLR_CACHE_DIR", str(_unwritable(kind, tmp_path)))
    FASTEST.reset()
    with caplog.at_level(logging.WARNING, logger="vlr"):
        for p in _problems()[:4]:  # four classes: four calibrations, one warning
            assert_matches(vlr.gradients(*p), reference(*p), p[2])
        again = _problems()[0]
        assert_matches(vlr.gradients(*again), reference(*again), again[2])
    warned = _warnings(caplog)
    assert len(warned) == 1, warned
    assert "cannot write the calibration cache" in warned[0] or "ignoring" in warned[0]
    assert len(FASTEST.calibration.classes) == 4  # kept in memory for the process
    assert FASTEST.calibration.in_memory


_CALIBRATE = textwrap.dedent("""\
    import sys, time
    import numpy as np
    import vlr
    first, start = int(sys.argv[1]), float(sys.argv[2])
    problems = []
    for i in range(first, first + 8):  # eight classes: n_x in octaves 1, 2-3, 4-7, ...
        n_x = 1 << i
        rng = np.random.default_rng(i)
        problems.append((np.zeros(n_x), 0.0, rng.standard_normal((n_x, 64)), np.ones(64)))
    time.sleep(max(0.0, start - time.time()))  # both processes start calibrating together
    for p in problems:
        vlr.gradients(*p)
    print("ok")
    """)


@pytest.mark.slow
def test_two_processes_calibrating_at_once_keep_every_class(tmp_path):
    env = dict(os.environ, VLR_CACHE_DIR=str(tmp_path))
    env.pop("VLR_FASTEST", None)
    start = str(time.time() + 5)  # after both have imported vlr
    procs = [subprocess.Popen([sys.executable, "-c", _CALIBRATE, str(first), start], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for first in (0, 8)]  # disjoint: n_x octaves 1..128 and 256..32768
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0 and out.strip() == "ok", err
    classes = json.loads((tmp_path / "fastest.json").read_text())["classes"]
    assert len(classes) == 16, sorted(classes)  # each save merged with the other's


def test_a_file_of_an_older_vlr_is_recalibrated_without_a_warning(fresh, caplog):
    fresh.write_text(json.dumps({"key": calibration.cache_key(), "classes": {}}))  # no schema
    w, b, X, y = make_problem(5, 300, seed=3)
    with caplog.at_level(logging.WARNING, logger="vlr"):
        assert_matches(vlr.gradients(w, b, X, y), reference(w, b, X, y), X)
    assert _warnings(caplog) == []
    assert "written by another vlr" in FASTEST.calibration.discarded
    assert json.loads(fresh.read_text())["schema"] == calibration.SCHEMA_VERSION
