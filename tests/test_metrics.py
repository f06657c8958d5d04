"""negr2.metrics against scikit-learn's own implementations."""

from __future__ import annotations

import re

import numpy as np
import pytest
from sklearn.metrics import (
    mean_absolute_error,
    mean_squared_log_error,
    median_absolute_error,
    r2_score,
    root_mean_squared_error,
)

from negr2 import metrics, stats

SEEDS = [0, 1, 2, 3, 17, 2025]


def _pair(seed: int, size: int = 37) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y_true = rng.normal(loc=3.0, scale=2.0, size=size)
    # Predictions of varying quality: some good, some worse than the mean (negative R²).
    y_pred = y_true + rng.normal(scale=rng.uniform(0.1, 4.0), size=size)
    return y_true, y_pred


def _pairs() -> list[tuple[np.ndarray, np.ndarray]]:
    """Splits of 2 to 500 rows, predictions of every quality (R² far below 0 to near 1)."""
    sizes = np.random.default_rng(99).integers(2, 500, size=40)
    return [_pair(seed, int(size)) for seed, size in enumerate(sizes)]


@pytest.mark.parametrize(
    ("ours", "sklearn"),
    [
        (metrics.r2, r2_score),
        (metrics.rmse, root_mean_squared_error),
        (metrics.mae, mean_absolute_error),
        (metrics.medae, median_absolute_error),
    ],
    ids=["r2", "rmse", "mae", "medae"],
)
def test_fast_metrics_equal_sklearn_bit_for_bit(ours, sklearn):
    # negr2 keeps its own r2, rmse, mae and medae for speed (see negr2.metrics): they must give
    # scikit-learn's very floats, or the trials tables would change with the swap.
    for y_true, y_pred in _pairs():
        assert ours(y_true, y_pred) == sklearn(y_true, y_pred)


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


ALL = [
    metrics.r2,
    metrics.rmse,
    metrics.mae,
    metrics.medae,
    metrics.msle,
    lambda y_true, y_pred: metrics.oos_r2(y_true, y_pred, 0.0),
]
ALL_IDS = ["r2", "rmse", "mae", "medae", "msle", "oos_r2"]


@pytest.mark.parametrize("func", ALL, ids=ALL_IDS)
def test_mismatched_lengths_raise(func):
    with pytest.raises(ValueError, match="y_true has 3 values but y_pred has 2"):
        func(np.zeros(3), np.zeros(2))


@pytest.mark.parametrize("func", ALL, ids=ALL_IDS)
def test_empty_split_raises(func):
    with pytest.raises(ValueError, match="empty"):
        func(np.array([]), np.array([]))


# --- oos_r2 ----------------------------------------------------------------------------


def _oos_r2_formula(y_true, y_pred, train_mean):
    y_true, y_pred = np.ravel(y_true), np.ravel(y_pred)
    return 1.0 - np.sum((y_true - y_pred) ** 2) / np.sum((y_true - train_mean) ** 2)


@pytest.mark.parametrize("seed", SEEDS)
def test_oos_r2_matches_its_formula(seed):
    y_true, y_pred = _pair(seed)
    train_mean = np.random.default_rng(seed + 100).normal(loc=3.0, scale=0.5)
    expected = _oos_r2_formula(y_true, y_pred, train_mean)
    assert metrics.oos_r2(y_true, y_pred, train_mean) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_oos_r2_of_training_mean_prediction_is_exactly_zero(seed):
    rng = np.random.default_rng(seed)
    y_train, y_test = rng.normal(loc=1.0, size=30), rng.normal(loc=1.5, size=12)
    train_mean = float(np.mean(y_train))
    assert metrics.oos_r2(y_test, np.full(12, train_mean), train_mean) == 0.0
    # r2 against the test mean would call the same prediction negative.
    assert metrics.r2(y_test, np.full(12, train_mean)) < 0


def test_oos_r2_equals_r2_when_train_mean_is_test_mean():
    y_true, y_pred = _pair(3)
    expected = r2_score(y_true, y_pred)
    assert metrics.oos_r2(y_true, y_pred, float(np.mean(y_true))) == pytest.approx(expected)


def test_oos_r2_is_at_least_r2_for_any_train_mean():
    # Σ(y − c)² is smallest at c = mean(y), so the out-of-sample baseline is never better.
    y_true, y_pred = _pair(4)
    for c in (-5.0, 0.0, 2.9, 3.1, 10.0):
        assert metrics.oos_r2(y_true, y_pred, c) >= metrics.r2(y_true, y_pred) - 1e-12


def test_oos_r2_by_hand():
    # SSE = 1 + 1 = 2; baseline 0: SST = 1 + 9 = 10.
    assert metrics.oos_r2([1.0, 3.0], [0.0, 2.0], 0.0) == pytest.approx(0.8)
    # Worse than the baseline: SSE = 16 + 16 = 32 > SST = 10.
    assert metrics.oos_r2([1.0, 3.0], [5.0, -1.0], 0.0) == pytest.approx(1 - 32 / 10)


# --- msle ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_msle_matches_sklearn_on_non_negative_data(seed):
    rng = np.random.default_rng(seed)
    y_true = rng.exponential(scale=3.0, size=40)
    y_pred = np.abs(y_true + rng.normal(scale=2.0, size=40))
    y_true[0], y_pred[1] = 0.0, 0.0  # zero is allowed
    expected = mean_squared_log_error(y_true, y_pred)
    assert metrics.msle(y_true, y_pred) == pytest.approx(expected, rel=1e-12)


def test_msle_by_hand():
    e = np.e
    assert metrics.msle([e - 1, 0.0], [0.0, 0.0]) == pytest.approx(0.5)
    assert metrics.msle([2.0, 5.0], [2.0, 5.0]) == 0.0


@pytest.mark.parametrize(
    ("y_true", "y_pred"),
    [
        ([1.0, -0.5, 2.0], [1.0, 1.0, 2.0]),  # a negative target
        ([1.0, 0.5, 2.0], [1.0, -1e-9, 2.0]),  # a negative prediction
        ([-3.0, 0.5, 2.0], [1.0, 1.0, -2.0]),  # both, and below -1
    ],
)
def test_msle_undefined_for_negative_values_is_nan(y_true, y_pred):
    assert np.isnan(metrics.msle(np.asarray(y_true), np.asarray(y_pred)))


# --- the registry ----------------------------------------------------------------------


def _fold(seed: int) -> metrics.Fold:
    rng = np.random.default_rng(seed)
    y_train, y_test = rng.normal(0.4, 1.0, size=60), rng.normal(0.4, 1.0, size=25)
    y_fit = y_train + rng.normal(scale=0.5, size=60)
    return metrics.Fold(y_train, y_test, y_fit, y_test + rng.normal(scale=1.5, size=25))


#: Each metric scikit-learn has, as scikit-learn computes it on a fold.
SKLEARN = {
    "r2": lambda f: r2_score(f.y_test, f.y_pred),
    "rmse": lambda f: root_mean_squared_error(f.y_test, f.y_pred),
    "mae": lambda f: mean_absolute_error(f.y_test, f.y_pred),
    "medae": lambda f: median_absolute_error(f.y_test, f.y_pred),
    "r2_train": lambda f: r2_score(f.y_train, f.y_fit),
}


@pytest.mark.parametrize("name", sorted(SKLEARN))
def test_registered_scores_equal_sklearn_on_a_fold(name):
    # Each entry scores the right rows: test or training predictions, against their targets.
    for seed in SEEDS:
        fold = _fold(seed)
        assert metrics.metric(name).score(fold) == SKLEARN[name](fold)


def test_registered_oos_r2_takes_the_training_mean():
    fold = _fold(7)
    expected = _oos_r2_formula(fold.y_test, fold.y_pred, fold.y_train.mean())
    assert metrics.metric("oos_r2").score(fold) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("entry", metrics.REGISTRY.values(), ids=list(metrics.REGISTRY))
def test_registry_entries_are_complete(entry):
    assert re.fullmatch(r"[a-z][a-z0-9_]*", entry.name)
    assert entry.meaning and "|" not in entry.meaning  # one line of a Markdown table
    assert set(entry.summary) <= set(metrics.STATISTICS)
    assert entry.folds in metrics.FOLD_RULES
    assert bool(entry.undefined) == bool(entry.undefined_count) or not entry.in_trials
    if entry.abs_of:  # derived from a column of the trials, for claims
        assert metrics.REGISTRY[entry.abs_of].in_trials and entry.claims
    if entry.claims:  # a timing's differences are noise, not a model's merit
        assert entry.score is not None or entry.abs_of


def test_a_name_is_registered_once():
    with pytest.raises(ValueError, match="metric 'r2' is registered twice"):
        metrics.register("r2", "again", higher_is_better=True)(metrics.r2)
    assert metrics.REGISTRY["r2"].meaning != "again"


def test_every_statistic_is_computed_by_the_summary():
    assert set(stats._STATISTICS) == set(metrics.STATISTICS)


def test_summary_columns_never_collide():
    columns = [c for m in metrics.REGISTRY.values() for c in m.summary_columns]
    assert len(columns) == len(set(columns))


def test_an_unknown_metric_is_named_with_those_there_are():
    with pytest.raises(ValueError, match=r"unknown metric 'r3'; use one of: r2, oos_r2, rmse"):
        metrics.metric("r3")
    with pytest.raises(ValueError, match=r"'mae_neg' \(renamed negative_target_mae in results fo"):
        metrics.metric("mae_neg")


@pytest.mark.parametrize("entry", metrics.REGISTRY.values(), ids=list(metrics.REGISTRY))
def test_no_name_reads_as_a_negated_loss(entry):
    # scikit-learn's neg_mean_absolute_error is -MAE: a "neg" in a name reads that way.
    names = (entry.name, *entry.summary_columns, entry.undefined_count)
    assert not any(re.search(r"(^|_)neg(_|$)", name) for name in names)


# --- medae -----------------------------------------------------------------------------


def test_medae_by_hand():
    # Absolute errors 0, 1, 1, 3, 10: the median is 1 (the mean, 3, feels the 10).
    assert metrics.medae([0.0, 0.0, 0.0, 0.0, 0.0], [0.0, -1.0, 1.0, 3.0, 10.0]) == 1.0
    assert metrics.medae([1.0, 2.0], [2.0, 5.0]) == 2.0  # even count: mean of the middle two


def test_medae_is_a_claimable_loss_summarised_by_its_mean():
    medae = metrics.metric("medae")
    assert medae.higher_is_better is False and medae.claims
    assert medae.summary_columns == ("mean_medae",)
