"""The published benchmark site: the study on the first page, asv's pages one click away.

``vlr site`` (:func:`build_site`) builds it from the kept results in ``benchmarks/results``
without running any benchmark: ``asv publish`` writes asv's pages into ``<site>/asv``, and
:func:`vlr.study.report.write_report` writes the study's page as ``<site>/index.html``.

asv's index.html loads jQuery, flot, bootstrap and friends from CDNs; without internet it falls
to error.html. :func:`make_offline` copies the vendored copies (``vlr/study/site_assets/vendor``, see
its README) next to the page and points every remote ``<script>``/``<link>`` at them.
"""
import functools
import logging
import os
import http.server
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

VENDOR_DIR = Path(__file__).parent / "site_assets" / "vendor"
STUDY_LINK = '<li id="nav-li-vlr-study"><a href="../index.html">vlr study</a></li>'

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
                        f"add it to vlr/study/site_assets/vendor and vlr.study.site.LOCAL_NAME")
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


def add_study_link(asv_dir):
    """Add a link back to the study's page to the navigation bar of asv's pages (idempotent)."""
    index = Path(asv_dir) / "index.html"
    text = index.read_text(encoding="utf-8")
    if STUDY_LINK in text:
        return
    anchor = re.search(r'<li id="nav-li-regressions">.*?</li>', text)
    if anchor is None:
        raise SiteError("cannot find the navigation bar in asv's index.html")
    index.write_text(text[:anchor.end()] + "\n\t" + STUDY_LINK + text[anchor.end():], encoding="utf-8")


def read_asv_config(path="asv.conf.json"):
    """asv.conf.json as a dict (asv allows ``//`` comment lines; JSON does not).

    Returns
    -------
    dict
    """
    text = Path(path).read_text(encoding="utf-8")
    return json.loads("\n".join(l for l in text.splitlines() if not l.strip().startswith("//")))


def write_asv_config(dest, config="asv.conf.json", **paths):
    """Write a copy of ``config`` to ``dest`` with every path absolute and ``paths`` (e.g.
    ``results_dir``) replaced, so asv can run it from anywhere; returns ``dest``.

    Returns
    -------
    Path
    """
    conf = read_asv_config(config)
    root = Path(config).resolve().parent
    for key in ("repo", "benchmark_dir", "env_dir", "results_dir", "html_dir"):
        conf[key] = str((root / conf.get(key, ".")).resolve())
    conf.update({k: str(Path(v).resolve()) for k, v in paths.items()})
    Path(dest).write_text(json.dumps(conf))
    return Path(dest)


def measured_benchmarks(results_dir) -> set[str]:
    """Names of the benchmarks with at least one measured value in some results file.

    Returns
    -------
    set of str
    """
    from .asv_results import raw_results_files
    names = set()
    for _, data in raw_results_files(results_dir):
        try:
            i = data["result_columns"].index("result")
            for name, row in data["results"].items():
                values = row[i] if isinstance(row, list) and len(row) > i else None
                if isinstance(values, list) and any(v is not None and v == v for v in values):
                    names.add(name)
        except (KeyError, ValueError, TypeError):
            continue
    return names


def _pruned_results(results_dir, dest) -> Path:
    """A copy of ``results_dir`` whose benchmarks.json lists only benchmarks with results, so
    asv's grid has no empty tile (each a 404 for its missing graph)."""
    shutil.copytree(results_dir, dest)
    from .asv_results import ResultsError, read_json
    for path in sorted(Path(dest).glob("*/*.json")):  # asv publish stops at the first bad file
        try:
            data = read_json(path)
            ok = isinstance(data, dict) and (path.name != "machine.json" or (
                isinstance(data.get("machine"), str)
                and all(isinstance(v, (str, int)) for v in data.values())))
        except ResultsError:
            ok = False
        if not ok:
            original = Path(results_dir) / path.relative_to(dest)
            path.unlink()
            if path.name == "machine.json":  # asv's pages need a machine file for its results
                for other in path.parent.glob("*.json"):
                    other.unlink()
            logging.getLogger("vlr").warning(
                "%s: unreadable or of the wrong shape; asv's pages leave %s out", original,
                f"machine {path.parent.name}" if path.name == "machine.json" else "this file")
    listing = Path(dest) / "benchmarks.json"
    if listing.exists():
        benchmarks = json.loads(listing.read_text())
        keep = measured_benchmarks(results_dir)
        listing.write_text(json.dumps({k: v for k, v in benchmarks.items()
                                       if k == "version" or k in keep}))
    return Path(dest)


def publish_asv(html_dir, results_dir="benchmarks/results", config="asv.conf.json"):
    """Run ``asv publish`` from ``results_dir`` into ``html_dir`` and make it readable offline.

    Benchmarks without any result are left out of asv's pages (no empty tiles).

    Returns
    -------
    Path
        The directory of asv's pages.
    """
    root = Path(config).resolve().parent
    with tempfile.TemporaryDirectory() as tmp:
        pruned = _pruned_results(results_dir, Path(tmp) / "results")
        tmp_config = write_asv_config(Path(tmp) / "asv.conf.json", config,
                                      results_dir=pruned, html_dir=html_dir)
        proc = subprocess.run([sys.executable, "-m", "asv", "publish", "--config", str(tmp_config)],
                              capture_output=True, text=True, cwd=root)
    if proc.returncode != 0:
        raise SiteError(f"asv publish failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    make_offline(html_dir)
    add_study_link(html_dir)
    return Path(html_dir)


def build_site(site_dir=".asv/html", results_dir="benchmarks/results", config="asv.conf.json",
               results_path=None, profiles_dir=None, docs=False, studies=None):
    """Build the whole site from asv results, running no benchmark.

    Parameters
    ----------
    site_dir : path
        Output: ``index.html`` is the study across machines, ``machines/<name>/`` each
        machine's own page, ``asv/`` asv's pages.
    results_dir : path
        The asv results (the kept ones plus any this machine added with ``vlr study``).
    config : path
        The repository's asv.conf.json (asv publish reads the git history next to it).
    results_path : path, optional
        A results file whose machine page shows it instead of that machine's newest.
    profiles_dir : path, optional
        The machine profiles (default: ``machines/`` beside ``results_dir``).
    docs : bool, optional
        Build the documentation into ``<site>/docs/`` and link it from every page: True
        requires it (raising if it cannot be built), None builds it when it can be (a clone
        with the ``docs`` extra installed), False (the default) leaves it out.
    studies : list of MachineStudy, optional
        Every machine's study, already built from ``results_dir`` (:func:`all_studies`): each
        machine's results are read once and every page is rendered from the same objects.

    Returns
    -------
    (Path, list, list)
        The site's directory, and the table rows and verdict lines of the first machine shown
        (the reader's own when it has results).
    """
    from .asv_results import ResultsError, load_results
    from .machine_study import all_studies
    from .machines import load_profiles, local_machine_name
    site = Path(site_dir)
    if not Path(config).exists():
        raise SiteError(f"no {config} here: run vlr site from the root of a clone of vlr")
    if not any(p.name != "machine.json" for p in Path(results_dir).glob("*/*.json")):
        raise ResultsError(f"no asv results in {results_dir}/ -- run the study first (`vlr study`), "
                           f"or point --results-dir at a directory of asv results")
    profiles = load_profiles(profiles_dir or Path(results_dir).parent / "machines")
    if studies is None:
        studies = all_studies(results_dir, profiles, local_machine_name())
    if results_path is not None:
        chosen = load_results(results_path)
        studies = [s for s in studies if s.name != chosen.machine.get("machine")]
        from .machine_study import study_of
        name = chosen.machine.get("machine")
        studies.insert(0, study_of(chosen, None, profiles.get(name), own=name == local_machine_name()))
    if not studies:
        raise ResultsError(f"no results in {results_dir}/ hold the study's step timings "
                           f"(TimeGradientStep): run `vlr study`")
    if site.exists() and not site.is_dir():
        raise SiteError(f"cannot build the site in {site}: a file is in the way")
    # built beside the old site and swapped in only when complete: a failure leaves it as it was
    try:
        site.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{site.name}.building-", dir=site.parent))
    except OSError as exc:
        raise SiteError(f"cannot build the site in {site}: {exc.strerror or exc} "
                        f"({exc.filename or site.parent})") from None
    try:
        first = _build_into(staging, studies, results_dir, config, docs)
        _swap_in(staging, site)
    except OSError as exc:
        raise SiteError(f"the site was not rebuilt ({exc.strerror or exc}: "
                        f"{exc.filename or site}); the previous site, if any, is unchanged") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return site, first[0], first[1]


def _swap_in(staging: Path, site: Path) -> None:
    """Replace ``site`` by the complete ``staging`` directory (two renames on one file system)."""
    old = None
    if site.exists():
        old = site.parent / f".{site.name}.old-{os.getpid()}"
        site.rename(old)
    try:
        staging.rename(site)
    except OSError:
        if old is not None:
            old.rename(site)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _build_into(site: Path, studies, results_dir, config, docs):
    """Write every page of the site into the empty directory ``site``; returns the first
    machine's (rows, verdict lines)."""
    from .across import machine_href, write_across
    from .report import write_report
    publish_asv(site / "asv", results_dir, config)
    from .docs import build_docs, can_build
    why_not = can_build() if docs is not False else "not asked for"
    if docs and why_not:
        raise SiteError(f"cannot build the documentation: {why_not}")
    if not why_not:
        build_docs(site / "docs")
    first = None
    for study in studies:
        out, rows, lines = write_report(study.results.path, out_dir=site / machine_href(study).rsplit("/", 1)[0],
                                        results_dir=results_dir, asv_href="../../asv/index.html",
                                        profile=study.profile, home_href="../../index.html",
                                        docs_href=None if why_not else "../../docs/index.html",
                                        study=study)
        first = first or (rows, lines)
    write_across(studies, site, asv_href="asv/index.html",
                 docs_href=None if why_not else "docs/index.html")
    return first


def serve(site_dir, port=8000):
    """Serve ``site_dir`` on http://127.0.0.1:``port`` until interrupted (asv's pages load their
    data by XHR, which browsers refuse over file://)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site_dir))
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:  # e.g. [Errno 98] Address already in use
        raise ValueError(f"cannot serve on 127.0.0.1:{port} ({exc.strerror or exc}): pass another "
                         f"--port, or --port 0 for any free one") from None
    with server:
        print(f"serving the vlr study at http://127.0.0.1:{server.server_address[1]}/ "
              f"(Ctrl-C stops)", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
