"""The tests behind a comparison of two versions of a cell, and their correction.

Every difference is ``new − base``. Paired trials (both versions drew the same data)
get a paired t interval with a Wilcoxon signed-rank p-value, and for a share (of
negative R², of failed trials) an exact McNemar test on the trials that flipped with
Newcombe's paired interval. Unpaired trials get Welch's t interval and p-value, and for
a share Pearson's chi-squared test with Newcombe's hybrid score interval. The p-values
of many cells are corrected together by Holm's step-down or Benjamini–Hochberg.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.stats

from negr2.reference import newcombe_interval
from negr2.stats import mean_interval, wilson_interval

#: The corrections for many cells, by the name the output gives them.
CORRECTIONS = ("holm", "bh")


@dataclass(frozen=True)
class Change:
    """A difference ``new − base`` with its 95 % interval and p-value.

    ``base`` and ``new`` are the two versions' means (or shares); ``n_base`` and
    ``n_new`` the trials each one counts (the pairs twice over when paired); ``spread``
    the standard deviation of the values across trials (both versions pooled), which
    says how small a difference is negligible; ``test`` names the test of ``p``.
    """

    base: float
    new: float
    delta: float
    lo: float
    hi: float
    p: float
    n_base: int
    n_new: int
    spread: float
    test: str


def paired_change(base: np.ndarray, new: np.ndarray) -> Change:
    """Paired t interval of the mean difference, Wilcoxon signed-rank p-value.

    ``base`` and ``new`` have shape ``(n_pairs,)``, trial *i* of one paired with
    trial *i* of the other. With no difference at all the p-value is 1.
    """
    base, new = np.asarray(base, dtype=float), np.asarray(new, dtype=float)
    d = new - base
    n = d.size
    lo, hi = mean_interval(d)
    p = math.nan
    if n >= 2:  # no difference at all: no evidence of one
        p = signed_rank_p(d) if np.any(d != 0) else 1.0
    return Change(
        _mean(base), _mean(new), _mean(d), lo, hi, p, n, n, _spread(base, new),
        "paired t, Wilcoxon signed-rank p",
    )  # fmt: skip


#: Above this many differences the signed-rank test is computed here (SciPy's normal
#: approximation, the same p-value, a tenth of the time on a million pairs).
LARGE = 5_000


def signed_rank_p(d: np.ndarray) -> float:
    """Two-sided Wilcoxon signed-rank p-value of the differences ``d`` (zeros dropped),
    as ``scipy.stats.wilcoxon(d)`` gives it. Beyond :data:`LARGE` differences, where
    SciPy uses the normal approximation, it is computed here the same way: ranks of
    ``|d|`` with ties averaged, the tie-corrected variance, no continuity correction."""
    if d.size <= LARGE:
        return float(scipy.stats.wilcoxon(d).pvalue)
    d = d[d != 0]
    n = d.size
    order = np.argsort(np.abs(d))
    magnitudes = np.abs(d)[order]
    starts = np.flatnonzero(np.r_[True, magnitudes[1:] != magnitudes[:-1]])
    ties = np.diff(np.r_[starts, n])
    ranks = np.repeat(starts + (ties + 1) / 2, ties)  # average rank of each tie group
    r_plus = float(ranks[d[order] > 0].sum())
    mean = n * (n + 1) / 4
    variance = n * (n + 1) * (2 * n + 1) / 24 - float(np.sum(ties**3.0 - ties)) / 48
    z = (min(r_plus, n * (n + 1) / 2 - r_plus) - mean) / math.sqrt(variance)
    return float(min(1.0, 2 * scipy.stats.norm.cdf(z)))


def welch_change(base: np.ndarray, new: np.ndarray) -> Change:
    """Welch's t interval of the difference of means, and its p-value (unequal
    variances; the two versions' trials independent)."""
    base, new = np.asarray(base, dtype=float), np.asarray(new, dtype=float)
    delta = _mean(new) - _mean(base)
    lo = hi = p = math.nan
    if base.size >= 2 and new.size >= 2:
        if np.ptp(base) == 0 and np.ptp(new) == 0:  # no spread: a t test is undefined
            lo = hi = delta
            p = 1.0 if delta == 0 else 0.0
        else:
            result = scipy.stats.ttest_ind(new, base, equal_var=False)
            interval = result.confidence_interval(0.95)
            lo, hi, p = float(interval.low), float(interval.high), float(result.pvalue)
    return Change(
        _mean(base), _mean(new), delta, lo, hi, p, base.size, new.size, _spread(base, new),
        "Welch t",
    )  # fmt: skip


def paired_share_change(base: np.ndarray, new: np.ndarray) -> Change:
    """The change of a share over paired trials (``base`` and ``new``: booleans of
    shape ``(n_pairs,)``), in percentage points: Newcombe's paired interval and the
    exact McNemar test (a two-sided binomial test of the trials that flipped)."""
    base, new = np.asarray(base, dtype=bool), np.asarray(new, dtype=bool)
    n = base.size
    both, base_only = int(np.sum(base & new)), int(np.sum(base & ~new))
    new_only, neither = int(np.sum(~base & new)), int(np.sum(~base & ~new))
    flips = base_only + new_only
    p = float(scipy.stats.binomtest(new_only, flips).pvalue) if flips else 1.0
    lo, hi = newcombe_paired_interval(both, new_only, base_only, neither) if n else (math.nan,) * 2
    return Change(
        _pct(both + base_only, n), _pct(both + new_only, n), _pct(new_only - base_only, n),
        100 * lo, 100 * hi, p if n else math.nan, n, n, 100 * _share_spread(base, new),
        "McNemar exact, Newcombe paired interval",
    )  # fmt: skip


def unpaired_share_change(base: np.ndarray, new: np.ndarray) -> Change:
    """The change of a share between independent trials, in percentage points:
    Newcombe's hybrid score interval and Pearson's chi-squared test (no continuity
    correction)."""
    base, new = np.asarray(base, dtype=bool), np.asarray(new, dtype=bool)
    k_base, k_new, n_base, n_new = int(base.sum()), int(new.sum()), base.size, new.size
    lo = hi = p = math.nan
    if n_base and n_new:
        lo, hi = newcombe_interval(k_new, n_new, k_base, n_base)
        table = np.array([[k_new, n_new - k_new], [k_base, n_base - k_base]])
        if table.sum(axis=0).all():
            p = float(scipy.stats.chi2_contingency(table, correction=False).pvalue)
        else:  # both versions all one way: the shares are equal (0 % or 100 %)
            p = 1.0
    return Change(
        _pct(k_base, n_base), _pct(k_new, n_new), _pct(k_new, n_new) - _pct(k_base, n_base),
        100 * lo, 100 * hi, p, n_base, n_new, 100 * _share_spread(base, new),
        "Pearson chi-squared, Newcombe interval",
    )  # fmt: skip


def newcombe_paired_interval(
    both: int, first_only: int, second_only: int, neither: int, z: float = 1.959963984540054
) -> tuple[float, float]:
    """95 % interval for ``p_first − p_second`` from paired binary outcomes (Newcombe
    1998, Stat Med 17:2635, method 10: square-and-add of Wilson intervals with the
    continuity-corrected correlation φ).

    ``both`` pairs are positive in both, ``first_only`` in the first only, and so on;
    ``p_first = (both + first_only) / n``.
    """
    n = both + first_only + second_only + neither
    k1, k2 = both + first_only, both + second_only
    p1, p2 = k1 / n, k2 / n
    l1, u1 = wilson_interval(k1, n)
    l2, u2 = wilson_interval(k2, n)
    phi = _phi(both, first_only, second_only, neither)
    delta = math.sqrt(max((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2, 0))
    epsilon = math.sqrt(max((u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2, 0))
    return p1 - p2 - delta, p1 - p2 + epsilon


def _phi(a: int, b: int, c: int, d: int) -> float:
    """The correlation of the paired outcomes, its numerator ``ad − bc`` shrunk by
    ``n/2`` towards 0 when positive (0 when a margin is empty)."""
    n = a + b + c + d
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    if margins == 0:
        return 0.0
    numerator = a * d - b * c
    if numerator > n / 2:
        numerator -= n / 2
    elif numerator >= 0:
        numerator = 0
    return numerator / math.sqrt(margins)


def correct(p_values: np.ndarray, method: str) -> np.ndarray:
    """The p-values adjusted for testing them together (NaN stays NaN and is not
    counted): ``holm`` (family-wise error) or ``bh`` (Benjamini–Hochberg, false
    discovery rate)."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, math.nan)
    tested = ~np.isnan(p)
    if method == "holm":
        out[tested] = _holm(p[tested])
    elif method == "bh":
        out[tested] = _benjamini_hochberg(p[tested])
    else:
        raise ValueError(f"unknown correction {method!r}; use one of {', '.join(CORRECTIONS)}")
    return out


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down: the i-th smallest of m p-values times (m − i), made monotone."""
    order = np.argsort(p, kind="stable")
    m = p.size
    stepped = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out = np.empty(m)
    out[order] = np.minimum(stepped, 1.0)
    return out


def _benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg: the i-th smallest of m p-values times m / i, made monotone
    from the largest down."""
    order = np.argsort(p, kind="stable")
    m = p.size
    scaled = p[order] * m / np.arange(1, m + 1)
    stepped = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(stepped, 1.0)
    return out


def _mean(x: np.ndarray) -> float:
    return float(x.mean()) if x.size else math.nan


def _pct(k: int, n: int) -> float:
    return 100 * k / n if n else math.nan


def _spread(base: np.ndarray, new: np.ndarray) -> float:
    """Standard deviation of the values across trials, both versions pooled."""
    values = np.concatenate([base, new])
    return float(values.std(ddof=1)) if values.size > 1 else math.nan


def _share_spread(base: np.ndarray, new: np.ndarray) -> float:
    return _spread(base.astype(float), new.astype(float))
