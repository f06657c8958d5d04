"""The config as Snakemake hands it over: its ``--config`` overrides typed as in a study
file, and its schema errors told one line per key path.

YAML and jsonschema are imported inside the functions: the Snakefile loads this module
on every ``snakemake`` call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def coerce_overrides(config: dict[str, Any], overrides: Mapping[str, Any]) -> None:
    """Give the values of ``snakemake --config`` the meaning they have in a study file.

    Snakemake parses a nested ``--config`` value with YAML's *base* loader, which keeps
    every scalar as text (``alpha: 10.0`` arrives as ``'10.0'``). Each text leaf of
    ``overrides`` is parsed again with YAML's usual rules (``'10.0'`` → 10.0, ``'null'``
    → None, ``'true'`` → True) and written back at the same place in ``config``, which
    already holds the overrides merged in.
    """
    for key, value in overrides.items():
        if key not in config:
            continue
        if isinstance(value, Mapping) and isinstance(config[key], dict):
            coerce_overrides(config[key], value)
        else:
            config[key] = _yaml_value(config[key])


def _yaml_value(value: Any) -> Any:
    import yaml

    if isinstance(value, list):
        return [_yaml_value(item) for item in value]
    if isinstance(value, dict):
        return {key: _yaml_value(item) for key, item in value.items()}
    if not isinstance(value, str):
        return value
    try:
        parsed = yaml.safe_load(value)
    except yaml.YAMLError:
        return value  # not a YAML scalar (e.g. '@x'): keep the text
    # A text that YAML reads as a mapping or list stays text: the base loader already
    # split every nested structure, so this can only be a scalar with a colon in it.
    return parsed if not isinstance(parsed, dict | list) else value


def describe_schema_errors(config: Mapping[str, Any], schema_path: str) -> str:
    """Every way ``config`` breaks the schema, one line each, named by key path
    (``scenarios.noise.n_test: 1 is less than the minimum of 2``)."""
    import jsonschema
    import yaml

    with open(schema_path, encoding="utf-8") as f:
        schema = yaml.safe_load(f)
    validator = jsonschema.Draft202012Validator(schema)
    lines = sorted(_describe(error) for error in validator.iter_errors(config))
    return "\n".join(lines) or "the config does not match the schema"


def _describe(error) -> str:
    """``key.path: message``; for "any of" schemas, the closest alternative's message."""
    from jsonschema.exceptions import best_match

    if error.context:
        # The alternative of the value's own type says what is wrong with it.
        fitting = [e for e in error.context if e.validator != "type"]
        error = best_match(fitting or error.context)
    where = ".".join(str(part) for part in error.absolute_path) or "(top level)"
    return f"{where}: {error.message}"
