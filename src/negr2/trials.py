"""Run the trials of one (scenario, model) cell: every ablation variant, every fold."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd
from sklearn import config_context
from sklearn.model_selection import KFold
from sklearn.preprocessing import StandardScaler

from negr2 import ablation, logs, metrics
from negr2.columns import COLUMNS, TRIAL_METRICS
from negr2.models import build_estimator, check_params

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CellJob:
    """What one trial job runs: a model point on a scenario point.

    ``split`` is ``{"method": "holdout"}`` (rows ``[0, n_train)`` train, the rest
    test) or ``{"method": "kfold", "folds": k}`` (k folds over all rows, scores
    averaged over folds).
    """

    scenario: str
    scenario_id: str
    model: str
    model_id: str
    model_spec: Mapping[str, Any] = field(hash=False)
    preprocessing: str = "standard_scaler"
    ablations: Mapping[str, Any] | None = field(default=None, hash=False)
    split: Mapping[str, Any] | None = field(default=None, hash=False)


class TrialData(Protocol):
    """A scenario's trials, one at a time (:class:`negr2.generators.ScenarioDraws`)."""

    n_train: int
    feature_names: Sequence[str]
    informative: Sequence[int]

    def trial(self, trial: int) -> tuple[np.ndarray, np.ndarray, int]:
        """``(X, y, seed)`` of one trial."""
        ...


class StackedTrials:
    """:class:`TrialData` over the stacked arrays of
    :func:`negr2.generators.generate_scenario`."""

    def __init__(self, data: Mapping[str, np.ndarray]) -> None:
        self._data = data
        self.n_train = int(data["n_train"])
        names = data.get("feature_names", range(data["X"].shape[2]))
        self.feature_names = [str(n) for n in names]
        self.informative = [int(i) for i in data.get("informative", [])]

    def trial(self, trial: int) -> tuple[np.ndarray, np.ndarray, int]:
        return self._data["X"][trial], self._data["y"][trial], int(self._data["seed"][trial])


def run_cell(
    data: TrialData | Mapping[str, np.ndarray], job: CellJob, trials: range
) -> pd.DataFrame:
    """Fit and score one model on the given trials of one scenario.

    Parameters
    ----------
    data : the scenario's trials: drawn on demand (:class:`TrialData`), or the stacked
        arrays of :func:`negr2.generators.generate_scenario`.
    job : the cell.
    trials : the trial indices to run (a chunk of the cell).

    Returns
    -------
    One row per trial and ablation variant, with :data:`COLUMNS`. A variant whose fit
    or predict raises, or whose predictions are not finite, gets ``status="failed"``
    and its error text; the others go on.
    """
    # Check once up front: a bad parameter is a config error, not 100 failed trials.
    check_params(job.model_spec, key=f"models.{job.model}")
    if isinstance(data, Mapping):
        data = StackedTrials(data)
    names = [str(n) for n in data.feature_names]
    informative = [int(i) for i in data.informative]
    progress = logs.Progress(len(trials), f"{job.scenario_id}/{job.model_id}", "trials")
    rows = []
    for trial in trials:
        X, y, seed = data.trial(trial)
        variants = ablation.variants(job.ablations, names, informative, seed)
        # The parameters were checked above: scikit-learn's own check in every fit
        # (of every tree of a boosted ensemble) only repeats it, at 17% of
        # GradientBoosting's time. Scores are the same, bit for bit (tested).
        with config_context(skip_parameter_validation=True):
            results = _score_trial(X, y, data.n_train, job, seed, [c for _, c in variants])
        for (label, _), result in zip(variants, results, strict=True):
            rows.append(
                {
                    "scenario": job.scenario,
                    "scenario_id": job.scenario_id,
                    "model": job.model,
                    "model_id": job.model_id,
                    "ablation": label,
                    "trial": trial,
                    "seed": seed,
                    **result,
                }
            )
        progress.step()
    return pd.DataFrame(rows, columns=list(COLUMNS))


def run_cells(data: TrialData, jobs: Sequence[CellJob], trials: range) -> pd.DataFrame:
    """Run the given trials of each cell in turn (a job of one cell, or a pack), logging
    each cell's failed rows; one table, cells in the given order."""
    tables = []
    for job in jobs:
        table = run_cell(data, job, trials)
        log.info(
            "%s/%s trials %d-%d: %d failed rows",
            job.scenario_id,
            job.model_id,
            trials.start,
            trials.stop - 1,
            int((table["status"] != "ok").sum()),
        )
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def _score_trial(
    X: np.ndarray,
    y: np.ndarray,
    n_train: int,
    job: CellJob,
    seed: int,
    variants: Sequence[np.ndarray],
) -> list[dict[str, Any]]:
    """Scores of every variant, averaged over the split's folds."""
    per_variant: list[list[dict[str, Any]]] = [[] for _ in variants]
    for train, test in _splits(len(y), n_train, job.split):
        X_train, X_test = X[train], X[test]
        if job.preprocessing == "standard_scaler":
            X_train, X_test = _standardise(X_train, X_test)
        for results, cols in zip(per_variant, variants, strict=True):
            results.append(
                _fit_and_score(
                    X_train[:, cols], X_test[:, cols], y[train], y[test], job.model_spec, seed
                )
            )
    return [_combine(results) for results in per_variant]


def _splits(n_rows: int, n_train: int, split: Mapping[str, Any] | None) -> Iterator[tuple]:
    """``(train, test)`` row indices: the holdout's first ``n_train`` rows against the
    rest, or unshuffled k-fold (each row tested once; the first ``n_rows % k`` folds one
    row larger)."""
    rows = np.arange(n_rows)
    if not split or split.get("method", "holdout") == "holdout":
        yield rows[:n_train], rows[n_train:]
        return
    yield from KFold(n_splits=split["folds"]).split(rows)


class _NonFinite(ValueError):
    """Predictions that are NaN or infinite: a failed trial."""


def _fit_and_score(X_train, X_test, y_train, y_test, model_spec, seed) -> dict[str, Any]:
    try:
        estimator = build_estimator(model_spec, seed)
        start = time.perf_counter()
        estimator.fit(X_train, y_train)
        fit_seconds = time.perf_counter() - start
        start = time.perf_counter()
        y_pred = np.asarray(estimator.predict(X_test), dtype=float).ravel()
        predict_seconds = time.perf_counter() - start
        y_fit = np.asarray(estimator.predict(X_train), dtype=float).ravel()
        bad = int(np.sum(~np.isfinite(y_pred))) + int(np.sum(~np.isfinite(y_fit)))
        if bad:
            raise _NonFinite(f"non-finite predictions: {bad} of {y_pred.size + y_fit.size}")
        scores = _scores(y_train, y_test, y_fit, y_pred)
    except _NonFinite as error:
        return {"status": "failed", "error": str(error)}
    except Exception as error:  # recorded per trial: one bad fit must not sink the study
        return {"status": "failed", "error": f"{type(error).__name__}: {error}"}
    return scores | {
        "fit_seconds": fit_seconds,
        "predict_seconds": predict_seconds,
        "status": "ok",
        "error": "",
    }


#: The registry's metrics that a fold is scored on (the timings are measured).
_SCORED = [m for m in metrics.REGISTRY.values() if m.in_trials and m.score is not None]


def _scores(y_train, y_test, y_fit, y_pred) -> dict[str, float]:
    """Every scored metric of the registry on one fold."""
    fold = metrics.Fold(y_train, y_test, y_fit, y_pred)
    return {m.name: m.score(fold) for m in _SCORED}


def _combine(folds: list[dict[str, Any]]) -> dict[str, Any]:
    """One trial's result from its folds, each metric by its fold rule (averaged, over
    the folds where it is defined, or summed: see :data:`negr2.metrics.FOLD_RULES`);
    the first failure, if any fold failed."""
    failed = next((f for f in folds if f["status"] != "ok"), None)
    if failed is not None:
        return {**dict.fromkeys(TRIAL_METRICS, float("nan")), **failed}
    out: dict[str, Any] = {}
    for name in TRIAL_METRICS:
        values = [f[name] for f in folds]
        rule = metrics.REGISTRY[name].folds
        if rule == "mean_defined":
            values = [v for v in values if not np.isnan(v)]
            out[name] = float(np.mean(values)) if values else float("nan")
        else:
            out[name] = float(np.sum(values) if rule == "sum" else np.mean(values))
    return out | {"status": "ok", "error": ""}


def _standardise(X_train: np.ndarray, X_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scale with statistics of the training split only (no test leakage).

    Not a ``Pipeline(StandardScaler(), estimator)`` per variant: that scales once per
    variant instead of once per fold, and its checks cost more than a cheap fit. On a
    trial of 160 training rows and 8 features (bench/bench_standardise.py) the Pipeline
    was 1.3-1.7 times slower for the full model alone (LinearRegression 1.2-1.3 ms
    against 0.8-1.0 ms) and 2.5-4.3 times with drop-one ablations, 9 variants
    (LinearRegression 12 ms against 4.6-4.8 ms). Scaling only a variant's columns would
    also change its scores in the last bit (NumPy rounds the sums of a column subset
    differently).
    """
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test)
