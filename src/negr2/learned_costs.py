"""Costs learned from a study's last run: its measured timings and memory.

The table's estimates (:class:`negr2.costs.TableCosts`) are guesses per estimator. Once a
study has run, its ``summary.csv`` holds each cell's mean ``fit_seconds`` and
``predict_seconds`` per trial and feature set, and each trial job's Snakemake benchmark
file its wall seconds and peak memory. :func:`learned_costs` turns them into a
:class:`LearnedCosts`, which the job plan asks instead of the table:

- a cell's seconds per trial: its fits and predictions, times the study's measured ratio
  of job seconds to fit-and-predict seconds (drawing data, scoring, start-up);
- a job's memory: its last run's peak (``max_rss``) times :data:`MEMORY_MARGIN`.

Cells without measurements keep the table's estimate, and a model's
``seconds_per_trial`` still wins. Learned costs set the priorities, time limits and
memory of the jobs still to run; the packs stay the table's (negr2.plan), so a learned
estimate never moves a cell between jobs, and never reruns a finished one.

Standard library only: the Snakefile plans the jobs on every ``snakemake`` call.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from negr2.costs import CostModel

#: A job's memory limit is its last measured peak times this (then times the attempt).
MEMORY_MARGIN = 1.5
#: The smallest memory limit asked for, in MB.
MIN_MEMORY_MB = 300


class LearnedCosts:
    """Measured seconds per trial by (scenario spec, model's estimator and params), the
    ``table``'s estimate for the others; measured memory per job file."""

    def __init__(
        self,
        table: CostModel,
        per_trial: Mapping[tuple[str, str], float],
        memory: Mapping[str, float],
    ) -> None:
        self.table, self.per_trial, self.memory = table, dict(per_trial), dict(memory)

    def seconds(
        self, n_trials: int, scenario: Mapping[str, Any], model: Mapping[str, Any]
    ) -> float:
        measured = self.per_trial.get(cost_key(scenario, model))
        if measured is None or model.get("seconds_per_trial") is not None:
            return self.table.seconds(n_trials, scenario, model)
        return n_trials * measured

    def ranking(self, job_seconds: float, scenario: Mapping[str, Any]) -> float:
        # Measured seconds already grow with the scenario point's training rows.
        return job_seconds

    def memory_mb(self, path: str) -> int | None:
        """The memory limit of the job writing trials file ``path`` (relative to the
        results folder), or None when it was never measured."""
        peak = self.memory.get(path)
        if peak is None:
            return None
        return max(MIN_MEMORY_MB, 100 * math.ceil(peak * MEMORY_MARGIN / 100))


def cost_key(scenario: Mapping[str, Any], model: Mapping[str, Any]) -> tuple[str, str]:
    """What a measured cost is filed under: the scenario point's spec and the model's
    estimator and parameters (not its scheduling keys: a new priority keeps its cost)."""
    what = {"estimator": model["estimator"], "params": model.get("params") or {}}
    return (json.dumps(scenario, sort_keys=True), json.dumps(what, sort_keys=True))


def learned_costs(results: Path, study: Any, table: CostModel) -> CostModel:
    """The costs learned from ``results`` (a study's results folder), or ``table`` when
    it holds no summary of an earlier run."""
    summary = results / "summary.csv"
    if not summary.is_file():
        return table
    per_trial = measured_per_trial(summary, study)
    if not per_trial:
        return table
    factor = job_seconds_factor(results, summary)
    memory = {
        path: row["max_rss"] for path, row in read_benchmarks(results).items() if row["max_rss"]
    }
    return LearnedCosts(table, {k: v * factor for k, v in per_trial.items()}, memory)


def measured_per_trial(summary: Path, study: Any) -> dict[tuple[str, str], float]:
    """Fit and predict seconds per trial of each cell of ``study`` in ``summary``: the sum
    over its feature sets (one row each) of their means."""
    per_trial: dict[tuple[str, str], float] = {}
    with summary.open(newline="") as handle:
        for row in csv.DictReader(handle):
            scenario = study.scenarios.get(row["scenario_id"])
            model = study.models.get(row["model_id"])
            seconds = _number(row["mean_fit_seconds"]) + _number(row["mean_predict_seconds"])
            if scenario is None or model is None or not math.isfinite(seconds):
                continue
            key = cost_key(scenario.spec, model.spec)
            per_trial[key] = per_trial.get(key, 0.0) + seconds
    return per_trial


def job_seconds_factor(results: Path, summary: Path) -> float:
    """Measured trial jobs' wall seconds over their cells' fit and predict seconds (at
    least 1): what drawing data, scoring and start-up add."""
    fitted = 0.0
    with summary.open(newline="") as handle:
        for row in csv.DictReader(handle):
            seconds = _number(row["mean_fit_seconds"]) + _number(row["mean_predict_seconds"])
            if math.isfinite(seconds):
                fitted += seconds * _number(row["n_trials"])
    wall = sum(row["s"] for row in read_benchmarks(results).values())
    return max(1.0, wall / fitted) if fitted > 0 and wall > 0 else 1.0


def read_benchmarks(results: Path) -> dict[str, dict[str, float]]:
    """Each trial job's last benchmark (wall ``s``, ``max_rss`` in MB), by its trials
    file relative to the results folder (``trials/<scenario>/pack1.parquet``)."""
    found = {}
    folder = results / "benchmarks"
    for path in folder.glob("trials/**/*.tsv"):
        with path.open(newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        if rows:
            trials_file = path.relative_to(folder).with_suffix(".parquet").as_posix()
            found[trials_file] = {
                "s": _number(rows[-1]["s"]),
                "max_rss": _number(rows[-1].get("max_rss", "nan")),
            }
    return {
        k: {n: (0.0 if math.isnan(v) else v) for n, v in row.items()} for k, row in found.items()
    }


def _number(text: str | None) -> float:
    try:
        return float(text) if text not in (None, "", "NA", "-") else math.nan
    except ValueError:
        return math.nan
