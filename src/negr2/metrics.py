"""Regression metrics, written out from their definitions.

They match scikit-learn's ``r2_score``, ``root_mean_squared_error`` and
``mean_absolute_error`` (tests/test_metrics.py checks that), without importing
scikit-learn here.
"""

from __future__ import annotations

import numpy as np


def r2(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Coefficient of determination against the mean of ``y_true``.

    This is scikit-learn's definition: the baseline is the mean of the very targets
    being scored (for a test split, the *test* mean, which no model can know). A
    constant ``y_true`` gives 1.0 for a perfect prediction and 0.0 otherwise, as
    scikit-learn does with ``force_finite=True``.
    """
    y_true, y_pred = _check(y_true, y_pred)
    sse = float(np.sum((y_true - y_pred) ** 2))
    sst = float(np.sum((y_true - y_true.mean()) ** 2))
    if sst == 0.0:
        return 1.0 if sse == 0.0 else 0.0
    return 1.0 - sse / sst


def oos_r2(y_true: np.ndarray, y_pred: np.ndarray, train_mean: float) -> float:
    """Out-of-sample R²: 1 − SSE / Σ(y_test − mean(y_train))².

    Unlike :func:`r2`, the baseline is the training mean, a prediction any model
    could make. A model that predicts the training mean scores exactly 0.
    """
    y_true, y_pred = _check(y_true, y_pred)
    sse = float(np.sum((y_true - y_pred) ** 2))
    sst = float(np.sum((y_true - train_mean) ** 2))
    if sst == 0.0:
        return 1.0 if sse == 0.0 else 0.0
    return 1.0 - sse / sst


def msle(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean squared log error, mean((log1p(y) − log1p(ŷ))²); NaN when a target or a
    prediction is negative: the metric is meant for non-negative quantities, and
    log1p is not even defined below −1."""
    y_true, y_pred = _check(y_true, y_pred)
    if (y_true < 0).any() or (y_pred < 0).any():
        return float("nan")
    return float(np.mean((np.log1p(y_true) - np.log1p(y_pred)) ** 2))


def rmse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Root mean squared error."""
    y_true, y_pred = _check(y_true, y_pred)
    return float(np.sqrt(np.mean((y_true - y_pred) ** 2)))


def mae(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean absolute error."""
    y_true, y_pred = _check(y_true, y_pred)
    return float(np.mean(np.abs(y_true - y_pred)))


def _check(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y_true = np.asarray(y_true, dtype=float).ravel()
    y_pred = np.asarray(y_pred, dtype=float).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has {y_true.size} values but y_pred has {y_pred.size}")
    if y_true.size == 0:
        raise ValueError("cannot score an empty split")
    return y_true, y_pred
