"""The package's layout: the library (vlr/) never imports the study harness (vlr/study/), and no
module imports itself back through others -- counting imports inside functions, which hide cycles.
"""
import ast
from pathlib import Path

import vlr

PACKAGE = Path(vlr.__file__).parent
#: The ``vlr`` command's entry point lives at vlr/ for ``python -m vlr``; its job is the harness's.
ENTRY_POINT = "vlr.__main__"


def _modules():
    """Module name -> source file, for vlr, vlr.study and vlr.kernels (wherever it is installed)."""
    import vlr.kernels
    roots = {"vlr": PACKAGE, "vlr.kernels": Path(vlr.kernels.__file__).parent}
    found = {}
    for prefix, root in roots.items():
        for path in root.rglob("*.py"):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[0] == "kernels" and prefix == "vlr":  # a stray copy, not the package
                continue
            name = ".".join((prefix,) + parts).removesuffix(".__init__")
            found[name] = path
    return found


def _imports(name, path, modules):
    """The vlr modules ``name`` imports anywhere in its file (the package root ``vlr`` aside)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module
            targets.add(base)
            targets.update(f"{base}.{alias.name}" for alias in node.names)  # submodules
    return {t for t in targets if t in modules and t != "vlr" and t != name}


def _graph():
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def test_every_module_is_found():
    graph = _graph()
    for name in ("vlr.kernel", "vlr.registry", "vlr.step", "vlr.study.cli", "vlr.kernels.numba_jit"):
        assert name in graph


def test_the_library_never_imports_the_harness():
    graph = _graph()
    library = [m for m in graph if not m.startswith("vlr.study") and m != ENTRY_POINT]
    for name in library:
        harness = sorted(t for t in graph[name] if t.startswith("vlr.study"))
        assert not harness, f"{name} imports {harness}"


def test_no_import_cycles():
    graph = _graph()
    # Tarjan's strongly connected components: a component of more than one module is a cycle
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    assert cycles == []


def test_a_cycle_would_be_found(tmp_path):
    # the checker itself: two modules importing each other inside functions
    (tmp_path / "a.py").write_text("def f():\n    from .b import g\n")
    (tmp_path / "b.py").write_text("def g():\n    from . import a\n")
    modules = {"p.a": tmp_path / "a.py", "p.b": tmp_path / "b.py"}
    assert _imports("p.a", modules["p.a"], modules) == {"p.b"}
    assert _imports("p.b", modules["p.b"], modules) == {"p.a"}


def test_the_library_commands_run_without_the_harness():
    # `vlr info` (and tune, warm) are the library's: the command line reaches the study harness
    # only for the study's commands
    import subprocess
    import sys
    code = ("import contextlib, io, sys\n"
            "from vlr.__main__ import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    status = main(['info'])\n"
            "print(status, sorted(m for m in sys.modules if m.startswith('vlr.study')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["0", "[]"]
