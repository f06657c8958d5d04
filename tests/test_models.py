"""negr2.models (estimators from the config) and negr2.trials (one cell's trials)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression, RANSACRegressor, Ridge
from sklearn.metrics import mean_absolute_error, r2_score, root_mean_squared_error
from sklearn.preprocessing import StandardScaler

from negr2 import generators, models, trials
from negr2.metrics import REGISTRY

# --- estimators defined here, imported by path like any configured estimator ----------


class FailingRegressor:
    """Raises in fit whenever the first training target is positive."""

    def fit(self, X, y):
        if y[0] > 0:
            raise RuntimeError("boom: first target is positive")
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


class NaNRegressor:
    """Fits fine, predicts NaN."""

    def fit(self, X, y):
        return self

    def predict(self, X):
        return np.full(len(X), np.nan)


class NoPredict:
    def fit(self, X, y):
        return self


HERE = __name__


# --- build_estimator / import_estimator -----------------------------------------------


@pytest.mark.parametrize(
    "path", ["sklearn.linear_model.RANSACRegressor", "sklearn.ensemble.RandomForestRegressor"]
)
def test_random_state_injected_from_seed(path):
    estimator = models.build_estimator({"estimator": path}, seed=123456)
    assert estimator.get_params()["random_state"] == 123456


def test_random_state_injected_alongside_other_params():
    spec = {"estimator": "sklearn.ensemble.RandomForestRegressor", "params": {"n_estimators": 7}}
    estimator = models.build_estimator(spec, seed=99)
    assert estimator.get_params()["random_state"] == 99
    assert estimator.get_params()["n_estimators"] == 7


def test_random_state_from_params_is_kept():
    spec = {
        "estimator": "sklearn.ensemble.RandomForestRegressor",
        "params": {"n_estimators": 10, "random_state": 42},
    }
    estimator = models.build_estimator(spec, seed=7)
    assert estimator.get_params()["random_state"] == 42


def test_null_random_state_gets_the_trial_seed():
    # None would mean global or OS randomness: results would change from run to run.
    spec = {
        "estimator": "sklearn.ensemble.RandomForestRegressor",
        "params": {"n_estimators": 10, "random_state": None},
    }
    estimator = models.build_estimator(spec, seed=7)
    assert estimator.get_params()["random_state"] == 7


@pytest.mark.parametrize(
    "path", ["sklearn.linear_model.LinearRegression", "sklearn.dummy.DummyRegressor"]
)
def test_no_random_state_for_estimators_without_one(path):
    estimator = models.build_estimator({"estimator": path}, seed=7)
    assert "random_state" not in estimator.get_params()
    assert not hasattr(estimator, "random_state")


def test_params_are_passed_and_estimators_are_fresh():
    spec = {"estimator": "sklearn.linear_model.Ridge", "params": {"alpha": 3.5}}
    a = models.build_estimator(spec, seed=1)
    b = models.build_estimator(spec, seed=1)
    assert a is not b
    assert a.get_params()["alpha"] == 3.5
    assert spec == {"estimator": "sklearn.linear_model.Ridge", "params": {"alpha": 3.5}}


def test_null_params_mean_defaults():
    spec = {"estimator": "sklearn.linear_model.Ridge", "params": None}
    assert models.build_estimator(spec, seed=1).get_params()["alpha"] == 1.0


def test_bad_param_name_raises_with_key():
    spec = {"estimator": "sklearn.linear_model.Ridge", "params": {"alpah": 1.0}}
    with pytest.raises(ValueError, match=r"models\.Ridge\.params") as info:
        models.build_estimator(spec, seed=1, key="models.Ridge")
    assert "alpah" in str(info.value)


def test_estimator_without_predict_raises():
    with pytest.raises(ValueError, match=r"models\.X\.estimator: .*no fit/predict"):
        models.build_estimator({"estimator": f"{HERE}.NoPredict"}, seed=1, key="models.X")


@pytest.mark.parametrize(
    "path",
    ["sklearn.linear_model.Ridgee", "sklearn.linear_modle.Ridge", "no_such_pkg_negr2.X", "Ridge"],
)
def test_import_estimator_missing_path_raises(path):
    with pytest.raises(ValueError, match=r"models\.M\.estimator: cannot import"):
        models.import_estimator(path, "models.M.estimator")


def test_import_estimator_returns_the_class():
    assert models.import_estimator("sklearn.linear_model.RANSACRegressor") is RANSACRegressor
    assert models.import_estimator(f"{HERE}.NaNRegressor") is NaNRegressor


# --- run_cell -------------------------------------------------------------------------

SPEC = {"generator": "gaussian_noise", "n_train": 20, "n_test": 10, "n_features": 3}
N_TRIALS = 6
# Ids differ from names, to check each column is filled from the right field.
SCENARIO, SCENARIO_ID = "tiny", "tiny@n_test=10"
SCORE_COLUMNS = (
    "r2", "oos_r2", "rmse", "mae", "msle", "negative_target_recall", "negative_target_mae",
    "negative_target_bias", "negative_prediction_share", "r2_train", "medae",
)  # fmt: skip
TIME_COLUMNS = ("fit_seconds", "predict_seconds")


def _job(spec, model="M", preprocessing="standard_scaler", **kwargs):
    return trials.CellJob(
        SCENARIO, SCENARIO_ID, model, f"{model}@v=1", spec, preprocessing, **kwargs
    )


@pytest.fixture(scope="module")
def data():
    return generators.generate_scenario("tiny", SPEC, master_seed=5, trials=N_TRIALS)


def _split(data, t):
    n = int(data["n_train"])
    X, y = data["X"][t], data["y"][t]
    return X[:n], X[n:], y[:n], y[n:]


def _scaled(X_train, X_test):
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test)


def _oos_r2(y_test, y_pred, y_train):
    """Out-of-sample R² from its definition: the baseline is the training mean."""
    return 1 - np.sum((y_test - y_pred) ** 2) / np.sum((y_test - np.mean(y_train)) ** 2)


def test_cell_job_defaults_and_frozen():
    spec = {"estimator": "sklearn.linear_model.LinearRegression"}
    job = trials.CellJob("s", "s@a=1", "m", "m@b=2", spec)
    assert job.preprocessing == "standard_scaler"
    assert job.ablations is None and job.split is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        job.model = "other"
    # Hashable although model_spec is a dict (it is left out of the hash).
    assert hash(job) == hash(trials.CellJob("s", "s@a=1", "m", "m@b=2", dict(spec)))


def test_columns_are_the_keys_the_registrys_metrics_and_the_status():
    keys = ("scenario", "scenario_id", "model", "model_id", "ablation", "trial", "seed")
    assert trials.COLUMNS[: len(keys)] == keys
    metrics = tuple(name for name, entry in REGISTRY.items() if entry.in_trials)
    assert trials.COLUMNS[len(keys) : -2] == metrics
    assert trials.COLUMNS[-2:] == ("status", "error")


def test_run_cell_linear_regression_matches_sklearn(data):
    spec = {"estimator": "sklearn.linear_model.LinearRegression"}
    out = trials.run_cell(data, _job(spec, "OLS"), range(N_TRIALS))
    assert list(out.columns) == list(trials.COLUMNS)
    assert len(out) == N_TRIALS  # no ablations: one "full" row per trial
    assert out["trial"].tolist() == list(range(N_TRIALS))
    assert out["seed"].tolist() == data["seed"].tolist()
    assert set(out["scenario"]) == {SCENARIO} and set(out["scenario_id"]) == {SCENARIO_ID}
    assert set(out["model"]) == {"OLS"} and set(out["model_id"]) == {"OLS@v=1"}
    assert set(out["ablation"]) == {"full"}
    assert set(out["status"]) == {"ok"} and set(out["error"]) == {""}
    for t in range(N_TRIALS):
        X_train, X_test, y_train, y_test = _split(data, t)
        X_train, X_test = _scaled(X_train, X_test)
        fitted = LinearRegression().fit(X_train, y_train)
        y_pred = fitted.predict(X_test)
        row = out.iloc[t]
        assert row["r2"] == pytest.approx(r2_score(y_test, y_pred), rel=1e-9, abs=1e-12)
        assert row["oos_r2"] == pytest.approx(_oos_r2(y_test, y_pred, y_train), rel=1e-9)
        assert row["rmse"] == pytest.approx(root_mean_squared_error(y_test, y_pred), rel=1e-9)
        assert row["mae"] == pytest.approx(mean_absolute_error(y_test, y_pred), rel=1e-9)
        # Gaussian targets and predictions go negative: MSLE is undefined there.
        assert (y_test < 0).any() or (y_pred < 0).any()
        assert math.isnan(row["msle"])
        expected_train = r2_score(y_train, fitted.predict(X_train))
        assert row["r2_train"] == pytest.approx(expected_train, rel=1e-9)
        assert row["fit_seconds"] >= 0 and row["predict_seconds"] >= 0


def test_run_cell_without_scaling_uses_raw_features(data):
    spec = {"estimator": "sklearn.linear_model.Ridge", "params": {"alpha": 5.0}}
    raw = trials.run_cell(data, _job(spec, "Ridge", "none"), range(3))
    scaled = trials.run_cell(data, _job(spec, "Ridge", "standard_scaler"), range(3))
    for t in range(3):
        X_train, X_test, y_train, y_test = _split(data, t)
        y_pred = Ridge(alpha=5.0).fit(X_train, y_train).predict(X_test)
        assert raw["r2"].iloc[t] == pytest.approx(r2_score(y_test, y_pred), rel=1e-9)
        assert raw["oos_r2"].iloc[t] == pytest.approx(_oos_r2(y_test, y_pred, y_train), rel=1e-9)
        X_train, X_test = _scaled(X_train, X_test)
        y_pred = Ridge(alpha=5.0).fit(X_train, y_train).predict(X_test)
        assert scaled["r2"].iloc[t] == pytest.approx(r2_score(y_test, y_pred), rel=1e-9)
        expected = _oos_r2(y_test, y_pred, y_train)
        assert scaled["oos_r2"].iloc[t] == pytest.approx(expected, rel=1e-9)
    assert not np.allclose(raw["r2"], scaled["r2"])  # the two really differ


def test_run_cell_mean_baseline_is_never_positive(data):
    spec = {"estimator": "sklearn.dummy.DummyRegressor"}
    out = trials.run_cell(data, _job(spec, "Mean"), range(N_TRIALS))
    for t in range(N_TRIALS):
        X_train, X_test, y_train, y_test = _split(data, t)
        y_pred = DummyRegressor().fit(X_train, y_train).predict(X_test)
        assert out["r2"].iloc[t] == pytest.approx(r2_score(y_test, y_pred), rel=1e-9)
    assert (out["r2"] <= 0).all()
    assert out["r2_train"].tolist() == pytest.approx([0.0] * N_TRIALS, abs=1e-12)
    # Predicting the training mean is the out-of-sample baseline itself.
    assert out["oos_r2"].tolist() == pytest.approx([0.0] * N_TRIALS, abs=1e-12)


def test_run_cell_seeds_random_estimators_per_trial(data):
    spec = {"estimator": "sklearn.linear_model.RANSACRegressor"}
    out = trials.run_cell(data, _job(spec, "RANSAC"), range(3))
    for t in range(3):
        X_train, X_test, y_train, y_test = _split(data, t)
        X_train, X_test = _scaled(X_train, X_test)
        seed = int(data["seed"][t])
        y_pred = RANSACRegressor(random_state=seed).fit(X_train, y_train).predict(X_test)
        assert out["r2"].iloc[t] == pytest.approx(r2_score(y_test, y_pred), rel=1e-9)


def test_run_cell_records_failed_fits_and_goes_on(data):
    expected_fail = [bool(data["y"][t][0] > 0) for t in range(N_TRIALS)]
    assert any(expected_fail) and not all(expected_fail)  # the fixture exercises both
    spec = {"estimator": f"{HERE}.FailingRegressor"}
    out = trials.run_cell(data, _job(spec, "Flaky"), range(N_TRIALS))
    assert list(out.columns) == list(trials.COLUMNS)
    assert (out["status"] == "failed").tolist() == expected_fail
    failed, ok = out[out["status"] == "failed"], out[out["status"] == "ok"]
    assert (failed["error"] == "RuntimeError: boom: first target is positive").all()
    for column in (
        "r2",
        "oos_r2",
        "rmse",
        "mae",
        "negative_prediction_share",
        "r2_train",
        *TIME_COLUMNS,
    ):
        assert failed[column].isna().all(), column
        assert ok[column].notna().all(), column
    assert failed["msle"].isna().all()
    assert (ok["error"] == "").all()
    expected_seeds = [int(s) for s, f in zip(data["seed"], expected_fail, strict=True) if f]
    assert failed["seed"].tolist() == expected_seeds
    assert set(failed["ablation"]) == {"full"}


def test_run_cell_non_finite_predictions_fail(data):
    spec = {"estimator": f"{HERE}.NaNRegressor"}
    out = trials.run_cell(data, _job(spec, "NaN", "none"), range(2))
    assert out["status"].tolist() == ["failed", "failed"]
    n_preds = SPEC["n_train"] + SPEC["n_test"]  # test and training predictions
    for error in out["error"]:
        assert error.startswith("non-finite")
        assert f"{n_preds} of {n_preds}" in error
    for column in SCORE_COLUMNS:
        assert out[column].isna().all(), column


def test_run_cell_bad_params_raise_before_any_trial(data):
    spec = {"estimator": "sklearn.linear_model.Ridge", "params": {"alpah": 1.0}}
    with pytest.raises(ValueError, match=r"models\.Ridge\.params"):
        trials.run_cell(data, _job(spec, "Ridge", "none"), range(N_TRIALS))


@pytest.mark.parametrize(
    "path", ["sklearn.linear_model.LinearRegression", "sklearn.linear_model.RANSACRegressor"]
)
@pytest.mark.parametrize("ablations", [None, {"drop_one": True, "drop_random": {"k": 1}}])
def test_run_cell_chunk_invariance(data, path, ablations):
    job = _job({"estimator": path}, ablations=ablations)
    whole = trials.run_cell(data, job, range(0, 4))
    parts = pd.concat(
        [trials.run_cell(data, job, range(0, 2)), trials.run_cell(data, job, range(2, 4))],
        ignore_index=True,
    )
    timing = list(TIME_COLUMNS)
    pd.testing.assert_frame_equal(whole.drop(columns=timing), parts.drop(columns=timing))
    # Also equal when the trials are run alone and out of order.
    single = trials.run_cell(data, job, range(3, 4))
    expected = whole[whole["trial"] == 3].drop(columns=timing).reset_index(drop=True)
    pd.testing.assert_frame_equal(single.drop(columns=timing), expected)


def test_run_cell_empty_range_gives_empty_table(data):
    spec = {"estimator": "sklearn.linear_model.LinearRegression"}
    out = trials.run_cell(data, _job(spec, "OLS", "none"), range(0))
    assert list(out.columns) == list(trials.COLUMNS)
    assert len(out) == 0


def test_failed_row_metrics_are_nan_not_zero(data):
    spec = {"estimator": f"{HERE}.NaNRegressor"}
    row = trials.run_cell(data, _job(spec, "NaN", "none"), range(1)).iloc[0]
    for column in (*SCORE_COLUMNS, *TIME_COLUMNS):
        assert math.isnan(row[column]), column
