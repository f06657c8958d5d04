"""negr2.stats intervals against SciPy, and the per-cell summary by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from negr2 import stats
from negr2.columns import TRIAL_METRICS

KN = [(0, 1), (1, 1), (0, 10), (10, 10), (3, 10), (1, 2), (50, 100), (88, 100), (99, 100)]
KN += [(0, 100), (100, 100), (1, 100), (7, 13), (200, 1000), (1, 3), (2, 3)]
Z95 = 1.959963984540054  # the normal 97.5 % quantile


def _wilson_by_formula(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson (1927): (p + z²/2n ± z √(p(1−p)/n + z²/4n²)) / (1 + z²/n)."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


@pytest.mark.parametrize(("k", "n"), KN)
def test_wilson_interval_matches_its_formula(k, n):
    lo, hi = stats.wilson_interval(k, n)
    assert (lo, hi) == pytest.approx(_wilson_by_formula(k, n), abs=1e-12)
    assert 0.0 <= lo <= k / n <= hi <= 1.0


def test_wilson_interval_by_hand():
    # k = 0 of n = 10: the upper bound is z² / (n + z²).
    assert stats.wilson_interval(0, 10)[1] == pytest.approx(Z95**2 / (10 + Z95**2), rel=1e-12)
    # 5 of 10: symmetric about 1/2, half-width z √(n/4 + z²/4) / (n + z²).
    lo, hi = stats.wilson_interval(5, 10)
    half = Z95 * math.sqrt(10 / 4 + Z95**2 / 4) / (10 + Z95**2)
    assert (lo, hi) == pytest.approx((0.5 - half, 0.5 + half), rel=1e-12)


@pytest.mark.parametrize(("confidence", "z"), [(0.8, 1.2815515655446004), (0.99, 2.5758293035489)])
def test_wilson_interval_other_confidence(confidence, z):
    lo, hi = stats.wilson_interval(13, 40, confidence=confidence)
    assert (lo, hi) == pytest.approx(_wilson_by_formula(13, 40, z), abs=1e-12)


@pytest.mark.parametrize("n", [1, 7, 25, 100, 1000])
def test_wilson_interval_extremes_are_exactly_the_bounds(n):
    # Exact: the summary prints 10 digits, where 1e-17 off 0 would show.
    assert stats.wilson_interval(0, n)[0] == 0.0
    assert stats.wilson_interval(n, n)[1] == 1.0


def test_wilson_interval_n_zero_is_nan():
    lo, hi = stats.wilson_interval(0, 0)
    assert math.isnan(lo) and math.isnan(hi)


@pytest.mark.parametrize(("k", "n"), [(11, 10), (1, 0), (-1, 5)])
def test_wilson_interval_rejects_impossible_counts(k, n):
    with pytest.raises(ValueError):
        stats.wilson_interval(k, n)


# Student t 97.5 % and 99.5 % quantiles (statistical tables).
T975 = {1: 12.706204736174696, 4: 2.7764451051977987, 9: 2.2621571627409915, 99: 1.984216951}
T995 = {24: 2.796939504772804}


@pytest.mark.parametrize(("seed", "size"), [(0, 2), (1, 5), (2, 10), (3, 100)])
def test_mean_interval_matches_its_formula(seed, size):
    x = np.random.default_rng(seed).normal(loc=-0.1, scale=0.3, size=size)
    half = T975[size - 1] * x.std(ddof=1) / math.sqrt(size)
    expected = (x.mean() - half, x.mean() + half)
    assert stats.mean_interval(x) == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_mean_interval_by_hand():
    # 1..5: mean 3, standard deviation √2.5, standard error √0.5.
    lo, hi = stats.mean_interval(np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
    half = T975[4] * math.sqrt(0.5)
    assert (lo, hi) == pytest.approx((3 - half, 3 + half), rel=1e-12)


def test_mean_interval_other_confidence():
    x = np.random.default_rng(9).normal(size=25)
    half = T995[24] * x.std(ddof=1) / 5
    lo, hi = stats.mean_interval(x, confidence=0.99)
    assert (lo, hi) == pytest.approx((x.mean() - half, x.mean() + half), rel=1e-12)


@pytest.mark.parametrize("values", [[], [0.5]])
def test_mean_interval_needs_two_values(values):
    lo, hi = stats.mean_interval(np.asarray(values))
    assert math.isnan(lo) and math.isnan(hi)


@pytest.mark.parametrize("value", [0.0, -0.25, 3.0])
def test_mean_interval_of_equal_values_is_the_point(value):
    assert stats.mean_interval(np.full(8, value)) == (value, value)


def test_mean_interval_takes_any_shape_as_one_sample():
    x = np.random.default_rng(4).normal(size=(6, 2))
    assert stats.mean_interval(x) == stats.mean_interval(x.ravel())


NAN = float("nan")


def _trials_frame() -> pd.DataFrame:
    """Two cells of full rows; cell (noise, A) has one failed trial whose values must be
    ignored, and one ok trial whose MSLE is undefined (a negative target) and whose
    negative-target metrics are undefined (no negative target: made up, not consistent
    with its MSLE, for the sake of the test)."""
    rows = [
        # model, trial, seed, r2, oos_r2, rmse, mae, msle, negative_target_recall,
        # negative_target_mae, negative_target_bias, negative_prediction_share, r2_train,
        # fit_s, predict_s, status, error
        ("A", 0, 10, -0.20, -0.25, 1.1, 0.9, 0.30, 0.50, 1.2, 0.8, 0.3, 0.10, 0.01, 0.001,
         "ok", ""),
        ("A", 1, 11, 0.05, 0.01, 1.0, 0.8, NAN, NAN, NAN, NAN, 0.1, 0.12, 0.03, 0.003, "ok", ""),
        ("A", 2, 12, -0.10, 0.02, 1.2, 1.0, 0.50, 0.25, 1.5, 1.1, 0.2, 0.08, 0.02, 0.002,
         "ok", ""),
        ("A", 3, 13, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, "failed",
         "RuntimeError: boom"),
        ("A", 4, 14, -0.40, -0.45, 1.3, 1.1, 0.70, 1.00, 0.4, -0.2, 0.5, 0.20, 0.04, 0.004,
         "ok", ""),
        ("B", 0, 10, 0.30, 0.32, 0.7, 0.5, 0.10, 0.00, 2.0, 1.9, 0.0, 0.50, 0.10, 0.010,
         "ok", ""),
        ("B", 1, 11, -0.01, 0.00, 0.9, 0.6, 0.20, 0.50, 1.0, 0.6, 0.25, 0.40, 0.20, 0.020,
         "ok", ""),
    ]  # fmt: skip
    columns = ["model", "trial", "seed", "r2", "oos_r2", "rmse", "mae", "msle",
               "negative_target_recall", "negative_target_mae", "negative_target_bias",
               "negative_prediction_share", "r2_train", "fit_seconds", "predict_seconds",
               "status", "error"]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    frame.insert(0, "scenario", "noise")
    frame.insert(1, "scenario_id", "noise")
    frame.insert(3, "model_id", frame["model"])
    frame.insert(4, "ablation", "full")
    frame.insert(17, "medae", [0.7, 0.6, 0.9, NAN, 1.0, 0.4, 0.5])
    # A metric registered since gets a value in every trial (NaN in the failed one).
    for name in TRIAL_METRICS:
        if name not in frame:
            frame[name] = np.where(frame["status"] == "ok", 0.5, NAN)
    return frame


def _wilson_pct(k: int, n: int) -> tuple[float, float]:
    ci = scipy.stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return 100 * ci.low, 100 * ci.high


def _t_interval(x: np.ndarray) -> tuple[float, float]:
    return scipy.stats.t.interval(0.95, df=x.size - 1, loc=x.mean(), scale=scipy.stats.sem(x))


def test_trial_metrics_keep_their_order_and_end_with_the_timings():
    known = (
        "r2", "oos_r2", "rmse", "mae", "msle", "negative_target_recall", "negative_target_mae",
        "negative_target_bias", "negative_prediction_share", "r2_train", "medae",
    )  # fmt: skip
    assert [name for name in TRIAL_METRICS if name in known] == list(known)
    assert TRIAL_METRICS[-2:] == ("fit_seconds", "predict_seconds")


def test_summarise_cell_by_hand():
    frame = _trials_frame()
    cell = frame[frame["model"] == "A"]
    out = stats.summarise_cell(cell)
    ok_r2 = np.array([-0.20, 0.05, -0.10, -0.40])
    ok_oos = np.array([-0.25, 0.01, 0.02, -0.45])
    assert out["n_trials"] == 5
    assert out["n_ok"] == 4
    assert out["n_failed"] == 1
    assert out["negative_r2_pct"] == pytest.approx(75.0)  # 3 of 4 ok trials are negative
    assert (out["negative_r2_pct_lo"], out["negative_r2_pct_hi"]) == pytest.approx(
        _wilson_pct(3, 4)
    )
    assert out["mean_r2"] == pytest.approx(-0.1625)
    assert out["median_r2"] == pytest.approx(np.median(ok_r2))
    assert out["median_r2"] == pytest.approx(-0.15)
    assert out["std_r2"] == pytest.approx(np.std(ok_r2, ddof=1))
    assert (out["mean_r2_lo"], out["mean_r2_hi"]) == pytest.approx(_t_interval(ok_r2))
    # Out-of-sample R²: 2 of 4 negative, its own mean and interval.
    assert out["negative_oos_r2_pct"] == pytest.approx(50.0)
    assert (out["negative_oos_r2_pct_lo"], out["negative_oos_r2_pct_hi"]) == pytest.approx(
        _wilson_pct(2, 4)
    )
    assert out["mean_oos_r2"] == pytest.approx((-0.25 + 0.01 + 0.02 - 0.45) / 4)
    assert (out["mean_oos_r2_lo"], out["mean_oos_r2_hi"]) == pytest.approx(_t_interval(ok_oos))
    assert out["mean_rmse"] == pytest.approx((1.1 + 1.0 + 1.2 + 1.3) / 4)
    assert out["mean_mae"] == pytest.approx((0.9 + 0.8 + 1.0 + 1.1) / 4)
    assert out["mean_medae"] == pytest.approx((0.7 + 0.6 + 0.9 + 1.0) / 4)  # not the failed
    # MSLE: mean over the 3 ok trials where it is defined; the failed trial is not counted.
    assert out["mean_msle"] == pytest.approx((0.30 + 0.50 + 0.70) / 3)
    assert out["n_msle_undefined"] == 1
    assert out["mean_r2_train"] == pytest.approx((0.10 + 0.12 + 0.08 + 0.20) / 4)
    assert out["mean_fit_seconds"] == pytest.approx(0.025)
    assert out["mean_predict_seconds"] == pytest.approx(0.0025)
    for value in out.values():
        assert not math.isnan(value)  # the failed row's NaNs never leak in


def test_summarise_cell_msle_all_undefined_is_nan():
    frame = _trials_frame()
    frame["msle"] = NAN
    out = stats.summarise_cell(frame[frame["model"] == "B"])
    assert math.isnan(out["mean_msle"])
    assert out["n_msle_undefined"] == 2


def test_summarise_cell_zero_counts_as_not_negative():
    frame = _trials_frame().iloc[:2].copy()
    frame["r2"] = [0.0, -1e-12]
    frame["oos_r2"] = [-1e-12, -1e-12]
    out = stats.summarise_cell(frame)
    assert out["negative_r2_pct"] == pytest.approx(50.0)
    assert out["negative_oos_r2_pct"] == pytest.approx(100.0)
    frame["oos_r2"] = [0.0, 0.0]
    assert stats.summarise_cell(frame)["negative_oos_r2_pct"] == pytest.approx(0.0)


def test_summarise_cell_all_failed_is_nan():
    frame = _trials_frame()
    frame = frame[frame["status"] == "failed"]
    out = stats.summarise_cell(frame)
    assert out["n_trials"] == 1 and out["n_ok"] == 0 and out["n_failed"] == 1
    assert out["n_msle_undefined"] == 0  # only ok trials are counted
    for key in (
        "negative_r2_pct", "negative_r2_pct_lo", "mean_r2", "median_r2", "std_r2", "mean_rmse",
        "negative_oos_r2_pct", "negative_oos_r2_pct_lo", "negative_oos_r2_pct_hi",
        "mean_oos_r2", "mean_oos_r2_lo", "mean_msle", "mean_medae",
    ):  # fmt: skip
        assert math.isnan(out[key]), key


def test_summarise_one_row_per_cell_in_order():
    summary = stats.summarise(_trials_frame())
    assert list(summary["model"]) == ["A", "B"]
    assert list(summary["scenario"]) == ["noise", "noise"]
    assert list(summary["n_ok"]) == [4, 2]
    assert list(summary["n_failed"]) == [1, 0]
    assert summary["negative_r2_pct"].tolist() == pytest.approx([75.0, 50.0])
    assert summary["median_r2"].tolist() == pytest.approx(
        [np.median([-0.20, 0.05, -0.10, -0.40]), np.median([0.30, -0.01])]
    )
    assert summary["mean_r2"].tolist() == pytest.approx([-0.1625, 0.145])
    assert summary["negative_oos_r2_pct"].tolist() == pytest.approx([50.0, 0.0])
    assert summary["mean_msle"].tolist() == pytest.approx([0.5, 0.15])


def test_summarise_keeps_first_appearance_order():
    frame = _trials_frame()
    frame = pd.concat([frame[frame["model"] == "B"], frame[frame["model"] == "A"]])
    assert list(stats.summarise(frame)["model"]) == ["B", "A"]


def test_summarise_by_keys_with_carried_columns():
    frame = _trials_frame()
    # A second variant of model B, and ids that differ from names.
    drop = frame[frame["model"] == "B"].assign(ablation="drop:x0", r2=[-0.5, -0.6])
    frame = pd.concat([frame, drop], ignore_index=True)
    frame["model_id"] = frame["model"] + "@alpha=1"
    frame["alpha"] = 1.0
    summary = stats.summarise(
        frame, ("scenario_id", "model_id", "ablation"), ("scenario", "model", "alpha")
    )
    assert list(summary.columns[:6]) == [
        "scenario_id", "model_id", "ablation", "scenario", "model", "alpha",
    ]  # fmt: skip
    assert list(zip(summary["model_id"], summary["ablation"], strict=True)) == [
        ("A@alpha=1", "full"),
        ("B@alpha=1", "full"),
        ("B@alpha=1", "drop:x0"),
    ]
    assert summary["model"].tolist() == ["A", "B", "B"]
    assert summary["alpha"].tolist() == [1.0, 1.0, 1.0]
    assert summary["mean_r2"].tolist() == pytest.approx([-0.1625, 0.145, -0.55])
    assert summary["n_trials"].tolist() == [5, 2, 2]
    expected = set(stats.summarise_cell(frame.iloc[:2]))
    assert expected <= set(summary.columns)


# --- paired_difference -----------------------------------------------------------------


@pytest.mark.parametrize(("seed", "size"), [(0, 5), (1, 12), (2, 40), (3, 100)])
def test_paired_difference_matches_scipy(seed, size):
    rng = np.random.default_rng(seed)
    b = rng.normal(size=size)
    a = b + rng.normal(loc=0.2, scale=0.5, size=size)
    out = stats.paired_difference(a, b)
    ci = scipy.stats.ttest_rel(a, b).confidence_interval(confidence_level=0.95)
    assert out["n_pairs"] == size
    assert out["mean_diff"] == pytest.approx(np.mean(a - b), rel=1e-12)
    assert (out["diff_lo"], out["diff_hi"]) == pytest.approx((ci.low, ci.high), rel=1e-9)
    assert out["wilcoxon_p"] == pytest.approx(scipy.stats.wilcoxon(a - b).pvalue, rel=1e-9)
    assert 0 < out["wilcoxon_p"] <= 1


def test_paired_difference_is_antisymmetric():
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=15), rng.normal(size=15)
    ab, ba = stats.paired_difference(a, b), stats.paired_difference(b, a)
    assert ab["mean_diff"] == pytest.approx(-ba["mean_diff"])
    assert (ab["diff_lo"], ab["diff_hi"]) == pytest.approx((-ba["diff_hi"], -ba["diff_lo"]))
    assert ab["wilcoxon_p"] == pytest.approx(ba["wilcoxon_p"])


def test_paired_difference_all_zero_differences():
    a = np.array([0.1, -0.2, 0.3, 0.4])
    out = stats.paired_difference(a, a.copy())
    assert out["n_pairs"] == 4
    assert out["mean_diff"] == 0.0
    assert (out["diff_lo"], out["diff_hi"]) == (0.0, 0.0)
    assert math.isnan(out["wilcoxon_p"])


@pytest.mark.parametrize("size", [0, 1])
def test_paired_difference_too_few_pairs(size):
    out = stats.paired_difference(np.ones(size), np.zeros(size))
    assert out["n_pairs"] == size
    assert math.isnan(out["diff_lo"]) and math.isnan(out["diff_hi"])
    assert math.isnan(out["wilcoxon_p"])
    if size == 1:
        assert out["mean_diff"] == 1.0
    else:
        assert math.isnan(out["mean_diff"])
