"""The tests behind negr2 compare, against SciPy run on the raw columns, closed forms and
published worked examples."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats

from negr2.compare import statistics as st

RNG = np.random.default_rng(20261207)


def _samples(n: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """Two paired samples with a small shift and correlated noise."""
    base = RNG.normal(-0.1, 0.1, n)
    return base, base + RNG.normal(0.02, 0.05, n)


def test_paired_change_is_scipys_paired_t_interval_and_wilcoxon():
    base, new = _samples()
    change = st.paired_change(base, new)
    ttest = scipy.stats.ttest_rel(new, base)
    interval = ttest.confidence_interval(0.95)
    assert change.delta == pytest.approx(np.mean(new - base), rel=1e-12)
    assert (change.lo, change.hi) == pytest.approx((interval.low, interval.high), rel=1e-10)
    assert change.p == pytest.approx(scipy.stats.wilcoxon(new, base).pvalue, rel=1e-12)
    assert (change.n_base, change.n_new) == (40, 40)


def test_paired_change_of_equal_samples_has_no_evidence():
    base, _ = _samples()
    change = st.paired_change(base, base.copy())
    assert (change.delta, change.lo, change.hi, change.p) == (0, 0, 0, 1)


def test_welch_change_is_scipys_welch_test():
    base, new = RNG.normal(0, 1, 30), RNG.normal(0.4, 2, 50)
    change = st.welch_change(base, new)
    result = scipy.stats.ttest_ind(new, base, equal_var=False)
    interval = result.confidence_interval(0.95)
    assert change.delta == pytest.approx(new.mean() - base.mean(), rel=1e-12)
    assert (change.lo, change.hi) == pytest.approx((interval.low, interval.high), rel=1e-10)
    assert change.p == pytest.approx(result.pvalue, rel=1e-12)
    # Welch's interval from its formula: Satterthwaite's degrees of freedom.
    va, vb = base.var(ddof=1) / base.size, new.var(ddof=1) / new.size
    df = (va + vb) ** 2 / (va**2 / (base.size - 1) + vb**2 / (new.size - 1))
    half = scipy.stats.t.ppf(0.975, df) * math.sqrt(va + vb)
    assert (change.lo, change.hi) == pytest.approx((change.delta - half, change.delta + half))


def test_mcnemar_is_the_exact_binomial_test_of_the_discordant_pairs():
    base = np.array([True] * 30 + [False] * 30)
    new = base.copy()
    new[:3] = False  # 3 trials no longer negative
    new[30:41] = True  # 11 newly negative
    change = st.paired_share_change(base, new)
    assert change.p == pytest.approx(scipy.stats.binomtest(11, 14, 0.5).pvalue, rel=1e-12)
    assert change.p == pytest.approx(scipy.stats.binomtest(3, 14, 0.5).pvalue, rel=1e-12)
    assert (change.base, change.new) == pytest.approx((50.0, 100 * 38 / 60))
    assert change.delta == pytest.approx(100 * 8 / 60)


def test_mcnemar_without_flips_has_no_evidence():
    flags = np.array([True, False] * 10)
    assert st.paired_share_change(flags, flags.copy()).p == 1.0


def _wilson_closed_form(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson's score interval from its quadratic's roots (not SciPy's binomtest)."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def _newcombe_paired_by_hand(a: int, b: int, c: int, d: int) -> tuple[float, float]:
    """Newcombe (1998) method 10 for paired data, written out again independently."""
    n = a + b + c + d
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = _wilson_closed_form(a + b, n)
    l2, u2 = _wilson_closed_form(a + c, n)
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    ad_bc = a * d - b * c
    corrected = ad_bc - n / 2 if ad_bc > n / 2 else (ad_bc if ad_bc < 0 else 0.0)
    phi = corrected / math.sqrt(margins) if margins else 0.0
    dl, du = p1 - l1, u1 - p1
    el, eu = p2 - l2, u2 - p2
    lower = p1 - p2 - math.sqrt(dl**2 - 2 * phi * dl * eu + eu**2)
    upper = p1 - p2 + math.sqrt(du**2 - 2 * phi * du * el + el**2)
    return lower, upper


def test_newcombe_paired_matches_the_published_example():
    # Fagerland, Lydersen & Laake, Statistical Analysis of Contingency Tables (2017),
    # chapter 8, the data of Cavo et al. (2012): 59, 6, 16, 80;
    # the Newcombe square-and-add interval is -0.1186 to -0.0046 (estimate -0.0621).
    lo, hi = st.newcombe_paired_interval(59, 6, 16, 80)
    assert (lo, hi) == pytest.approx((-0.1186, -0.0046), abs=1e-4)


@pytest.mark.parametrize(
    "table", [(59, 6, 16, 80), (1, 1, 7, 12), (10, 0, 0, 10), (0, 5, 3, 12), (20, 0, 0, 0),
              (3, 9, 1, 27), (40, 2, 2, 56)],
)  # fmt: skip
def test_newcombe_paired_matches_an_independent_implementation(table):
    expected = _newcombe_paired_by_hand(*table)
    assert st.newcombe_paired_interval(*table) == pytest.approx(expected, abs=1e-12)


def test_unpaired_share_is_newcombe_and_the_two_proportion_z_test():
    base = np.array([True] * 48 + [False] * 32)  # 48/80
    new = np.array([True] * 56 + [False] * 14)  # 56/70
    change = st.unpaired_share_change(base, new)
    # Newcombe (1998), example (a): 56/70 - 48/80, method 10: 0.0524 to 0.3339.
    assert (change.lo, change.hi) == pytest.approx((5.24, 33.39), abs=0.01)
    pooled = (48 + 56) / 150
    z = (56 / 70 - 48 / 80) / math.sqrt(pooled * (1 - pooled) * (1 / 70 + 1 / 80))
    assert change.p == pytest.approx(2 * scipy.stats.norm.sf(abs(z)), rel=1e-10)


def _holm_by_hand(p: list[float]) -> list[float]:
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    adjusted, running = [0.0] * m, 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adjusted[i] = running
    return adjusted


def test_holm_matches_the_step_down_by_hand():
    p = [0.01, 0.04, 0.03, 0.005, 0.5, 0.2]
    assert st.correct(np.array(p), "holm") == pytest.approx(_holm_by_hand(p))


def test_benjamini_hochberg_matches_scipy():
    p = RNG.uniform(0, 0.2, 25)
    expected = scipy.stats.false_discovery_control(p, method="bh")
    assert st.correct(p, "bh") == pytest.approx(expected, rel=1e-12)


def test_corrections_leave_missing_p_values_out():
    p = np.array([0.01, np.nan, 0.02])
    adjusted = st.correct(p, "holm")
    assert np.isnan(adjusted[1])
    assert adjusted[[0, 2]] == pytest.approx([0.02, 0.02])  # two tests, not three


@pytest.mark.parametrize("n", [st.LARGE + 1, 40_000])
def test_the_signed_rank_test_of_many_pairs_is_scipys(n):
    d = np.round(RNG.normal(0.01, 1, n), 2)  # ties
    d[:30] = 0  # and zeros, which the test drops
    expected = scipy.stats.wilcoxon(d).pvalue
    assert expected == scipy.stats.wilcoxon(d, method="asymptotic").pvalue
    assert st.signed_rank_p(d) == pytest.approx(expected, rel=1e-9)
    shifted = d + 0.02
    assert st.signed_rank_p(shifted) == pytest.approx(
        scipy.stats.wilcoxon(shifted).pvalue, rel=1e-9
    )
