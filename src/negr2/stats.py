"""Intervals and the per-cell summary of a trials table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import scipy.stats

from negr2.columns import TRIAL_METRICS  # noqa: F401 (stats.TRIAL_METRICS, as before)


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

    Failed trials are counted in ``n_failed`` and left out of every statistic.
    ``msle`` is undefined where a target or prediction is negative: its mean is
    over the trials where it is defined, and ``n_msle_undefined`` counts the others.
    Likewise ``neg_recall``, ``mae_neg`` and ``bias_neg`` are undefined in a trial
    whose test split has no negative target: their means (and the t intervals of
    ``mean_neg_recall`` and ``mean_bias_neg``) are over the trials where they are
    defined, and ``n_no_negative_targets`` counts the others.
    """
    ok = trials[trials["status"] == "ok"]
    r2 = ok["r2"].to_numpy(dtype=float)
    out = {"n_trials": len(trials), "n_ok": len(ok), "n_failed": len(trials) - len(ok)}
    out |= _negative_share(r2, "neg_pct")
    out |= _mean_with_interval(r2, "mean_r2")
    out["median_r2"] = float(np.median(r2)) if r2.size else math.nan
    out["std_r2"] = float(r2.std(ddof=1)) if r2.size > 1 else math.nan
    oos = ok["oos_r2"].to_numpy(dtype=float)
    out |= _negative_share(oos, "oos_neg_pct") | _mean_with_interval(oos, "mean_oos_r2")
    for metric in ("rmse", "mae", "msle", "r2_train", "fit_seconds", "predict_seconds"):
        values = ok[metric].to_numpy(dtype=float)
        values = values[~np.isnan(values)]
        out[f"mean_{metric}"] = float(values.mean()) if values.size else math.nan
    out["n_msle_undefined"] = int(ok["msle"].isna().sum())
    return out | _negative_target_summary(ok)


def _negative_target_summary(ok: pd.DataFrame) -> dict[str, float]:
    """Means of the negative-target metrics over the ok trials where they are defined."""
    out: dict[str, float] = {}
    for metric in ("neg_recall", "mae_neg", "bias_neg", "pred_neg_share"):
        values = ok[metric].to_numpy(dtype=float)
        values = values[~np.isnan(values)]
        if metric in ("neg_recall", "bias_neg"):
            out |= _mean_with_interval(values, f"mean_{metric}")
        else:
            out[f"mean_{metric}"] = float(values.mean()) if values.size else math.nan
    out["n_no_negative_targets"] = int(ok["neg_recall"].isna().sum())
    return out


def _negative_share(values: np.ndarray, name: str) -> dict[str, float]:
    """Percentage of negative values with its Wilson 95 % interval."""
    k = int(np.sum(values < 0))
    lo, hi = wilson_interval(k, values.size)
    pct = 100 * k / values.size if values.size else math.nan
    return {name: pct, f"{name}_lo": 100 * lo, f"{name}_hi": 100 * hi}


def _mean_with_interval(values: np.ndarray, name: str) -> dict[str, float]:
    lo, hi = mean_interval(values)
    mean = float(values.mean()) if values.size else math.nan
    return {name: mean, f"{name}_lo": lo, f"{name}_hi": hi}


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
