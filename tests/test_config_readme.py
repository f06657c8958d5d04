"""config/README.md describes every key of the config schema and of the built-in
generators, and the catalog file and the licence agree with the project."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from conftest import REPO

from negr2.generators.registry import builtins
from negr2.metrics import REGISTRY, Metric

SCHEMA = yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text())
README = (REPO / "config/README.md").read_text()
#: README's table of metrics (its rows name metrics, not config keys).
METRICS_SECTION = re.search(r"(?ms)^### Metrics$.*?(?=^## )", README).group(0)
#: The scenario keys the built-in generators take (the schema leaves them to them).
GENERATOR_KEYS = {key for generator in builtins().values() for key in generator.params}


def _keys(node: Any) -> Iterator[str]:
    """Every property name anywhere in a JSON schema."""
    if isinstance(node, dict):
        for name, child in (node.get("properties") or {}).items():
            yield name
            yield from _keys(child)
        for key, child in node.items():
            if key != "properties":
                yield from _keys(child)
    elif isinstance(node, list):
        for child in node:
            yield from _keys(child)


def _documented() -> set[str]:
    """The keys of README's tables: the first cell of each row, in backticks (the last
    part of a dotted key such as ``drop_random.k``)."""
    keys = README.replace(METRICS_SECTION, "")
    return {m.split(".")[-1] for m in re.findall(r"^\| `([\w.]+)` \|", keys, flags=re.M)}


def test_schema_has_keys_to_check():
    assert {"study", "trials", "generator", "estimator", "folds", "median_r2"} <= set(_keys(SCHEMA))


@pytest.mark.parametrize("key", sorted(set(_keys(SCHEMA)) | GENERATOR_KEYS))
def test_every_key_is_described(key):
    assert key in _documented(), f"config/README.md has no row for {key!r}"


def test_every_described_key_exists():
    assert _documented() <= set(_keys(SCHEMA)) | GENERATOR_KEYS


def test_catalog_file_declares_the_usage():
    catalog = yaml.safe_load((REPO / ".snakemake-workflow-catalog.yml").read_text())
    deployment = catalog["usage"]["software-stack-deployment"]
    assert set(deployment) <= {"conda", "apptainer", "apptainer+conda", "report"}
    assert deployment["conda"] and deployment["report"]
    assert isinstance(catalog["usage"]["mandatory-flags"]["desc"], str)


def test_licence_matches_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["license"] == {"text": "MIT"}
    assert (REPO / "LICENSE").read_text().startswith("MIT License\n")


def _metric_row(metric: Metric) -> str:
    """The row README's metrics table gives ``metric``."""
    better = {True: "higher", False: "lower", None: "—"}[metric.higher_is_better]
    counts = [metric.undefined_count] if metric.undefined_count and metric.in_trials else []
    summary = ", ".join(f"`{c}`" for c in (*metric.summary_columns, *counts)) or "—"
    return (
        f"| `{metric.name}` | {better} | {metric.undefined or 'never'} | {summary} | "
        f"{'yes' if metric.claims else 'no'} | {metric.meaning} |"
    )


def test_the_metrics_table_is_the_registry():
    rows = re.findall(r"^\| `.*$", METRICS_SECTION, flags=re.M)
    expected = [_metric_row(metric) for metric in REGISTRY.values()]
    missing = "\n".join(row for row in expected if row not in rows)
    assert not missing, f"config/README.md's metrics table needs these rows:\n{missing}"
    assert rows == expected, "config/README.md's metrics table: rows to remove or reorder"
