"""negr2 compare on MLflow: a study's current cell runs against the runs they superseded,
two run ids, two experiments; the same numbers as from the files."""

from __future__ import annotations

import pandas as pd
import pytest
from inprocess import NOISE, OLS, ridge, run_study, study_config, write_table
from mlflow.tracking import MlflowClient

from negr2 import cli
from negr2.storage import read_cells
from negr2.tracking import track_study


def _log(uri: str, config: dict, folder, unchanged: pd.DataFrame | None = None):
    """Run the study in this process, write its table into ``folder`` and bring its
    MLflow experiment in line with it (as the track step does). The rows of
    ``unchanged`` replace those of their cells, as when Snakemake reruns only the jobs
    of cells that changed. Returns the table's path and the trials."""
    study, trials = run_study(config)
    if unchanged is not None:
        kept = trials["model_id"].isin(set(unchanged["model_id"]))
        trials = pd.concat([unchanged, trials[~kept]], ignore_index=True)
    path = folder / "trials.parquet"
    summary = write_table(study, trials, path)
    track_study(uri, study, read_cells(str(path), text_as_categories=True), summary,
                artifacts=[], artifact_root=str(folder.parent / "artifacts"))  # fmt: skip
    return str(path), trials


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A store where study ``versions`` ran with Ridge alpha 1, then with alpha 30 and
    Lasso in place of KNN (OLS not rerun: its run stays current, never superseded); and
    study ``other`` once (the second version, another seed)."""
    tmp = tmp_path_factory.mktemp("mlflow")
    uri = f"sqlite:///{tmp / 'mlflow.db'}"
    knn = ("sklearn.neighbors.KNeighborsRegressor", {"n_neighbors": 5})
    first = study_config({"OLS": OLS, "Ridge": ridge(1.0), "KNN": knn}, NOISE)
    lasso = ("sklearn.linear_model.Lasso", {"alpha": 0.1})
    second = study_config({"OLS": OLS, "Ridge": ridge(30.0), "Lasso": lasso}, NOISE)
    tables = {}
    tables["first"], trials = _log(uri, first, tmp / "first")
    ols = trials[trials["model_id"] == "OLS"]
    tables["second"], _ = _log(uri, second, tmp / "second", unchanged=ols)
    tables["other"], _ = _log(uri, second | {"study": "other", "seed": 12}, tmp / "other")
    return uri, tables, tmp


def _run(capsys, *args):
    status = cli.main(["compare", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _table(tmp_path, capsys, *args) -> pd.DataFrame:
    out = tmp_path / "out"
    status, _, err = _run(capsys, *args, "--out", str(out))
    assert status == 0, err
    return pd.read_csv(out / "compare.csv")


def test_current_runs_against_those_they_superseded(store, tmp_path, capsys):
    uri, tables, _ = store
    table = _table(tmp_path, capsys, "--mlflow", "versions", "--tracking-uri", uri)
    cells = table[table["quantity"] == "r2"].set_index("model_id")
    assert cells["cell_verdict"].to_dict() == {
        "OLS": "identical", "Ridge": "moved", "KNN": "removed", "Lasso": "added",
    }  # fmt: skip
    assert set(cells.loc[["OLS", "Ridge"], "pairing"]) == {"paired"}
    from_files = _table(tmp_path, capsys, tables["first"], tables["second"])
    ridge_files = from_files[(from_files["model_id"] == "Ridge")].set_index("quantity")
    ridge_mlflow = table[table["model_id"] == "Ridge"].set_index("quantity")
    for quantity in ("r2", "rmse", "negative_r2_pct", "failed_pct"):
        for column in ("base", "new", "delta", "delta_lo", "delta_hi", "p"):
            assert ridge_mlflow.loc[quantity, column] == pytest.approx(
                ridge_files.loc[quantity, column], rel=1e-9
            ), (quantity, column)


def test_two_cell_runs_by_id(store, tmp_path, capsys):
    uri, _, _ = store
    client = MlflowClient(uri)
    experiment = client.get_experiment_by_name("versions").experiment_id
    runs = {r.data.tags["negr2.cell"]: r.info.run_id
            for r in client.search_runs([experiment], "tags.`negr2.current` = 'true'")}  # fmt: skip
    table = _table(tmp_path, capsys, f"runs:/{runs['noise/OLS']}", f"runs:/{runs['noise/Ridge']}",
                   "--tracking-uri", uri)  # fmt: skip
    row = table[table["quantity"] == "r2"].iloc[0]
    assert (row["model_id"], row["pairing"]) == ("OLS", "paired")
    assert row["cell_verdict"] in {"moved", "within noise"}


def test_two_experiments(store, tmp_path, capsys):
    uri, _, _ = store
    table = _table(tmp_path, capsys, "experiments:/versions", "experiments:/other",
                   "--tracking-uri", uri)  # fmt: skip
    assert set(table["pairing"]) == {"unpaired"}  # another seed: other data
    assert set(table.loc[table["quantity"] == "r2", "model_id"]) == {"OLS", "Ridge", "Lasso"}


def test_a_study_that_never_changed_has_nothing_to_compare(store, capsys, tmp_path):
    uri, _, _ = store
    status, out, err = _run(capsys, "--mlflow", "other", "--tracking-uri", uri,
                            "--out", str(tmp_path / "out"))  # fmt: skip
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "no cell run of the study was superseded" in err
    assert not (tmp_path / "out").exists()


def test_an_unknown_experiment_is_named(store, capsys):
    uri, _, _ = store
    status, _, err = _run(capsys, "--mlflow", "nowhere", "--tracking-uri", uri)
    assert status == 2 and "no MLflow experiment 'nowhere'" in err


def test_a_missing_store_is_not_created(tmp_path, capsys):
    store = tmp_path / "results" / "mlflow.db"
    status, _, err = _run(capsys, "--mlflow", "versions", "--tracking-uri", f"sqlite:///{store}")
    assert status == 2 and err.count("\n") == 1 and "no MLflow store" in err
    assert not store.exists()


def test_an_unreachable_server_is_named(capsys):
    # Nothing listens on port 9 (discard) of this machine.
    status, _, err = _run(capsys, "--mlflow", "versions", "--tracking-uri", "http://127.0.0.1:9")
    assert status == 2 and err.count("\n") == 1
    assert "http://127.0.0.1:9 did not answer" in err


def test_two_study_runs_compare_their_current_cells(store, tmp_path, capsys):
    uri, _, _ = store
    client = MlflowClient(uri)
    study_runs = []
    for name in ("versions", "other"):
        experiment = client.get_experiment_by_name(name).experiment_id
        [run] = client.search_runs([experiment], "tags.`negr2.kind` = 'study'")
        study_runs.append(f"runs:/{run.info.run_id}")
    table = _table(tmp_path, capsys, *study_runs, "--tracking-uri", uri)
    cells = table[table["quantity"] == "r2"].set_index("model_id")
    assert set(cells.index) == {"OLS", "Ridge", "Lasso"}  # the current cells, not KNN
    assert set(cells["pairing"]) == {"unpaired"}


def test_an_unknown_run_is_named(store, capsys):
    uri, _, _ = store
    status, _, err = _run(capsys, "runs:/0123456789abcdef", "experiments:/versions",
                          "--tracking-uri", uri)  # fmt: skip
    assert status == 2 and "runs:/0123456789abcdef: no such run" in err


def test_a_run_logged_before_the_renames_is_read_by_todays_names(tmp_path):
    # Results format 2 logged neg_recall and mae_neg; compare reads them as today's metrics.
    from negr2.compare.mlflow_versions import run_trials

    client = MlflowClient(f"sqlite:///{tmp_path / 'mlflow.db'}")
    experiment = client.create_experiment("old", artifact_location=str(tmp_path / "art"))
    run = client.create_run(experiment).info.run_id
    client.log_param(run, "trials", 2)
    history = {"r2": [0.1, -0.2], "neg_recall": [0.5, 1.0], "drop:x0/mae_neg": [0.7, 0.3]}
    for name, values in history.items():
        for step, value in enumerate(values):
            client.log_metric(run, name, value, step=step)
    trials = run_trials(client, client.get_run(run)).set_index(["ablation", "trial"])
    assert trials.loc[("full", 1), "negative_target_recall"] == 1.0
    assert trials.loc[("drop:x0", 0), "negative_target_mae"] == 0.7
    assert "neg_recall" not in trials.columns
