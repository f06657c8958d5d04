"""Regression metrics, written out from their definitions.

:func:`r2`, :func:`rmse` and :func:`mae` give scikit-learn's ``r2_score``,
``root_mean_squared_error`` and ``mean_absolute_error`` bit for bit
(tests/test_metrics.py checks that) but are kept by hand: every trial calls them four
times per fold and variant, and scikit-learn's input validation makes each call 24-52
times slower. 10,000 calls on 40 and 200 rows (bench/bench_metrics.py): r2 0.07-0.08 s
here against 1.8-1.9 s, rmse and mae 0.03-0.04 s against 1.6-1.8 s; that is ~0.7 ms a
trial, half again the ~1.5 ms of a LinearRegression trial of the default study.
scikit-learn has no :func:`oos_r2`, no :func:`msle` that is NaN for negative
values (it raises), and none of the negative-target metrics.

The negative-target metrics (:func:`neg_recall`, :func:`mae_neg`, :func:`bias_neg`)
score a model only on the test rows whose target is negative (< 0), the minority a
model trained mostly on positive targets tends to miss; they are NaN when no test
target is negative. :func:`pred_neg_share` is always defined.
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


def neg_recall(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Share of the negative targets (y < 0) predicted negative (ŷ < 0); NaN when no
    target is negative.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
    """
    y_true, y_pred = _negative_targets(y_true, y_pred)
    return float(np.mean(y_pred < 0)) if y_true.size else float("nan")


def mae_neg(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean absolute error over the rows with a negative target; NaN when there is none.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
    """
    y_true, y_pred = _negative_targets(y_true, y_pred)
    return float(np.mean(np.abs(y_pred - y_true))) if y_true.size else float("nan")


def bias_neg(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean of ŷ − y over the rows with a negative target; NaN when there is none.

    Positive: the model pulls negative targets up, towards the (mostly positive) mean.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
    """
    y_true, y_pred = _negative_targets(y_true, y_pred)
    return float(np.mean(y_pred - y_true)) if y_true.size else float("nan")


def pred_neg_share(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Share of the predictions that are negative (ŷ < 0), whatever the targets.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,); ``y_true`` is only checked.
    """
    _, y_pred = _check(y_true, y_pred)
    return float(np.mean(y_pred < 0))


def _negative_targets(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows (targets, predictions) whose target is negative, each (n_negative,)."""
    y_true, y_pred = _check(y_true, y_pred)
    negative = y_true < 0
    return y_true[negative], y_pred[negative]


def _check(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y_true = np.asarray(y_true, dtype=float).ravel()
    y_pred = np.asarray(y_pred, dtype=float).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has {y_true.size} values but y_pred has {y_pred.size}")
    if y_true.size == 0:
        raise ValueError("cannot score an empty split")
    return y_true, y_pred
