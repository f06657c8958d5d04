"""Intervals and the per-cell summary of a trials table."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd
from scipy.special import stdtrit

#: Metrics measured in every trial; the summary carries the mean of each.
TRIAL_METRICS = ("r2", "rmse", "mae", "r2_train", "fit_seconds", "predict_seconds")


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion.

    Returns ``(nan, nan)`` when ``n == 0``. Unlike the normal (Wald) interval it
    stays inside [0, 1] and keeps its coverage at 0 % and 100 %, which matter here
    (RANSAC is negative in nearly every trial).
    """
    if not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n, got {successes} and {n}")
    if n == 0:
        return math.nan, math.nan
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    lower = 0.0 if successes == 0 else centre - half
    upper = 1.0 if successes == n else centre + half
    return lower, upper


def mean_interval(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    """Student-t interval for a mean; ``(nan, nan)`` with fewer than two values."""
    x = np.asarray(values, dtype=float)
    if x.size < 2:
        return math.nan, math.nan
    half = stdtrit(x.size - 1, 0.5 + confidence / 2) * x.std(ddof=1) / math.sqrt(x.size)
    return float(x.mean() - half), float(x.mean() + half)


def summarise_cell(trials: pd.DataFrame) -> dict[str, float]:
    """Summary statistics of one cell's trials (rows of one scenario × model).

    Failed trials are counted in ``n_failed`` and left out of every statistic.
    """
    ok = trials[trials["status"] == "ok"]
    r2 = ok["r2"].to_numpy(dtype=float)
    n_neg = int(np.sum(r2 < 0))
    lo, hi = wilson_interval(n_neg, r2.size)
    mean_lo, mean_hi = mean_interval(r2)
    out = {
        "n_trials": len(trials),
        "n_ok": len(ok),
        "n_failed": len(trials) - len(ok),
        "neg_pct": 100 * n_neg / r2.size if r2.size else math.nan,
        "neg_pct_lo": 100 * lo,
        "neg_pct_hi": 100 * hi,
        "mean_r2": float(r2.mean()) if r2.size else math.nan,
        "mean_r2_lo": mean_lo,
        "mean_r2_hi": mean_hi,
        "median_r2": float(np.median(r2)) if r2.size else math.nan,
        "std_r2": float(r2.std(ddof=1)) if r2.size > 1 else math.nan,
    }
    for metric in TRIAL_METRICS[1:]:
        out[f"mean_{metric}"] = float(ok[metric].mean()) if len(ok) else math.nan
    return out


def summarise(trials: pd.DataFrame, keys: tuple[str, ...] = ("scenario", "model")) -> pd.DataFrame:
    """One row per cell (``keys``) with :func:`summarise_cell`'s columns, in the
    order cells first appear in ``trials``."""
    rows = [
        {**dict(zip(keys, key, strict=True)), **summarise_cell(group)}
        for key, group in trials.groupby(list(keys), sort=False)
    ]
    return pd.DataFrame(rows)
