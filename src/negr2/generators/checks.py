"""Checks of a scenario's values, each raising an error that names the scenario and key.

Every message starts with ``scenarios.<scenario>.<key>: `` (``scenarios.<scenario>: ``
for a problem of several keys), then says what is wrong, with the bad value, and what
to do. These are the only checks of the generators' keys: the config schema leaves
them to the generators.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any


def error(scenario: str, key: str | None, message: str) -> ValueError:
    """``scenarios.<scenario>[.<key>]: <message>``."""
    return ValueError(f"scenarios.{scenario}{'' if key is None else '.' + key}: {message}")


def integer(
    scenario: str, spec: Mapping[str, Any], key: str, minimum: int, maximum: int | None = None
) -> int:
    """``spec[key]``, required, an integer in ``[minimum, maximum]``."""
    if key not in spec:
        raise error(scenario, key, f"required by generator {spec['generator']}; add an integer")
    value = spec[key]
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise error(scenario, key, f"must be an integer, got {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise error(scenario, key, f"must be {bounds}, got {value}")
    return int(value)


def real(scenario: str, key: str, value: Any) -> float:
    """A finite real number (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise error(scenario, key, f"must be a finite number, got {value!r}")
    return float(value)


def non_negative(scenario: str, spec: Mapping[str, Any], key: str, default: float) -> float:
    """``spec[key]`` (or ``default``), a finite number >= 0."""
    value = real(scenario, key, spec.get(key, default))
    if value < 0:
        raise error(scenario, key, f"must be >= 0, got {value}")
    return value


def enough_rows(scenario: str, spec: Mapping[str, Any], n_available: int, source: str) -> None:
    """A data set of ``n_available`` rows must hold one trial's ``n_train + n_test``."""
    wanted = int(spec["n_train"]) + int(spec["n_test"])
    if wanted > n_available:
        raise error(
            scenario,
            None,
            f"n_train + n_test = {wanted} but {source} has only "
            f"{n_available} rows; lower n_train or n_test",
        )
