"""The data digest: the same in the trials table's metadata as in the MLflow dataset of
every cell run, and it changes with whatever draws the data."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
from inprocess import NOISE, OLS, ridge, run_study, study_config, write_table

from negr2 import RESULTS_FORMAT
from negr2.cell_runs import scenario_dataset
from negr2.datasets import TABLE_METADATA_KEY, data_digest, data_spec
from negr2.study import Study


def test_the_table_records_its_study_format_and_the_digests_mlflow_logs(tmp_path):
    config = study_config({"OLS": OLS, "Ridge": ridge(1.0)}, NOISE)
    config["scenarios"]["noise"] = NOISE | {"n_train": [20, 40]}  # two scenario points
    study, trials = run_study(config)
    write_table(study, trials, tmp_path / "trials.parquet")
    described = json.loads(pq.read_schema(tmp_path / "trials.parquet").metadata[TABLE_METADATA_KEY])
    assert described["study"] == "versions"
    assert described["results_format"] == RESULTS_FORMAT
    logged = {
        sid: scenario_dataset(study, {"scenario_id": sid}).dataset.digest for sid in study.scenarios
    }
    assert described["datasets"] == logged
    assert len(set(logged.values())) == 2  # another training size, other data


def test_the_digest_follows_the_seed_the_trial_count_and_the_generator():
    config = study_config({"OLS": OLS}, NOISE)

    def digest(**changes):
        changed = config | changes
        return data_digest(data_spec(Study.from_config(changed), "noise"))

    assert digest() == digest(models={"Other": {"estimator": "sklearn.linear_model.Ridge"}})
    assert digest() != digest(seed=12)
    assert digest() != digest(trials=31)
    assert digest() != digest(scenarios={"noise": NOISE | {"n_test": 31}})
