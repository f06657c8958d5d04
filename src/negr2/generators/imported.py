"""Your own generator, named by import path like an estimator.

A scenario ``{generator: mylab.data.sine_waves, n_train: 100, n_test: 50, n_features:
4, freq: 2.0}`` draws each trial with ``sine_waves(rng, n_rows, n_features, freq=2.0)``:

- ``rng``: the trial's :class:`numpy.random.Generator`, seeded per trial like the
  built-ins (trial ``t`` is the same in every run, job and chunk). Draw every random
  number from it: not from ``np.random``'s global state, not from a seed of your own.
- ``n_rows``: ``n_train + n_test``; rows ``[0, n_train)`` train, the rest test.
- ``n_features``: the scenario's ``n_features`` (required).
- ``**params``: the scenario's other keys (``freq``); a list sweeps, as for built-ins.

It returns ``(X, y)``: X of shape (n_rows, n_features) and y of shape (n_rows,), finite
numbers (features are named ``x0, x1, …``); or ``(X, y, informative)``, the indices of the
informative features, most important first, the same in every trial, for
``ablations.drop_informative``. The config check imports it, binds the scenario's keys to
its signature and draws one trial, so a broken generator fails before any job. Editing
the function's source file reruns the scenario's trials.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from negr2.generators.base import COMMON_KEYS, Dataset, Generator, n_rows, numbered_names
from negr2.generators.checks import error, integer
from negr2.generators.contract import ContractError, dataset_of, describe


@functools.cache
def _resolve(path: str) -> Callable[..., Any]:
    """The callable at ``path``; raises ``LookupError`` saying why there is none."""
    module, _, attribute = path.rpartition(".")
    try:
        loaded = importlib.import_module(module)
    except ModuleNotFoundError as missing:
        raise LookupError(
            f"cannot import {path!r}: no module named {missing.name!r} (put its folder on "
            "PYTHONPATH, or install its package in this environment)"
        ) from None
    except Exception as failure:  # the user's module failed while importing
        raise LookupError(
            f"importing {module!r} failed: {type(failure).__name__}: {failure}"
        ) from None
    found = getattr(loaded, attribute, None)
    if found is None:
        raise LookupError(f"module {module!r} has no attribute {attribute!r} (from {path!r})")
    if not callable(found):
        raise LookupError(
            f"{path!r} is {describe(found)}, not a function; give a function "
            "(rng, n_rows, n_features, **params) -> (X, y)"
        )
    return found


def imported(scenario: str, path: str) -> ImportedGenerator:
    """The generator at import path ``path``, or an error naming the scenario."""
    try:
        return ImportedGenerator(path, _resolve(path))
    except LookupError as problem:
        raise error(scenario, "generator", str(problem)) from None


class ImportedGenerator(Generator):
    """A user's function ``(rng, n_rows, n_features, **params) -> (X, y[, informative])``."""

    def __init__(self, path: str, function: Callable[..., Any]) -> None:
        self.name = path
        self.function = function

    def _params(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in spec.items() if k not in COMMON_KEYS and k != "n_features"}

    def check_keys(self, scenario: str, spec: Mapping[str, Any]) -> None:
        """The scenario's keys must fit the function's signature."""
        try:
            signature = inspect.signature(self.function)
        except (TypeError, ValueError):
            return  # no signature to read (a C function): the test draw tells
        try:
            signature.bind(None, 1, 1, **self._params(spec))
        except TypeError as mismatch:
            raise error(
                scenario,
                None,
                f"its keys do not fit {self.name}{signature}: {mismatch}; give it the "
                "parameters (rng, n_rows, n_features, **params) or change the scenario's keys",
            ) from None

    def check(self, scenario: str, spec: Mapping[str, Any]) -> None:
        """``n_features``, then one test draw: shapes, finite values, informative."""
        integer(scenario, spec, "n_features", 1)
        try:
            self.draw(np.random.default_rng(0), spec)
        except ContractError as broken:
            raise error(scenario, "generator", str(broken)) from None
        except Exception as failure:  # the user's code: report it as theirs
            raise error(
                scenario,
                "generator",
                f"{self.name} raised {type(failure).__name__} on a test draw: {failure}",
            ) from None

    def draw(self, rng: np.random.Generator, spec: Mapping[str, Any]) -> Dataset:
        rows, n_features = n_rows(spec), int(spec["n_features"])
        result = self.function(rng, rows, n_features, **self._params(spec))
        X, y, informative = dataset_of(self.name, result, rows, n_features)
        return Dataset(X, y, numbered_names(n_features), informative)

    def input_files(self, spec: Mapping[str, Any]) -> list[str]:
        """The function's source file, so that editing it redraws the trials."""
        del spec
        try:
            source = inspect.getsourcefile(self.function)
        except TypeError:
            return []  # a built-in or compiled function: no source file
        return [source] if source else []

    def knows_informative(self, spec: Mapping[str, Any]) -> bool:
        """Whether a test draw names informative features."""
        return bool(self.draw(np.random.default_rng(0), spec).informative)
