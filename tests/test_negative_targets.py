"""Negative targets: the metrics, their trial columns and summary, the shifted and skewed
``linear`` generator, and the study config that uses them, against independent numpy and
scikit-learn computations."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest
import scipy.stats
import yaml
from sklearn.linear_model import LinearRegression
from sklearn.preprocessing import StandardScaler

from negr2 import columns, config, generators, metrics, stats, study, trials

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = yaml.safe_load((ROOT / "workflow" / "schemas" / "config.schema.yaml").read_text())
STUDY = ROOT / "config" / "studies" / "negative-targets.yaml"
NEGATIVE_METRICS = (
    "negative_target_recall",
    "negative_target_mae",
    "negative_target_bias",
    "negative_prediction_share",
)
KERAS_COEF = [2.0, -1.5, 0.5, 0.2, -0.7]
SEED_DATA = {
    "generator": "linear",
    "features": "uniform",
    "n_features": 5,
    "coef": KERAS_COEF,
    "noise_sd": 1.0,
    "n_train": 800,
    "n_test": 200,
}
SKEWED = {**SEED_DATA, "target_shift": 1.0, "target_skew": 0.5}


def _by_loop(y_true, y_pred):
    """The four metrics written as plain loops over the rows."""
    negatives = [(t, p) for t, p in zip(y_true, y_pred, strict=True) if t < 0]
    n = len(negatives)
    share = sum(1 for p in y_pred if p < 0) / len(y_pred)
    if n == 0:
        return math.nan, math.nan, math.nan, share
    recall = sum(1 for _, p in negatives if p < 0) / n
    mae = sum(abs(p - t) for t, p in negatives) / n
    bias = sum(p - t for t, p in negatives) / n
    return recall, mae, bias, share


def _metrics(y_true, y_pred):
    return tuple(getattr(metrics, name)(y_true, y_pred) for name in NEGATIVE_METRICS)


# --- metrics ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_metrics_match_loops(seed):
    rng = np.random.default_rng(seed)
    y_true = rng.normal(0.5, 1.0, size=50)
    y_pred = y_true + rng.normal(0.3, 0.8, size=50)
    expected = _by_loop(y_true.tolist(), y_pred.tolist())
    assert not any(math.isnan(v) for v in expected)
    assert _metrics(y_true, y_pred) == pytest.approx(expected, rel=1e-12)


def test_metrics_by_hand():
    y_true = np.array([-2.0, -1.0, 0.0, 3.0])
    y_pred = np.array([-1.0, 0.5, -0.5, 2.0])
    # Negative targets -2 and -1: one predicted negative; errors +1 and +1.5.
    assert metrics.negative_target_recall(y_true, y_pred) == 0.5
    assert metrics.negative_target_mae(y_true, y_pred) == 1.25
    assert metrics.negative_target_bias(y_true, y_pred) == 1.25
    assert metrics.negative_prediction_share(y_true, y_pred) == 0.5  # zero is not negative
    assert metrics.negative_target_bias(y_true, np.array([-3.0, -2.0, 0.0, 0.0])) == -1.0


def test_no_negative_target_gives_nan_but_a_share():
    y_true = np.array([0.0, 1.0, 2.0])
    y_pred = np.array([-1.0, 1.0, 2.0])
    recall, mae, bias, share = _metrics(y_true, y_pred)
    assert math.isnan(recall) and math.isnan(mae) and math.isnan(bias)
    assert share == pytest.approx(1 / 3)


@pytest.mark.parametrize("name", NEGATIVE_METRICS)
def test_metrics_check_their_input(name):
    with pytest.raises(ValueError, match="values"):
        getattr(metrics, name)(np.zeros(3), np.zeros(2))
    with pytest.raises(ValueError, match="empty"):
        getattr(metrics, name)(np.zeros(0), np.zeros(0))


# --- trial columns ---------------------------------------------------------------------


def test_columns_follow_msle():
    at = trials.COLUMNS.index("msle")
    assert trials.COLUMNS[at + 1 : at + 5] == NEGATIVE_METRICS
    assert set(NEGATIVE_METRICS) <= set(columns.SCORES)
    at = columns.TRIAL_METRICS.index("msle")
    assert columns.TRIAL_METRICS[at + 1 : at + 5] == NEGATIVE_METRICS


@pytest.fixture(scope="module")
def skewed_data():
    spec = {**SKEWED, "n_train": 60, "n_test": 12}
    return generators.generate_scenario("skewed", spec, master_seed=3, trials=8)


def test_holdout_trials_match_sklearn_refits(skewed_data):
    job = trials.CellJob(
        "s", "s", "OLS", "OLS", {"estimator": "sklearn.linear_model.LinearRegression"}
    )
    out = trials.run_cell(skewed_data, job, range(8))
    n = int(skewed_data["n_train"])
    undefined = 0
    for t in range(8):
        X, y = skewed_data["X"][t], skewed_data["y"][t]
        scaler = StandardScaler().fit(X[:n])
        fitted = LinearRegression().fit(scaler.transform(X[:n]), y[:n])
        y_pred = fitted.predict(scaler.transform(X[n:]))
        expected = _by_loop(y[n:].tolist(), y_pred.tolist())
        got = tuple(out.loc[t, list(NEGATIVE_METRICS)])
        assert got == pytest.approx(expected, rel=1e-9, nan_ok=True)
        undefined += math.isnan(expected[0])
    assert undefined < 8  # negative targets in most test splits


def test_kfold_averages_the_folds_where_defined():
    """Two folds: only the first has a negative target; the second's NaN is ignored."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1, 20, 2))
    y = np.abs(rng.normal(size=(1, 20))) + 0.5
    y[0, 3] = -0.7  # fold 1 holds rows 0-9
    data = {"X": X, "y": y, "seed": np.array([11]), "n_train": np.asarray(10)}
    spec = {"estimator": "sklearn.linear_model.LinearRegression"}
    job = trials.CellJob(
        "s", "s", "OLS", "OLS", spec, "none", split={"method": "kfold", "folds": 2}
    )
    row = trials.run_cell(data, job, range(1)).iloc[0]
    folds = []
    for test in (np.arange(10), np.arange(10, 20)):
        train = np.setdiff1d(np.arange(20), test)
        y_pred = LinearRegression().fit(X[0, train], y[0, train]).predict(X[0, test])
        folds.append(_by_loop(y[0, test].tolist(), y_pred.tolist()))
    assert math.isnan(folds[1][0]) and not math.isnan(folds[0][0])
    for i, name in enumerate(NEGATIVE_METRICS):
        assert row[name] == pytest.approx(np.nanmean([f[i] for f in folds]), rel=1e-9), name


def test_kfold_with_no_negative_target_anywhere_is_nan():
    rng = np.random.default_rng(1)
    data = {
        "X": rng.normal(size=(1, 12, 2)),
        "y": np.abs(rng.normal(size=(1, 12))),
        "seed": np.array([5]),
        "n_train": np.asarray(6),
    }
    spec = {"estimator": "sklearn.dummy.DummyRegressor"}
    job = trials.CellJob("s", "s", "M", "M", spec, "none", split={"method": "kfold", "folds": 3})
    row = trials.run_cell(data, job, range(1)).iloc[0]
    assert (
        row[["negative_target_recall", "negative_target_mae", "negative_target_bias"]].isna().all()
    )
    assert row["negative_prediction_share"] == 0.0 and row["status"] == "ok"


# --- summary ---------------------------------------------------------------------------


def _cell(values: dict[str, list[float]], status: list[str]) -> pd.DataFrame:
    n = len(status)
    frame = pd.DataFrame({c: [0.1] * n for c in columns.TRIAL_METRICS})
    for name, column in values.items():
        frame[name] = column
    frame["status"] = status
    return frame


def test_summary_of_the_negative_target_metrics():
    nan = math.nan
    recall = [0.5, nan, 0.25, nan, 1.0, 0.75]
    mae = [1.2, nan, 1.5, nan, 0.4, 0.9]
    bias = [0.8, nan, 1.1, nan, -0.2, 0.3]
    share = [0.3, 0.1, 0.2, nan, 0.5, 0.05]
    status = ["ok", "ok", "ok", "failed", "ok", "ok"]
    out = stats.summarise_cell(
        _cell(
            {
                "negative_target_recall": recall,
                "negative_target_mae": mae,
                "negative_target_bias": bias,
                "negative_prediction_share": share,
            },
            status,
        )
    )
    ok_recall = np.array([0.5, 0.25, 1.0, 0.75])
    ok_bias = np.array([0.8, 1.1, -0.2, 0.3])
    assert out["mean_negative_target_recall"] == pytest.approx(ok_recall.mean())
    t = scipy.stats.t.interval(0.95, df=3, loc=ok_recall.mean(), scale=scipy.stats.sem(ok_recall))
    assert (
        out["mean_negative_target_recall_lo"],
        out["mean_negative_target_recall_hi"],
    ) == pytest.approx(t)
    assert out["mean_negative_target_mae"] == pytest.approx(np.mean([1.2, 1.5, 0.4, 0.9]))
    assert out["mean_negative_target_bias"] == pytest.approx(ok_bias.mean())
    t = scipy.stats.t.interval(0.95, df=3, loc=ok_bias.mean(), scale=scipy.stats.sem(ok_bias))
    assert (
        out["mean_negative_target_bias_lo"],
        out["mean_negative_target_bias_hi"],
    ) == pytest.approx(t)
    assert out["mean_negative_prediction_share"] == pytest.approx(
        np.mean([0.3, 0.1, 0.2, 0.5, 0.05])
    )
    assert out["n_no_negative_targets"] == 1  # the failed trial is not counted


def test_summary_without_any_negative_target():
    nan = math.nan
    frame = _cell(
        {
            m: [nan, nan]
            for m in ("negative_target_recall", "negative_target_mae", "negative_target_bias")
        },
        ["ok", "ok"],
    )
    out = stats.summarise_cell(frame)
    for key in (
        "mean_negative_target_recall",
        "mean_negative_target_recall_lo",
        "mean_negative_target_mae",
        "mean_negative_target_bias_hi",
    ):
        assert math.isnan(out[key]), key
    assert out["n_no_negative_targets"] == 2
    assert out["mean_negative_prediction_share"] == pytest.approx(0.1)


# --- the shifted and skewed linear generator -------------------------------------------


def test_shift_and_skew_transform_the_same_draws():
    plain = generators.generate_scenario("s", SEED_DATA, master_seed=9, trials=3)
    shaped = generators.generate_scenario("s", SKEWED, master_seed=9, trials=3)
    np.testing.assert_array_equal(plain["X"], shaped["X"])
    expected = (np.exp(0.5 * (plain["y"] + 1.0)) - 1.0) / 0.5
    np.testing.assert_allclose(shaped["y"], expected, rtol=1e-12)
    shifted = generators.generate_scenario(
        "s", {**SEED_DATA, "target_shift": -2.5}, master_seed=9, trials=3
    )
    np.testing.assert_array_equal(shifted["y"], plain["y"] - 2.5)
    assert shifted["informative"].tolist() == plain["informative"].tolist()


def test_defaults_leave_the_target_alone():
    plain = generators.generate_scenario("s", SEED_DATA, master_seed=9, trials=2)
    zeros = {**SEED_DATA, "target_shift": 0, "target_skew": 0.0}
    np.testing.assert_array_equal(
        generators.generate_scenario("s", zeros, master_seed=9, trials=2)["y"], plain["y"]
    )


def test_the_studys_skewed_targets_are_mostly_positive():
    """About 10-20 % negative, a long right tail, and negatives squeezed above -1/skew."""
    y = generators.generate_scenario("skewed", SKEWED, master_seed=20250130, trials=50)["y"]
    share = float(np.mean(y < 0))
    assert 0.10 <= share <= 0.20, share
    assert scipy.stats.skew(y.ravel()) > 1.5
    assert y.min() > -2.0
    # The seed's data, by contrast: about 42 % negative, symmetric.
    plain = generators.generate_scenario("seed", SEED_DATA, master_seed=20250130, trials=50)["y"]
    assert 0.35 <= float(np.mean(plain < 0)) <= 0.50
    assert abs(scipy.stats.skew(plain.ravel())) < 0.2


def test_shape_target_keeps_order_and_sign():
    y = np.linspace(-3, 3, 61)
    shaped = generators.shape_target(y, shift=0.5, skew=0.8)
    assert np.all(np.diff(shaped) > 0)
    np.testing.assert_array_equal(np.sign(shaped), np.sign(y + 0.5))
    np.testing.assert_array_equal(generators.shape_target(y, 0.5, 0.0), y + 0.5)


@pytest.mark.parametrize(("shift", "skew"), [(math.nan, 0.0), (0.0, -1.0), (0.0, math.inf)])
def test_shape_target_rejects_bad_values(shift, skew):
    with pytest.raises(ValueError, match="finite"):
        generators.shape_target(np.zeros(3), shift, skew)


def test_overflowing_skew_is_an_error_not_inf():
    with pytest.raises(ValueError, match="target_skew 100.0 overflows"):
        generators.shape_target(np.array([0.0, 10.0]), 0.0, 100.0)


@pytest.mark.parametrize(
    ("extra", "pattern"),
    [
        ({"target_skew": -0.5}, r"scenarios\.s\.target_skew: must be >= 0"),
        ({"target_skew": "big"}, r"scenarios\.s\.target_skew: must be a finite number"),
        ({"target_shift": True}, r"scenarios\.s\.target_shift: must be a finite number"),
        ({"target_shift": math.inf}, r"scenarios\.s\.target_shift: must be a finite number"),
    ],
)
def test_check_scenario_validates_shift_and_skew(extra, pattern):
    with pytest.raises(ValueError, match=pattern):
        generators.check_scenario("s", {**SEED_DATA, **extra})


def test_only_linear_takes_shift_and_skew():
    assert {"target_shift", "target_skew"} <= set(generators.builtins()["linear"].params)
    spec = {"generator": "correlated", "n_train": 10, "n_test": 5, "n_features": 2}
    spec |= {"rho": 0.3, "coef": [1, 1], "target_shift": 1.0}
    with pytest.raises(ValueError, match="'target_shift' does not apply to generator correlated"):
        generators.check_scenario("s", spec)


def _schema_errors(cfg):
    return list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(cfg))


def test_shift_and_skew_sweep_and_the_generator_checks_each_point():
    cfg = {"study": "x", "seed": 1, "trials": 2}
    cfg["models"] = {"M": {"estimator": "sklearn.linear_model.LinearRegression"}}
    cfg["scenarios"] = {"s": {**SKEWED, "target_shift": [0, 1.5], "target_skew": [0, 0.5]}}
    assert _schema_errors(cfg) == []
    config.check_config(cfg)
    ids = [p.id for p in study.scenario_points(cfg)]
    assert ids[-1] == "s@target_shift=1.5,target_skew=0.5" and len(ids) == 4
    # The values are the generator's to check (once, not also in the schema), point by point.
    for key, values, message in [
        ("target_skew", [0.5, -1], r"^scenarios\.s\.target_skew: must be >= 0, got -1"),
        ("target_shift", [0, "one"], r"^scenarios\.s\.target_shift: must be a finite number"),
    ]:
        bad = copy.deepcopy(cfg)
        bad["scenarios"]["s"][key] = values
        assert _schema_errors(bad) == []
        with pytest.raises(ValueError, match=message):
            config.check_config(bad)


# --- the study ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def study_config():
    return yaml.safe_load(STUDY.read_text())


def test_study_matches_the_schema_and_passes_the_checks(study_config):
    assert _schema_errors(study_config) == []
    config.check_config(copy.deepcopy(study_config))


def test_study_has_the_posts_data_networks_and_counterparts(study_config):
    seed, skewed = study_config["scenarios"]["seed"], study_config["scenarios"]["skewed"]
    assert {k: seed[k] for k in SEED_DATA} == SEED_DATA
    assert (skewed["target_shift"], skewed["target_skew"]) == (1.0, 0.5)
    models = study_config["models"]
    nets = {name: models[name] for name in ("Naive", "Improved", "Final")}
    assert {m["estimator"] for m in nets.values()} == {"negr2.models.KerasMLP"}
    assert [(m["params"]["activation"], m["params"]["loss"], m["preprocessing"])
            for m in nets.values()] == [
        ("relu", "mse", "none"), ("linear", "mse", "none"), ("linear", "huber", "standard_scaler")
    ]  # fmt: skip
    for name, activation in (("Naive", "relu"), ("Improved", "identity"), ("Final", "identity")):
        mlp = models[f"MLP{name}"]
        assert mlp["estimator"] == "sklearn.neural_network.MLPRegressor"
        assert mlp["params"]["hidden_layer_sizes"] == 32  # one layer: (32,)
        assert mlp["params"]["activation"] == activation
        assert (mlp["params"]["batch_size"], mlp["params"]["max_iter"]) == (32, 50)
        assert mlp["preprocessing"] == nets[name]["preprocessing"]
    assert {"LinearRegression", "HuberRegressor", "MeanBaseline"} <= set(models)
    assert study_config["trials"] == 100
    points = [p.id for p in study.model_points(study_config)]
    assert {"Naive", "MLPNaive", "MLPFinal", "LinearRegression"} <= set(points)  # no sweep


def test_study_claims_cover_both_scenarios(study_config):
    claims = study_config["claims"]
    pairs = {(c["better"], c["than"], c["metric"]) for c in claims}
    for better, than in (("Improved", "Naive"), ("Final", "Improved")):
        for metric in ("r2", "negative_target_recall", "negative_target_mae"):
            assert (better, than, metric) in pairs
            for scenario in ("seed", "skewed"):
                assert any(
                    (c["better"], c["than"], c["metric"], c["scenario"])
                    == (better, than, metric, scenario)
                    for c in claims
                )
    matches = [c for c in claims if c["than"] == "LinearRegression"]
    assert {c["scenario"] for c in matches} == {"seed", "skewed"}
    assert all(c["better"] == "Improved" and c["metric"] == "r2" for c in matches)
