"""Sphinx configuration of vlr's documentation (``python -m sphinx -W docs docs/_build/html``)."""
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))  # docs/_ext
import vlr  # noqa: E402  (the installed package: its docstrings are the API reference)

project = "vlr"
author = "the vlr developers"
copyright = "the vlr developers, BSD-3-Clause"
release = vlr.__version__
version = release

extensions = [
    "myst_parser",               # the pages are Markdown
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",                  # the docstrings are numpydoc
    "sphinx.ext.intersphinx",
    "sphinx.ext.doctest",        # `make doctest`: the examples in the pages and docstrings run
    "sphinx.ext.viewcode",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "_inventories/*.py"]
templates_path = ["_templates"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"       # numpydoc's Parameters sections say the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# Types in the Parameters/Returns sections link to their docs (NumPy's through intersphinx);
# words not listed here stay plain text.
numpydoc_xref_param_type = True
numpydoc_xref_ignore = "all"
numpydoc_xref_aliases = {
    "ndarray": "numpy.ndarray",
    "Kernel": "vlr.Kernel",
    "Fastest": "vlr.Fastest",
    "StepResult": "vlr.StepResult",
    "TrainResult": "vlr.TrainResult",
    "LbfgsResult": "vlr.LbfgsResult",
}

# No network where the docs are built: each project's inventory is a small local file listing
# the objects these pages refer to (docs/_inventories/make_inventories.py), linking to that
# project's own documentation.
intersphinx_mapping = {
    "python": ("https://docs.python.org/3/", str(HERE / "_inventories" / "python.inv")),
    "numpy": ("https://numpy.org/doc/stable/", str(HERE / "_inventories" / "numpy.inv")),
    "sklearn": ("https://scikit-learn.org/stable/", str(HERE / "_inventories" / "sklearn.inv")),
    "dask": ("https://docs.dask.org/en/stable/", str(HERE / "_inventories" / "dask.inv")),
    "distributed": ("https://distributed.dask.org/en/stable/",
                    str(HERE / "_inventories" / "distributed.inv")),
}
intersphinx_timeout = 1

html_theme = "pydata_sphinx_theme"
html_title = f"vlr {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    # the published study's first page, one folder above these docs (`vlr site` puts them in
    # <site>/docs/), linked from every page's navigation bar
    "navbar_end": ["study-link", "navbar-icon-links"],
}
html_show_sourcelink = False

doctest_global_setup = "import numpy as np\nimport vlr"
