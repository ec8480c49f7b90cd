"""The README's usage example runs as written."""
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_usage_example_runs():
    text = README.read_text(encoding="utf-8")
    code = re.search(r"## Using it\n\n```python\n(.*?)```", text, re.S).group(1)
    namespace = {}
    exec(compile(code, "README.md (Using it)", "exec"), namespace)
    assert namespace["costs"].shape == (500,) and namespace["costs"][-1] < namespace["costs"][0]
    assert namespace["step"].w.shape == (20, 1)


def _block(title):
    text = README.read_text(encoding="utf-8")
    return re.search(rf"## {re.escape(title)}.*?```python\n(.*?)```", text, re.S).group(1)


def test_dask_example_runs():
    namespace = {"__name__": "__main__"}
    try:
        exec(compile(_block("Beyond one machine: Dask"), "README.md (Dask)", "exec"), namespace)
        assert namespace["costs"].shape == (5,) and namespace["costs"][-1] < namespace["costs"][0]
    finally:
        if "client" in namespace:
            cluster = namespace["client"].cluster
            namespace["client"].close()
            cluster.close()


def test_sklearn_example_runs():
    namespace = {}
    exec(compile(_block("Fitting: L-BFGS, and `vlr.LogisticRegression` for scikit-learn"), "README.md (sklearn)", "exec"),
         namespace)
    clf = namespace["clf"]
    assert clf.score(namespace["X"], namespace["y"]) > 0.95


def test_across_machines_table_is_built_from_the_kept_results():
    """The README's verdict table is what `vlr verdict --markdown` builds from the kept results
    (the same code as the site's first page), so it can never drift from the data."""
    from vlr.study.across import readme_block
    from vlr.study.machine_study import all_studies
    from vlr.study.machines import load_profiles
    root = README.parent
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- verdict-table: begin -->\n(.*?)\n<!-- verdict-table: end -->", text, re.S).group(1)
    studies = all_studies(root / "benchmarks" / "results", load_profiles(root / "benchmarks" / "machines"))
    assert len(studies) >= 2
    assert block.splitlines() == readme_block(studies), "regenerate it: vlr verdict --markdown"
