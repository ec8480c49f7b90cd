"""Write the small intersphinx inventories the docs link through (``python make_inventories.py``).

The docs are built without network access, so Sphinx cannot download NumPy's, scikit-learn's and
Dask's ``objects.inv``. These files list only the objects vlr's docs refer to, each with its
page on that project's own documentation site (the URLs are those projects'; the inventory
format is Sphinx's version 2: a text header, then zlib-compressed lines).
"""
import zlib
from pathlib import Path

INVENTORIES = {
    "numpy": ("NumPy", "2.4", [
        ("numpy.ndarray", "py:class", "reference/generated/numpy.ndarray.html#$"),
        ("numpy.float32", "py:attribute", "reference/arrays.scalars.html#numpy.float32"),
        ("numpy.float64", "py:attribute", "reference/arrays.scalars.html#numpy.float64"),
        ("numpy.ma.MaskedArray", "py:class", "reference/generated/numpy.ma.MaskedArray.html#$"),
        ("numpy.dtype", "py:class", "reference/generated/numpy.dtype.html#$"),
        ("numpy.asfortranarray", "py:function", "reference/generated/numpy.asfortranarray.html#$"),
        ("numpy.longdouble", "py:attribute", "reference/arrays.scalars.html#numpy.longdouble"),
        ("array_like", "std:term", "glossary.html#term-array_like"),
    ]),
    "python": ("Python", "3.11", [
        ("iterable", "std:term", "glossary.html#term-iterable"),
        ("callable", "std:term", "glossary.html#term-callable"),
        ("bltin-boolean-values", "std:label", "library/stdtypes.html#bltin-boolean-values",
         "Boolean Values"),
        ("dict", "py:class", "library/stdtypes.html#dict"),
        ("list", "py:class", "library/stdtypes.html#list"),
        ("tuple", "py:class", "library/stdtypes.html#tuple"),
        ("str", "py:class", "library/stdtypes.html#str"),
        ("int", "py:class", "library/functions.html#int"),
        ("float", "py:class", "library/functions.html#float"),
        ("bool", "py:class", "library/functions.html#bool"),
        ("None", "py:data", "library/constants.html#None"),
        ("ValueError", "py:exception", "library/exceptions.html#ValueError"),
        ("TypeError", "py:exception", "library/exceptions.html#TypeError"),
        ("DeprecationWarning", "py:exception", "library/exceptions.html#DeprecationWarning"),
    ]),
    "sklearn": ("scikit-learn", "1.9", [
        ("sklearn.linear_model.LogisticRegression", "py:class",
         "modules/generated/sklearn.linear_model.LogisticRegression.html#$"),
        ("sklearn.base.BaseEstimator", "py:class", "modules/generated/sklearn.base.BaseEstimator.html#$"),
        ("sklearn.base.ClassifierMixin", "py:class",
         "modules/generated/sklearn.base.ClassifierMixin.html#$"),
        ("sklearn.utils.estimator_checks.check_estimator", "py:function",
         "modules/generated/sklearn.utils.estimator_checks.check_estimator.html#$"),
        ("sklearn.exceptions.ConvergenceWarning", "py:class",
         "modules/generated/sklearn.exceptions.ConvergenceWarning.html#$"),
    ]),
    "dask": ("Dask", "2026.8", [
        ("dask.array.Array", "py:class", "generated/dask.array.Array.html#$"),
        ("dask.array.from_array", "py:function", "generated/dask.array.from_array.html#$"),
    ]),
    "distributed": ("Dask.distributed", "2026.8", [
        ("distributed.Client", "py:class", "api.html#$"),
        ("distributed.LocalCluster", "py:class", "api.html#$"),
    ]),
}


def write(name, project, version, entries, out_dir=Path(__file__).parent):
    header = (f"# Sphinx inventory version 2\n# Project: {project}\n# Version: {version}\n"
              f"# The remainder of this file is compressed using zlib.\n").encode()
    body = "".join(f"{obj} {role} 1 {uri} {display[0] if display else '-'}\n"
                   for obj, role, uri, *display in entries).encode()
    (out_dir / f"{name}.inv").write_bytes(header + zlib.compress(body))


if __name__ == "__main__":
    for name, (project, version, entries) in INVENTORIES.items():
        write(name, project, version, entries)
