"""The registry of generators: the built-ins found in this package, and users' by path."""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from negr2.generators.base import Generator
from negr2.generators.checks import error
from negr2.generators.imported import imported


@functools.cache
def builtins() -> dict[str, Generator]:
    """Every built-in generator by name: each :class:`Generator` subclass that sets its own
    ``name`` in a module of this package. A new module is found with no list to edit."""
    found: dict[str, Generator] = {}
    for module_info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        module = importlib.import_module(f"{__package__}.{module_info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Generator)
                and value.__module__ == module.__name__
                and "name" in vars(value)
            ):
                if value.name in found:
                    raise RuntimeError(f"two built-in generators are named {value.name!r}")
                found[value.name] = value()
    return dict(sorted(found.items()))


def family(scenario: str, generator: Any) -> Generator:
    """The generator a scenario names: a built-in's name, or a callable's import path."""
    known = builtins()
    if isinstance(generator, str) and generator in known:
        return known[generator]
    if isinstance(generator, str) and "." in generator.strip("."):
        return imported(scenario, generator)
    raise error(
        scenario,
        "generator",
        f"unknown generator {generator!r}; use one of: {', '.join(known)}, or the import "
        "path of a function of your own (package.module.function)",
    )


def builtin(generator: Any) -> Generator | None:
    """The built-in generator of that name, else None (without importing anything)."""
    return builtins().get(generator) if isinstance(generator, str) else None


def check_scenario(name: str, spec: Mapping[str, Any]) -> None:
    """Check a scenario's spec before any job runs.

    Parameters
    ----------
    name : the scenario's name (for messages).
    spec : the scenario's config entry: ``generator``, ``n_train``, ``n_test`` and the
        generator's own keys. The keys every scenario has (``n_train``, ``n_test``,
        ``split``) are the config schema's to check, the generator's own keys only here.

    Raises
    ------
    ValueError
        Whose message starts with ``scenarios.<name>.<key>: `` (or ``scenarios.<name>: ``)
        and says what is wrong and what to do. A ``table`` scenario's file is read (and
        cached) here, and a user's generator imported and tried on one draw, so that a
        bad one fails before any job runs.
    """
    generator = family(name, spec.get("generator"))
    generator.check_keys(name, spec)
    generator.check(name, spec)
