"""Regression metrics, written out from their definitions, and their registry.

:data:`REGISTRY` holds one :class:`Metric` per metric, in the trials table's column order:
its name, how a fold is scored, its direction, when it is undefined (NaN), which summary
statistics it gets, whether claims may name it, and what it means. The trials table's
columns, the scoring of a trial, the summary, the claims' metrics and the MLflow metrics
all come from it; ``metric("r2").higher_is_better`` reads one entry. A metric's entry is
the :func:`register` decorator on its function: adding a metric is its decorated function
here, and its test (see docs/extending.md).

:func:`r2`, :func:`rmse`, :func:`mae` and :func:`medae` give scikit-learn's
``r2_score``, ``root_mean_squared_error``, ``mean_absolute_error`` and
``median_absolute_error`` bit for bit (tests/test_metrics.py checks that) but are kept by
hand: every trial calls them for each fold and variant, and scikit-learn's input
validation makes each call 24-52 times slower (medae 17-24 times). 10,000 calls on 40 and
200 rows (bench/bench_metrics.py): r2 0.07-0.08 s here against 1.8-1.9 s, rmse and mae
0.03-0.04 s against 1.6-1.8 s; that is ~0.7 ms a trial, half again the ~1.5 ms of a
LinearRegression trial of the default study.
scikit-learn has no :func:`oos_r2`, no :func:`msle` that is NaN for negative values (it
raises), and none of the negative-target metrics.

The negative-target metrics (:func:`negative_target_recall`, :func:`negative_target_mae`,
:func:`negative_target_bias`) score a model only on the test rows whose target is negative
(< 0), the minority a model trained mostly on positive targets tends to miss; they are NaN
when no test target is negative. :func:`negative_prediction_share` is always defined.
Names spell "negative" out: in scikit-learn a ``neg_`` prefix means a negated loss
(``neg_mean_absolute_error``), which none of these is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Fold:
    """What a metric sees of one fit: the targets and predictions of one fold, each of
    shape (n_rows,) (``y_fit``: the predictions on the training rows)."""

    y_train: np.ndarray
    y_test: np.ndarray
    y_fit: np.ndarray
    y_pred: np.ndarray


#: The summary statistics a metric may get, each with the columns it adds to the
#: summary (``{}`` is the metric's name), computed over the ok trials where the metric
#: is defined: the percentage of negative values with its Wilson 95 % interval, the mean
#: (with its Student-t 95 % interval), the median and the standard deviation.
STATISTICS = {
    "negative_share": ("negative_{}_pct", "negative_{}_pct_lo", "negative_{}_pct_hi"),
    "mean": ("mean_{}",),
    "mean_ci": ("mean_{}", "mean_{}_lo", "mean_{}_hi"),
    "median": ("median_{}",),
    "std": ("std_{}",),
}
#: How a k-fold trial combines its folds' values: their mean (NaN if a fold's is NaN),
#: their mean over the folds where it is defined, or their sum (timings).
FOLD_RULES = ("mean", "mean_defined", "sum")


@dataclass(frozen=True)
class Metric:
    """One metric: everything negr2 needs to score, combine, summarise and claim it.

    Attributes
    ----------
    name : the trials column, MLflow metric and claim name (snake_case; never ``neg_``).
    meaning : what it means, in one line (the docs' tables quote it).
    score : a fold's value from its :class:`Fold`; None for a timing, which the trial
        measures around the fit, and for a metric derived from another (``abs_of``).
    higher_is_better : its direction; None where neither is (a claim must say).
    summary : the :data:`STATISTICS` it gets, in the summary's column order.
    undefined : when it is NaN, in words ("" if never). A trial's NaN is left out of
        its statistics (and of claims).
    undefined_count : the summary column counting the ok trials where it is NaN.
    folds : how a k-fold trial combines its folds (:data:`FOLD_RULES`).
    claims : whether a claim may name it.
    group : metrics of a group are summarised after the others, with the group's
        undefined counts (the negative-target metrics, with their share of
        predictions, form one).
    abs_of : for a claim-only metric, the trials column whose absolute value it is.
    """

    name: str
    meaning: str
    score: Callable[[Fold], float] | None
    higher_is_better: bool | None
    summary: tuple[str, ...] = ("mean",)
    undefined: str = ""
    undefined_count: str = ""
    folds: str = "mean"
    claims: bool = False
    group: str = ""
    abs_of: str = ""

    @property
    def in_trials(self) -> bool:
        """Whether the trials table has a column for it (a derived metric has none)."""
        return not self.abs_of

    @property
    def column(self) -> str:
        """The trials column it is read from: its own, or the one it is derived from."""
        return self.abs_of or self.name

    def statistic_columns(self, statistic: str) -> tuple[str, ...]:
        """The summary columns of one of its statistics (a key of :data:`STATISTICS`)."""
        return tuple(column.format(self.name) for column in STATISTICS[statistic])

    @property
    def summary_columns(self) -> tuple[str, ...]:
        """The summary columns of its statistics, in order (its undefined count aside)."""
        return tuple(c for s in self.summary for c in self.statistic_columns(s))


#: Every metric by name, in the trials table's column order (the order of registration).
REGISTRY: dict[str, Metric] = {}


def metric(name: str) -> Metric:
    """The registry's entry for ``name``.

    Raises
    ------
    ValueError
        For a name not in the registry, naming those that are (and the new name of a
        metric renamed since).
    """
    if name in REGISTRY:
        return REGISTRY[name]
    from negr2.results_folder import renamed_hint

    hint = renamed_hint(name)
    raise ValueError(f"unknown metric {name!r}{hint}; use one of: {', '.join(REGISTRY)}")


def register(
    name: str, meaning: str, *, score: Callable[[Fold], float] | None = None, **entry
) -> Callable[[Callable[..., float]], Callable[..., float]]:
    """Register the decorated function as the metric ``name`` (:class:`Metric`'s fields
    as keywords), and return it unchanged. A fold is scored as ``function(y_test,
    y_pred)`` unless ``score`` says otherwise."""

    def decorate(function: Callable[..., float]) -> Callable[..., float]:
        scored = score or (lambda fold: function(fold.y_test, fold.y_pred))
        _add(Metric(name, meaning, scored, **entry))
        return function

    return decorate


def _add(entry: Metric) -> None:
    if entry.name in REGISTRY:
        raise ValueError(f"metric {entry.name!r} is registered twice")
    REGISTRY[entry.name] = entry


#: The negative-target metrics' shared NaN rule and group.
NEGATIVE_TARGETS = {
    "undefined": "the test split has no negative target",
    "undefined_count": "n_no_negative_targets",
    "folds": "mean_defined",
    "group": "negative targets",
}


# --- the metrics, in the trials table's column order (a new one goes before the timings) --


@register(
    "r2",
    "test R² (scikit-learn's r2_score): against the test targets' own mean",
    higher_is_better=True,
    summary=("negative_share", "mean_ci", "median", "std"),
    claims=True,
)
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


@register(
    "oos_r2",
    "out-of-sample R²: against the training mean, which a model can know",
    score=lambda fold: oos_r2(fold.y_test, fold.y_pred, float(np.mean(fold.y_train))),
    higher_is_better=True,
    summary=("negative_share", "mean_ci"),
    claims=True,
)
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


@register("rmse", "root mean squared error on the test rows", higher_is_better=False, claims=True)
def rmse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Root mean squared error."""
    y_true, y_pred = _check(y_true, y_pred)
    return float(np.sqrt(np.mean((y_true - y_pred) ** 2)))


@register("mae", "mean absolute error on the test rows", higher_is_better=False, claims=True)
def mae(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean absolute error."""
    y_true, y_pred = _check(y_true, y_pred)
    return float(np.mean(np.abs(y_true - y_pred)))


@register(
    "msle",
    "mean squared log error on the test rows",
    higher_is_better=False,
    undefined="a test target or a prediction is negative",
    undefined_count="n_msle_undefined",
)
def msle(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean squared log error, mean((log1p(y) − log1p(ŷ))²); NaN when a target or a
    prediction is negative: the metric is meant for non-negative quantities, and
    log1p is not even defined below −1."""
    y_true, y_pred = _check(y_true, y_pred)
    if (y_true < 0).any() or (y_pred < 0).any():
        return float("nan")
    return float(np.mean((np.log1p(y_true) - np.log1p(y_pred)) ** 2))


@register(
    "negative_target_recall",
    "share of the negative test targets (y < 0) predicted negative",
    higher_is_better=True,
    summary=("mean_ci",),
    claims=True,
    **NEGATIVE_TARGETS,
)
def negative_target_recall(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Share of the negative targets (y < 0) predicted negative (ŷ < 0); NaN when no
    target is negative. ``y_true``, ``y_pred``: arrays of shape (n_samples,)."""
    y_true, y_pred = _negative_targets(y_true, y_pred)
    return float(np.mean(y_pred < 0)) if y_true.size else float("nan")


@register(
    "negative_target_mae",
    "mean absolute error on the test rows whose target is negative",
    higher_is_better=False,
    claims=True,
    **NEGATIVE_TARGETS,
)
def negative_target_mae(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean absolute error over the rows with a negative target; NaN when there is
    none. ``y_true``, ``y_pred``: arrays of shape (n_samples,)."""
    y_true, y_pred = _negative_targets(y_true, y_pred)
    return float(np.mean(np.abs(y_pred - y_true))) if y_true.size else float("nan")


@register(
    "negative_target_bias",
    "mean of prediction − target on the test rows whose target is negative "
    "(> 0: pulled up, towards the mean)",
    higher_is_better=None,
    summary=("mean_ci",),
    **NEGATIVE_TARGETS,
)
def negative_target_bias(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean of ŷ − y over the rows with a negative target; NaN when there is none.

    Positive: the model pulls negative targets up, towards the (mostly positive) mean.
    ``y_true``, ``y_pred``: arrays of shape (n_samples,).
    """
    y_true, y_pred = _negative_targets(y_true, y_pred)
    return float(np.mean(y_pred - y_true)) if y_true.size else float("nan")


_add(
    Metric(
        "negative_target_abs_bias",
        "the absolute value of negative_target_bias: the size of that bias, whatever its "
        "sign (claims only)",
        score=None,
        higher_is_better=False,
        summary=(),
        claims=True,
        abs_of="negative_target_bias",
        **NEGATIVE_TARGETS,
    )
)


@register(
    "negative_prediction_share",
    "share of the test predictions that are negative (ŷ < 0)",
    higher_is_better=None,
    claims=True,
    group=NEGATIVE_TARGETS["group"],
)
def negative_prediction_share(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Share of the predictions that are negative (ŷ < 0), whatever the targets.
    ``y_true``, ``y_pred``: arrays of shape (n_samples,); ``y_true`` is only checked."""
    _, y_pred = _check(y_true, y_pred)
    return float(np.mean(y_pred < 0))


_add(
    Metric(
        "r2_train",
        "R² of the fit on its own training rows",
        score=lambda fold: r2(fold.y_train, fold.y_fit),
        higher_is_better=True,
    )
)


@register("medae", "median absolute error on the test rows", higher_is_better=False, claims=True)
def medae(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Median absolute error: unlike :func:`mae`, a few wild predictions barely move it."""
    y_true, y_pred = _check(y_true, y_pred)
    return float(np.median(np.abs(y_pred - y_true)))


# The timings, measured around the fit and the predictions (no score), summed over folds.
for _name, _what in (("fit_seconds", "the fit"), ("predict_seconds", "the test predictions")):
    _add(Metric(_name, f"seconds {_what} took (summed over folds)", None, False, folds="sum"))


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
