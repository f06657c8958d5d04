"""Intervals and the per-cell summary of a trials table."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import scipy.stats

from negr2.metrics import REGISTRY, Metric


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (SciPy's ``binomtest``).

    Returns ``(nan, nan)`` when ``n == 0``, where SciPy raises. Unlike the normal (Wald)
    interval it stays inside [0, 1] and keeps its coverage at 0 % and 100 %, which
    matter here (RANSAC is negative in nearly every trial). There its bounds are
    exactly 0 and 1; SciPy's rounding leaves ~1e-17 off them, which the summary's
    10-digit text would show, so they are set.
    """
    if not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n, got {successes} and {n}")
    if n == 0:
        return math.nan, math.nan
    ci = scipy.stats.binomtest(successes, n).proportion_ci(
        confidence_level=confidence, method="wilson"
    )
    lower = 0.0 if successes == 0 else float(ci.low)
    upper = 1.0 if successes == n else float(ci.high)
    return lower, upper


def mean_interval(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    """Student-t interval for a mean (SciPy's ``t.interval``).

    ``(nan, nan)`` with fewer than two values, where the standard error is undefined;
    the point ``(mean, mean)`` when every value is the same (a zero standard error,
    where SciPy's scale must be positive), e.g. a variant's paired difference to itself.
    """
    x = np.asarray(values, dtype=float).ravel()  # one sample, whatever its shape
    if x.size < 2:
        return math.nan, math.nan
    mean, error = float(x.mean()), float(scipy.stats.sem(x))
    if error == 0.0:
        return mean, mean
    lower, upper = scipy.stats.t.interval(confidence, x.size - 1, loc=mean, scale=error)
    return float(lower), float(upper)


def summarise_cell(trials: pd.DataFrame) -> dict[str, float]:
    """Summary statistics of one cell's trials (rows of one scenario × model × ablation).

    Failed trials are counted in ``n_failed`` and left out of every statistic. Each
    metric of :data:`negr2.metrics.REGISTRY` gets its statistics over the ok trials
    where it is defined (``msle`` is undefined where a target or prediction is
    negative, the negative-target metrics where a test split has no negative target),
    and a metric's ``undefined_count`` column counts the others. The metrics of a group
    follow the others, each group with its own counts.
    """
    ok = trials[trials["status"] == "ok"]
    out = {"n_trials": len(trials), "n_ok": len(ok), "n_failed": len(trials) - len(ok)}
    for group in _summarised_groups():
        counts: dict[str, int] = {}
        for metric in group:
            values = ok[metric.name].to_numpy(dtype=float)
            defined = values[~np.isnan(values)]
            for statistic in metric.summary:
                columns = metric.statistic_columns(statistic)
                out |= zip(columns, _STATISTICS[statistic](defined), strict=True)
            if metric.undefined_count and metric.undefined_count not in counts:
                counts[metric.undefined_count] = int(values.size - defined.size)
        out |= counts
    return out


def _summarised_groups() -> list[list[Metric]]:
    """The trials' metrics by group, in registry order: the ungrouped ones first."""
    groups: dict[str, list[Metric]] = {"": []}
    for metric in REGISTRY.values():
        if metric.in_trials:
            groups.setdefault(metric.group, []).append(metric)
    return list(groups.values())


def _negative_share(values: np.ndarray) -> tuple[float, float, float]:
    """Percentage of negative values with its Wilson 95 % interval."""
    k = int(np.sum(values < 0))
    lo, hi = wilson_interval(k, values.size)
    pct = 100 * k / values.size if values.size else math.nan
    return pct, 100 * lo, 100 * hi


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if values.size else math.nan


#: Each statistic of :data:`negr2.metrics.STATISTICS`: its values, in its columns' order,
#: from a metric's defined values of shape (n,).
_STATISTICS: dict[str, Callable[[np.ndarray], tuple[float, ...]]] = {
    "negative_share": _negative_share,
    "mean": lambda values: (_mean(values),),
    "mean_ci": lambda values: (_mean(values), *mean_interval(values)),
    "median": lambda values: (float(np.median(values)) if values.size else math.nan,),
    "std": lambda values: (float(values.std(ddof=1)) if values.size > 1 else math.nan,),
}


def summarise(
    trials: pd.DataFrame,
    keys: tuple[str, ...] = ("scenario", "model"),
    carry: tuple[str, ...] = (),
) -> pd.DataFrame:
    """One row per cell (``keys``) with :func:`summarise_cell`'s columns, in the
    order cells first appear in ``trials``. ``carry`` columns, constant within a
    cell, are copied from its first row."""
    rows = []
    for key, group in trials.groupby(list(keys), sort=False, dropna=False, observed=True):
        first = group.iloc[0]
        rows.append(
            {
                **dict(zip(keys, key, strict=True)),
                **{c: first[c] for c in carry},
                **summarise_cell(group),
            }
        )
    return pd.DataFrame(rows)


def paired_difference(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """Mean of ``a − b`` (paired) with its t 95 % interval and the two-sided
    Wilcoxon signed-rank p-value (NaN when every difference is 0 or with < 2 pairs)."""
    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    lo, hi = mean_interval(d)
    p = math.nan
    if d.size >= 2 and np.any(d != 0):
        p = float(scipy.stats.wilcoxon(d).pvalue)
    return {
        "n_pairs": int(d.size),
        "mean_diff": float(d.mean()) if d.size else math.nan,
        "diff_lo": lo,
        "diff_hi": hi,
        "wilcoxon_p": p,
    }
