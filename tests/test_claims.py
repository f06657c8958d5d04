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
    return {"text": f"{better} > {than}", "scenario": scenario, "better": better,
            "than": than, "metric": metric, **extra}  # fmt: skip


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
        "text", "scenario", "better", "than", "metric", "n_pairs", "mean_diff", "diff_lo",
        "diff_hi", "wilcoxon_p", "verdict",
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
    # make test installs the extras the tests drive for real, keras among them.
    installs = re.findall(r"pip install .* -e '\.\[([\w,]+)\]'", (ROOT / "Makefile").read_text())
    assert any({"dev", "keras", "slurm", "server"} <= set(e.split(",")) for e in installs)
