"""The package's modules import one another without a circle.

A circle (``plan -> resources -> study -> plan`` once) forces deferred imports inside
functions and makes the order modules load in matter. Every import counts, a deferred one
inside a function too; only those under ``if TYPE_CHECKING:`` (never run) do not.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "src" / "negr2"


def module_names(package_dir: Path) -> dict[str, Path]:
    """Every module of the package by its dotted name (a package by its own)."""
    names = {}
    for path in package_dir.rglob("*.py"):
        parts = path.relative_to(package_dir.parent).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that module ``name`` imports. ``from a import b`` depends on
    ``a.b`` when that is a module, else on ``a``."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in _run_statements(ast.parse(path.read_text()).body):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def _run_statements(body: list[ast.stmt]):
    """Every statement that may run, at any depth, but not under ``if TYPE_CHECKING``."""
    for node in body:
        yield node
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            yield from _run_statements(node.orelse)
            continue
        for field in ("body", "orelse", "finalbody", "handlers"):
            children = getattr(node, field, None)
            if isinstance(children, list):
                yield from _run_statements(children)


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The graph's cycles: each strongly connected group of two or more modules, or a
    module that imports itself (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while not group or group[-1] != node:
                group.append(stack.pop())
            if len(group) > 1 or node in graph[node]:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circle_in_the_package():
    modules = module_names(PACKAGE_DIR)
    graph = {name: imports_of(name, path, modules) for name, path in modules.items()}
    assert "negr2.study" in graph["negr2.plan"]  # the graph sees the imports
    assert circles(graph) == []


def test_a_circle_is_found_deferred_or_relative(tmp_path):
    package = tmp_path / "negr2"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from negr2.b import f\n")
    (package / "b.py").write_text("def f():\n    from . import c\n")
    (package / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from negr2 import b\n"
    )
    modules = module_names(package)
    graph = {name: imports_of(name, path, modules) for name, path in modules.items()}
    assert circles(graph) == []  # c's import of b never runs
    (package / "c.py").write_text("import negr2.a\n")
    graph = {name: imports_of(name, path, modules) for name, path in modules.items()}
    assert circles(graph) == [["negr2.a", "negr2.b", "negr2.c"]]
