"""negr2.metrics against scikit-learn's own implementations."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import mean_absolute_error, r2_score, root_mean_squared_error

from negr2 import metrics

SEEDS = [0, 1, 2, 3, 17, 2025]


def _pair(seed: int, size: int = 37) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y_true = rng.normal(loc=3.0, scale=2.0, size=size)
    # Predictions of varying quality: some good, some worse than the mean (negative R²).
    y_pred = y_true + rng.normal(scale=rng.uniform(0.1, 4.0), size=size)
    return y_true, y_pred


@pytest.mark.parametrize("seed", SEEDS)
def test_r2_matches_sklearn(seed):
    y_true, y_pred = _pair(seed)
    assert metrics.r2(y_true, y_pred) == pytest.approx(r2_score(y_true, y_pred), rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_rmse_matches_sklearn(seed):
    y_true, y_pred = _pair(seed)
    expected = root_mean_squared_error(y_true, y_pred)
    assert metrics.rmse(y_true, y_pred) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_mae_matches_sklearn(seed):
    y_true, y_pred = _pair(seed)
    expected = mean_absolute_error(y_true, y_pred)
    assert metrics.mae(y_true, y_pred) == pytest.approx(expected, rel=1e-12)


def test_r2_can_be_negative_like_sklearn():
    y_true = np.array([1.0, 2.0, 3.0, 4.0])
    y_pred = np.array([4.0, 3.0, 2.0, 1.0])
    expected = r2_score(y_true, y_pred)
    assert expected < 0
    assert metrics.r2(y_true, y_pred) == pytest.approx(expected)


def test_r2_of_training_mean_prediction_is_nonpositive():
    rng = np.random.default_rng(5)
    y_true = rng.normal(size=50)
    y_pred = np.full(50, 0.3)
    expected = r2_score(y_true, y_pred)
    assert metrics.r2(y_true, y_pred) == pytest.approx(expected)
    assert metrics.r2(y_true, y_pred) <= 0


@pytest.mark.parametrize(
    ("y_pred", "expected"),
    [
        ([2.5, 2.5, 2.5, 2.5], 1.0),  # perfect prediction of a constant target
        ([2.5, 2.5, 2.5, 2.6], 0.0),  # anything else
        ([0.0, 1.0, 2.0, 3.0], 0.0),
    ],
)
def test_r2_constant_target_follows_sklearn_force_finite(y_pred, expected):
    y_true = np.full(4, 2.5)
    assert r2_score(y_true, y_pred, force_finite=True) == expected  # the reference itself
    assert metrics.r2(y_true, np.asarray(y_pred)) == expected


def test_metrics_accept_column_vectors_like_sklearn():
    y_true, y_pred = _pair(11, size=20)
    col_true, col_pred = y_true.reshape(-1, 1), y_pred.reshape(-1, 1)
    assert metrics.r2(col_true, col_pred) == pytest.approx(r2_score(y_true, y_pred))
    assert metrics.rmse(col_true, y_pred) == pytest.approx(root_mean_squared_error(y_true, y_pred))
    assert metrics.mae(y_true, col_pred) == pytest.approx(mean_absolute_error(y_true, y_pred))


def test_rmse_and_mae_by_hand():
    y_true = [0.0, 0.0, 0.0, 0.0]
    y_pred = [1.0, -1.0, 3.0, -3.0]
    assert metrics.rmse(y_true, y_pred) == pytest.approx(np.sqrt((1 + 1 + 9 + 9) / 4))
    assert metrics.mae(y_true, y_pred) == pytest.approx(2.0)


@pytest.mark.parametrize("func", [metrics.r2, metrics.rmse, metrics.mae])
def test_mismatched_lengths_raise(func):
    with pytest.raises(ValueError, match="y_true has 3 values but y_pred has 2"):
        func(np.zeros(3), np.zeros(2))


@pytest.mark.parametrize("func", [metrics.r2, metrics.rmse, metrics.mae])
def test_empty_split_raises(func):
    with pytest.raises(ValueError, match="empty"):
        func(np.array([]), np.array([]))
