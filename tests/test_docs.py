"""The documentation builds with warnings as errors, its examples run, and it opens in headless
Chromium with the API reference and no broken link (served on loopback)."""
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from vlr.study.docs import build_docs, can_build

pytestmark = pytest.mark.skipif(can_build() is not None, reason=f"docs: {can_build()}")


@pytest.fixture(scope="module")
def docs_html(tmp_path_factory):
    return build_docs(tmp_path_factory.mktemp("docs") / "html")


def test_examples_in_the_docs_run(tmp_path, monkeypatch):
    monkeypatch.setenv("VLR_CACHE_DIR", str(tmp_path / "cache"))
    out = build_docs(tmp_path / "doctest", builder="doctest")
    summary = (out / "output.txt").read_text()
    assert re.search(r"\b0 failures in tests", summary), summary
    assert int(re.search(r"^\s*(\d+) tests$", summary, re.M).group(1)) >= 10, summary


DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize("page", ["training.md", "dask.md"])
def test_python_blocks_in_the_docs_run(page, tmp_path, monkeypatch):
    """The pages' scripts (not doctests: a Dask cluster, scikit-learn data) run as written, and
    their fits converge (a ConvergenceWarning fails the test)."""
    import warnings
    from sklearn.exceptions import ConvergenceWarning
    monkeypatch.setenv("VLR_CACHE_DIR", str(tmp_path / "cache"))
    blocks = re.findall(r"```python\n(.*?)```", (DOCS / page).read_text(encoding="utf-8"), re.S)
    assert blocks
    for i, code in enumerate(blocks):
        namespace = {"__name__": "__main__"}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", ConvergenceWarning)
                exec(compile(code, f"docs/{page} (block {i + 1})", "exec"), namespace)
        finally:
            if "client" in namespace:
                cluster = namespace["client"].cluster
                namespace["client"].close()
                cluster.close()
        if "clf" in namespace:
            assert namespace["clf"].score(namespace["X"], namespace["y"]) > 0.95
            assert namespace["gd"].score(namespace["X"], namespace["y"]) > 0.95
        if "costs" in namespace:
            assert namespace["costs"].shape == (5,) and namespace["costs"][-1] < namespace["costs"][0]


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value and ((tag == "a" and name == "href") or (name == "src")
                          or (tag == "link" and name == "href")):
                self.links.append(value)


def test_every_local_link_resolves(docs_html):
    pages = sorted(p for p in docs_html.rglob("*.html") if "_static" not in p.parts)
    assert len(pages) >= 10
    broken = []
    for page in pages:
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for link in parser.links:
            url = urlparse(link)
            if url.scheme or link.startswith(("#", "mailto:", "data:")):
                continue
            target = (page.parent / url.path).resolve() if url.path else page
            if target == (docs_html.parent / "index.html").resolve():
                continue  # the study's first page, one folder up where vlr site publishes both
            if not target.exists():
                broken.append(f"{page.relative_to(docs_html)} -> {link}")
    assert not broken, broken


def test_api_reference_documents_the_public_api(docs_html):
    api = (docs_html / "api.html").read_text(encoding="utf-8")
    for name in ("gradients", "gradient_step", "train", "fit_lbfgs", "Kernel", "Fastest",
                 "LogisticRegression", "fastest"):
        assert f"vlr.{name}" in api, name
    train = (docs_html / "generated" / "vlr.train.html").read_text(encoding="utf-8")
    assert "cost_every" in train and "Parameters" in train
    # intersphinx: links into NumPy's and scikit-learn's own documentation
    pages = "".join(p.read_text(encoding="utf-8") for p in docs_html.rglob("*.html"))
    assert "numpy.org/doc/stable/reference/generated/numpy.ndarray.html" in pages
    assert "scikit-learn.org/stable/modules/generated/sklearn.utils.estimator_checks" in pages


def test_docs_in_headless_chromium(docs_html):
    test_study = pytest.importorskip("test_study")
    if test_study._chromium() is None and not test_study.REQUIRE_BROWSER:
        pytest.skip("Chromium not installed (.ci/run installs it)")
    pytest.importorskip("playwright")
    from playwright.sync_api import sync_playwright
    from site_server import serve

    left_machine, failed = [], []
    with serve(docs_html) as base, sync_playwright() as p:
        browser, page = test_study._loopback_page(p, left_machine)
        page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
        page.goto(base + "/index.html")
        assert "vlr" in page.title()
        page.locator("a:visible", has_text="API reference").first.click()  # the first page's toc
        page.wait_for_url("**/api.html")
        page.locator("a:visible", has_text=re.compile(r"^vlr\.gradients$")).first.click()
        page.wait_for_url("**/generated/vlr.gradients.html")
        page.wait_for_selector("dl.py.function")
        assert "Cost J and gradients" in page.inner_text("body")
        assert page.locator("a:visible", has_text="The study").count() >= 1  # and back
        browser.close()
    assert not failed, failed
    external = [u for u in left_machine if urlparse(u).hostname]
    assert not external, external  # the theme's assets are local: nothing fetched from outside
