"""Run the trials of one (scenario, model) cell."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from negr2 import metrics
from negr2.models import build_estimator

log = logging.getLogger(__name__)

#: Columns of a trials table, in order.
COLUMNS = (
    "scenario",
    "model",
    "trial",
    "seed",
    "r2",
    "rmse",
    "mae",
    "r2_train",
    "fit_seconds",
    "predict_seconds",
    "status",
    "error",
)


def run_cell(
    data: Mapping[str, np.ndarray],
    scenario: str,
    model: str,
    model_spec: Mapping[str, Any],
    preprocessing: str,
    trials: range,
) -> pd.DataFrame:
    """Fit and score one model on the given trials of one scenario.

    Parameters
    ----------
    data : a scenario's datasets, as made by :func:`negr2.generators.generate_scenario`
        (``X`` of shape (trials, n_rows, n_features), ``y`` of shape (trials, n_rows),
        ``seed`` of shape (trials,), scalar ``n_train``).
    scenario, model : the cell's names, written into every row.
    model_spec : the model's config entry.
    preprocessing : the study's ``preprocessing`` (``standard_scaler`` or ``none``).
    trials : the trial indices to run (a chunk of the cell).

    Returns
    -------
    One row per trial with :data:`COLUMNS`. A trial whose fit or predict raises, or
    whose predictions are not finite, gets ``status="failed"`` and its error text;
    the others go on.
    """
    # Build once up front: a bad parameter is a config error, not 100 failed trials.
    build_estimator(model_spec, seed=0, key=f"models.{model}")
    progress = _Progress(len(trials), f"{scenario}/{model}")
    rows = []
    for trial in trials:
        seed = int(data["seed"][trial])
        row = {"scenario": scenario, "model": model, "trial": trial, "seed": seed}
        row |= _run_trial(
            data["X"][trial],
            data["y"][trial],
            int(data["n_train"]),
            model_spec,
            preprocessing,
            seed,
        )
        rows.append(row)
        progress.step()
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _run_trial(
    X: np.ndarray,
    y: np.ndarray,
    n_train: int,
    model_spec: Mapping[str, Any],
    preprocessing: str,
    seed: int,
) -> dict[str, Any]:
    X_train, X_test, y_train, y_test = X[:n_train], X[n_train:], y[:n_train], y[n_train:]
    try:
        if preprocessing == "standard_scaler":
            X_train, X_test = _standardise(X_train, X_test)
        estimator = build_estimator(model_spec, seed)
        start = time.perf_counter()
        estimator.fit(X_train, y_train)
        fit_seconds = time.perf_counter() - start
        start = time.perf_counter()
        y_pred = np.asarray(estimator.predict(X_test), dtype=float).ravel()
        predict_seconds = time.perf_counter() - start
        y_fit = np.asarray(estimator.predict(X_train), dtype=float).ravel()
    except Exception as error:  # recorded per trial: one bad fit must not sink the study
        return _failed(f"{type(error).__name__}: {error}")
    bad = int(np.sum(~np.isfinite(y_pred))) + int(np.sum(~np.isfinite(y_fit)))
    if bad:
        return _failed(f"non-finite predictions: {bad} of {y_pred.size + y_fit.size}")
    return {
        "r2": metrics.r2(y_test, y_pred),
        "rmse": metrics.rmse(y_test, y_pred),
        "mae": metrics.mae(y_test, y_pred),
        "r2_train": metrics.r2(y_train, y_fit),
        "fit_seconds": fit_seconds,
        "predict_seconds": predict_seconds,
        "status": "ok",
        "error": "",
    }


def _standardise(X_train: np.ndarray, X_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scale with statistics of the training split only (no test leakage)."""
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test)


def _failed(error: str) -> dict[str, Any]:
    nan = float("nan")
    return {
        "r2": nan,
        "rmse": nan,
        "mae": nan,
        "r2_train": nan,
        "fit_seconds": nan,
        "predict_seconds": nan,
        "status": "failed",
        "error": error,
    }


class _Progress:
    """Logs trials done / total, elapsed time and an estimate of the time left,
    at most every 10 seconds and at the end."""

    def __init__(self, total: int, label: str, every_seconds: float = 10.0) -> None:
        self.total, self.label, self.every = total, label, every_seconds
        self.done = 0
        self.start = self.last = time.perf_counter()

    def step(self) -> None:
        self.done += 1
        now = time.perf_counter()
        if now - self.last < self.every and self.done < self.total:
            return
        self.last = now
        elapsed = now - self.start
        left = elapsed / self.done * (self.total - self.done)
        log.info(
            "%s: %d/%d trials, %.1f s elapsed, ~%.1f s left",
            self.label,
            self.done,
            self.total,
            elapsed,
            left,
        )
