"""The README's example runs as written, its commands are CI's, and its verdict is the kept results'."""
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def test_ten_line_example_runs():
    text = README.read_text(encoding="utf-8")
    code = re.search(r"## Ten lines\n\n```python\n(.*?)```", text, re.S).group(1)
    assert len(code.strip().splitlines()) <= 12
    namespace = {}
    exec(compile(code, "README.md (Ten lines)", "exec"), namespace)
    assert namespace["costs"].shape == (500,) and namespace["costs"][-1] < namespace["costs"][0]
    assert namespace["step"].w.shape == (20, 1)
    assert namespace["fit"].w.shape == (20, 1)


def test_readme_test_commands_are_the_ones_ci_runs():
    """The README's test command is .ci/run's, verbatim, and CI also runs the slow set."""
    text = README.read_text(encoding="utf-8")
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    command = 'python -m pip install -e ".[test]" && python -m pytest'
    assert command in text and command in ci
    assert "python -m pytest -m slow" in text and "python -m pytest -m slow" in ci


@pytest.fixture(scope="module")
def kept_studies():
    """Every kept machine's newest study, from ``benchmarks/results/``."""
    from vlr.study.machine_study import all_studies
    from vlr.study.machines import load_profiles
    root = README.parent
    return all_studies(root / "benchmarks" / "results", load_profiles(root / "benchmarks" / "machines"))


def test_across_machines_table_is_built_from_the_kept_results(kept_studies):
    """The README's verdict table is what `vlr verdict --markdown` builds from the kept results
    (the same code as the site's first page), so it can never drift from the data."""
    from vlr.study.across import readme_block
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- verdict-table: begin -->\n(.*?)\n<!-- verdict-table: end -->", text, re.S).group(1)
    assert len(kept_studies) >= 2
    assert block.splitlines() == readme_block(kept_studies), "regenerate it: vlr verdict --markdown"


def test_verdict_paragraph_matches_the_kept_results(kept_studies):
    """The README's one-paragraph verdict, checked against every kept machine's decided cells:
    ~300x is about right only at n_x = 100 or 1000 (m <= 10^4, or 10^6 x 100) and below at every
    decided cell with n_x <= 10; ~10x is about right at one or two cells, one loop slower than two
    loops (0.2x-1.1x) at n_x <= 10; the fastest kernel beats NumPy at the smallest and the largest X."""
    for s in kept_studies:
        full, partial = s.claims()["full"], s.claims()["partial"]
        assert all(c.n_x in (100, 1000) and (c.m <= 10**4 or (c.m, c.n_x) == (10**6, 100))
                   for c in full["about"]), s.name
        assert all(c.category == "below" for c in s.full if c.measured and c.n_x <= 10
                   and c.category != "undecided"), s.name
        assert len(partial["about"]) <= 2, s.name
        assert all(c.ratio < 1.2 for c in s.partial if c.measured and c.n_x <= 10), s.name
        assert s.fastest_vs_numpy(False)[0] > 1 and s.fastest_vs_numpy(True)[0] > 1, s.name
    assert sum(len(s.claims()["full"]["about"]) for s in kept_studies) >= len(kept_studies) - 1