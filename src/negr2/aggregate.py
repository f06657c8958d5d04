"""The study's statistics from its trials table.

* summary: one row per scenario point × model point × ablation variant, with
  the paired difference of each variant to ``full`` and the closed-form R²;
* comparisons: each model against a reference model on the same trials;
* claims: each of the config's claims tested on the paired trials
  (:func:`negr2.claims.evaluate_claims`).

The table is read and written through :mod:`negr2.storage`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from negr2 import theory
from negr2.ablation import n_kept
from negr2.columns import CELL, FULL
from negr2.generators import builtin
from negr2.splits import resolve_split
from negr2.stats import paired_difference, summarise
from negr2.storage import CellTable, write_trials
from negr2.study import Study


def write_and_summarise(
    cells: Iterable[tuple[str, str, Sequence[str]]], study: Study, path: str
) -> pd.DataFrame:
    """Write the study's trials table to ``path`` (:func:`negr2.storage.write_trials`)
    and return its :func:`summary_table`, computed a cell at a time as it is written."""
    summaries: list[pd.DataFrame] = []
    write_trials(cells, study, path, lambda rows: summaries.append(summary_table(rows, study)))
    return pd.concat(summaries, ignore_index=True)


def paired_columns(study: Study) -> list[str]:
    """The trials columns that the comparisons and the claims read."""
    from negr2.claims import metric_column

    claims = study.config.get("claims") or []
    metrics = [metric_column(claim["metric"]) for claim in claims]
    keys = ["scenario", "scenario_id", "model", "model_id", "ablation", "trial", "status", "r2"]
    return keys + [m for m in dict.fromkeys(metrics) if m not in keys]


def summary_table(trials: pd.DataFrame, study: Study) -> pd.DataFrame:
    """The study's summary: one row per scenario point × model point × ablation."""
    swept = study.swept_columns
    summary = summarise(trials, (*CELL, "ablation"), ("scenario", "model", *swept))
    summary = summary.join(_deltas_to_full(trials), on=[*CELL, "ablation"])
    scenarios, models, config = study.scenarios, study.models, study.config
    summary["theory_r2"] = [
        theory_r2(scenarios[s].spec, models[m].spec, a, config)
        for s, m, a in zip(
            summary["scenario_id"], summary["model_id"], summary["ablation"], strict=True
        )
    ]
    front = ["scenario", "model", "ablation", *swept, "scenario_id", "model_id"]
    return summary[front + [c for c in summary.columns if c not in front]]


def _deltas_to_full(trials: pd.DataFrame) -> pd.DataFrame:
    """Paired Δr2 = r2(variant) − r2(full) per cell and variant, over trials where
    both are ok, with its t 95 % interval."""
    ok = trials[trials["status"] == "ok"]
    r2 = ok.pivot_table(
        index=[*CELL, "trial"], columns="ablation", values="r2", sort=False, observed=True
    )
    rows = []
    for cell, table in r2.groupby(level=list(CELL), sort=False, observed=True):
        for variant in table.columns:
            diff = {}
            if FULL in table:  # else no trial of the cell has an ok full model
                pair = table[[variant, FULL]].dropna()
                diff = paired_difference(pair[variant], pair[FULL]) if len(pair) else {}
            rows.append(
                {
                    "scenario_id": cell[0],
                    "model_id": cell[1],
                    "ablation": variant,
                    "delta_r2_mean": diff.get("mean_diff", math.nan),
                    "delta_r2_lo": diff.get("diff_lo", math.nan),
                    "delta_r2_hi": diff.get("diff_hi", math.nan),
                }
            )
    columns = [*CELL, "ablation", "delta_r2_mean", "delta_r2_lo", "delta_r2_hi"]
    return pd.DataFrame(rows, columns=columns).set_index([*CELL, "ablation"])


def theory_r2(
    scenario: Mapping[str, Any], model: Mapping[str, Any], ablation: str, config: Mapping[str, Any]
) -> float:
    """The closed-form expected test R² where one applies (see :mod:`negr2.theory`):
    pure noise, one holdout split, OLS or the training mean with default parameters.

    Both forms hold with or without standardisation: OLS and the training mean are
    unchanged by an affine rescaling of the features fitted on the training split.
    An ablation only changes the number of features p.
    """
    if resolve_split(config, scenario).kfold:
        return math.nan
    generator = builtin(scenario["generator"])
    if generator is None or not generator.pure_noise or model.get("params"):
        return math.nan
    n, m = scenario["n_train"], scenario["n_test"]
    p = n_kept(ablation, scenario["n_features"], config.get("ablations"))
    estimator = model["estimator"]
    if estimator == "sklearn.linear_model.LinearRegression" and n - p - 2 > 0 and m > 3:
        return theory.ols_expected_r2(n, m, p)
    if estimator == "sklearn.dummy.DummyRegressor" and m > 3:
        return theory.mean_baseline_expected_r2(n, m)
    return math.nan


COMPARISON_COLUMNS = [
    "scenario",
    "scenario_id",
    "ablation",
    "model",
    "model_id",
    "reference",
    "n_pairs",
    "mean_diff",
    "diff_lo",
    "diff_hi",
    "wilcoxon_p",
]


def comparisons_table(trials: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Each model point against the reference model on the same trials and variant:
    mean paired Δr2 with its 95 % interval and the Wilcoxon signed-rank p-value."""
    rows = _comparison_rows(trials, study.reference) if study.reference else []
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def comparisons_by_cell(table: CellTable, study: Study) -> pd.DataFrame:
    """:func:`comparisons_table` of the whole table, read a pair of cells at a time
    (each model point's cell with its scenario's reference cell)."""
    reference, rows = study.reference, []
    for scenario_id, model_id in table.cells if reference else []:
        if model_id != reference:
            cells = [(scenario_id, model_id), (scenario_id, reference)]
            pair = table.read(cells, paired_columns(study), text_as_categories=True)
            rows += _comparison_rows(pair, reference)
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def _comparison_rows(trials: pd.DataFrame, reference: str) -> list[dict[str, Any]]:
    """A comparison row per (scenario point, variant, model point), in the order they
    first appear in ``trials``."""
    ok = trials[trials["status"] == "ok"]
    keys = ["scenario_id", "ablation", "trial"]
    ref = ok.loc[ok["model_id"] == reference, [*keys, "r2"]]
    rows = []
    others = ok[ok["model_id"] != reference]
    for (scenario_id, ablation, model_id), group in others.groupby(
        ["scenario_id", "ablation", "model_id"], sort=False, observed=True
    ):
        pairs = group.merge(ref, on=keys, suffixes=("", "_ref"))
        rows.append(
            {
                "scenario": group["scenario"].iloc[0],
                "scenario_id": scenario_id,
                "ablation": ablation,
                "model": group["model"].iloc[0],
                "model_id": model_id,
                "reference": reference,
                **paired_difference(pairs["r2"].to_numpy(), pairs["r2_ref"].to_numpy()),
            }
        )
    return rows
