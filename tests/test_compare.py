"""negr2 compare on versions of a study run in this process: every verdict, the pairing,
and known effects checked against direct computations and closed forms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from inprocess import NOISE, OLS, SIGNAL, ridge, run_study, study_config, write_table
from sklearn.linear_model import Ridge
from sklearn.metrics import r2_score
from sklearn.preprocessing import StandardScaler

from negr2 import theory
from negr2.compare.engine import Options, compare_versions
from negr2.compare.versions import frame_version, open_version
from negr2.datasets import data_digest, data_spec
from negr2.generators import ScenarioDraws


def _versions(config_a, config_b, digests=True):
    """The two versions, in memory, with their data digests (or none)."""
    out = []
    for label, config in (("BASE", config_a), ("NEW", config_b)):
        study, trials = run_study(config)
        known = {s: data_digest(data_spec(study, s)) for s in study.scenarios} if digests else None
        out.append(frame_version(trials, label, known, study.name))
    return out


def _cells(comparison) -> pd.DataFrame:
    return comparison.cells().set_index("model_id")


def test_a_version_against_itself_is_identical():
    config = study_config({"OLS": OLS, "Ridge": ridge(1.0)}, NOISE)
    comparison = compare_versions(*_versions(config, config), Options())
    assert set(comparison.table["cell_verdict"]) == {"identical"}
    judged = comparison.table[
        ~comparison.table["quantity"].isin(["fit_seconds", "predict_seconds"])
    ]
    assert judged["identical"].all()
    assert comparison.counts() == {"identical": 2}


def test_ridge_with_alpha_a_billionth_larger_is_never_moved():
    config = study_config({"Ridge": ridge(1.0)}, NOISE, trials=200)
    other = study_config({"Ridge": ridge(1.0 + 1e-9)}, NOISE, trials=200)
    comparison = compare_versions(*_versions(config, other), Options())
    rows = comparison.table
    assert set(rows["cell_verdict"]) <= {"within noise", "identical"}
    assert rows["cell_verdict"].iloc[0] == "within noise"  # not bit-equal, yet never moved
    assert "moved" not in set(rows.loc[~rows["quantity"].str.endswith("seconds"), "verdict"])
    r2 = rows[rows["quantity"] == "r2"].iloc[0]
    assert r2["pairing"] == "paired"
    assert abs(r2["delta"]) < 1e-9  # a change of rounding, whatever its p-value


def _ridge_r2_by_hand(spec, seed, trials, alpha) -> np.ndarray:
    """Each trial's test R² of Ridge, fit and scored with scikit-learn on the trial's draw."""
    draws = ScenarioDraws("noise", spec, seed)
    n = spec["n_train"]
    scores = []
    for trial in range(trials):
        X, y, _ = draws.trial(trial)
        scaler = StandardScaler().fit(X[:n])
        model = Ridge(alpha=alpha).fit(scaler.transform(X[:n]), y[:n])
        scores.append(r2_score(y[n:], model.predict(scaler.transform(X[n:]))))
    return np.array(scores)


def test_ridge_alpha_1_against_1000_on_a_linear_signal_moved_by_the_direct_difference():
    config = study_config({"Ridge": ridge(1.0)}, SIGNAL, trials=60)
    other = study_config({"Ridge": ridge(1000.0)}, SIGNAL, trials=60)
    comparison = compare_versions(*_versions(config, other), Options())
    row = _cells(comparison).loc["Ridge"]
    assert row["cell_verdict"] == "moved"
    direct = _ridge_r2_by_hand(SIGNAL, 11, 60, 1000.0) - _ridge_r2_by_hand(SIGNAL, 11, 60, 1.0)
    assert row["delta"] == pytest.approx(direct.mean(), rel=1e-9)
    assert row["delta_hi"] < 0  # shrinking a real signal away costs R²
    # Which way is better comes from the metric registry: R² higher, RMSE lower.
    rows = comparison.table.set_index("quantity")
    assert rows.loc["r2", "direction"] == "worse"
    assert rows.loc["rmse", "delta"] > 0 and rows.loc["rmse", "direction"] == "worse"


def test_dropping_a_feature_on_noise_moves_r2_as_the_closed_form_says():
    # OLS on pure noise against itself without x4: the same draws (paired), a variant
    # that keeps x0-x3 relabelled as the new version's full model.
    spec = {"generator": "gaussian_noise", "n_train": 20, "n_test": 40, "n_features": 5}
    keep = {"keep": {"four": ["x0", "x1", "x2", "x3"]}}
    study, trials = run_study(study_config({"OLS": OLS}, spec, trials=600, ablations=keep))
    digest = {"noise": data_digest(data_spec(study, "noise"))}
    base = frame_version(trials[trials["ablation"] == "full"], "p=5", digest)
    dropped = trials[trials["ablation"] == "keep:four"].assign(ablation="full")
    comparison = compare_versions(base, frame_version(dropped, "p=4", digest), Options())
    row = _cells(comparison).loc["OLS"]
    expected = theory.ols_expected_r2(20, 40, 4) - theory.ols_expected_r2(20, 40, 5)
    assert expected > 0.05  # one coefficient fewer to estimate: R² rises
    assert row["cell_verdict"] == "moved" and row["pairing"] == "paired"
    assert row["delta_lo"] <= expected <= row["delta_hi"]
    assert row["delta"] == pytest.approx(expected, rel=0.25)


def test_another_seed_is_compared_unpaired_with_welch():
    config = study_config({"OLS": OLS}, NOISE)
    base, new = _versions(config, config | {"seed": 12})
    comparison = compare_versions(base, new, Options())
    row = _cells(comparison).loc["OLS"]
    assert row["pairing"] == "unpaired" and row["test"] == "Welch t"
    assert "different data" in comparison.pairing["noise"][0]
    assert row["cell_verdict"] == "within noise"  # an A/A comparison of these seeds


def test_without_digests_trials_pair_by_their_seeds():
    config = study_config({"OLS": OLS, "Ridge": ridge(1.0)}, NOISE)
    other = study_config({"OLS": OLS, "Ridge": ridge(50.0)}, NOISE)
    comparison = compare_versions(*_versions(config, other, digests=False), Options())
    assert set(comparison.cells()["pairing"]) == {"paired by seed"}
    assert _cells(comparison).loc["OLS", "cell_verdict"] == "identical"
    seeds = _versions(config, config | {"seed": 3}, digests=False)
    assert set(compare_versions(*seeds, Options()).cells()["pairing"]) == {"unpaired"}


def test_cells_in_one_version_only_are_added_or_removed():
    config = study_config({"OLS": OLS, "Ridge": ridge(1.0)}, NOISE)
    other = study_config({"OLS": OLS, "Lasso": ("sklearn.linear_model.Lasso", {})}, NOISE)
    comparison = compare_versions(*_versions(config, other), Options())
    verdicts = _cells(comparison)["cell_verdict"].to_dict()
    assert verdicts == {"OLS": "identical", "Ridge": "removed", "Lasso": "added"}
    removed = _cells(comparison).loc["Ridge"]
    assert np.isnan(removed["new"]) and removed["n_base"] == 30


def test_an_ablation_variant_in_one_version_only_is_added():
    config = study_config({"OLS": OLS}, NOISE)
    other = config | {"ablations": {"keep": {"two": ["x0", "x1"]}}}
    comparison = compare_versions(*_versions(config, other), Options())
    cells = comparison.cells().set_index("ablation")["cell_verdict"].to_dict()
    assert cells == {"full": "identical", "keep:two": "added"}


def test_a_model_that_now_fails_moved_through_its_failed_share():
    config = study_config({"OLS": OLS}, NOISE, trials=40)
    study, trials = run_study(config)
    broken = trials.copy()
    broken.loc[broken["trial"] >= 10, ["r2", "oos_r2", "rmse", "mae"]] = np.nan
    broken.loc[broken["trial"] >= 10, "status"] = "failed"
    digest = {"noise": data_digest(data_spec(study, "noise"))}
    comparison = compare_versions(
        frame_version(trials, "ok", digest), frame_version(broken, "failing", digest), Options()
    )
    rows = comparison.table.set_index("quantity")
    assert rows.loc["failed_pct", "verdict"] == "moved"
    assert rows.loc["failed_pct", "delta"] == pytest.approx(75.0)
    # R² itself is unchanged on the 10 trials that still pair up: not what moved.
    assert rows.loc["r2", "n_base"] == 10 and rows.loc["r2", "delta"] == 0
    assert rows.loc["r2", "verdict"] == "within noise"
    assert comparison.cells()["cell_verdict"].tolist() == ["moved"]


def test_files_and_memory_give_the_same_table(tmp_path):
    config = study_config({"OLS": OLS, "Ridge": ridge(1.0)}, NOISE)
    other = study_config({"OLS": OLS, "Ridge": ridge(30.0)}, NOISE)
    paths = []
    for name, cfg in (("a", config), ("b", other)):
        study, trials = run_study(cfg)
        write_table(study, trials, tmp_path / name / "trials.parquet")
        paths.append(tmp_path / name / "trials.parquet")
    from_files = compare_versions(open_version(str(paths[0]), "BASE"),
                                  open_version(str(paths[1]), "NEW"), Options())  # fmt: skip
    in_memory = compare_versions(*_versions(config, other), Options())
    assert from_files.base.study == "versions"
    columns = ["model_id", "quantity", "pairing", "delta", "delta_lo", "delta_hi", "p", "verdict"]
    judged = ~from_files.table["quantity"].str.endswith("seconds")
    pd.testing.assert_frame_equal(
        from_files.table.loc[judged, columns].reset_index(drop=True),
        in_memory.table.loc[judged, columns].reset_index(drop=True),
    )


def test_holm_and_bh_are_named_and_bh_never_stricter():
    config = study_config({"OLS": OLS, "Ridge": ridge(1.0), "Ridge10": ridge(10.0)}, SIGNAL)
    other = study_config({"OLS": OLS, "Ridge": ridge(3.0), "Ridge10": ridge(30.0)}, SIGNAL)
    base, new = _versions(config, other)
    holm = compare_versions(base, new, Options(correction="holm")).table
    bh = compare_versions(base, new, Options(correction="bh")).table
    assert set(holm.loc[holm["pairing"] != "", "correction"]) == {"holm"}
    assert set(bh.loc[bh["pairing"] != "", "correction"]) == {"bh"}
    tested = holm["p_adjusted"].notna()
    assert (bh.loc[tested, "p_adjusted"] <= holm.loc[tested, "p_adjusted"] + 1e-15).all()
    assert (holm.loc[tested, "p_adjusted"] >= holm.loc[tested, "p"]).all()
