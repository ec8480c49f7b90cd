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
