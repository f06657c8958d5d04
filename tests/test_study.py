"""negr2.study: sweep points, their ids and the sweep checks, against hand-written grids."""

from __future__ import annotations

import copy
import itertools

import pytest

from negr2 import config, splits, study

OLS = {"estimator": "sklearn.linear_model.LinearRegression"}
KNN = "sklearn.neighbors.KNeighborsRegressor"
NOISE = {"generator": "gaussian_noise", "n_train": 20, "n_test": 10, "n_features": 3}
LINEAR = {
    "generator": "linear",
    "n_train": 50,
    "n_test": 20,
    "n_features": 2,
    "coef": [1.0, 0.0],
    "noise_sd": 1.0,
}


def _config(scenarios=None, models=None):
    return {
        "trials": 2,
        "scenarios": scenarios if scenarios is not None else {"noise": NOISE},
        "models": models if models is not None else {"OLS": OLS},
    }


def _study(cfg):
    return study.Study.from_config(cfg)


# --- point_id ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("swept", "expected"),
    [
        ({}, "noise"),
        ({"n_train": 20}, "noise@n_train=20"),
        ({"n_train": 20, "n_features": 3}, "noise@n_train=20,n_features=3"),
        ({"n_features": 3, "n_train": 20}, "noise@n_features=3,n_train=20"),  # key order kept
        ({"alpha": 0.1}, "noise@alpha=0.1"),
        ({"weights": "distance"}, "noise@weights=distance"),  # text is not quoted
        ({"fit_intercept": False}, "noise@fit_intercept=false"),
        ({"coef": [1, 0, 0.5]}, "noise@coef=[1,0,0.5]"),  # no spaces
        ({"max_depth": None}, "noise@max_depth=null"),
    ],
)
def test_point_id(swept, expected):
    assert study.point_id("noise", swept) == expected


# --- scenario points -------------------------------------------------------------------


def test_unswept_scenario_is_one_point_named_as_in_the_config():
    points = study.scenario_points(_config())
    assert len(points) == 1
    (point,) = points
    assert (point.id, point.name, point.swept) == ("noise", "noise", {})
    assert point.spec == NOISE


def test_scenario_grid_is_the_cartesian_product_in_key_order():
    noise = {**NOISE, "n_train": [20, 40], "n_features": [1, 3, 5]}
    cfg = _config({"noise": noise, "lin": LINEAR})
    before = copy.deepcopy(cfg)
    points = study.scenario_points(cfg)
    expected_ids = [
        "noise@n_train=20,n_features=1",
        "noise@n_train=20,n_features=3",
        "noise@n_train=20,n_features=5",
        "noise@n_train=40,n_features=1",
        "noise@n_train=40,n_features=3",
        "noise@n_train=40,n_features=5",
        "lin",
    ]
    assert [p.id for p in points] == expected_ids
    assert [p.name for p in points] == ["noise"] * 6 + ["lin"]
    grid = list(itertools.product([20, 40], [1, 3, 5]))
    for point, (n_train, n_features) in zip(points, grid, strict=False):
        assert point.swept == {"n_train": n_train, "n_features": n_features}
        assert point.spec == {**NOISE, "n_train": n_train, "n_features": n_features}
    assert points[-1].spec == LINEAR and points[-1].swept == {}
    assert cfg == before  # the config is not changed
    assert len({p.id for p in points}) == len(points)


def test_one_value_list_is_a_sweep_of_one_point():
    points = study.scenario_points(_config({"noise": {**NOISE, "n_test": [10]}}))
    assert [(p.id, p.swept, p.spec["n_test"]) for p in points] == [
        ("noise@n_test=10", {"n_test": 10}, 10)
    ]


def test_coef_list_is_not_a_sweep():
    points = study.scenario_points(_config({"lin": LINEAR}))
    assert [(p.id, p.swept) for p in points] == [("lin", {})]
    assert points[0].spec["coef"] == [1.0, 0.0]


def test_coef_list_of_lists_sweeps():
    lin = {**LINEAR, "coef": [[1, 0], [0, 1], [2.5, -1]]}
    points = study.scenario_points(_config({"lin": lin}))
    assert [p.id for p in points] == ["lin@coef=[1,0]", "lin@coef=[0,1]", "lin@coef=[2.5,-1]"]
    assert [p.spec["coef"] for p in points] == [[1, 0], [0, 1], [2.5, -1]]
    assert [p.swept for p in points] == [{"coef": [1, 0]}, {"coef": [0, 1]}, {"coef": [2.5, -1]}]


def test_coef_sweep_combines_with_other_sweeps():
    lin = {**LINEAR, "coef": [[1, 0], [0, 1]], "noise_sd": [0.5, 2]}
    ids = [p.id for p in study.scenario_points(_config({"lin": lin}))]
    assert ids == [
        "lin@coef=[1,0],noise_sd=0.5",
        "lin@coef=[1,0],noise_sd=2",
        "lin@coef=[0,1],noise_sd=0.5",
        "lin@coef=[0,1],noise_sd=2",
    ]


def test_columns_list_is_not_a_sweep_but_list_of_lists_is():
    table = {"generator": "table", "path": "d.csv", "target": "y", "n_train": 5, "n_test": 5}
    one = study.scenario_points(_config({"t": {**table, "columns": ["a", "b"]}}))
    assert [(p.id, p.swept) for p in one] == [("t", {})]
    two = study.scenario_points(_config({"t": {**table, "columns": [["a"], ["a", "b"]]}}))
    assert [p.id for p in two] == ['t@columns=["a"]', 't@columns=["a","b"]']
    assert [p.spec["columns"] for p in two] == [["a"], ["a", "b"]]


TABLE = {"generator": "table", "path": "d.csv", "target": "y", "n_train": 5, "n_test": 5}


@pytest.mark.parametrize(
    ("base", "key"),
    [(NOISE, "generator"), (NOISE, "split"), (TABLE, "path"), (TABLE, "target")],
)
def test_unswept_keys_are_never_swept(base, key):
    spec = {**base, key: ["a", "b"]}
    points = study.scenario_points(_config({"s": spec}))
    assert [(p.id, p.swept) for p in points] == [("s", {})]
    assert points[0].spec[key] == ["a", "b"]


def test_a_user_generators_lists_sweep_like_model_params():
    # Only a built-in declares list-valued or fixed keys: a user's generator gets a
    # list value by wrapping it, as a model parameter does.
    waves = {"generator": "mylab.waves", "n_train": 5, "n_test": 5, "n_features": 2}
    spec = {**waves, "freq": [1, 2], "coef": [[1, 0]], "path": ["a", "b"]}
    points = study.scenario_points(_config({"w": spec}))
    assert [p.swept for p in points] == [
        {"freq": f, "coef": [1, 0], "path": path} for f in (1, 2) for path in ("a", "b")
    ]


# --- model points ----------------------------------------------------------------------


def test_model_param_list_sweeps_and_keeps_fixed_params():
    models = {
        "OLS": OLS,
        "KNN": {"estimator": KNN, "params": {"n_neighbors": [1, 5, 9], "weights": "uniform"}},
    }
    before = copy.deepcopy(models)
    points = study.model_points(_config(models=models))
    assert [p.id for p in points] == [
        "OLS",
        "KNN@n_neighbors=1",
        "KNN@n_neighbors=5",
        "KNN@n_neighbors=9",
    ]
    assert [p.name for p in points] == ["OLS", "KNN", "KNN", "KNN"]
    assert points[0].swept == {} and points[0].spec["estimator"] == OLS["estimator"]
    assert not points[0].spec.get("params")
    for point, k in zip(points[1:], [1, 5, 9], strict=True):
        assert point.swept == {"n_neighbors": k}
        assert point.spec == {"estimator": KNN, "params": {"n_neighbors": k, "weights": "uniform"}}
    assert models == before


def test_model_grid_is_the_cartesian_product():
    params = {"n_neighbors": [1, 5], "weights": ["uniform", "distance"], "p": 2}
    points = study.model_points(_config(models={"KNN": {"estimator": KNN, "params": params}}))
    assert [p.id for p in points] == [
        "KNN@n_neighbors=1,weights=uniform",
        "KNN@n_neighbors=1,weights=distance",
        "KNN@n_neighbors=5,weights=uniform",
        "KNN@n_neighbors=5,weights=distance",
    ]
    assert all(p.spec["params"]["p"] == 2 for p in points)


def test_model_param_that_takes_a_list_is_wrapped():
    mlp = "sklearn.neural_network.MLPRegressor"
    one = {"MLP": {"estimator": mlp, "params": {"hidden_layer_sizes": [[64, 32]]}}}
    points = study.model_points(_config(models=one))
    assert [(p.id, p.spec["params"]) for p in points] == [
        ("MLP@hidden_layer_sizes=[64,32]", {"hidden_layer_sizes": [64, 32]})
    ]
    two = {"MLP": {"estimator": mlp, "params": {"hidden_layer_sizes": [[64], [64, 32]]}}}
    points = study.model_points(_config(models=two))
    assert [p.id for p in points] == [
        "MLP@hidden_layer_sizes=[64]",
        "MLP@hidden_layer_sizes=[64,32]",
    ]
    assert [p.spec["params"]["hidden_layer_sizes"] for p in points] == [[64], [64, 32]]


def test_points_are_hashable():
    (point,) = study.scenario_points(_config())
    assert hash(point) == hash(study.Point("noise", "noise", {"other": 1}, {}))


# --- swept_columns ---------------------------------------------------------------------


def test_swept_columns_scenario_keys_first_each_once():
    scenarios = {
        "noise": {**NOISE, "n_train": [20, 40], "n_features": [1, 3]},
        "lin": {**LINEAR, "n_train": [50, 60], "coef": [[1, 0], [0, 1]]},
    }
    models = {
        "KNN": {"estimator": KNN, "params": {"weights": ["uniform", "distance"], "p": 2}},
        "KNN2": {"estimator": KNN, "params": {"n_neighbors": [1, 3], "weights": ["uniform"]}},
        "OLS": OLS,
    }
    columns = _study(_config(scenarios, models)).swept_columns
    assert columns == ["n_train", "n_features", "coef", "weights", "n_neighbors"]


def test_swept_columns_empty_without_sweeps():
    assert _study(_config({"noise": NOISE, "lin": LINEAR})).swept_columns == []


# --- check_sweeps ----------------------------------------------------------------------


def test_check_sweeps_accepts_a_valid_study():
    scenarios = {"noise": {**NOISE, "n_train": [20, 40]}, "lin": LINEAR}
    models = {"OLS": OLS, "KNN": {"estimator": KNN, "params": {"n_neighbors": [1, 5]}}}
    study.check_sweeps(_study(_config(scenarios, models)))  # no exception


@pytest.mark.parametrize("key", ["seed", "trial", "r2", "ablation", "status", "model_id"])
def test_check_sweeps_rejects_a_reserved_column(key):
    models = {"M": {"estimator": KNN, "params": {key: [1, 2]}}}
    with pytest.raises(ValueError, match=rf"^{key}: cannot be swept, it would shadow"):
        study.check_sweeps(_study(_config(models=models)))


def test_check_sweeps_allows_a_reserved_name_that_is_not_swept():
    models = {"M": {"estimator": KNN, "params": {"seed": 1}}}
    study.check_sweeps(_study(_config(models=models)))  # a constant adds no column


def test_check_sweeps_rejects_a_key_swept_by_scenario_and_model():
    scenarios = {
        "f": {
            "generator": "friedman1",
            "n_train": 20,
            "n_test": 10,
            "n_features": 5,
            "noise": [0.0, 1.0],
        }
    }
    models = {"M": {"estimator": KNN, "params": {"noise": [0.1, 0.2]}}}
    with pytest.raises(ValueError, match=r"^noise: swept by both a scenario and a model"):
        study.check_sweeps(_study(_config(scenarios, models)))


def test_key_swept_by_two_scenarios_is_one_column():
    scenarios = {"a": {**NOISE, "n_train": [20, 30]}, "b": {**NOISE, "n_train": [40]}}
    cfg = _config(scenarios)
    study.check_sweeps(_study(cfg))
    assert _study(cfg).swept_columns == ["n_train"]


@pytest.mark.parametrize(
    "cfg",
    [
        _config({"noise": {**NOISE, "n_train": []}}),
        _config({"lin": {**LINEAR, "noise_sd": []}}),
        _config(models={"KNN": {"estimator": KNN, "params": {"n_neighbors": []}}}),
    ],
    ids=["scenario", "scenario-float", "model"],
)
def test_empty_list_is_an_error(cfg):
    with pytest.raises(ValueError, match=r"an empty list sweeps nothing"):
        study.scenario_points(cfg) + study.model_points(cfg)
    with pytest.raises(ValueError, match=r"an empty list sweeps nothing"):
        _study(cfg)


def test_empty_list_error_names_the_key():
    with pytest.raises(ValueError, match=r"^models\.KNN\.params\.n_neighbors: "):
        study.model_points(
            _config(models={"KNN": {"estimator": KNN, "params": {"n_neighbors": []}}})
        )


def test_repeated_sweep_value_is_rejected_up_front():
    cfg = _config({"noise": {**NOISE, "n_train": [20, 20]}})
    with pytest.raises(
        ValueError, match=r"^scenarios\.noise\.n_train: the sweep .* repeats a value"
    ):
        study.scenario_points(cfg)
    with pytest.raises(ValueError, match="n_train"):
        config.check_config(cfg)


# --- Study ------------------------------------------------------------------------------


def test_study_cells_in_config_order():
    scenarios = {"b": {**NOISE, "n_train": [30, 20]}, "a": NOISE}
    models = {"Z": OLS, "K": {"estimator": KNN, "params": {"n_neighbors": [3, 1]}}}
    s = _study(_config(scenarios, models))
    assert list(s.scenarios) == ["b@n_train=30", "b@n_train=20", "a"]
    assert list(s.models) == ["Z", "K@n_neighbors=3", "K@n_neighbors=1"]
    assert s.cells == [
        ("b@n_train=30", "Z"),
        ("b@n_train=30", "K@n_neighbors=3"),
        ("b@n_train=30", "K@n_neighbors=1"),
        ("b@n_train=20", "Z"),
        ("b@n_train=20", "K@n_neighbors=3"),
        ("b@n_train=20", "K@n_neighbors=1"),
        ("a", "Z"),
        ("a", "K@n_neighbors=3"),
        ("a", "K@n_neighbors=1"),
    ]
    assert s.swept_columns == ["n_train", "n_neighbors"]
    assert s.scenarios["b@n_train=20"].spec["n_train"] == 20


def test_study_splits_resolve_the_defaults_once():
    from pathlib import Path

    import yaml

    schema_file = Path(__file__).parents[1] / "workflow" / "schemas" / "config.schema.yaml"
    schema = yaml.safe_load(schema_file.read_text())
    assert schema["$defs"]["split"]["properties"]["folds"]["default"] == splits.DEFAULT_FOLDS
    scenarios = {
        "inherits": NOISE,
        "own": {**NOISE, "split": {"method": "kfold", "folds": 3}},
        "holdout": {**NOISE, "split": {"method": "holdout"}},
        "empty": {**NOISE, "split": {}},
    }
    s = _study({**_config(scenarios), "split": {"method": "kfold"}})
    assert s.splits == {
        "inherits": splits.Split("kfold", splits.DEFAULT_FOLDS),
        "own": splits.Split("kfold", 3),
        "holdout": splits.Split("holdout", splits.DEFAULT_FOLDS),
        "empty": splits.Split("holdout", splits.DEFAULT_FOLDS),  # {} is one holdout split
    }
    assert [split.fits for split in s.splits.values()] == [splits.DEFAULT_FOLDS, 3, 1, 1]
    assert s.splits["own"].text == "3-fold CV"
    assert s.splits["holdout"].text == "holdout split"
    # What the jobs are given stays the split as written, without the defaults.
    assert s.raw_split("inherits") == {"method": "kfold"}
    assert s.raw_split("empty") == {}
    assert _study(_config()).splits == {"noise": splits.Split("holdout", splits.DEFAULT_FOLDS)}


def test_study_reference():
    models = {"LinearRegression": OLS, "KNN": {"estimator": KNN}}
    assert _study(_config(models=models)).reference == "LinearRegression"
    chosen = {**_config(models=models), "comparisons": {"reference": "KNN"}}
    assert _study(chosen).reference == "KNN"
    assert _study({**chosen, "comparisons": {"reference": None}}).reference is None
    assert _study(_config(models={"KNN": {"estimator": KNN}})).reference is None


def test_study_name():
    assert _study({**_config(), "study": "demo"}).name == "demo"


def test_study_is_frozen():
    import dataclasses

    s = _study(_config())
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.scenarios = {}
    with pytest.raises(TypeError):
        s.scenarios["other"] = s.scenarios["noise"]
    with pytest.raises(TypeError):
        s.models["other"] = s.models["OLS"]
