"""End to end: the negative-targets study, shrunk (3 trials, 2 epochs, 100 rows), and a
study naming KerasMLP where the keras extra is missing."""

from __future__ import annotations

import importlib.util

import pandas as pd
import pytest
import yaml
from conftest import REPO, in_ci, run_snakemake, write_config

from negr2.claims import COLUMNS as CLAIM_COLUMNS
from negr2.claims import VERDICTS as CLAIM_VERDICTS

pytestmark = pytest.mark.e2e

STUDY = REPO / "config" / "studies" / "negative-targets.yaml"
NEGATIVE_COLUMNS = [
    "negative_target_recall",
    "negative_target_mae",
    "negative_target_bias",
    "negative_prediction_share",
]
VERDICTS = set(CLAIM_VERDICTS)
# In CI the extra is always installed: there a missing one fails the test, not skips it.
HAVE_KERAS = in_ci() or all(importlib.util.find_spec(name) is not None for name in ("keras", "jax"))

# sitecustomize.py on the import path of snakemake: Keras and JAX look not installed.
HIDE_KERAS = """
import importlib.machinery

_find_spec = importlib.machinery.PathFinder.find_spec.__func__


def _hiding_find_spec(cls, name, path=None, target=None):
    if name.split(".")[0] in ("keras", "jax"):
        return None
    return _find_spec(cls, name, path, target)


importlib.machinery.PathFinder.find_spec = classmethod(_hiding_find_spec)
"""


def shrunk_study() -> dict:
    """The shipped study with 3 trials, 2 epochs, 80 + 20 rows and one chunk per cell."""
    config = yaml.safe_load(STUDY.read_text())
    config["study"] = "negative-targets-tiny"
    config["trials"] = 3
    for scenario in config["scenarios"].values():
        scenario["n_train"], scenario["n_test"] = 80, 20
    for model in config["models"].values():
        model.pop("chunks", None)
        if model["estimator"] == "negr2.models.KerasMLP":
            model["params"]["epochs"] = 2
    return config


@pytest.mark.skipif(not HAVE_KERAS, reason="needs the keras extra: pip install -e '.[keras]'")
def test_shrunk_study_gives_claims_and_negative_target_columns(tmp_path):
    config = shrunk_study()
    path = write_config(tmp_path, config)
    folder = f"results/{config['study']}"
    targets = [f"{folder}/claims.csv", f"{folder}/summary.csv"]  # not the report or MLflow
    run_snakemake(tmp_path, *targets, "--cores", "2", "--configfile", str(path))
    claims = pd.read_csv(tmp_path / folder / "claims.csv")
    assert list(claims.columns) == list(CLAIM_COLUMNS)
    assert claims["text"].tolist() == [c["text"] for c in config["claims"]]
    assert set(claims["verdict"]) <= VERDICTS and claims["verdict"].notna().all()
    assert (claims["n_pairs"] >= 1).all()
    trials = pd.read_parquet(tmp_path / folder / "trials.parquet")
    at = list(trials.columns).index("msle")
    assert list(trials.columns)[at + 1 : at + 5] == NEGATIVE_COLUMNS
    assert len(trials) == 3 * 2 * len(config["models"])
    assert (trials["status"] == "ok").all(), trials.loc[trials["status"] != "ok", "error"]
    assert trials["negative_prediction_share"].notna().all()
    keras_rows = trials[trials["model"].isin(["Naive", "Improved", "Final"])]
    assert len(keras_rows) == 18
    summary = pd.read_csv(tmp_path / folder / "summary.csv")
    for column in ("mean_negative_target_recall", "mean_negative_target_recall_lo",
                   "mean_negative_target_bias_hi", "mean_negative_target_mae",
                   "mean_negative_prediction_share", "n_no_negative_targets"):  # fmt: skip
        assert column in summary.columns, column


def test_study_without_claims_writes_an_empty_claims_table(tmp_path):
    config = {
        "study": "no-claims",
        "seed": 1,
        "trials": 2,
        "scenarios": {
            "s": {"generator": "gaussian_noise", "n_train": 10, "n_test": 5, "n_features": 2}
        },  # fmt: skip
        "models": {"Mean": {"estimator": "sklearn.dummy.DummyRegressor"}},
    }
    path = write_config(tmp_path, config)
    target = "results/no-claims/claims.csv"
    run_snakemake(tmp_path, target, "--cores", "1", "--configfile", str(path))
    claims = pd.read_csv(tmp_path / target)
    assert list(claims.columns) == list(CLAIM_COLUMNS) and len(claims) == 0


def test_kerasmlp_without_the_extra_fails_before_any_job(tmp_path):
    path = write_config(tmp_path, shrunk_study())
    (tmp_path / "sitecustomize.py").write_text(HIDE_KERAS)
    done = run_snakemake(tmp_path, "-n", "--cores", "1", "--configfile", str(path), check=False)
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert (
        "invalid config: models.Naive.estimator: KerasMLP needs the keras extra: "
        "pip install -e '.[keras]'"
    ) in output
    assert "Job stats" not in output
