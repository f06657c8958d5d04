"""negr2.stats intervals against SciPy, and the per-cell summary by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from negr2 import stats

KN = [(0, 1), (1, 1), (0, 10), (10, 10), (3, 10), (1, 2), (50, 100), (88, 100), (99, 100)]
KN += [(0, 100), (100, 100), (1, 100), (7, 13), (200, 1000), (1, 3), (2, 3)]


@pytest.mark.parametrize(("k", "n"), KN)
def test_wilson_interval_matches_scipy(k, n):
    ci = scipy.stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    lo, hi = stats.wilson_interval(k, n)
    assert lo == pytest.approx(ci.low, abs=1e-10)
    assert hi == pytest.approx(ci.high, abs=1e-10)
    eps = 1e-12  # k = 0 gives a lower limit of ~3e-17 by rounding, not exactly 0
    assert 0.0 <= lo <= k / n + eps and k / n - eps <= hi <= 1.0


@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.99])
def test_wilson_interval_other_confidence_matches_scipy(confidence):
    ci = scipy.stats.binomtest(13, 40).proportion_ci(confidence_level=confidence, method="wilson")
    lo, hi = stats.wilson_interval(13, 40, confidence=confidence)
    assert (lo, hi) == pytest.approx((ci.low, ci.high), abs=1e-10)


def test_wilson_interval_extremes_touch_bounds():
    assert stats.wilson_interval(0, 25)[0] == pytest.approx(0.0, abs=1e-12)
    assert stats.wilson_interval(25, 25)[1] == pytest.approx(1.0, abs=1e-12)


def test_wilson_interval_n_zero_is_nan():
    lo, hi = stats.wilson_interval(0, 0)
    assert math.isnan(lo) and math.isnan(hi)


@pytest.mark.parametrize(("k", "n"), [(11, 10), (1, 0), (-1, 5)])
def test_wilson_interval_rejects_impossible_counts(k, n):
    with pytest.raises(ValueError):
        stats.wilson_interval(k, n)


@pytest.mark.parametrize(("seed", "size"), [(0, 2), (1, 3), (2, 10), (3, 100), (4, 1000)])
def test_mean_interval_matches_scipy_t(seed, size):
    x = np.random.default_rng(seed).normal(loc=-0.1, scale=0.3, size=size)
    expected = scipy.stats.t.interval(0.95, df=size - 1, loc=x.mean(), scale=scipy.stats.sem(x))
    assert stats.mean_interval(x) == pytest.approx(expected, rel=1e-10, abs=1e-12)


def test_mean_interval_other_confidence_matches_scipy_t():
    x = np.random.default_rng(9).normal(size=25)
    expected = scipy.stats.t.interval(0.99, df=24, loc=x.mean(), scale=scipy.stats.sem(x))
    assert stats.mean_interval(x, confidence=0.99) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("values", [[], [0.5]])
def test_mean_interval_needs_two_values(values):
    lo, hi = stats.mean_interval(np.asarray(values))
    assert math.isnan(lo) and math.isnan(hi)


def _trials_frame() -> pd.DataFrame:
    """Two cells; cell (noise, A) has one failed trial whose r2 must be ignored."""
    rows = [
        # scenario, model, trial, seed, r2, rmse, mae, r2_train, fit_s, predict_s, status, error
        ("noise", "A", 0, 10, -0.20, 1.1, 0.9, 0.10, 0.01, 0.001, "ok", ""),
        ("noise", "A", 1, 11, 0.05, 1.0, 0.8, 0.12, 0.03, 0.003, "ok", ""),
        ("noise", "A", 2, 12, -0.10, 1.2, 1.0, 0.08, 0.02, 0.002, "ok", ""),
        ("noise", "A", 3, 13, float("nan"), float("nan"), float("nan"), float("nan"),
         float("nan"), float("nan"), "failed", "RuntimeError: boom"),
        ("noise", "A", 4, 14, -0.40, 1.3, 1.1, 0.20, 0.04, 0.004, "ok", ""),
        ("noise", "B", 0, 10, 0.30, 0.7, 0.5, 0.50, 0.10, 0.010, "ok", ""),
        ("noise", "B", 1, 11, -0.01, 0.9, 0.6, 0.40, 0.20, 0.020, "ok", ""),
    ]  # fmt: skip
    columns = ["scenario", "model", "trial", "seed", "r2", "rmse", "mae", "r2_train",
               "fit_seconds", "predict_seconds", "status", "error"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def test_summarise_cell_by_hand():
    frame = _trials_frame()
    cell = frame[frame["model"] == "A"]
    out = stats.summarise_cell(cell)
    ok_r2 = np.array([-0.20, 0.05, -0.10, -0.40])
    assert out["n_trials"] == 5
    assert out["n_ok"] == 4
    assert out["n_failed"] == 1
    assert out["neg_pct"] == pytest.approx(75.0)  # 3 of 4 ok trials are negative
    ci = scipy.stats.binomtest(3, 4).proportion_ci(confidence_level=0.95, method="wilson")
    assert out["neg_pct_lo"] == pytest.approx(100 * ci.low)
    assert out["neg_pct_hi"] == pytest.approx(100 * ci.high)
    assert out["mean_r2"] == pytest.approx(-0.1625)
    assert out["median_r2"] == pytest.approx(np.median(ok_r2))
    assert out["median_r2"] == pytest.approx(-0.15)
    assert out["std_r2"] == pytest.approx(np.std(ok_r2, ddof=1))
    t_lo, t_hi = scipy.stats.t.interval(0.95, df=3, loc=ok_r2.mean(), scale=scipy.stats.sem(ok_r2))
    assert (out["mean_r2_lo"], out["mean_r2_hi"]) == pytest.approx((t_lo, t_hi))
    assert out["mean_rmse"] == pytest.approx((1.1 + 1.0 + 1.2 + 1.3) / 4)
    assert out["mean_mae"] == pytest.approx((0.9 + 0.8 + 1.0 + 1.1) / 4)
    assert out["mean_r2_train"] == pytest.approx((0.10 + 0.12 + 0.08 + 0.20) / 4)
    assert out["mean_fit_seconds"] == pytest.approx(0.025)
    assert out["mean_predict_seconds"] == pytest.approx(0.0025)
    for value in out.values():
        assert not math.isnan(value)  # the failed row's NaNs never leak in


def test_summarise_cell_zero_counts_as_not_negative():
    frame = _trials_frame().iloc[:2].copy()
    frame["r2"] = [0.0, -1e-12]
    assert stats.summarise_cell(frame)["neg_pct"] == pytest.approx(50.0)


def test_summarise_cell_all_failed_is_nan():
    frame = _trials_frame()
    frame = frame[frame["status"] == "failed"]
    out = stats.summarise_cell(frame)
    assert out["n_trials"] == 1 and out["n_ok"] == 0 and out["n_failed"] == 1
    for key in ("neg_pct", "neg_pct_lo", "mean_r2", "median_r2", "std_r2", "mean_rmse"):
        assert math.isnan(out[key]), key


def test_summarise_one_row_per_cell_in_order():
    summary = stats.summarise(_trials_frame())
    assert list(summary["model"]) == ["A", "B"]
    assert list(summary["scenario"]) == ["noise", "noise"]
    assert list(summary["n_ok"]) == [4, 2]
    assert list(summary["n_failed"]) == [1, 0]
    assert summary["neg_pct"].tolist() == pytest.approx([75.0, 50.0])
    assert summary["median_r2"].tolist() == pytest.approx(
        [np.median([-0.20, 0.05, -0.10, -0.40]), np.median([0.30, -0.01])]
    )
    assert summary["mean_r2"].tolist() == pytest.approx([-0.1625, 0.145])


def test_summarise_keeps_first_appearance_order():
    frame = _trials_frame()
    frame = pd.concat([frame[frame["model"] == "B"], frame[frame["model"] == "A"]])
    assert list(stats.summarise(frame)["model"]) == ["B", "A"]
