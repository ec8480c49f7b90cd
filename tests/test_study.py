"""The benchmark study end to end: asv check, a tiny real asv run in this environment, the
report made from it, the offline site in headless Chromium, and the report's refusals."""
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from vlr.asv_results import ResultsError, load_results
from vlr.report import build_rows, write_report
from vlr.site import make_offline

ROOT = Path(__file__).resolve().parents[1]
BENCHES = ("TimeGradientStep|TrackSpeedupVs|TrackStreamBandwidth|TrackThreads|TimePeerGradient|"
           "TimeDaskIteration|TrackTarget_overhead_us|TrackTarget_train_vs_course")


def asv(*args, config, env=None, check=True):
    proc = subprocess.run([sys.executable, "-m", "asv", *args, "--config", str(config)],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=1800)
    if check:
        assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return proc


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """A tiny-grid asv run of the real suite, its published offline site and its report."""
    tmp = tmp_path_factory.mktemp("study")
    conf = json.loads("\n".join(l for l in (ROOT / "asv.conf.json").read_text().splitlines()
                                if not l.strip().startswith("//")))
    conf.update(repo=str(ROOT), benchmark_dir=str(ROOT / "benchmarks"), results_dir=str(tmp / "results"),
                html_dir=str(tmp / "html"), env_dir=str(tmp / "env"))
    config = tmp / "asv.conf.json"
    config.write_text(json.dumps(conf))
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.strip()
    asv("machine", "--yes", config=config)
    asv("run", "--python=same", "--set-commit-hash", commit, "--bench", BENCHES, "--show-stderr",
        config=config, env=dict(os.environ, VLR_BENCH_GRID="tiny"))
    asv("publish", config=config)
    make_offline(tmp / "html")
    out, rows, lines = write_report(results_dir=tmp / "results", out_dir=tmp / "report",
                                    site_dir=tmp / "html")
    return dict(tmp=tmp, config=config, out=out, rows=rows, lines=lines)


def test_asv_check_passes():
    asv("check", "--python=same", config=ROOT / "asv.conf.json")


def test_report_table_covers_the_tiny_grid(study):
    rows = study["rows"]
    assert {(r.kernel, r.m, r.n_x) for r in rows} == {
        (k, m, n) for k in ["two_loops", "one_loop", "numpy", "numba", "cython"]
        for m in (100, 1000) for n in (1, 10)}
    for r in rows:
        assert r.seconds is not None and 0 < r.seconds < 10, r
        assert r.vs_numpy is not None and r.vs_numpy > 0, r
        assert r.vs_two_loops is not None and r.vs_two_loops > 0, r
    # compiled kernels are far faster than two Python loops even on the tiny grid
    big = [r for r in rows if r.kernel in ("numba", "cython") and r.m * r.n_x == 10_000]
    assert all(r.vs_two_loops > 5 for r in big), big
    csv_lines = (study["out"] / "table.csv").read_text().splitlines()
    assert csv_lines[0].startswith("dtype,m,n_x,kernel,seconds")
    assert len(csv_lines) == 1 + len(rows)


def test_report_peers_dask_and_targets(study):
    from vlr.report import dask_line, peers_rows, targets_rows
    results = load_results(next(p for p in (study["tmp"] / "results").glob("*/*.json") if p.name != "machine.json"))
    peers = peers_rows(results, study["rows"])
    assert len(peers) == 4 and all(p["sklearn"] and p["sklearn"] > 0 for p in peers), peers
    assert "seconds" not in dask_line(results) and "2 workers" in dask_line(results)
    measured = {t.key: v for t, v in targets_rows(results)}
    assert 0 < measured["overhead_us"] < 1000 and measured["train_vs_course"] > 0, measured
    assert measured["vs_numpy_large"] is None  # not run here: shown as "not run"
    md = (study["out"] / "report.md").read_text()
    for words in ("## Peers: the same gradient elsewhere", "sklearn loss_gradient", "**Dask:**",
                  "## Speed targets", "| not run |"):
        assert words in md, words
    html = (study["out"] / "index.html").read_text()
    assert "id='peers-table'" in html and "id='targets-table'" in html


def test_report_plots_and_verdict(study):
    out = study["out"]
    for name in ("time_vs_m.png", "speedup_heatmap.png", "roofline.png"):
        data = (out / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000, name
    verdict = "\n".join(study["lines"])
    numpy_ratios = [r.vs_two_loops for r in study["rows"] if r.kernel == "numpy"]
    assert "claimed ~300x" in verdict and "claimed ~10x" in verdict and "Why" in verdict
    assert f"{max(numpy_ratios):.2g}x" in verdict  # the verdict quotes the measured numbers
    md = (out / "report.md").read_text()
    assert "to reproduce" in md and "BLAS" in md and "threads" in md
    assert "VLR_BENCH_GRID=tiny asv run" in md  # the grid the results came from, not the env's
    # copied into the site and linked from its navigation bar
    assert (study["tmp"] / "html" / "vlr-report" / "index.html").exists()
    assert "vlr-report/index.html" in (study["tmp"] / "html" / "index.html").read_text()


def test_report_refuses_other_suite_version_and_no_results(study, tmp_path):
    results_file = next(p for p in (study["tmp"] / "results").glob("*/*.json") if p.name != "machine.json")
    data = json.loads(results_file.read_text())
    i = data["result_columns"].index("version")
    for row in data["results"].values():
        row[i] = "vlr-study-0"
    old = tmp_path / "old.json"
    old.write_text(json.dumps(data))
    with pytest.raises(ResultsError, match="suite version.*vlr-study-0"):
        load_results(old)
    with pytest.raises(ResultsError, match="no asv results"):
        write_report(results_dir=tmp_path / "empty", out_dir=tmp_path / "r", site_dir=None)
    proc = subprocess.run([sys.executable, "-m", "vlr", "report", "--results", str(old),
                           "--out", str(tmp_path / "r")], capture_output=True, text=True)
    assert proc.returncode == 2 and "suite version" in proc.stderr
    assert build_rows(load_results(results_file))  # the genuine file still loads


def _chromium():
    for path in ("/usr/bin/chromium", "/usr/bin/chromium-browser", shutil.which("chromium")):
        if path and Path(path).exists():
            return path
    return None


REQUIRE_BROWSER = os.environ.get("VLR_REQUIRE_BROWSER") == "1"  # set by .ci/run


@pytest.mark.skipif(not REQUIRE_BROWSER and (_chromium() is None or
                                             importlib.util.find_spec("playwright") is None),
                    reason="Chromium or playwright not installed (.ci/run installs both)")
def test_offline_site_in_headless_chromium(study):
    from playwright.sync_api import sync_playwright
    from site_server import serve

    left_machine, failed = [], []
    with serve(study["tmp"] / "html") as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        page = browser.new_page()

        def only_loopback(route):
            if urlparse(route.request.url).hostname != "127.0.0.1":
                left_machine.append(route.request.url)
                return route.abort()
            return route.continue_()

        page.route("**/*", only_loopback)
        # (summary graphs of benchmarks this tiny run skipped are 404 by asv's design)
        page.on("response", lambda r: failed.append(r.url)
                if r.status >= 400 and "/graphs/summary/" not in r.url else None)
        graphs = []
        page.on("response", lambda r: graphs.append(r) if "/graphs/" in r.url and "summary" not in r.url else None)

        page.goto(base + "/index.html")
        page.wait_for_selector("a.benchmark-container", timeout=30_000)
        names = page.locator("a.benchmark-container .benchmark-text").all_inner_texts()
        assert any("time_gradient_step" in n for n in names), names

        page.goto(base + "/index.html#bench_step.TimeGradientStep.time_gradient_step?kernel=numba")
        page.wait_for_selector("#main-graph canvas.flot-base", timeout=30_000)
        page.wait_for_timeout(500)
        # graph JSON: [[commit position, [value per parameter combination]], ...]
        points = [v for r in graphs for _, values in r.json() for v in values if v is not None]
        assert points and all(v > 0 for v in points), "the graph has no data points"

        page.goto(base + "/index.html#regressions")
        page.wait_for_selector("#regressions-body table, #regressions-body", state="attached", timeout=30_000)
        assert "error.html" not in page.url

        page.goto(base + "/vlr-report/index.html")
        assert page.locator("#verdict-table tr").count() == 1 + len(study["rows"])
        assert page.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
        browser.close()
    assert not left_machine, f"requests left the machine: {left_machine}"
    assert not failed, f"requests failed: {failed}"
