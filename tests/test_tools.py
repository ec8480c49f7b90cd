"""The study's helpers: timing, grid budgets, the offline-site rewrite, the command line."""
import json
import subprocess
import sys
import time

import pytest

from vlr.kernel import KERNELS
from vlr.study import grid as study_grid
from vlr.study.site import SiteError, add_study_link, make_offline
from vlr.timing import format_seconds, time_call, time_pair


def test_time_pair_orders_a_slow_and_a_fast_call():
    fast, slow = time_pair(lambda: None, lambda: time.sleep(0.002), repeat=3, min_time=0.01)
    assert 0 < fast < 0.001 < 0.002 <= slow
    assert time_call(lambda: time.sleep(0.002), repeat=2, min_time=0.01) >= 0.002


def test_format_seconds():
    assert format_seconds(None) == "n/a"
    assert format_seconds(1.5) == "1.5 s"
    assert format_seconds(0.0123) == "12.3 ms"
    assert format_seconds(4.2e-6) == "4.2 µs"
    assert format_seconds(3e-9) == "3 ns"


def test_skip_reasons(monkeypatch):
    monkeypatch.delenv("VLR_BENCH_MAX_ELEMENTS", raising=False)
    assert study_grid.skip_reason("numba", 1_000_000, 100) == ""
    assert "2e+08" in study_grid.skip_reason("numba", 1_000_000, 1000)
    assert "two_loops budget" in study_grid.skip_reason("two_loops", 10_000, 1000)
    assert study_grid.skip_reason("two_loops", 10_000, 100) == ""
    assert "one_loop budget" in study_grid.skip_reason("one_loop", 1_000_000, 1)
    monkeypatch.setenv("VLR_BENCH_MAX_ELEMENTS", "1e9")
    assert study_grid.skip_reason("numba", 1_000_000, 1000) == ""
    monkeypatch.setenv("VLR_BENCH_GRID", "huge")
    with pytest.raises(ValueError, match="VLR_BENCH_GRID"):
        study_grid.grid()


PAGE = """<html><head>
<script src="https://cdn.example/ajax/libs/jquery-3.3.1.min.js" integrity="sha256-x" crossorigin="anonymous" onerror="js_load_failure()"></script>
<script src="https://cdn.example/flot/0.8.3/jquery.flot.min.js" integrity="sha512-y" onerror="js_load_failure()"></script>
<link rel="stylesheet" href="https://cdn.example/npm/bootstrap@3.1.1/dist/css/bootstrap.min.css" integrity="sha256-z" crossorigin="anonymous">
<script type="text/javascript" src="asv.js"></script>
</head><body><ul><li id="nav-li-regressions"><a href="#/regressions">Regressions</a></li></ul></body></html>"""


def test_make_offline_rewrites_remote_assets(tmp_path):
    (tmp_path / "index.html").write_text(PAGE)
    make_offline(tmp_path)
    make_offline(tmp_path)  # idempotent
    text = (tmp_path / "index.html").read_text()
    assert "https://" not in text
    for local in ("vendor/jquery-3.3.1.min.js", "vendor/jquery.flot.js", "vendor/css/bootstrap.min.css"):
        assert local in text and (tmp_path / local).exists(), local
    assert (tmp_path / "vendor" / "fonts" / "glyphicons-halflings-regular.woff").exists()
    add_study_link(tmp_path)
    add_study_link(tmp_path)
    assert (tmp_path / "index.html").read_text().count("../index.html") == 1


def test_make_offline_refuses_unknown_remote_assets(tmp_path):
    (tmp_path / "index.html").write_text(PAGE.replace(
        "asv.js\"></script>", "asv.js\"></script><script src=\"https://cdn.example/new-lib.js\"></script>"))
    with pytest.raises(SiteError, match="new-lib.js"):
        make_offline(tmp_path)
    with pytest.raises(SiteError, match="asv publish"):
        make_offline(tmp_path / "missing")


def test_cli_info_and_compare():
    info = json.loads(subprocess.run([sys.executable, "-m", "vlr", "info", "--json"],
                                     capture_output=True, text=True, check=True).stdout)
    assert set(info["kernels"]) == set(KERNELS) | {"cuda"} and info["blas"]  # the five and the GPU's
    assert info["gpu"] and ("unavailable" in info["gpu"]) == (info["kernels"]["cuda"] != "available")
    out = subprocess.run([sys.executable, "-m", "vlr", "compare", "--size", "4x50",
                          "--kernel", "numpy", "--kernel", "cython", "--kernel", "two_loops"],
                         capture_output=True, text=True, check=True).stdout
    assert "cython" in out and "vs two_loops" in out
    bad = subprocess.run([sys.executable, "-m", "vlr", "compare", "--kernel", "fortran"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown kernel 'fortran'" in bad.stderr


@pytest.mark.slow
def test_startup_benchmark_code_runs(tmp_path):
    # timeraw_ benchmarks run this code in a fresh interpreter; a broken string only shows in asv
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
    try:
        from benchmarks.bench_compile import FIRST_CALL
    finally:
        sys.path.pop(0)
    proc = subprocess.run([sys.executable, "-c", FIRST_CALL.format(cache=str(tmp_path))],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert any(tmp_path.rglob("*.nbi")), "the numba cache was not written where asked"
