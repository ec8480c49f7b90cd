"""Damaged kept files (issue 28): one bad results file, machine file or profile never takes the
study down, is named on stderr and beside its machine, and never silently swaps in older data."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vlr.study.asv_results import ResultsError, load_results

ROOT = Path(__file__).resolve().parents[1]
KEPT = ROOT / "benchmarks" / "results"
MACHINE = "zen-epyc-2core"


def _newest(results):
    files = [p for p in (results / MACHINE).glob("*.json") if p.name != "machine.json"]
    return max(files, key=lambda p: json.loads(p.read_text())["date"])


@pytest.fixture
def kept_copy(tmp_path):
    shutil.copytree(KEPT, tmp_path / "results")
    shutil.copytree(ROOT / "benchmarks" / "machines", tmp_path / "machines")
    return tmp_path / "results"


def _vlr(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "vlr", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


DAMAGE = {
    "an empty list": b"[]",
    "no result_columns": json.dumps({"version": 2, "results": {}}).encode(),
    "binary content": bytes(range(200, 256)) * 40,
    "truncated JSON": None,  # the first 5000 bytes of the genuine file
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_newest_results_file_is_named_and_never_hides(kept_copy, damage):
    newest = _newest(kept_copy)
    newest.write_bytes(DAMAGE[damage] if DAMAGE[damage] is not None else newest.read_bytes()[:5000])
    proc = _vlr("verdict", "--results-dir", str(kept_copy))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and newest.name in proc.stderr
    block = proc.stdout.split(MACHINE, 1)[1].split("\n\n", 1)[0]
    assert "unreadable" in block  # the machine's row says it is not its newest run
    markdown = _vlr("verdict", "--markdown", "--results-dir", str(kept_copy)).stdout
    row = next(line for line in markdown.splitlines() if line.startswith(f"| `{MACHINE}`"))
    assert "unreadable" in row  # a README table built now cannot publish stale numbers silently
    with pytest.raises(ResultsError, match=newest.name):
        load_results(newest)


def test_a_row_that_does_not_match_its_parameters_names_the_benchmark_and_file(kept_copy):
    newest = _newest(kept_copy)
    data = json.loads(newest.read_text())
    i = data["result_columns"].index("result")
    name = next(k for k in data["results"] if "TimeGradientStep" in k)
    data["results"][name][i] = data["results"][name][i][:-3]
    newest.write_text(json.dumps(data))
    with pytest.raises(ResultsError, match=r"TimeGradientStep.*parameter combinations"):
        load_results(newest)
    proc = _vlr("verdict", "--results-dir", str(kept_copy))
    assert proc.returncode == 0 and "parameter combinations" in proc.stderr and newest.name in proc.stderr


def test_report_on_a_truncated_file_names_it(kept_copy, tmp_path):
    newest = _newest(kept_copy)
    newest.write_bytes(newest.read_bytes()[:5000])
    proc = _vlr("report", "--results", str(newest), "--out", str(tmp_path / "r"))
    assert proc.returncode == 2 and newest.name in proc.stderr and "truncated" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_site_survives_a_bad_machine_file_and_a_profile_of_wrong_types(kept_copy, tmp_path):
    from vlr.study.site import build_site
    (kept_copy / "zen3-epyc-2core" / "machine.json").write_text("{not json")
    profile = kept_copy.parent / "machines" / "zen4-epyc-2core.json"
    data = json.loads(profile.read_text())
    data.update(kernels_built_for="AVX2", caches_kib={"L2": "512"}, generation=3)
    profile.write_text(json.dumps(data))
    site, _, _ = build_site(tmp_path / "site", results_dir=kept_copy, config=ROOT / "asv.conf.json",
                            profiles_dir=kept_copy.parent / "machines")
    md = (site / "report.md").read_text()
    assert "`zen4-epyc-2core`" in md and "`zen3-epyc-2core`" in md
    assert (site / "asv" / "index.html").exists()


@pytest.mark.parametrize("value", ["auto", ""])
def test_vlr_fastest_auto_means_no_override(monkeypatch, value):
    import numpy as np
    import vlr
    monkeypatch.setenv("VLR_FASTEST", value)
    X = np.random.default_rng(0).standard_normal((5, 200))
    Y = (X[0] > 0).astype(float)[None]
    J, _, _ = vlr.gradients(np.zeros((5, 1)), 0.0, X, Y)
    assert J == pytest.approx(np.log(2))


@pytest.mark.parametrize("args", [["info"], ["tune", "--size", "10x100"]])
def test_vlr_fastest_checked_wherever_it_is_read(args):
    import os
    bad = subprocess.run([sys.executable, "-m", "vlr", *args], capture_output=True, text=True,
                         env=dict(os.environ, VLR_FASTEST="bogus"), timeout=300)
    assert bad.returncode == 2 and "VLR_FASTEST='bogus' is not a kernel" in bad.stderr
    assert "Traceback" not in bad.stderr
    fixed = subprocess.run([sys.executable, "-m", "vlr", "tune", "--size", "10x100"], capture_output=True,
                           text=True, env=dict(os.environ, VLR_FASTEST="numba"), timeout=300)
    assert fixed.returncode == 2 and "nothing to tune" in fixed.stderr


@pytest.mark.parametrize("args,words", [
    (["compare", "--size", "infx10"], "finite"),
    (["compare", "--size", "1e12x1e12"], "pick a smaller --size"),
    (["compare", "--json", "/nonexistent/dir/out.json"], "does not exist"),
])
def test_cli_inputs_are_checked_before_any_work(args, words):
    proc = _vlr(*args)
    assert proc.returncode == 2 and words in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("tol", ["a", None, float("nan"), -1.0, True])
def test_estimator_tol_is_checked(tol):
    import numpy as np
    import vlr
    X = np.random.default_rng(0).standard_normal((200, 3))
    with pytest.raises(ValueError, match="tol must be a number"):
        vlr.LogisticRegression(tol=tol).fit(X, (X[:, 0] > 0).astype(int))


def _tree(root):
    return sorted((str(p.relative_to(root)), p.stat().st_size) for p in Path(root).rglob("*") if p.is_file())


def test_a_file_in_the_way_of_the_site_is_one_line(kept_copy, tmp_path):
    (tmp_path / "site").write_text("not a directory")
    proc = _vlr("site", "--no-docs", "--site", str(tmp_path / "site"), "--results-dir", str(kept_copy))
    assert proc.returncode == 1 and "a file is in the way" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.slow
def test_a_full_disk_leaves_the_previous_site_as_it_was(kept_copy, tmp_path):
    """A rebuild that runs out of space (a small tmpfs, filled) fails with one line and leaves the
    published site untouched."""
    import os
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(disk)]).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        site = disk / "site"
        first = _vlr("site", "--no-docs", "--site", str(site), "--results-dir", str(kept_copy))
        assert first.returncode == 0, first.stderr
        before = _tree(site)
        free = os.statvfs(disk)
        (disk / "filler").write_bytes(b"\0" * max(0, free.f_bavail * free.f_frsize - (2 << 20)))
        again = _vlr("site", "--no-docs", "--site", str(site), "--results-dir", str(kept_copy))
        assert again.returncode == 1 and "the site was not rebuilt" in again.stderr, again.stderr
        assert "Traceback" not in again.stderr
        assert _tree(site) == before
        assert not [p for p in disk.iterdir() if p.name.startswith(".site.")]  # no debris left
    finally:
        subprocess.run(["umount", str(disk)])


def test_a_killed_save_leaves_no_debris_after_the_next_save(tmp_path, monkeypatch):
    import os
    import time
    from vlr.calibration import Calibration
    monkeypatch.setenv("VLR_CACHE_DIR", str(tmp_path))
    debris = tmp_path / ".fastest-abcd1234.json"
    debris.write_text('{"schema": 2, "cla')  # what a SIGKILL between write and rename leaves
    old = time.time() - 3600
    os.utime(debris, (old, old))
    cal = Calibration()
    cal.save()
    assert not debris.exists() and cal.path.exists()


def test_cli_unknown_option_and_closed_pipe():
    proc = _vlr("--bogus")
    assert proc.returncode == 2 and "unknown option --bogus" in proc.stderr
    piped = subprocess.run(f"{sys.executable} -m vlr compare --size 5x100 | head -1; exit ${{PIPESTATUS[0]}}",
                           shell=True, executable="/bin/bash", capture_output=True, text=True, cwd=ROOT,
                           timeout=300)
    assert piped.returncode == 0 and "Traceback" not in piped.stderr
