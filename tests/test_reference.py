"""negr2.reference against Newcombe (1998) and hand computations."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import scipy.stats

from negr2 import reference


def _wilson(k: int, n: int) -> tuple[float, float]:
    ci = scipy.stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return ci.low, ci.high


def _newcombe_by_hand(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float]:
    """Newcombe (1998) method 10, from the paper's formulas, with SciPy's Wilson limits."""
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = _wilson(k1, n1)
    l2, u2 = _wilson(k2, n2)
    delta = math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    epsilon = math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return p1 - p2 - delta, p1 - p2 + epsilon


def test_newcombe_published_worked_example():
    # Newcombe (1998), Stat Med 17:873, Table II example (a): 56/70 - 48/80,
    # method 10 gives 0.0524 to 0.3339.
    lo, hi = reference.newcombe_interval(56, 70, 48, 80)
    assert lo == pytest.approx(0.0524, abs=1e-3)
    assert hi == pytest.approx(0.3339, abs=1e-3)


@pytest.mark.parametrize(
    ("k1", "n1", "k2", "n2"),
    [(56, 70, 48, 80), (9, 10, 3, 10), (88, 100, 88, 100), (100, 100, 95, 100),
     (0, 100, 3, 100), (5, 56, 0, 29), (10, 10, 0, 20)],
)  # fmt: skip
def test_newcombe_matches_hand_computation(k1, n1, k2, n2):
    expected = _newcombe_by_hand(k1, n1, k2, n2)
    assert reference.newcombe_interval(k1, n1, k2, n2) == pytest.approx(expected, abs=1e-10)


def test_newcombe_is_antisymmetric():
    lo, hi = reference.newcombe_interval(56, 70, 48, 80)
    lo2, hi2 = reference.newcombe_interval(48, 80, 56, 70)
    assert (lo2, hi2) == pytest.approx((-hi, -lo))


def _summary(rows, ablation="full"):
    """A summary table: rows of (scenario_id, model_id, n_ok, negative_r2_pct, mean_r2, median_r2,
    std_r2), all of one ablation variant; names equal the ids (no sweeps)."""
    frame = pd.DataFrame(
        rows,
        columns=[
            "scenario_id",
            "model_id",
            "n_ok",
            "negative_r2_pct",
            "mean_r2",
            "median_r2",
            "std_r2",
        ],
    )
    frame.insert(0, "scenario", frame["scenario_id"])
    frame.insert(1, "model", frame["model_id"])
    frame.insert(2, "ablation", ablation)
    return frame


REFERENCE = {
    "source": "test",
    "scenario": "noise",
    "n_trials": 100,
    "models": {
        "A": {"negative_r2_pct": 88.0, "mean_r2": -0.107, "median_r2": -0.086},
        "B": {"negative_r2_pct": 50.0, "mean_r2": -0.100, "median_r2": -0.090},
        "Missing": {"negative_r2_pct": 10.0, "mean_r2": 0.0, "median_r2": 0.0},
    },
}


def test_compare_identical_values_agree():
    summary = _summary([
        ("noise", "A", 100, 88.0, -0.107, -0.086, 0.10),
        ("noise", "B", 100, 50.0, -0.100, -0.090, 0.10),
        ("other", "A", 100, 0.0, 5.0, 5.0, 0.10),  # another scenario: ignored
    ])  # fmt: skip
    out = reference.compare(summary, REFERENCE)
    assert list(out["model"]) == ["A", "B"]  # "Missing" is not in the summary
    assert out["negative_r2_pct_agrees"].tolist() == [True, True]
    assert out["mean_r2_agrees"].tolist() == [True, True]
    assert out["negative_r2_pct"].tolist() == [88.0, 50.0]
    assert out["published_median_r2"].tolist() == [-0.086, -0.090]
    # Identical rates: the difference interval straddles 0, by hand.
    lo, hi = _newcombe_by_hand(88, 100, 88, 100)
    assert out.loc[0, "negative_r2_pct_diff_lo"] == pytest.approx(100 * lo)
    assert out.loc[0, "negative_r2_pct_diff_hi"] == pytest.approx(100 * hi)
    half = scipy.stats.t.ppf(0.975, 198) * 0.10 * math.sqrt(2 / 100)
    assert out.loc[0, "mean_r2_diff_lo"] == pytest.approx(-half)
    assert out.loc[0, "mean_r2_diff_hi"] == pytest.approx(half)


def test_compare_far_apart_values_disagree():
    summary = _summary([
        ("noise", "A", 100, 20.0, 0.40, 0.40, 0.05),
        ("noise", "B", 100, 51.0, -0.101, -0.090, 0.10),  # close: still agrees
    ])  # fmt: skip
    out = reference.compare(summary, REFERENCE).set_index("model")
    assert not out.loc["A", "negative_r2_pct_agrees"]
    assert not out.loc["A", "mean_r2_agrees"]
    assert out.loc["B", "negative_r2_pct_agrees"]
    assert out.loc["B", "mean_r2_agrees"]
    lo, hi = _newcombe_by_hand(20, 100, 88, 100)
    assert out.loc["A", "negative_r2_pct_diff_lo"] == pytest.approx(100 * lo)
    assert out.loc["A", "negative_r2_pct_diff_hi"] == pytest.approx(100 * hi)
    assert hi < 0
    half = scipy.stats.t.ppf(0.975, 198) * 0.05 * math.sqrt(2 / 100)
    diff = 0.40 - (-0.107)
    assert out.loc["A", "mean_r2_diff_lo"] == pytest.approx(diff - half)
    assert out.loc["A", "mean_r2_diff_hi"] == pytest.approx(diff + half)


def test_compare_uses_our_number_of_ok_trials():
    # 40 ok trials at 75 % -> 30 negatives; reference 100 trials at 88 % -> 88.
    summary = _summary([("noise", "A", 40, 75.0, -0.107, -0.086, 0.10)])
    out = reference.compare(summary, {**REFERENCE, "models": {"A": REFERENCE["models"]["A"]}})
    lo, hi = _newcombe_by_hand(30, 40, 88, 100)
    assert out.loc[0, "negative_r2_pct_diff_lo"] == pytest.approx(100 * lo)
    assert out.loc[0, "negative_r2_pct_diff_hi"] == pytest.approx(100 * hi)
    half = scipy.stats.t.ppf(0.975, 138) * 0.10 * math.sqrt(1 / 40 + 1 / 100)
    assert out.loc[0, "mean_r2_diff_hi"] == pytest.approx(half)


def test_compare_reads_only_the_full_variant():
    full = _summary([
        ("noise", "A", 100, 88.0, -0.107, -0.086, 0.10),
        ("noise", "B", 100, 50.0, -0.100, -0.090, 0.10),
    ])  # fmt: skip
    # Ablated variants of the same cells, far from the published values: ignored.
    dropped = _summary(
        [("noise", "A", 100, 0.0, 3.0, 3.0, 0.10), ("noise", "B", 100, 100.0, -9.0, -9.0, 0.1)],
        ablation="drop:x0",
    )
    for summary in (pd.concat([full, dropped]), pd.concat([dropped, full])):
        out = reference.compare(summary.reset_index(drop=True), REFERENCE)
        assert list(out["model"]) == ["A", "B"]
        assert out["negative_r2_pct"].tolist() == [88.0, 50.0]
        assert out["mean_r2"].tolist() == [-0.107, -0.100]
        assert out["negative_r2_pct_agrees"].tolist() == [True, True]
        assert out["mean_r2_agrees"].tolist() == [True, True]


def test_compare_matches_scenario_and_model_by_id():
    summary = _summary([
        ("noise", "A", 100, 88.0, -0.107, -0.086, 0.10),
        ("noise@n_train=20", "B", 100, 50.0, -0.100, -0.090, 0.10),  # another point
    ])  # fmt: skip
    # The name columns must not be what is matched: give them misleading values.
    summary["scenario"] = "other"
    summary["model"] = ["B", "A"]
    out = reference.compare(summary, REFERENCE)
    assert list(out["model"]) == ["A"]
    assert out["negative_r2_pct"].tolist() == [88.0]


def test_compare_without_full_rows_is_empty():
    summary = _summary([("noise", "A", 100, 88.0, -0.107, -0.086, 0.10)], ablation="drop:x0")
    assert len(reference.compare(summary, REFERENCE)) == 0
