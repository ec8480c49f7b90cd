"""The benchmark study end to end: asv check, a tiny real asv run in this environment, the
site built from it, the site built from the kept results alone in headless Chromium, and the
report's refusals."""
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from helpers import KERNELS
from vlr.study.asv_results import ResultsError, load_results
from vlr.study.docs import can_build
from vlr.study.report import write_report
from vlr.study.verdict import build_rows
from vlr.study.site import build_site

ROOT = Path(__file__).resolve().parents[1]
#: asv keeps its machine description in ~/.asv-machine.json: the tests give it a home of its own
ASV_HOME = tempfile.mkdtemp(prefix="vlr-test-asv-home-")
ASV_ENV = dict(os.environ, HOME=ASV_HOME, VLR_MACHINES_DIR=os.path.join(ASV_HOME, "machines"))
MACHINE = "test-machine"
BENCHES = ("TimeGradientStep|TrackSpeedupVs|TrackStreamBandwidth|TrackThreads|TimePeerGradient|TrackModelParameter|"
           "TimeDaskIteration|TrackTarget.track_target\\('(overhead_us|train_vs_course)'\\)|TrackFitVsSklearn")


def asv(*args, config, env=None, check=True):
    proc = subprocess.run([sys.executable, "-m", "asv", *args, "--config", str(config)],
                          capture_output=True, text=True, cwd=ROOT, env=env or ASV_ENV, timeout=1800)
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
    asv("machine", "--yes", "--machine", MACHINE, config=config)
    from vlr.study.grid import bench_regex  # the tiny grid's points only: no process per skipped point
    asv("run", "--python=same", "--set-commit-hash", commit, "--bench", bench_regex(BENCHES, "tiny"), "--show-stderr",
        "--record-samples", "--machine", MACHINE, config=config, env=dict(ASV_ENV, VLR_BENCH_GRID="tiny"))
    out, rows, lines = build_site(tmp / "html", results_dir=tmp / "results",
                                  config=ROOT / "asv.conf.json")
    # the first page is every machine side by side; the machine's own page has the detail
    return dict(tmp=tmp, config=config, out=out, page=out / "machines" / MACHINE, rows=rows,
                lines=lines)


def test_asv_check_passes():
    asv("check", "--python=same", config=ROOT / "asv.conf.json")


@pytest.mark.slow
def test_report_table_covers_the_tiny_grid(study):
    rows = study["rows"]
    assert {(r.kernel, r.m, r.n_x) for r in rows} == {
        (k, m, n) for k in KERNELS
        for m in (100, 1000) for n in (1, 10)}
    for r in rows:
        assert r.seconds is not None and 0 < r.seconds < 10, r
        assert r.vs_numpy is not None and r.vs_numpy > 0, r
        assert r.vs_two_loops is not None and r.vs_two_loops > 0, r
    # compiled kernels are far faster than two Python loops even on the tiny grid
    big = [r for r in rows if r.kernel in ("numba", "cython") and r.m * r.n_x == 10_000]
    assert all(r.vs_two_loops > 5 for r in big), big
    csv_lines = (study["page"] / "table.csv").read_text().splitlines()
    assert csv_lines[0].startswith("dtype,m,n_x,kernel,seconds")
    assert len(csv_lines) == 1 + len(rows)


@pytest.mark.slow
def test_report_peers_dask_and_targets(study):
    from vlr.study.report import dask_line, fit_rows, peers_rows, targets_rows
    results = load_results(next(p for p in (study["tmp"] / "results").glob("*/*.json") if p.name != "machine.json"))
    peers = peers_rows(results, study["rows"])
    assert len(peers) == 4 and all(p["sklearn"] and p["sklearn"] > 0 for p in peers), peers
    assert "seconds" not in dask_line(results) and "2 workers" in dask_line(results)
    measured = {t.key: v for t, v in targets_rows(results)}
    assert 0 < measured["overhead_us"] < 1000 and measured["train_vs_course"] > 0, measured
    assert measured["vs_numpy_large"] is None  # not run here: shown as "not run"
    fits = fit_rows(results)  # the tiny grid fits breast_cancer only
    assert [f["problem"] for f in fits] == ["breast_cancer"], fits
    assert fits[0]["speedup"] > 0 and fits[0]["objective_gap"] <= 1e-6, fits
    md = (study["page"] / "report.md").read_text()
    for words in ("## Peers: the same gradient elsewhere", "sklearn loss_gradient", "**Dask:**",
                  "## Speed targets", "| not run |", "## Fitting: vlr vs scikit-learn's L-BFGS",
                  "| breast_cancer |"):
        assert words in md, words
    html = (study["page"] / "index.html").read_text()
    assert "<h2>Peers: the same gradient elsewhere</h2>" in html and "<table>" in html


@pytest.mark.slow
def test_report_plots_and_verdict(study):
    out, page = study["out"], study["page"]
    for name in ("time_vs_m_nx1.svg", "time_vs_m_nx10.svg", "speedup_heatmaps.svg", "roofline.svg"):
        data = (page / name).read_text()
        assert data.lstrip().startswith("<?xml") and "<svg" in data and len(data) > 10_000, name
    verdict = "\n".join(study["lines"])
    assert "~300x (numpy vs two loops)" in verdict and "~10x (one loop vs two loops)" in verdict
    assert "Why" in verdict
    from vlr.study.machine_study import study_of
    from vlr.study.plots import fmt_x
    results = load_results(next(p for p in (study["tmp"] / "results").glob("*/*.json") if p.name != "machine.json"))
    best = max(study_of(results).full, key=lambda c: c.ratio)  # the verdict quotes the measured cells
    assert f"{fmt_x(best.ratio)} ({fmt_x(best.low)}–{fmt_x(best.high)})" in verdict
    md = (page / "report.md").read_text()
    assert "to reproduce" in md and "BLAS" in md and "threads" in md
    assert "VLR_BENCH_GRID=tiny vlr study" in md  # the grid the results came from, not the env's
    assert "Measured on `" in md and "at commit `" in md
    assert "## Why: a model of measured costs" in md and "RMS residual" in md
    # the model's parameters were measured in the run: every cell is predicted and compared
    assert "predicted from the costs measured in its own run" in md
    assert "Predicted beside measured" in md and "decided categories predicted right" in md
    # every paired speed-up keeps its rounds as samples, and its cell has an interval
    results = load_results(next(p for p in (study["tmp"] / "results").glob("*/*.json") if p.name != "machine.json"))
    rounds = results.raw_samples("TrackSpeedupVsTwoLoops.track_speedup")
    assert rounds and all(len(v) >= 8 for v in rounds.values())
    from vlr.study.machine_study import study_of
    cells = study_of(results).full
    assert cells and all(c.how == "paired" and c.spread and c.n >= 8 for c in cells)
    # the study is the first page; asv's pages are one click away and link back
    assert "asv/index.html#regressions" in (out / "index.html").read_text()
    assert "../../asv/index.html#regressions" in (page / "index.html").read_text()
    assert "../index.html" in (out / "asv" / "index.html").read_text()
    # every benchmark on asv's grid has results: no empty tile
    listed = json.loads((out / "asv" / "index.json").read_text())["benchmarks"]
    assert listed and all("TrackOneCall" not in name for name in listed)  # none in the tiny grid


@pytest.mark.slow
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
        write_report(results_dir=tmp_path / "empty", out_dir=tmp_path / "r")
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
needs_browser = pytest.mark.skipif(
    not REQUIRE_BROWSER and (_chromium() is None or importlib.util.find_spec("playwright") is None),
    reason="Chromium or playwright not installed (.ci/run installs both)")


def _loopback_page(playwright, left_machine, **page_args):
    """Headless Chromium and a page whose requests may only go to 127.0.0.1; any other URL is
    aborted and appended to ``left_machine``. Returns ``(browser, page)``."""
    browser = playwright.chromium.launch(executable_path=_chromium(), args=[
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"])
    page = browser.new_page(**page_args)

    def only_loopback(route):
        if urlparse(route.request.url).hostname != "127.0.0.1":
            left_machine.append(route.request.url)
            return route.abort()
        return route.continue_()

    page.route("**/*", only_loopback)
    return browser, page


@pytest.mark.slow
@needs_browser
def test_offline_site_in_headless_chromium(study):
    from playwright.sync_api import sync_playwright
    from site_server import serve

    left_machine, failed = [], []
    with serve(study["tmp"] / "html") as base, sync_playwright() as p:
        browser, page = _loopback_page(p, left_machine)
        # no tile of asv's grid is empty: a benchmark without results is not listed at all
        page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
        graphs = []
        page.on("response", lambda r: graphs.append(r) if "/graphs/" in r.url and "summary" not in r.url else None)

        page.goto(base + "/asv/index.html")
        page.wait_for_selector("a.benchmark-container", timeout=30_000)
        names = page.locator("a.benchmark-container .benchmark-text").all_inner_texts()
        assert any("time_gradient_step" in n for n in names), names

        page.goto(base + "/asv/index.html#bench_step.TimeGradientStep.time_gradient_step?kernel=numba")
        page.wait_for_selector("#main-graph canvas.flot-base", timeout=30_000)
        page.wait_for_timeout(500)
        # graph JSON: [[commit position, [value per parameter combination]], ...]
        points = [v for r in graphs for _, values in r.json() for v in values if v is not None]
        assert points and all(v > 0 for v in points), "the graph has no data points"

        page.goto(base + "/asv/index.html#regressions")
        page.wait_for_selector("#regressions-body table, #regressions-body", state="attached", timeout=30_000)
        assert "error.html" not in page.url

        page.goto(base + f"/machines/{MACHINE}/index.html")
        points = {(r.dtype, r.m, r.n_x) for r in study["rows"]}
        pivot = page.locator("xpath=//h2[contains(., 'Table: time per step')]/following-sibling::table[1]")
        assert pivot.locator("tbody tr").count() == len(points)
        assert page.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
        page.goto(base + "/index.html")
        assert MACHINE in page.inner_text("table >> nth=0")
        assert page.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
        browser.close()
    assert not left_machine, f"requests left the machine: {left_machine}"
    assert not failed, f"requests failed: {failed}"


KEPT = ROOT / "benchmarks" / "results"


@pytest.fixture(scope="module")
def kept_site(tmp_path_factory):
    """The site built by `vlr site` from the kept results alone (what a fresh clone shows)."""
    site = tmp_path_factory.mktemp("kept") / "site"
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "vlr", "site", "--site", str(site),
                           "--results-dir", str(KEPT)], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)
    seconds = time.perf_counter() - start
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return dict(site=site, seconds=seconds)


def _kept_machines():
    return sorted(p.name for p in KEPT.iterdir() if p.is_dir() and any(
        f.name != "machine.json" for f in p.glob("*.json")))


def test_site_from_kept_results_is_fast_and_runs_no_benchmark(kept_site):
    assert kept_site["seconds"] < 60, kept_site
    machines = _kept_machines()
    assert len(machines) >= 2, machines  # the study answers across machines
    kept = [p for m in machines for p in (KEPT / m).glob("*.json") if p.name != "machine.json"]
    commits = {json.loads(p.read_text())["commit_hash"] for p in kept}
    assert len(commits) >= 4, commits  # the history covers at least 4 commits
    md = (kept_site["site"] / "report.md").read_text()
    assert "## The verdict on each machine" in md and "## For comparison: a cost model fitted on each machine" in md
    assert "## Why: a model of measured costs, predicting every cell" in md
    assert "with its 95% interval" in md and "**undecided**" in md
    for name in machines:  # every kept machine, its profile, its model and its own page
        assert f"| `{name}`" in md, name
        assert f"### `{name}` (commit `" in md
        page = (kept_site["site"] / "machines" / name / "report.md").read_text()
        assert "## Verdict" in page and "Measured on `" in page and f"on `{name}`" in page
    if can_build() is None:  # the docs are published with the study, linked from its pages
        assert (kept_site["site"] / "docs" / "api.html").exists()
        assert "href='docs/index.html'" in (kept_site["site"] / "index.html").read_text()
    for figure in ("machines_heatmaps.svg", "model_residuals.svg"):
        assert f"]({figure})" in md and (kept_site["site"] / figure).stat().st_size > 10_000
    assert "history.svg" in (kept_site["site"] / "machines" / "zen4-epyc-2core" / "report.md").read_text()
    # asv's regressions: no speed-up or bandwidth that rose is reported as a regression
    regressions = json.loads((kept_site["site"] / "asv" / "regressions.json").read_text())["regressions"]
    flagged = [r[0] for r in regressions]
    assert not [n for n in flagged if "TrackSpeedupVs" in n or "TrackStreamBandwidth" in n], flagged
    # no empty tile on asv's grid: every listed benchmark has kept results
    listed = json.loads((kept_site["site"] / "asv" / "index.json").read_text())["benchmarks"]
    assert all((kept_site["site"] / "asv" / "graphs").rglob(f"{name}.json") for name in listed)


@pytest.mark.slow
def test_a_new_machine_shows_beside_the_kept_ones(study, tmp_path, monkeypatch):
    """A user's run under another machine name: the first page shows it first, marked as
    theirs, and every kept machine beside it; each keeps its own page and history."""
    results = tmp_path / "results"
    shutil.copytree(KEPT, results)
    shutil.copytree(study["tmp"] / "results" / MACHINE, results / "newbox-test-2core")
    for path in (results / "newbox-test-2core").glob("*.json"):  # the same run, renamed
        data = json.loads(path.read_text())
        data.setdefault("params", {})["machine"] = "newbox-test-2core"
        path.write_text(json.dumps(data))
    (tmp_path / "machines").mkdir()
    home = tmp_path / "home"
    home.mkdir()
    (home / ".asv-machine.json").write_text(json.dumps(
        {"version": 1, "newbox-test-2core": {"machine": "newbox-test-2core"}}))
    monkeypatch.setenv("HOME", str(home))  # this computer's asv name: the new machine
    site, rows, lines = build_site(tmp_path / "site", results_dir=results, config=ROOT / "asv.conf.json",
                                   profiles_dir=ROOT / "benchmarks" / "machines")
    md = (site / "report.md").read_text()
    table = md.split("## The verdict on each machine")[1].split("## The machines")[0]
    machine_rows = [line for line in table.splitlines() if line.startswith("| `")]
    order = [line.split("`")[1] for line in machine_rows]
    assert order[0] == "newbox-test-2core" and "**(yours)**" in machine_rows[0]
    assert not any("(yours)" in line for line in machine_rows[1:])
    assert set(order) == {"newbox-test-2core", *_kept_machines()}
    assert {r.m for r in rows} == {100, 1000}  # the verdict printed is the reader's own machine's
    for name in order:
        assert (site / "machines" / name / "index.html").exists()
    assert "newbox-test-2core" not in (site / "machines" / "zen4-epyc-2core" / "report.md").read_text()


@needs_browser
def test_kept_site_in_headless_chromium(kept_site):
    from playwright.sync_api import sync_playwright
    from site_server import serve

    left_machine = []
    with serve(kept_site["site"]) as base, sync_playwright() as p:
        browser, page = _loopback_page(p, left_machine, viewport={"width": 1280, "height": 900})
        page.goto(base + "/index.html")
        text = page.inner_text("body")
        for name in _kept_machines():
            assert name in text, name
        assert "The verdict on each machine" in text and "RMS residual" in text
        # intervals and categories on the first page
        assert "The rule, for both claims" in text and "95% interval" in text
        assert all(word in text for word in ("below", "undecided", "about"))
        assert "*" not in text, "raw Markdown emphasis in the page"
        loaded = page.evaluate("Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length")
        assert loaded >= 2 and loaded == page.evaluate("document.images.length")
        for figure in ("machines_heatmaps.svg", "model_residuals.svg"):
            assert page.locator(f"img[src='{figure}']").count() == 1
        page.screenshot(path=str(kept_site["site"] / "first-page.png"), full_page=True)

        page.goto(base + "/machines/zen4-epyc-2core/index.html")
        assert "~300x (numpy vs two loops)" in page.inner_text("body")
        assert page.locator("img[src='history.svg']").count() == 1
        assert page.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
        # a figure's link opens asv's graph with m on the x axis, log y: the numpy line has >= 3 points
        href = page.locator("a:has(img[src^='time_vs_m'])").first.get_attribute("href")
        assert "x-axis=m" in href and "y-axis-scale=log" in href
        page.goto(base + "/machines/zen4-epyc-2core/" + href)
        page.wait_for_selector("#main-graph canvas.flot-base", timeout=30_000)
        page.wait_for_timeout(1000)
        numpy_points = page.evaluate("""() => {
            const plot = $('#main-graph').data('plot');
            return plot.getData().filter(s => /numpy/.test(s.label || ''))
                       .map(s => s.data.filter(p => p && p[1] !== null).length);
        }""")
        assert numpy_points and max(numpy_points) >= 3, numpy_points

        page.goto(base + "/asv/index.html#regressions")
        page.wait_for_selector("#regressions-body", state="attached", timeout=30_000)
        assert "error.html" not in page.url
        assert "TrackSpeedupVs" not in page.inner_text("#regressions-body")
        browser.close()
    assert not left_machine, f"requests left the machine: {left_machine}"


@pytest.mark.slow
def test_asv_publish_after_vlr_site_leaves_the_site_as_it_was(kept_site, tmp_path):
    # asv.conf.json's html_dir (asv's own pages) and vlr's site folder sit side by side: a real
    # `asv publish` after `vlr site` rewrites its folder, never the offline site with its vendored assets
    import hashlib
    import inspect
    import os
    from vlr.study.site import build_site, read_asv_config, write_asv_config
    site = kept_site["site"]
    default_site = inspect.signature(build_site).parameters["site_dir"].default
    html_dir = read_asv_config(ROOT / "asv.conf.json")["html_dir"]
    beside = os.path.relpath(ROOT / html_dir, ROOT / default_site)
    assert not beside.startswith(".."  + os.sep + ".." + os.sep) and beside.startswith(".."), beside
    files = lambda: {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in site.rglob("*") if p.is_file()}  # noqa: E731
    before = files()
    assert any("vendor" in p.parts for p in before)
    published = (site / beside).resolve()
    config = write_asv_config(tmp_path / "asv.conf.json", config=ROOT / "asv.conf.json", results_dir=KEPT,
                              html_dir=published)
    proc = subprocess.run([sys.executable, "-m", "asv", "publish", "--config", str(config)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert (published / "index.html").exists() and (published / "index.json").exists()
    assert files() == before


def test_a_measured_value_never_prints_as_its_goal_when_the_verdict_differs():
    from vlr.study.targets import TARGETS, format_measured
    assert format_measured(2.00380037499599, 2.0) == "2.004"  # goal <= 2: "2 ... no" would read wrong
    assert format_measured(0.9496, 0.95) == "0.9496"
    assert format_measured(2.0, 2.0) == "2" and format_measured(1.5807, 1.1) == "1.58"
    overhead = next(t for t in TARGETS if t.key == "overhead_us")
    from vlr.study.tables import targets_table
    assert "2.004 µs" in "\n".join(targets_table([(overhead, 2.0038)]).markdown())


def test_a_ratio_target_is_decided_only_when_every_interval_says_so():
    from vlr.study.targets import TARGETS_BY_KEY, _measure, format_targets
    auto = TARGETS_BY_KEY["auto_vs_best"]  # >= 0.95, over the small points' paired rounds

    def point(median, low, high):
        return dict(n_x=10, m=100, chosen="numba", best="cython", auto_vs_best=median,
                    intervals=dict(auto_vs_best=[low, high]))
    clear = [point(0.99, 0.97, 1.01), point(1.0, 0.96, 1.05)]
    assert auto.verdict(0.99, auto.intervals(clear)) == "yes"
    straddles = clear + [point(0.96, 0.90, 1.02)]  # its median meets the goal, its interval not
    assert auto.met(0.96) and auto.verdict(0.96, auto.intervals(straddles)) == "undecided"
    missed = straddles + [point(0.97, 0.80, 0.93)]  # an interval wholly below the goal
    assert auto.verdict(0.96, auto.intervals(missed)) == "no"
    assert auto.verdict(0.99) == "yes" and auto.verdict(0.9) == "no"  # no intervals: the value
    row = _measure(auto, False, None, {"vs_numpy_small": straddles})
    assert row["verdict"] == "undecided" and row["interval"] == [0.90, 1.02] and row["met"]
    from vlr.machine import machine_info
    table = format_targets({"quick": False, "machine": machine_info(), "targets": [row]})
    assert "0.96 x [0.9, 1.02] | undecided |" in table
    # missed by a point whose median is not the worst: the table names the point that decides
    missed = [point(0.96, 0.90, 1.02), dict(point(0.97, 0.80, 0.93), n_x=30, m=569)]
    row = _measure(auto, False, None, {"vs_numpy_small": missed})
    assert row["verdict"] == "no" and row["interval"] == [0.90, 1.02]
    assert row["decided_by"] == dict(point="30×569", value=0.97, interval=[0.80, 0.93])
    table = format_targets({"quick": False, "machine": machine_info(), "targets": [row]})
    assert "0.96 x [0.9, 1.02] | **no** (by 30×569: 0.97 [0.8, 0.93]) |" in table
    # a goal per point: the interval is divided by it, as the value is
    small = TARGETS_BY_KEY["vs_numpy_small"]
    p = dict(point(1.0, 0.9, 1.1), vs_numpy=3.0, goal=1.5,
             intervals=dict(vs_numpy=[2.4, 3.6], auto_vs_best=[0.9, 1.1]))
    (judged,) = small.intervals([p])
    assert judged[:3] == pytest.approx((2.0, 1.6, 2.4)) and judged[3] == "10×100"
    # too few rounds for a 95 % interval (a quick run's 3): the value decides
    assert small.intervals([dict(p, intervals=dict(vs_numpy=None))]) is None
    assert small.verdict(2.0, small.intervals([p])) == "yes"
    # float32 ÷ float64 is timed in paired rounds too: its points carry the ratio's interval
    f32 = TARGETS_BY_KEY["float32_vs_float64"]  # >= 1.85
    points = [dict(n_x=10, m=10**7, kernel64="cython", kernel32="numba", ratio=1.9,
                   intervals=dict(ratio=[1.7, 2.0])),
              dict(n_x=100, m=10**6, kernel64="cython", kernel32="cython", ratio=1.96,
                   intervals=dict(ratio=[1.9, 2.0]))]
    assert f32.intervals(points) == [(1.9, 1.7, 2.0, "10×10000000"), (1.96, 1.9, 2.0, "100×1000000")]
    assert f32.verdict(1.9, f32.intervals(points)) == "undecided"
    assert f32.verdict(1.96, f32.intervals(points[1:])) == "yes"
    # and so are the training loop's rows: one point each, with its interval
    train = TARGETS_BY_KEY["train_vs_course_cost100"]  # >= 6
    loop = dict(n_x=10, m=1000, kernel="cython", course_s=0.013, train_s=0.002, ratio=6.5,
                cost_every=100, intervals=dict(ratio=[4.4, 7.1]))
    assert train.intervals([loop]) == [(6.5, 4.4, 7.1, "10×1000")]
    assert train.verdict(6.5, train.intervals([loop])) == "undecided"
