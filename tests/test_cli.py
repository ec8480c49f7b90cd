"""The vlr command answers a user's mistake or a busy port with one line and exit code 2, never a
traceback; --version; plain-text help; quiet on a closed pipe; readable speed-ups."""
import socket
import subprocess
import sys

import pytest

import vlr
from vlr.study.tables import format_speedup


def _vlr(*args, **kw):
    return subprocess.run([sys.executable, "-m", "vlr", *args], capture_output=True, text=True,
                          timeout=300, **kw)


def _one_line_error(result, *needles):
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    for needle in needles:
        assert needle in last, last


def test_version_and_plain_help():
    version = _vlr("--version")
    assert version.returncode == 0 and version.stdout.strip() == f"vlr {vlr.__version__}"
    help_text = _vlr("--help").stdout
    assert "``" not in help_text and ":mod:" not in help_text
    assert "vlr warm" in help_text and "vlr study" in help_text


def test_bad_port_and_missing_results_dir(tmp_path):
    _one_line_error(_vlr("site", "--port", "99999"), "--port", "0..65535")
    _one_line_error(_vlr("site", "--port", "http"), "--port", "integer")
    _one_line_error(_vlr("site", "--results-dir", str(tmp_path / "none")), "--results-dir",
                    "vlr study")


def test_busy_port_is_one_line(tmp_path):
    from vlr.study.site import serve
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ValueError, match=rf"cannot serve on 127.0.0.1:{port}.*--port 0"):
            serve(tmp_path, port)


def test_impossible_size_is_one_line():
    _one_line_error(_vlr("compare", "--size", "1000000000x1000000", "--kernel", "numpy"),
                    "not enough memory", "smaller --size")


def test_closed_pipe_is_quiet():
    reader = subprocess.Popen([sys.executable, "-m", "vlr", "info"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    reader.stdout.read(10)
    reader.stdout.close()  # like `vlr info | head -c 10`
    assert reader.wait(timeout=300) == 0
    assert reader.stderr.read() == b""


def test_speedups_read_at_any_size():
    assert format_speedup(None) == "—"
    assert format_speedup(640.0) == "640.0x"
    assert format_speedup(1.0) == "1.0x"
    assert format_speedup(0.5) == "2.0x slower"
    assert format_speedup(1 / 640) == "640x slower"  # never "0.0x"
