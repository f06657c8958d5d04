"""Our numbers beside a published table, with an honest agreement test.

A published rate or mean from 100 trials is itself an estimate, so agreement
means the *difference* between the two estimates is compatible with zero: a 95 %
interval for the difference that covers 0. For negative % that is Newcombe's
hybrid score interval for a difference of two proportions; for the mean R² a
t interval whose spread uses our standard deviation for both samples (the
published table gives none, and the design is the same).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
from scipy.special import stdtrit

from negr2.columns import FULL
from negr2.stats import wilson_interval


def newcombe_interval(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float]:
    """95 % interval for p1 − p2 (Newcombe 1998, method 10: hybrid Wilson score)."""
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson_interval(k1, n1)
    l2, u2 = wilson_interval(k2, n2)
    diff = p1 - p2
    lower = diff - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = diff + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return lower, upper


def compare(summary: pd.DataFrame, reference: Mapping[str, Any]) -> pd.DataFrame:
    """One row per model of the reference: published and measured values, their
    differences with 95 % intervals, and whether they agree.

    ``summary`` is the study's summary table; ``reference`` the config's
    ``reference`` block (``scenario``, ``n_trials`` and per-model ``negative_r2_pct``,
    ``mean_r2``, ``median_r2``).
    """
    full = summary[
        (summary["scenario_id"] == reference["scenario"]) & (summary["ablation"] == FULL)
    ]
    ours = full.set_index("model_id")
    n_ref = int(reference["n_trials"])
    rows = []
    for model, published in reference["models"].items():
        if model not in ours.index:
            continue
        row = ours.loc[model]
        n = int(row["n_ok"])
        if n == 0:  # every trial of the model failed: nothing to compare
            continue
        k_ours = round(row["negative_r2_pct"] * n / 100)
        k_ref = round(published["negative_r2_pct"] * n_ref / 100)
        neg_lo, neg_hi = newcombe_interval(k_ours, n, k_ref, n_ref)
        mean_diff = row["mean_r2"] - published["mean_r2"]
        half = stdtrit(n + n_ref - 2, 0.975) * row["std_r2"] * math.sqrt(1 / n + 1 / n_ref)
        rows.append(
            {
                "model": model,
                "published_negative_r2_pct": published["negative_r2_pct"],
                "negative_r2_pct": row["negative_r2_pct"],
                "negative_r2_pct_diff_lo": 100 * neg_lo,
                "negative_r2_pct_diff_hi": 100 * neg_hi,
                "negative_r2_pct_agrees": bool(neg_lo <= 0 <= neg_hi),
                "published_mean_r2": published["mean_r2"],
                "mean_r2": row["mean_r2"],
                "mean_r2_diff_lo": mean_diff - half,
                "mean_r2_diff_hi": mean_diff + half,
                "mean_r2_agrees": bool(abs(mean_diff) <= half),
                "published_median_r2": published["median_r2"],
                "median_r2": row["median_r2"],
            }
        )
    return pd.DataFrame(rows)
