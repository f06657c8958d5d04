"""Estimator import paths, checked without importing them.

A study names each estimator by its import path (``sklearn.linear_model.Ridge``). The
Snakefile checks every path on every ``snakemake`` call, so the module is found on disk
and its source parsed, never imported (importing scikit-learn costs over a second).
"""

from __future__ import annotations

import ast
import importlib.machinery
import importlib.util

#: Import paths of the Keras network, which needs the ``keras`` extra.
KERAS_ESTIMATORS = frozenset({"negr2.models.KerasMLP", "negr2.keras_mlp.KerasMLP"})


def check_keras_extra(path: str, key: str) -> None:
    """A Keras model needs the ``keras`` extra (Keras and JAX); say how to install it.

    Only looks the packages up (``importlib.util.find_spec``), never imports them.
    """
    if path not in KERAS_ESTIMATORS:
        return
    if importlib.util.find_spec("keras") is None or importlib.util.find_spec("jax") is None:
        raise ValueError(f"{key}: KerasMLP needs the keras extra: pip install -e '.[keras]'")


def check_import_path(path: str, key: str) -> None:
    """Check that ``module.Name`` can be found, without importing the module.

    Importing scikit-learn costs over a second, which would be paid on every
    ``snakemake`` call (even a no-op rerun), so the module is located on disk and
    its source parsed for a top-level binding of ``Name``. A module that builds its
    names at run time (``__getattr__`` or ``import *``) or is compiled is given the
    benefit of the doubt; the trial job imports it for real.
    """
    module, _, name = path.rpartition(".")
    if not module:
        raise ValueError(f"{key}: {path!r} is not an import path like 'package.module.Class'")
    origin = _find_module_origin(module, path, key)
    if origin is None or not origin.endswith(".py"):
        return
    with open(origin, encoding="utf-8") as f:
        tree = ast.parse(f.read(), filename=origin)
    names, dynamic = _top_level_names(tree.body)
    if name not in names and not dynamic:
        raise ValueError(f"{key}: module {module!r} has no attribute {name!r} (from {path!r})")


def _find_module_origin(module: str, path: str, key: str) -> str | None:
    parts = module.split(".")
    try:
        spec = importlib.util.find_spec(parts[0])
    except (ImportError, ValueError):
        spec = None
    for depth in range(1, len(parts) + 1):
        if spec is None:
            missing = ".".join(parts[:depth])
            raise ValueError(
                f"{key}: cannot import {path!r}: no module named {missing!r} "
                "(is the package installed in this environment?)"
            )
        if depth == len(parts):
            break
        locations = spec.submodule_search_locations
        child = ".".join(parts[: depth + 1])
        spec = importlib.machinery.PathFinder.find_spec(child, locations) if locations else None
    return spec.origin


def _top_level_names(body: list[ast.stmt]) -> tuple[set[str], bool]:
    """Names a module binds at top level, and whether it may bind more at run time."""
    names: set[str] = set()
    dynamic = False
    for node in body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
            dynamic |= node.name == "__getattr__"
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                dynamic |= alias.name == "*"
                names.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, ast.If | ast.Try | ast.With):
            for block in _blocks(node):
                more, more_dynamic = _top_level_names(block)
                names |= more
                dynamic |= more_dynamic
    return names, dynamic


def _blocks(node: ast.If | ast.Try | ast.With) -> list[list[ast.stmt]]:
    if isinstance(node, ast.Try):
        return [node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)]
    if isinstance(node, ast.If):
        return [node.body, node.orelse]
    return [node.body]
