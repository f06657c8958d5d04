"""Combine the cells' trial chunks into the study's trials table and summary."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from negr2 import io, theory
from negr2.stats import summarise


def combine_trials(chunk_paths: Iterable[str], config: Mapping[str, Any]) -> pd.DataFrame:
    """Read every chunk and order the rows by the config's scenarios and models,
    then by trial, so the table does not depend on which job finished first."""
    trials = pd.concat([pd.read_parquet(p) for p in chunk_paths], ignore_index=True)
    order = {
        "scenario": {name: i for i, name in enumerate(config["scenarios"])},
        "model": {name: i for i, name in enumerate(config["models"])},
    }
    trials = trials.sort_values(
        ["scenario", "model", "trial"],
        key=lambda col: col.map(order[col.name]) if col.name in order else col,
        kind="stable",
    ).reset_index(drop=True)
    expected = len(config["scenarios"]) * len(config["models"]) * config["trials"]
    if len(trials) != expected or trials.duplicated(["scenario", "model", "trial"]).any():
        raise ValueError(f"expected {expected} distinct trials, got {len(trials)} rows")
    return trials


def theory_r2(scenario: Mapping[str, Any], model: Mapping[str, Any]) -> float:
    """The closed-form expected test R² where one applies (see :mod:`negr2.theory`).

    Both forms hold with or without standardisation: OLS and the training mean are
    unchanged by an affine rescaling of the features fitted on the training split.
    """
    if scenario["generator"] != "gaussian_noise" or model.get("params"):
        return math.nan
    n, m, p = scenario["n_train"], scenario["n_test"], scenario["n_features"]
    estimator = model["estimator"]
    if estimator == "sklearn.linear_model.LinearRegression" and n - p - 2 > 0 and m > 3:
        return theory.ols_expected_r2(n, m, p)
    if estimator == "sklearn.dummy.DummyRegressor" and m > 3:
        return theory.mean_baseline_expected_r2(n, m)
    return math.nan


def summary_table(trials: pd.DataFrame, config: Mapping[str, Any]) -> pd.DataFrame:
    """The study's summary: one row per scenario × model, with ``theory_r2``."""
    summary = summarise(trials)
    summary["theory_r2"] = [
        theory_r2(config["scenarios"][s], config["models"][m])
        for s, m in zip(summary["scenario"], summary["model"], strict=True)
    ]
    return summary


def write_outputs(
    trials: pd.DataFrame, summary: pd.DataFrame, trials_path: str, summary_path: str
) -> None:
    """Write both tables atomically."""
    with io.atomic_path(trials_path) as tmp:
        trials.to_parquet(tmp, index=False)
    io.write_text(summary_path, summary.to_csv(index=False, float_format="%.10g"))
