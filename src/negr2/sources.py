"""The package files a script runs, found from its imports.

A rule's jobs must rerun when the package code they run changes, which Snakemake does
not see (it tracks the job's script only): workflow/rules/common.smk hashes the files
:func:`package_files` finds for the rule's script. Kept free of imports beyond the
standard library: the Snakefile loads it on every ``snakemake`` call.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from pathlib import Path

PACKAGE = "negr2"
#: The package's folder (src/negr2).
PACKAGE_DIR = Path(__file__).resolve().parent
# A quoted string that could name a file or folder beside a module: no path, no hidden
# file. (Found in the text: a comment's quotes count too, which only adds files.)
_QUOTED = re.compile(r"""["'](\w[\w.-]{0,99})["']""")


def package_files(script: str | Path, package_dir: Path = PACKAGE_DIR) -> list[str]:
    """The package files ``script`` runs, as paths relative to ``package_dir``, sorted;
    for a module of the package (a workflow step), the module itself too.

    Follows the script's imports of the package (``import negr2.x``, ``from negr2 import
    x``, ``from negr2.x import y``, and ``from .x import y`` inside the package, at any
    depth: a function's deferred import counts too) through the package's own imports.
    Counted with each module: the ``__init__.py`` of every package above it (Python runs
    them), every module of a subpackage it imports (a registry may load them by name),
    and the package's data files it names (``PackageLoader("negr2", "templates")``
    names the templates folder).
    """
    package_dir = Path(package_dir).resolve()
    start = Path(script).resolve()
    # A module of the package (a workflow step) runs itself and the packages above it.
    found = (
        _module_files(_module_name(start, package_dir), package_dir)
        if (start.is_relative_to(package_dir))
        else set()
    )
    todo = [start, *found]
    seen: set[Path] = set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for dependency in _dependencies(path, package_dir):
            found.add(dependency)
            if dependency.suffix == ".py":
                todo.append(dependency)
    return sorted(str(path.relative_to(package_dir)) for path in found)


@functools.cache
def _dependencies(path: Path, package_dir: Path) -> frozenset[Path]:
    """The package files one source file needs directly (each file is read once: the
    Snakefile asks for every rule on each call, even a no-op)."""
    text = path.read_text(encoding="utf-8")
    inside = path.is_relative_to(package_dir)
    here = _package_of(path, package_dir) if inside else None
    names: set[str] = set()
    for node in _statements(ast.parse(text, filename=str(path)).body):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, here)
            if base is not None:
                names.add(base)
                names.update(f"{base}.{alias.name}" for alias in node.names)
    out: set[Path] = set()
    for name in names:
        if name == PACKAGE or name.startswith(PACKAGE + "."):
            out |= _module_files(name, package_dir)
    if inside:
        out |= _named_data(set(_QUOTED.findall(text)), path.parent)
    return frozenset(out)


def _module_name(path: Path, package_dir: Path) -> str:
    """``negr2.a.b`` for a/b.py of package_dir."""
    return ".".join([PACKAGE, *path.relative_to(package_dir).with_suffix("").parts])


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement of ``body``, at any depth (in functions, classes, if, try, with,
    loops): where an import can be. Expressions, most of a tree's nodes, are skipped."""
    for node in body:
        yield node
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            children = getattr(node, field, None)
            if isinstance(children, list):
                yield from _statements(children)


def _package_of(path: Path, package_dir: Path) -> str:
    """The package a file of package_dir sits in (``negr2.a`` for a/b.py and for
    a/__init__.py): what ``from . import x`` there reads from."""
    return ".".join([PACKAGE, *path.parent.relative_to(package_dir).parts])


def _absolute(node: ast.ImportFrom, here: str | None) -> str | None:
    """The absolute module an import-from statement reads from (None for a relative
    import outside the package, or above it)."""
    if node.level == 0:
        return node.module
    if here is None:
        return None
    parts = here.split(".")
    if node.level > len(parts):
        return None
    anchor = parts[: len(parts) - node.level + 1]
    return ".".join([*anchor, *([node.module] if node.module else [])])


def _module_files(name: str, package_dir: Path) -> set[Path]:
    """The files that importing ``name`` runs: each package's ``__init__.py`` on the way
    down, then the module, or every module of a subpackage. A name that is not a module
    (``from negr2.x import function``) adds nothing beyond its module's files."""
    parts = name.split(".")[1:]
    out: set[Path] = set()
    folder = package_dir
    for depth in range(len(parts) + 1):
        init = folder / "__init__.py"
        if not init.is_file():
            break
        out.add(init)
        if depth == len(parts):
            if depth:  # a subpackage, not negr2 itself
                out.update(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)
            break
        module = folder / f"{parts[depth]}.py"
        if module.is_file():
            out.add(module)
            break
        folder = folder / parts[depth]
    return out


def _named_data(strings: set[str], folder: Path) -> set[Path]:
    """Non-Python files beside a module (or in a folder beside it) that the module names
    in one of its ``strings``: the data it reads, such as its templates."""
    out: set[Path] = set()
    for string in strings:
        target = folder / string
        if target.is_dir() and not _is_code_folder(target):
            out.update(p for p in target.rglob("*") if p.is_file() and p.suffix != ".pyc")
        elif target.is_file() and target.suffix not in (".py", ".pyc"):
            out.add(target)
    return out


def _is_code_folder(folder: Path) -> bool:
    """A subpackage or Python's cache: code, which imports account for, not data."""
    return folder.name == "__pycache__" or (folder / "__init__.py").exists()
