"""The documentation site: Sphinx over ``docs/`` (numpydoc API reference, Markdown pages),
published with the study under ``<site>/docs/`` and linked from the study's pages and back.
"""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

#: The docs' sources in a clone of vlr (not shipped in the wheel).
DOCS_SOURCE = Path(__file__).resolve().parents[2] / "docs"
#: What building them needs (the ``docs`` extra).
REQUIRES = ("sphinx", "numpydoc", "pydata_sphinx_theme", "myst_parser")


class DocsError(RuntimeError):
    """Sphinx failed; the message has its output."""


def can_build(source: Path = DOCS_SOURCE) -> str | None:
    """Why the docs cannot be built here, or None when they can.

    Returns
    -------
    str or None
    """
    if not (source / "conf.py").exists():
        return f"no docs sources at {source} (build from a clone of vlr)"
    missing = [m for m in REQUIRES if importlib.util.find_spec(m) is None]
    if missing:
        return f"missing {', '.join(missing)} (pip install -e \".[docs]\")"
    return None


def build_docs(out_dir, source: Path = DOCS_SOURCE, builder: str = "html") -> Path:
    """Build the docs with warnings as errors into ``out_dir``.

    Parameters
    ----------
    out_dir : path
    source : path
        The docs' sources (``docs/`` of the clone).
    builder : {"html", "doctest"}
        ``doctest`` runs the examples of the pages and docstrings instead.

    Returns
    -------
    Path
        ``out_dir``.

    Raises
    ------
    DocsError
        If Sphinx reports a warning or an error, or a doctest fails.
    """
    out = Path(out_dir)
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", builder,
                           "-d", str(out / ".doctrees"), str(source), str(out)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise DocsError(f"sphinx -b {builder} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return out
