"""The published benchmark site, made readable offline.

``asv publish`` writes a static site whose index.html loads jQuery, flot, bootstrap and friends
from CDNs; without internet it falls to error.html. :func:`make_offline` copies the vendored
copies (``vlr/site_assets/vendor``, see its README) next to the page and points every remote
``<script>``/``<link>`` at them.
"""
import re
import shutil
import subprocess
import sys
from pathlib import Path

VENDOR_DIR = Path(__file__).parent / "site_assets" / "vendor"
REPORT_LINK = '<li id="nav-li-vlr-report"><a href="vlr-report/index.html">Study report</a></li>'

# Remote file name in asv's index.html -> vendored file (flot 0.8.3 on npm has no .min.js).
LOCAL_NAME = {
    "jquery-3.3.1.min.js": "jquery-3.3.1.min.js",
    "jquery.flot.min.js": "jquery.flot.js",
    "jquery.flot.time.min.js": "jquery.flot.time.js",
    "jquery.flot.selection.min.js": "jquery.flot.selection.js",
    "jquery.flot.categories.min.js": "jquery.flot.categories.js",
    "jquery.flot.orderBars.js": "jquery.flot.orderBars.js",
    "stupidtable.min.js": "stupidtable.min.js",
    "md5.min.js": "md5.min.js",
    "bootstrap.min.js": "bootstrap.min.js",
    "bootstrap.min.css": "css/bootstrap.min.css",
}
_REMOTE_SCRIPT = re.compile(r'<script src="https?://[^"]*/([^"/]+)"[^>]*>\s*</script>')
_REMOTE_LINK = re.compile(r'<link rel="stylesheet" href="https?://[^"]*/([^"/]+)"[^>]*>')


class SiteError(RuntimeError):
    """The site could not be built or made offline."""


def _local(kind, match):
    name = match.group(1)
    if name not in LOCAL_NAME:
        raise SiteError(f"asv's index.html loads {name!r}, which vlr does not vendor; "
                        f"add it to vlr/site_assets/vendor and vlr.site.LOCAL_NAME")
    path = f"vendor/{LOCAL_NAME[name]}"
    if kind == "script":
        return f'<script src="{path}" onerror="js_load_failure()"></script>'
    return f'<link rel="stylesheet" href="{path}">'


def make_offline(html_dir):
    """Rewrite ``html_dir/index.html`` to load only files inside ``html_dir``.

    Idempotent. Raises :class:`SiteError` if the page is missing or loads an asset that is not
    vendored.
    """
    html_dir = Path(html_dir)
    index = html_dir / "index.html"
    if not index.exists():
        raise SiteError(f"{index} does not exist; run `asv publish` first")
    shutil.copytree(VENDOR_DIR, html_dir / "vendor", dirs_exist_ok=True)
    text = index.read_text(encoding="utf-8")
    text = _REMOTE_SCRIPT.sub(lambda m: _local("script", m), text)
    text = _REMOTE_LINK.sub(lambda m: _local("link", m), text)
    left = re.findall(r'<(?:script|link)[^>]+(?:src|href)="https?://[^"]+"', text)
    if left:
        raise SiteError(f"index.html still loads remote files: {left}")
    index.write_text(text, encoding="utf-8")


def add_report_link(html_dir):
    """Add a "Study report" entry to the site's navigation bar (idempotent)."""
    index = Path(html_dir) / "index.html"
    text = index.read_text(encoding="utf-8")
    if REPORT_LINK in text:
        return
    anchor = re.search(r'<li id="nav-li-regressions">.*?</li>', text)
    if anchor is None:
        raise SiteError("cannot find the navigation bar in index.html")
    index.write_text(text[:anchor.end()] + "\n\t" + REPORT_LINK + text[anchor.end():], encoding="utf-8")


def publish(config="asv.conf.json", html_dir=".asv/html"):
    """Run ``asv publish`` and make the result readable offline; returns the site's directory."""
    proc = subprocess.run([sys.executable, "-m", "asv", "publish", "--config", str(config)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SiteError(f"asv publish failed:\n{proc.stdout}\n{proc.stderr}")
    make_offline(html_dir)
    if (Path(html_dir) / "vlr-report" / "index.html").exists():
        add_report_link(html_dir)
    return Path(html_dir)
