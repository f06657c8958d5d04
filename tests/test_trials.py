"""negr2.trials.run_cell: k-fold splits and ablation variants, against independent
scikit-learn refits."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.metrics import mean_squared_log_error, r2_score, root_mean_squared_error
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from negr2 import generators, trials

OLS = {"estimator": "sklearn.linear_model.LinearRegression"}
RIDGE = {"estimator": "sklearn.linear_model.Ridge", "params": {"alpha": 5.0}}
LINEAR = {
    "generator": "linear",
    "n_train": 200,
    "n_test": 100,
    "n_features": 4,
    "coef": [3, 0, 0, 0],
    "noise_sd": 1,
}
N_TRIALS = 5
TIMES = ["fit_seconds", "predict_seconds"]


def _job(spec=OLS, preprocessing="standard_scaler", ablations=None, split=None, model="M"):
    return trials.CellJob("s", "s", model, model, spec, preprocessing, ablations, split)


def _holdout(data, t, cols=None):
    n = int(data["n_train"])
    X, y = data["X"][t], data["y"][t]
    if cols is not None:
        X = X[:, cols]
    return X[:n], X[n:], y[:n], y[n:]


def _refit(estimator, data, t, cols, scale=True):
    """Test predictions, test and training targets of an independent holdout refit."""
    X_train, X_test, y_train, y_test = _holdout(data, t, cols)
    if scale:
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    y_pred = estimator.fit(X_train, y_train).predict(X_test)
    return y_pred, y_test, y_train


@pytest.fixture(scope="module")
def linear_data():
    return generators.generate_scenario("lin", LINEAR, master_seed=11, trials=N_TRIALS)


# --- k-fold ----------------------------------------------------------------------------

KFOLD_SPEC = {
    "generator": "linear",
    "n_features": 3,
    "coef": [1.0, 0.5, 0.0],
    "noise_sd": 1.5,
}


@pytest.mark.parametrize(("n_train", "n_test"), [(20, 10), (21, 11)])  # 30 rows; 32: uneven
@pytest.mark.parametrize("folds", [5, 3])
def test_kfold_r2_equals_cross_val_score(n_train, n_test, folds):
    spec = {**KFOLD_SPEC, "n_train": n_train, "n_test": n_test}
    data = generators.generate_scenario("kf", spec, master_seed=3, trials=3)
    split = {"method": "kfold", "folds": folds}
    out = trials.run_cell(data, _job(preprocessing="none", split=split), range(3))
    assert out["ablation"].tolist() == ["full"] * 3
    assert set(out["status"]) == {"ok"}
    for t in range(3):
        X, y = data["X"][t], data["y"][t]
        assert len(y) == n_train + n_test  # every row is used, in train or test
        expected = cross_val_score(LinearRegression(), X, y, cv=KFold(folds), scoring="r2").mean()
        assert out["r2"].iloc[t] == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_kfold_with_scaling_equals_a_scaled_pipeline():
    spec = {**KFOLD_SPEC, "n_train": 20, "n_test": 10}
    data = generators.generate_scenario("kf", spec, master_seed=4, trials=3)
    data = {**data, "X": data["X"] * np.array([1.0, 30.0, 0.01])}  # scaling matters for Ridge
    split = {"method": "kfold", "folds": 5}
    scaled = trials.run_cell(data, _job(RIDGE, split=split), range(3))
    raw = trials.run_cell(data, _job(RIDGE, preprocessing="none", split=split), range(3))
    for t in range(3):
        X, y = data["X"][t], data["y"][t]
        pipeline = make_pipeline(StandardScaler(), Ridge(alpha=5.0))
        expected = cross_val_score(pipeline, X, y, cv=KFold(5), scoring="r2").mean()
        assert scaled["r2"].iloc[t] == pytest.approx(expected, rel=1e-9)
        expected = cross_val_score(Ridge(alpha=5.0), X, y, cv=KFold(5), scoring="r2").mean()
        assert raw["r2"].iloc[t] == pytest.approx(expected, rel=1e-9)
    assert not np.allclose(scaled["r2"], raw["r2"])


@pytest.mark.parametrize(("n_rows", "folds"), [(30, 5), (32, 5), (11, 3), (7, 7)])
def test_kfold_folds_are_numpy_array_split_blocks(n_rows, folds):
    # The trials of the published studies were drawn with these folds: each row tested
    # once, in order, the first n_rows % folds folds one row larger.
    rows = np.arange(n_rows)
    split = {"method": "kfold", "folds": folds}
    got = list(trials._splits(n_rows, 0, split))
    assert len(got) == folds
    for (train, test), block in zip(got, np.array_split(rows, folds), strict=True):
        assert test.tolist() == block.tolist()
        assert train.tolist() == sorted(set(rows) - set(block))


def test_variants_are_scaled_on_every_column_before_picking_their_own(linear_data):
    # Scaling all columns, then keeping a variant's: the order the trials tables of the
    # published studies were made in, to the last bit (scaling the kept columns alone
    # rounds their means and variances differently).
    ablations = {"keep": {"one": ["x2"], "three": ["x0", "x1", "x3"]}}
    out = trials.run_cell(linear_data, _job(ablations=ablations), range(2))
    for t in range(2):
        X_train, X_test, y_train, y_test = _holdout(linear_data, t)
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        for label, cols in [("keep:one", [2]), ("keep:three", [0, 1, 3])]:
            fitted = LinearRegression().fit(X_train[:, cols], y_train)
            expected = r2_score(y_test, fitted.predict(X_test[:, cols]))
            row = out[(out["trial"] == t) & (out["ablation"] == label)]
            assert row["r2"].item() == expected, label


def test_kfold_scores_are_fold_averages_and_times_sums():
    spec = {**KFOLD_SPEC, "n_train": 21, "n_test": 11}
    data = generators.generate_scenario("kf", spec, master_seed=5, trials=2)
    split = {"method": "kfold", "folds": 4}
    out = trials.run_cell(data, _job(preprocessing="none", split=split), range(2))
    for t in range(2):
        X, y = data["X"][t], data["y"][t]
        per_fold = {"oos_r2": [], "rmse": [], "r2_train": []}
        for train, test in KFold(4).split(X):
            fitted = LinearRegression().fit(X[train], y[train])
            y_pred = fitted.predict(X[test])
            sse = np.sum((y[test] - y_pred) ** 2)
            per_fold["oos_r2"].append(1 - sse / np.sum((y[test] - y[train].mean()) ** 2))
            per_fold["rmse"].append(root_mean_squared_error(y[test], y_pred))
            per_fold["r2_train"].append(r2_score(y[train], fitted.predict(X[train])))
        for metric, values in per_fold.items():
            assert out[metric].iloc[t] == pytest.approx(np.mean(values), rel=1e-9), metric
    assert (out[TIMES] > 0).all().all()


def test_explicit_holdout_equals_the_default_split(linear_data):
    default = trials.run_cell(linear_data, _job(), range(2))
    holdout = trials.run_cell(linear_data, _job(split={"method": "holdout"}), range(2))
    pd.testing.assert_frame_equal(default.drop(columns=TIMES), holdout.drop(columns=TIMES))


def test_kfold_with_drop_one_refits_each_variant():
    spec = {**KFOLD_SPEC, "n_train": 20, "n_test": 10}
    data = generators.generate_scenario("kf", spec, master_seed=6, trials=2)
    job = _job(
        preprocessing="none", ablations={"drop_one": True}, split={"method": "kfold", "folds": 5}
    )
    out = trials.run_cell(data, job, range(2))
    for t in range(2):
        X, y = data["X"][t], data["y"][t]
        rows = out[out["trial"] == t].set_index("ablation")["r2"]
        for label, cols in [
            ("full", [0, 1, 2]),
            ("drop:x0", [1, 2]),
            ("drop:x1", [0, 2]),
            ("drop:x2", [0, 1]),
        ]:
            expected = cross_val_score(
                LinearRegression(), X[:, cols], y, cv=KFold(5), scoring="r2"
            ).mean()
            assert rows[label] == pytest.approx(expected, rel=1e-9), label


# --- ablation variants on a holdout split ----------------------------------------------


def test_drop_one_rows_and_order(linear_data):
    out = trials.run_cell(linear_data, _job(ablations={"drop_one": True}), range(N_TRIALS))
    labels = ["full", "drop:x0", "drop:x1", "drop:x2", "drop:x3"]
    assert list(out.columns) == list(trials.COLUMNS)
    assert len(out) == N_TRIALS * len(labels)
    assert out["ablation"].tolist() == labels * N_TRIALS
    assert out["trial"].tolist() == [t for t in range(N_TRIALS) for _ in labels]
    expected_seeds = [int(linear_data["seed"][t]) for t in range(N_TRIALS) for _ in labels]
    assert out["seed"].tolist() == expected_seeds
    assert set(out["status"]) == {"ok"}


def test_drop_one_on_linear_data(linear_data):
    out = trials.run_cell(linear_data, _job(ablations={"drop_one": True}), range(N_TRIALS))
    r2 = out.pivot(index="trial", columns="ablation", values="r2")
    # x0 carries all the signal (R² ≈ 9 / 10): without it the model has nothing to learn.
    assert (r2["full"] > 0.8).all()
    assert (r2["drop:x0"] < 0.05).all()
    assert (r2["full"] - r2["drop:x0"] > 0.7).all()
    # The other features are noise: dropping one hardly matters.
    for name in ("x1", "x2", "x3"):
        assert (abs(r2["full"] - r2[f"drop:{name}"]) < 0.05).all(), name
    # Each variant equals an independent refit on the columns it keeps.
    kept = {
        "full": [0, 1, 2, 3],
        "drop:x0": [1, 2, 3],
        "drop:x1": [0, 2, 3],
        "drop:x2": [0, 1, 3],
        "drop:x3": [0, 1, 2],
    }
    for t in range(N_TRIALS):
        rows = out[out["trial"] == t].set_index("ablation")
        for label, cols in kept.items():
            y_pred, y_test, y_train = _refit(LinearRegression(), linear_data, t, cols)
            assert rows.loc[label, "r2"] == pytest.approx(r2_score(y_test, y_pred), rel=1e-9)
            oos = 1 - np.sum((y_test - y_pred) ** 2) / np.sum((y_test - y_train.mean()) ** 2)
            assert rows.loc[label, "oos_r2"] == pytest.approx(oos, rel=1e-9)
            rmse = root_mean_squared_error(y_test, y_pred)
            assert rows.loc[label, "rmse"] == pytest.approx(rmse, rel=1e-9)


def test_drop_informative_refits(linear_data):
    data = generators.generate_scenario(
        "lin2", {**LINEAR, "coef": [3, 0, -1, 0]}, master_seed=2, trials=2
    )
    assert data["informative"].tolist() == [0, 2]
    out = trials.run_cell(data, _job(RIDGE, ablations={"drop_informative": True}), range(2))
    assert out["ablation"].tolist() == ["full", "drop_informative:1", "drop_informative:2"] * 2
    kept = {"full": [0, 1, 2, 3], "drop_informative:1": [1, 2, 3], "drop_informative:2": [1, 3]}
    for t in range(2):
        rows = out[out["trial"] == t].set_index("ablation")["r2"]
        for label, cols in kept.items():
            y_pred, y_test, _ = _refit(Ridge(alpha=5.0), data, t, cols)
            assert rows[label] == pytest.approx(r2_score(y_test, y_pred), rel=1e-9), label


def test_keep_refits_on_the_named_columns(linear_data):
    ablations = {"keep": {"pair": ["x3", "x0"], "noise": ["x2"]}}
    out = trials.run_cell(linear_data, _job(ablations=ablations), range(2))
    assert out["ablation"].tolist() == ["full", "keep:pair", "keep:noise"] * 2
    for t in range(2):
        rows = out[out["trial"] == t].set_index("ablation")["r2"]
        for label, cols in [("keep:pair", [0, 3]), ("keep:noise", [2])]:
            y_pred, y_test, _ = _refit(LinearRegression(), linear_data, t, cols)
            assert rows[label] == pytest.approx(r2_score(y_test, y_pred), rel=1e-9), label


def test_drop_random_drops_the_same_columns_for_every_model(linear_data):
    k = 2
    ablations = {"drop_random": {"k": k}}
    label = f"drop_random:k={k}"
    subsets = list(itertools.combinations(range(4), 4 - k))
    found = []
    for spec, estimator in ((OLS, LinearRegression), (RIDGE, lambda: Ridge(alpha=5.0))):
        out = trials.run_cell(linear_data, _job(spec, ablations=ablations), range(N_TRIALS))
        per_trial = []
        for t in range(N_TRIALS):
            r2 = out[(out["trial"] == t) & (out["ablation"] == label)]["r2"].item()
            matches = []
            for cols in subsets:
                y_pred, y_test, _ = _refit(estimator(), linear_data, t, list(cols))
                if math.isclose(r2, r2_score(y_test, y_pred), rel_tol=1e-9):
                    matches.append(cols)
            assert len(matches) == 1, (t, matches)  # a refit on k fewer columns explains it
            per_trial.append(matches[0])
        found.append(per_trial)
    assert found[0] == found[1]  # the same columns, whatever the model
    assert len(set(found[0])) > 1  # and not the same in every trial


# --- failures and metrics --------------------------------------------------------------


class FailsOnFourColumns:
    """Raises when given four features, fits the mean otherwise."""

    def fit(self, X, y):
        if X.shape[1] == 4:
            raise RuntimeError("four columns")
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


def test_a_failing_variant_does_not_sink_the_others(linear_data):
    spec = {"estimator": f"{__name__}.FailsOnFourColumns"}
    out = trials.run_cell(linear_data, _job(spec, ablations={"drop_one": True}), range(2))
    full, dropped = out[out["ablation"] == "full"], out[out["ablation"] != "full"]
    assert (full["status"] == "failed").all()
    assert (full["error"] == "RuntimeError: four columns").all()
    assert full[["r2", "oos_r2", "rmse", "mae", "msle", "r2_train"]].isna().all().all()
    assert (dropped["status"] == "ok").all() and len(dropped) == 8
    for t in range(2):
        y_pred, y_test, _ = _refit(DummyRegressor(), linear_data, t, [1, 2, 3])
        rows = dropped[dropped["trial"] == t]
        assert rows["r2"].tolist() == pytest.approx([r2_score(y_test, y_pred)] * 4, rel=1e-9)


def test_msle_column_against_sklearn_on_positive_targets():
    rng = np.random.default_rng(8)
    n_train, n_test, n_trials = 30, 15, 4
    X = rng.normal(size=(n_trials, n_train + n_test, 2))
    y = np.exp(rng.normal(size=(n_trials, n_train + n_test)) + 0.3 * X[..., 0])
    data = {"X": X, "y": y, "seed": np.arange(n_trials), "n_train": np.asarray(n_train)}
    dummy = {"estimator": "sklearn.dummy.DummyRegressor"}
    out = trials.run_cell(data, _job(dummy), range(n_trials))
    ols = trials.run_cell(data, _job(), range(n_trials))
    # No feature_names nor informative in data: the full model only, as always.
    assert out["ablation"].tolist() == ["full"] * n_trials
    n_undefined = 0
    for t in range(n_trials):
        y_test, y_train = y[t, n_train:], y[t, :n_train]
        expected = mean_squared_log_error(y_test, np.full(n_test, y_train.mean()))
        assert out["msle"].iloc[t] == pytest.approx(expected, rel=1e-9)
        y_pred, _, _ = _refit(LinearRegression(), data, t, [0, 1])
        if (y_pred < 0).any():
            assert math.isnan(ols["msle"].iloc[t])
            n_undefined += 1
        else:
            expected = mean_squared_log_error(y_test, y_pred)
            assert ols["msle"].iloc[t] == pytest.approx(expected, rel=1e-9)
    assert n_undefined < n_trials  # the defined branch is exercised


def test_a_job_drawing_its_own_trials_scores_as_the_stacked_data():
    """The workflow's trial job draws each trial on demand: same rows, bit for bit,
    as a run over the stacked arrays (timing columns aside), for any chunk."""
    spec = {**LINEAR, "n_train": 30, "n_test": 15}
    stacked = generators.generate_scenario("s", spec, master_seed=9, trials=5)
    draws = generators.ScenarioDraws("s", spec, master_seed=9)
    job = _job(ablations={"drop_one": True})
    timing = ["fit_seconds", "predict_seconds"]
    whole = trials.run_cell(stacked, job, range(5)).drop(columns=timing)
    chunk = trials.run_cell(draws, job, range(2, 5)).drop(columns=timing)
    expected = whole[whole["trial"] >= 2].reset_index(drop=True)
    pd.testing.assert_frame_equal(chunk, expected, check_exact=True)


# --- scikit-learn's parameter checks, once per cell ----------------------------------

NESTED = [
    {
        "estimator": "sklearn.ensemble.GradientBoostingRegressor",
        "params": {"n_estimators": 20, "random_state": 42},
    },
    {"estimator": "sklearn.linear_model.RANSACRegressor"},
]


@pytest.mark.parametrize("spec", NESTED, ids=["GradientBoosting", "RANSAC"])
def test_scores_equal_refits_with_scikit_learns_checks_on(linear_data, spec):
    # run_cell skips scikit-learn's per-fit parameter checks; a plain refit (checks on,
    # the trial's seed as random_state where unset) must score the same, bit for bit.
    from sklearn import get_config

    from negr2.models import build_estimator

    assert get_config()["skip_parameter_validation"] is False
    table = trials.run_cell(linear_data, _job(spec), range(N_TRIALS))
    for t in range(N_TRIALS):
        seed = int(linear_data["seed"][t])
        y_pred, y_test, _ = _refit(build_estimator(spec, seed), linear_data, t, None)
        assert table.loc[t, "r2"] == r2_score(y_test, y_pred)


def test_a_bad_parameter_value_stops_the_cell_before_any_trial(linear_data):
    bad = {"estimator": "sklearn.linear_model.Ridge", "params": {"alpha": -1.0}}
    with pytest.raises(ValueError, match=r"models\.M\.params\.alpha"):
        trials.run_cell(linear_data, _job(bad), range(N_TRIALS))


def test_parameters_are_checked_once_per_cell_not_in_every_fit(linear_data, monkeypatch):
    # A boosted ensemble checks its own and each tree's parameters in every fit: 20 trees
    # over 5 trials would be 105 checks. run_cell checks as check_params does, once.
    from sklearn.base import BaseEstimator

    from negr2.models import check_params

    calls = []
    original = BaseEstimator._validate_params

    def counted(self):
        calls.append(type(self).__name__)
        return original(self)

    monkeypatch.setattr(BaseEstimator, "_validate_params", counted)
    check_params(NESTED[0], key="models.M")
    once = list(calls)
    calls.clear()
    table = trials.run_cell(linear_data, _job(NESTED[0]), range(N_TRIALS))
    assert (table["status"] == "ok").all()
    assert once and calls == once
