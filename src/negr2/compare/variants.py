"""Compare the two versions of one cell's ablation variant, quantity by quantity.

Each quantity (a metric's mean, the share of negative R², the share of failed trials)
gets a :class:`~negr2.compare.statistics.Change` and whether it is bit-identical in
the two versions. Verdicts come later, once every cell's p-values can be corrected
together (:mod:`negr2.compare.engine`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from negr2.compare.metrics import FAILED_SHARE, METRICS, NEGATIVE_SHARE
from negr2.compare.statistics import (
    Change,
    paired_change,
    paired_share_change,
    unpaired_share_change,
    welch_change,
)
from negr2.errors import InputError


@dataclass(frozen=True)
class Measured:
    """One quantity of one variant in the two versions: its change, and whether its
    values are the same, trial by trial and bit for bit (NaN equal to NaN)."""

    quantity: str
    change: Change
    identical: bool


def compare_variant(base: pd.DataFrame, new: pd.DataFrame, paired: bool) -> list[Measured]:
    """Every quantity of one ablation variant of a cell, ``new`` against ``base``.

    ``base`` and ``new`` hold the variant's trials (columns ``trial``, ``status`` and
    the metrics). ``paired``: both versions drew the same data, so trial *t* of one
    pairs with trial *t* of the other; then both must hold the same trials.
    """
    base, new = _by_trial(base), _by_trial(new)
    same_trials = np.array_equal(base["trial"].to_numpy(), new["trial"].to_numpy())
    if paired and not same_trials:
        first = base["trial"].iloc[0] if len(base) else None
        raise InputError(
            f"BASE and NEW drew the same data but hold different trials (BASE's first is "
            f"{first}): is one of them a partial table?"
        )
    ok_base = (base["status"] == "ok").to_numpy()
    ok_new = (new["status"] == "ok").to_numpy()
    same_status = same_trials and np.array_equal(ok_base, ok_new)
    out = []
    for metric in METRICS:
        b, n = base[metric].to_numpy(dtype=float), new[metric].to_numpy(dtype=float)
        identical = same_status and np.array_equal(b, n, equal_nan=True)
        out.append(Measured(metric, _metric_change(b, n, ok_base, ok_new, paired), identical))
    out.append(_negative_share(base, new, ok_base, ok_new, paired, same_status))
    failed_base, failed_new = ~ok_base, ~ok_new
    failed = (
        paired_share_change(failed_base, failed_new)
        if paired
        else unpaired_share_change(failed_base, failed_new)
    )
    out.append(Measured(FAILED_SHARE, failed, same_status))
    return out


def _by_trial(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows in trial order: as they are (no copy of a million-row cell) when they
    already are, as a table holds them."""
    if rows["trial"].is_monotonic_increasing:
        return rows
    return rows.sort_values("trial", kind="stable").reset_index(drop=True)


def _metric_change(
    b: np.ndarray, n: np.ndarray, ok_base: np.ndarray, ok_new: np.ndarray, paired: bool
) -> Change:
    """A metric's change over the trials where it is defined: the pairs where both
    versions have it, or each version's own trials."""
    if paired:
        both = ok_base & ok_new & ~np.isnan(b) & ~np.isnan(n)
        return paired_change(b[both], n[both])
    return welch_change(b[ok_base & ~np.isnan(b)], n[ok_new & ~np.isnan(n)])


def _negative_share(
    base: pd.DataFrame,
    new: pd.DataFrame,
    ok_base: np.ndarray,
    ok_new: np.ndarray,
    paired: bool,
    same_status: bool,
) -> Measured:
    """The share of ok trials with a negative test R², in percent."""
    b, n = base["r2"].to_numpy(dtype=float), new["r2"].to_numpy(dtype=float)
    if paired:
        both = ok_base & ok_new
        change = paired_share_change(b[both] < 0, n[both] < 0)
    else:
        change = unpaired_share_change(b[ok_base] < 0, n[ok_new] < 0)
    identical = same_status and np.array_equal(b[ok_base] < 0, n[ok_new] < 0)
    return Measured(NEGATIVE_SHARE, change, identical)


def one_side(rows: pd.DataFrame) -> dict[str, float]:
    """Each quantity of a variant present in one version only: its mean (or share)."""
    ok = (rows["status"] == "ok").to_numpy()
    values = {}
    for metric in METRICS:
        x = rows[metric].to_numpy(dtype=float)[ok]
        x = x[~np.isnan(x)]
        values[metric] = float(x.mean()) if x.size else float("nan")
    r2 = rows["r2"].to_numpy(dtype=float)[ok]
    values[NEGATIVE_SHARE] = 100 * float(np.mean(r2 < 0)) if r2.size else float("nan")
    values[FAILED_SHARE] = 100 * float(np.mean(~ok)) if ok.size else float("nan")
    return values
