"""Silent failures and surprise reruns: values from --config, estimator parameters
checked before any trial, failed cells named where the study ends, canonical params."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import run_snakemake, tiny_config, write_config
from sklearn.linear_model import Ridge
from sklearn.neighbors import KNeighborsRegressor
from sklearn.utils._param_validation import InvalidParameterError
from test_workflow import planned_jobs

from negr2.failures import closing_lines, failed_cells, over_limit
from negr2.fingerprints import canonical
from negr2.models import check_params
from negr2.schema import coerce_overrides

# An estimator whose every fit fails, to make a cell that failed all its trials.
BROKEN_MODULE = """
from sklearn.base import BaseEstimator, RegressorMixin


class Broken(RegressorMixin, BaseEstimator):
    def fit(self, X, y):
        raise RuntimeError("broken on purpose")

    def predict(self, X):
        raise RuntimeError("never fitted")
"""


# ---------------------------------------------------------------- --config values


def test_config_override_text_gets_its_yaml_meaning():
    # What Snakemake's --config parser hands over for
    # "models={'Ridge': {'params': {'alpha': 10.0, 'tol': null, 'fit_intercept': true}}}".
    overrides = {
        "models": {"Ridge": {"params": {"alpha": "10.0", "tol": "null", "fit_intercept": "true"}}},
        "scenarios": {"noise": {"n_train": ["20", "40"], "generator": "gaussian_noise"}},
        "study": "my-study",
    }
    config = {
        "study": "my-study",
        "models": {
            "Ridge": {
                "estimator": "x.Ridge",
                "params": dict(overrides["models"]["Ridge"]["params"]),
            }
        },
        "scenarios": {
            "noise": {"n_test": 40, "n_train": ["20", "40"], "generator": "gaussian_noise"}
        },
    }
    coerce_overrides(config, overrides)
    expected = {"alpha": 10.0, "tol": None, "fit_intercept": True}
    assert config["models"]["Ridge"]["params"] == expected
    # The same text in a study file means the same.
    assert yaml.safe_load("{alpha: 10.0, tol: null, fit_intercept: true}") == expected
    assert config["scenarios"]["noise"] == {
        "n_test": 40,
        "n_train": [20, 40],
        "generator": "gaussian_noise",
    }
    assert config["study"] == "my-study"
    assert config["models"]["Ridge"]["estimator"] == "x.Ridge"  # not overridden: untouched


def test_config_override_keeps_text_that_yaml_cannot_read():
    config = {"study": "@odd"}
    coerce_overrides(config, {"study": "@odd"})
    assert config == {"study": "@odd"}


# ---------------------------------------------------------------- estimator params


def _sklearn_message(estimator) -> str:
    """scikit-learn's own message for a bad parameter, from a real fit."""
    with pytest.raises(InvalidParameterError) as error:
        estimator.fit(np.zeros((4, 2)), np.arange(4.0))
    return str(error.value)


@pytest.mark.parametrize(
    ("spec", "key", "reference"),
    [
        ({"alpha": "10.0"}, "alpha", Ridge(alpha="10.0")),
        ({"alpha": -1.0}, "alpha", Ridge(alpha=-1.0)),
        ({"solver": "fastest"}, "solver", Ridge(solver="fastest")),
    ],
    ids=["wrong-type", "out-of-range", "bad-choice"],
)
def test_rejected_param_is_named_with_the_estimators_message(spec, key, reference):
    with pytest.raises(ValueError) as error:
        check_params({"estimator": "sklearn.linear_model.Ridge", "params": spec}, "models.Ridge")
    assert str(error.value) == f"models.Ridge.params.{key}: {_sklearn_message(reference)}"


def test_unknown_param_name_is_named():
    with pytest.raises(ValueError, match=r"^models.KNN.params.k: KNeighborsRegressor has no"):
        check_params(
            {"estimator": "sklearn.neighbors.KNeighborsRegressor", "params": {"k": 3}},
            "models.KNN",
        )


def test_keras_params_are_checked_by_its_own_rules():
    with pytest.raises(ValueError, match=r"^models.Net.params.epochs: epochs == 0, must be >= 1"):
        check_params({"estimator": "negr2.models.KerasMLP", "params": {"epochs": 0}}, "models.Net")


def test_good_params_pass_and_match_a_fit():
    spec = {"estimator": "sklearn.neighbors.KNeighborsRegressor", "params": {"n_neighbors": 3}}
    check_params(spec, "models.KNN")  # does not raise ...
    KNeighborsRegressor(n_neighbors=3).fit(np.zeros((4, 2)), np.arange(4.0))  # ... nor does fit


# ---------------------------------------------------------------- canonical params


def test_canonical_ignores_key_order_only():
    a = {"b": 1, "a": {"y": [{"q": 1, "p": 2}], "x": None}}
    b = {"a": {"x": None, "y": [{"p": 2, "q": 1}]}, "b": 1}
    assert repr(canonical(a)) == repr(canonical(b))
    assert canonical(a) == a
    assert repr(canonical({"a": [2, 1]})) != repr(canonical({"a": [1, 2]}))  # list order counts


# ---------------------------------------------------------------- failed cells


def _write_study_tables(tmp_path, trials: pd.DataFrame):
    summary = (
        trials.groupby(["scenario_id", "model_id", "ablation"], sort=False)
        .agg(n_trials=("trial", "size"), n_failed=("status", lambda s: int((s != "ok").sum())))
        .reset_index()
    )
    summary.to_csv(tmp_path / "summary.csv", index=False)
    trials.to_parquet(tmp_path / "trials.parquet", index=False)
    return tmp_path / "summary.csv", tmp_path / "trials.parquet"


def test_failed_cells_counts_shares_and_first_errors(tmp_path):
    rows = []
    for model, failing in (("A", set()), ("B", {3, 1}), ("C", {0, 1, 2, 3})):
        for trial in range(4):
            for ablation in ("full", "drop:x0"):
                bad = trial in failing and (model == "C" or ablation == "full")
                rows.append(
                    {
                        "scenario_id": "noise",
                        "model_id": model,
                        "ablation": ablation,
                        "trial": trial,
                        "status": "failed" if bad else "ok",
                        "error": f"E{trial}" if bad else "",
                    }
                )
    cells = failed_cells(*_write_study_tables(tmp_path, pd.DataFrame(rows)))
    assert [(c.cell, c.failed, c.total, c.first_error) for c in cells] == [
        ("noise/B", 2, 8, "E1"),
        ("noise/C", 8, 8, "E0"),
    ]
    assert [c.cell for c in over_limit(cells, 0.99)] == ["noise/C"]
    assert [c.cell for c in over_limit(cells, 0.2)] == ["noise/B", "noise/C"]
    assert over_limit(cells, 1.0) == []
    lines = closing_lines(cells, 0.99)
    assert "noise/B: 2 of 8 failed (25%); first error: E1" in lines[1]
    assert "noise/C failed more than max_failed_share = 0.99" in lines[-1]
    assert closing_lines([], 0.99) == []


# ---------------------------------------------------------------- end to end


def _tiny(tmp_path, change=None, name="config.yaml"):
    config = tiny_config()
    if change:
        change(config)
    return config, write_config(tmp_path, config, name)


@pytest.mark.e2e
@pytest.mark.parametrize(
    "how", ["command-line", "study-file"], ids=["bad-param-from-config", "bad-param-in-file"]
)
def test_bad_param_stops_the_run_before_any_trial(tmp_path, how):
    if how == "study-file":
        _, path = _tiny(tmp_path, lambda c: c["models"]["Ridge"]["params"].update(alpha=-1))
        extra = []
    else:
        _, path = _tiny(tmp_path)
        override = (
            "{'Ridge': {'estimator': 'sklearn.linear_model.Ridge', 'params': {'alpha': 'abc'}}}"
        )
        extra = ["--config", f"models={override}"]
    done = run_snakemake(tmp_path, "--cores", "2", "--configfile", str(path), *extra, check=False)
    assert done.returncode != 0
    out = done.stdout + done.stderr
    lines = [line for line in out.splitlines() if "models.Ridge.params.alpha" in line]
    assert len(lines) == 1, out
    assert "The 'alpha' parameter of Ridge must be" in lines[0]
    assert not (tmp_path / "results" / "tiny" / "trials").exists()  # no trial ran


@pytest.mark.e2e
def test_param_from_command_line_means_what_it_would_in_a_file(tmp_path):
    _, path = _tiny(tmp_path)
    override = "{'Ridge': {'estimator': 'sklearn.linear_model.Ridge', 'params': {'alpha': 10.0}}}"
    run_snakemake(
        tmp_path, "--cores", "2", "--configfile", str(path), "--config", f"models={override}"
    )
    trials = pd.read_parquet(tmp_path / "results/tiny/trials.parquet").query("model == 'Ridge'")
    assert len(trials) == 6 and (trials["status"] == "ok").all()
    # The same value written in the study file gives the same numbers.
    config = tiny_config()
    config["models"]["Ridge"]["params"]["alpha"] = 10.0
    other = tmp_path / "file"
    run_snakemake(other, "--cores", "2", "--configfile", str(write_config(other, config)))
    again = pd.read_parquet(other / "results/tiny/trials.parquet").query("model == 'Ridge'")
    np.testing.assert_array_equal(trials["r2"].to_numpy(), again["r2"].to_numpy())
    default = pd.read_parquet(tmp_path / "file/results/tiny/trials.parquet")
    assert not np.isin(trials["r2"], default.query("model == 'LinearRegression'")["r2"]).all()


@pytest.mark.e2e
def test_reordered_study_file_plans_no_job(tmp_path):
    config, path = _tiny(tmp_path)
    config["ablations"] = {"keep": {"two": ["x0", "x1"]}, "drop_one": True}
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    run_snakemake(tmp_path, "--cores", "2", "--configfile", str(path))
    reordered = write_config(tmp_path, config, "sorted.yaml")
    reordered.write_text(yaml.safe_dump(config, sort_keys=True))
    assert reordered.read_text() != path.read_text()
    done = run_snakemake(tmp_path, "-n", "--cores", "2", "--configfile", str(reordered))
    assert planned_jobs(done.stdout) == {}, done.stdout
    assert "Nothing to be done" in done.stdout + done.stderr


@pytest.mark.e2e
def test_cell_that_failed_every_trial_fails_the_run_after_writing_everything(tmp_path):
    (tmp_path / "broken_models.py").write_text(BROKEN_MODULE)
    config, path = _tiny(
        tmp_path, lambda c: c["models"].update(Broken={"estimator": "broken_models.Broken"})
    )
    done = run_snakemake(tmp_path, "--cores", "2", "--configfile", str(path), check=False)
    assert done.returncode != 0
    results = tmp_path / "results/tiny"
    for name in ("trials.parquet", "summary.csv", "report.html", "paper/numbers.tex"):
        assert (results / name).is_file(), name
    assert not (results / "failures.json").exists()
    out = done.stdout + done.stderr
    assert "noise/Broken: 6 of 6 failed (100%); first error: RuntimeError: broken on purpose" in out
    flaky = pd.read_parquet(results / "trials.parquet").query("model == 'Flaky'")
    n_failed = int((flaky["status"] != "ok").sum())
    assert f"noise/Flaky: {n_failed} of 6 failed ({n_failed / 6:.0%})" in out
    assert "noise/Broken failed more than max_failed_share = 0.99" in out
    # Nothing changed: the rerun still fails, and reruns nothing but the check.
    again = run_snakemake(tmp_path, "-n", "--cores", "2", "--configfile", str(path))
    assert planned_jobs(again.stdout) == {"failures": 1}
    # Allowing every failure passes, rerunning only the check.
    config["max_failed_share"] = 1.0
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    assert planned_jobs(
        run_snakemake(tmp_path, "-n", "--cores", "2", "--configfile", str(path)).stdout
    ) == {"failures": 1}
    done = run_snakemake(tmp_path, "--cores", "2", "--configfile", str(path))
    record = json.loads((results / "failures.json").read_text())
    assert {c["cell"] for c in record["failed_cells"]} == {"noise/Broken", "noise/Flaky"}
    assert "noise/Broken: 6 of 6 failed (100%)" in done.stdout + done.stderr
