"""The package map holds: who may import whom, no import cycles, no context in module globals, small modules.

Read from the source (``ast``), so a lazy import inside a function counts as much as one at the top.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from tests.conftest import REPO

GRADER = REPO / "grader"

# package -> the grader packages its modules may import (besides their own package, the root package's metadata,
# and the leaf modules grader.errors, grader.kinds and grader.terminal).
ALLOWED: dict[str, set[str]] = {
    "grader": {"grader.cli"},  # __main__
    "grader.course": set(),
    "grader.engine": {"grader.course", "grader.engine.untrusted.sandbox", "grader.engine.trusted"},
    "grader.engine.trusted": {
        "grader.engine",
        "grader.testing",
        "grader.engine.untrusted.sandbox",
        "grader.engine.untrusted.reaper",
    },
    "grader.engine.untrusted": {"grader.engine.protocol"},
    "grader.testing": {"grader.engine.protocol", "grader.engine.problems"},
    "grader.reports": {"grader.engine.results"},
    "grader.progress": {"grader.course"},
    "grader.study": {"grader.course", "grader.progress", "grader.reports"},
    "grader.grading": {"grader.course", "grader.engine", "grader.reports", "grader.progress"},
    "grader.watch": {"grader.course", "grader.engine", "grader.grading", "grader.progress", "grader.reports"},
    "grader.batch": {"grader.course", "grader.engine", "grader.grading", "grader.reports"},
    "grader.instructor": {"grader.course", "grader.engine", "grader.reports", "grader.grading"},
    "grader.notebook": {"grader.course", "grader.engine", "grader.grading", "grader.reports"},
    "grader.cli": {"grader"},  # the top: may use every package
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(REPO).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in GRADER.rglob("*.py") if "suites" not in p.relative_to(GRADER).parts}


def _imports(path: Path, name: str) -> set[str]:
    """Every grader module ``path`` imports, anywhere in the file (``TYPE_CHECKING`` blocks excluded)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for n in ast.walk(node))
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == "grader")
        elif isinstance(node, ast.ImportFrom):
            assert not node.level, f"{name}: use absolute imports (from grader.x import y)"
            base = node.module or ""
            if base.split(".")[0] != "grader":
                continue
            for a in node.names:  # ``from grader.engine import protocol`` imports a module
                out.add(f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base)
    return {m for m in out if m != name}


MODULES = _modules()
GRAPH = {name: _imports(path, name) for name, path in MODULES.items()}


def _package(module: str) -> str:
    best = "grader"
    for pkg in ALLOWED:
        if (module == pkg or module.startswith(pkg + ".")) and len(pkg) > len(best):
            best = pkg
    return best


def _within(target: str, allowed: str) -> bool:
    return target == allowed or target.startswith(allowed + ".")


LEAVES = {"grader.errors", "grader.kinds", "grader.terminal"}


def test_every_package_imports_only_what_it_may() -> None:
    wrong = []
    for module, targets in GRAPH.items():
        pkg = _package(module)
        ok = ALLOWED[pkg] | LEAVES | ({pkg} if pkg != "grader" else set())
        for t in sorted(targets):
            if t == "grader":  # the root package: __version__, __file__
                continue
            if not any(_within(t, a) for a in ok):
                wrong.append(f"{module} ({pkg}) imports {t}")
    assert not wrong, "\n".join(wrong)


def test_leaf_modules_import_no_grader_module() -> None:
    for leaf in sorted(LEAVES):
        assert GRAPH[leaf] <= {"grader"}, f"{leaf} is a leaf every package may use: it imports {GRAPH[leaf]}"


def test_no_import_cycles() -> None:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in GRAPH.get(v, ()):
            if w not in GRAPH:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in GRAPH:
        if v not in index:
            visit(v)
    # A package's __init__ that only re-exports its own modules is not a cycle of substance.
    real = [c for c in cycles if not all(m.startswith(c[0].rsplit(".", 1)[0]) for m in c) or len(c) > 2]
    assert not real, real


def test_no_package_cycles() -> None:
    edges: dict[str, set[str]] = defaultdict(set)
    for module, targets in GRAPH.items():
        a = _package(module)
        for t in targets:
            b = _package(t)
            if a != b and not (_within(a, b) or _within(b, a)):
                edges[a].add(b)
    for a, outs in edges.items():
        for b in outs:
            assert a not in edges.get(b, set()), f"{a} and {b} import each other"


@pytest.mark.parametrize("name", ["STATE", "CURRENT", "TENSOR_INFO"])
def test_no_context_in_module_globals(name: str) -> None:
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            for t in targets:
                assert not (isinstance(t, ast.Name) and t.id == name), f"{module} keeps {name} at module level"


def test_modules_stay_small_or_say_why() -> None:
    long = []
    for module, path in MODULES.items():
        text = path.read_text(encoding="utf-8")
        n = text.count("\n")
        doc = ast.get_docstring(ast.parse(text)) or ""
        if n > 450 and "cohesive" not in doc:
            long.append(f"{module}: {n} lines, and its docstring does not say why it is one cohesive thing")
    assert not long, "\n".join(long)


def test_every_package_says_what_it_holds() -> None:
    for init in GRADER.rglob("__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc) > 60, f"{init.relative_to(REPO)} has no docstring saying what lives there"
