"""End to end: the workflow on a tiny study, its files and its MLflow store."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import REPO, planned_jobs, run_snakemake, tiny_config, write_config
from mlflow.tracking import MlflowClient
from scipy import stats

from negr2.columns import KEYS, TRIAL_METRICS

pytestmark = pytest.mark.e2e

TRIAL_COLUMNS = [*KEYS, *TRIAL_METRICS, "status", "error"]
TIMING = ["fit_seconds", "predict_seconds"]


def results(workdir, study="tiny"):
    return workdir / "results" / study


def store(workdir) -> MlflowClient:
    return MlflowClient(f"sqlite:///{workdir}/results/mlflow.db")


def planned_trial_jobs(output: str) -> list[str]:
    """The wildcards of every trials job in a dry run."""
    return re.findall(r"^ +wildcards: (scenario=\S+, model=.*)$", output, flags=re.M)


def test_trials_table_has_one_row_per_cell_and_trial(tiny_run):
    trials = pd.read_parquet(results(tiny_run) / "trials.parquet")
    assert list(trials.columns) == TRIAL_COLUMNS
    config = tiny_config()
    # Only the study file's models: the default study's must not leak in.
    assert list(trials["model"].unique()) == list(config["models"])
    assert len(trials) == len(config["models"]) * config["trials"]
    assert not trials.duplicated(["scenario", "model", "trial"]).any()
    # Paired design: every model of a trial saw the same seed.
    assert (trials.groupby("trial")["seed"].nunique() == 1).all()


def test_failures_are_recorded_not_fatal(tiny_run):
    trials = pd.read_parquet(results(tiny_run) / "trials.parquet")
    flaky = trials[trials["model"] == "Flaky"]
    seeds = flaky["seed"].to_numpy()
    assert (flaky["status"] == np.where(seeds % 3 == 2, "ok", "failed")).all()
    assert flaky.loc[seeds % 3 == 0, "error"].str.contains("flaky fit failed").all()
    assert flaky.loc[seeds % 3 == 1, "error"].str.contains("non-finite").all()
    others = trials[trials["model"] != "Flaky"]
    assert (others["status"] == "ok").all() and others["r2"].notna().all()
    summary = pd.read_csv(results(tiny_run) / "summary.csv").set_index("model")
    assert summary.loc["Flaky", "n_failed"] == int((seeds % 3 != 2).sum())


def test_summary_matches_independent_recomputation(tiny_run):
    trials = pd.read_parquet(results(tiny_run) / "trials.parquet")
    summary = pd.read_csv(results(tiny_run) / "summary.csv").set_index("model")
    for model, rows in trials[trials["status"] == "ok"].groupby("model"):
        r2 = rows["r2"].to_numpy()
        row = summary.loc[model]
        k = int((r2 < 0).sum())
        assert row["n_ok"] == len(r2)
        assert row["negative_r2_pct"] == pytest.approx(100 * k / len(r2))
        wilson = stats.binomtest(k, len(r2)).proportion_ci(0.95, method="wilson")
        assert row["negative_r2_pct_lo"] == pytest.approx(100 * wilson.low, abs=1e-6)
        assert row["negative_r2_pct_hi"] == pytest.approx(100 * wilson.high, abs=1e-6)
        assert row["median_r2"] == pytest.approx(np.median(r2))
        if len(r2) > 1:
            lo, hi = stats.t.interval(0.95, len(r2) - 1, loc=r2.mean(), scale=stats.sem(r2))
            assert (row["mean_r2_lo"], row["mean_r2_hi"]) == pytest.approx((lo, hi))
    # MeanBaseline predicts the training mean: R² <= 0 in every trial (vs the test mean).
    assert summary.loc["MeanBaseline", "negative_r2_pct"] == 100


def test_report_is_self_contained(tiny_run):
    html = (results(tiny_run) / "report.html").read_text()
    assert html.count('<img src="data:image/png;base64,') == 2
    assert "http://" not in html.replace("http://127.0.0.1", "")
    assert "<script" not in html
    for model in tiny_config()["models"]:
        assert model in html


def test_mlflow_holds_one_current_run_per_cell_equal_to_files(tiny_run):
    check_mlflow_matches_files(tiny_run)


def check_mlflow_matches_files(workdir, study="tiny", client=None):
    """One study run holding the files; one current run per cell whose metric history
    and summary metrics equal trials.parquet and summary.csv (full feature set)."""
    client = client or store(workdir)
    experiment = client.get_experiment_by_name(study)
    trials = pd.read_parquet(results(workdir, study) / "trials.parquet")
    summary = pd.read_csv(results(workdir, study) / "summary.csv")
    summary = summary[summary["ablation"] == "full"]
    runs = client.search_runs([experiment.experiment_id], max_results=1000)
    study_runs = [r for r in runs if r.data.tags.get("negr2.kind") == "study"]
    current = [
        r
        for r in runs
        if r.data.tags.get("negr2.kind") == "cell" and r.data.tags.get("negr2.current") == "true"
    ]
    assert len(study_runs) == 1
    assert len(current) == len(summary)
    artifacts = {a.path for a in client.list_artifacts(study_runs[0].info.run_id)}
    assert {"summary.csv", "report.html"} <= artifacts
    for run in current:
        assert run.data.tags["mlflow.parentRunId"] == study_runs[0].info.run_id
        scenario_id, model_id = run.data.tags["negr2.cell"].split("/")
        in_cell = (trials["scenario_id"] == scenario_id) & (trials["model_id"] == model_id)
        rows = trials[in_cell & (trials["status"] == "ok") & (trials["ablation"] == "full")]
        history = client.get_metric_history(run.info.run_id, "r2")
        logged = pd.Series({m.step: m.value for m in history}).sort_index()
        assert list(logged.index) == list(rows["trial"])
        np.testing.assert_array_equal(logged.to_numpy(), rows["r2"].to_numpy())
        row = summary[
            (summary["scenario_id"] == scenario_id) & (summary["model_id"] == model_id)
        ].iloc[0]
        assert run.data.metrics["negative_r2_pct"] == pytest.approx(row["negative_r2_pct"])
        assert run.data.metrics["n_failed"] == row["n_failed"]
    return runs


def test_nothing_to_do_on_rerun(tiny_run):
    config = str(tiny_run / "config.yaml")
    dry = run_snakemake(tiny_run, "-n", "--cores", "2", "--configfile", config)
    assert planned_jobs(dry.stdout) == {}
    assert "Nothing to be done" in dry.stdout + dry.stderr


def test_cores_do_not_change_results(tiny_run, tmp_path):
    config = write_config(tmp_path, tiny_config())
    run_snakemake(tmp_path, "--cores", "1", "--configfile", str(config))
    two = pd.read_parquet(results(tiny_run) / "trials.parquet").drop(columns=TIMING)
    one = pd.read_parquet(results(tmp_path) / "trials.parquet").drop(columns=TIMING)
    pd.testing.assert_frame_equal(one, two, check_exact=True)


def test_changing_one_model_reruns_only_its_cell(tmp_path):
    config = tiny_config()
    path = write_config(tmp_path, config)
    run_snakemake(tmp_path, "--cores", "2", "--configfile", str(path))
    config["models"]["Ridge"]["params"]["alpha"] = 10.0
    write_config(tmp_path, config)
    dry = run_snakemake(tmp_path, "-n", "--cores", "2", "--configfile", str(path))
    assert planned_jobs(dry.stdout) == {
        "trials": 2,
        "aggregate": 1,
        "report": 1,
        "paper": 1,
        "track": 1,
        "failures": 1,
    }
    assert sorted(planned_trial_jobs(dry.stdout)) == [
        f"scenario=noise, model=Ridge, chunk={c}" for c in ("1of2", "2of2")
    ]
    before = store(tmp_path).search_runs(
        [store(tmp_path).get_experiment_by_name("tiny").experiment_id],
        "tags.`negr2.model` = 'Ridge'",
    )
    run_snakemake(tmp_path, "--cores", "2", "--configfile", str(path))
    runs = check_mlflow_matches_files(tmp_path)
    ridge = [r for r in runs if r.data.tags.get("negr2.model") == "Ridge"]
    assert len(ridge) == 1  # the default view holds the current run only
    assert ridge[0].info.run_id != before[0].info.run_id
    # The superseded run is soft-deleted, still tagged not current, and restorable.
    old = store(tmp_path).get_run(before[0].info.run_id)
    assert old.info.lifecycle_stage == "deleted"
    assert old.data.tags["negr2.current"] == "false"
    unchanged = [r for r in runs if r.data.tags.get("negr2.model") == "LinearRegression"]
    assert len(unchanged) == 1  # an unchanged cell keeps its run


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda c: c["scenarios"]["noise"].update(n_tset=3),
            "scenarios.noise: 'n_tset' does not apply to generator gaussian_noise",
        ),
        (lambda c: c.update(study="Bad Study"), "study: 'Bad Study' does not match"),
        (lambda c: c.update(trials=0), "trials: 0 is less than the minimum of 1"),
        (lambda c: c["scenarios"]["noise"].update(n_test=1), "scenarios.noise.n_test: 1 is less"),
        (
            lambda c: c["models"]["Ridge"].update(estimator="sklearn.linear_model.Ridgee"),
            "models.Ridge.estimator: module 'sklearn.linear_model' has no attribute 'Ridgee'",
        ),
        (
            lambda c: c["models"]["Ridge"].update(estimator="sklearn.linear_modle.Ridge"),
            "models.Ridge.estimator: cannot import 'sklearn.linear_modle.Ridge'",
        ),
    ],
    ids=["unknown-key", "bad-slug", "no-trials", "n_test-1", "bad-class", "bad-module"],
)
def test_bad_config_is_rejected_before_any_job(tmp_path, change, message):
    config = tiny_config()
    change(config)
    path = write_config(tmp_path, config)
    done = run_snakemake(tmp_path, "--cores", "1", "--configfile", str(path), check=False)
    assert done.returncode != 0
    assert message in done.stderr + done.stdout
    assert not (tmp_path / "results").exists()


def test_default_study_with_command_line_override(tmp_path):
    done = run_snakemake(tmp_path, "-n", "--cores", "2", "--config", "trials=3")
    default = yaml.safe_load((REPO / "config/config.yaml").read_text())
    assert not any(m.get("chunks", 1) > 1 for m in default["models"].values())
    # At 3 trials every cell is cheap (under 15 s of estimated work together): one pack.
    assert "trials" not in planned_jobs(done.stdout)
    assert planned_jobs(done.stdout)["trials_pack"] == 1
    assert "results/negative-r2/trials.parquet" in done.stdout


def test_runs_file_lists_every_cell(tiny_run):
    runs = json.loads((results(tiny_run) / "mlflow-runs.json").read_text())
    assert set(runs["cell_run_ids"]) == {f"noise/{m}" for m in tiny_config()["models"]}


def sweep_config() -> dict:
    """Two sweep points of a scenario, two of a model, and a drop-one ablation."""
    return {
        "study": "sweep",
        "seed": 3,
        "trials": 4,
        "ablations": {"drop_one": True},
        "scenarios": {
            "noise": {
                "generator": "gaussian_noise",
                "n_train": [20, 30],
                "n_test": 10,
                "n_features": 2,
            }
        },
        "models": {
            "LinearRegression": {"estimator": "sklearn.linear_model.LinearRegression"},
            "KNN": {
                "estimator": "sklearn.neighbors.KNeighborsRegressor",
                "params": {"n_neighbors": [1, 3]},
            },
        },
    }


def test_sweeps_and_ablations_end_to_end(tmp_path):
    config = sweep_config()
    path = write_config(tmp_path, config)
    run_snakemake(tmp_path, "--cores", "2", "--configfile", str(path))
    trials = pd.read_parquet(results(tmp_path, "sweep") / "trials.parquet")
    cells = trials[["scenario_id", "model_id"]].drop_duplicates()
    assert len(cells) == 2 * 3
    assert set(trials["n_train"]) == {20, 30}
    assert set(trials.loc[trials["model"] == "KNN", "n_neighbors"]) == {1, 3}
    assert trials.loc[trials["model"] != "KNN", "n_neighbors"].isna().all()
    assert list(trials["ablation"].unique()) == ["full", "drop:x0", "drop:x1"]
    summary = pd.read_csv(results(tmp_path, "sweep") / "summary.csv")
    assert len(summary) == 6 * 3
    assert summary.loc[summary["ablation"] == "full", "delta_r2_mean"].eq(0).all()
    runs = check_mlflow_matches_files(tmp_path, "sweep")
    run = next(
        r for r in runs if r.data.tags.get("negr2.cell") == "noise@n_train=20/KNN@n_neighbors=3"
    )
    rows = trials[
        (trials["scenario_id"] == "noise@n_train=20")
        & (trials["model_id"] == "KNN@n_neighbors=3")
        & (trials["ablation"] == "drop:x1")
    ]
    history = store(tmp_path).get_metric_history(run.info.run_id, "drop:x1/r2")
    assert [m.value for m in sorted(history, key=lambda m: m.step)] == list(rows["r2"])

    # Changing one sweep point's value reruns only that point's cells.
    config["models"]["KNN"]["params"]["n_neighbors"] = [1, 4]
    write_config(tmp_path, config)
    dry = run_snakemake(tmp_path, "-n", "--cores", "2", "--configfile", str(path))
    # The cheap cells of each scenario point share one pack job: the two packs rerun.
    assert planned_jobs(dry.stdout)["trials_pack"] == 2
    assert "trials" not in planned_jobs(dry.stdout)


def test_results_of_an_older_format_are_refused(tmp_path):
    path = write_config(tmp_path, tiny_config())
    old = results(tmp_path) / "trials" / "noise" / "Ridge"
    old.mkdir(parents=True)
    (old / "1of1.parquet").write_bytes(b"an older layout")
    done = run_snakemake(tmp_path, "--cores", "1", "--configfile", str(path), check=False)
    assert done.returncode != 0
    assert "was written by an older negr2" in done.stderr + done.stdout
    assert "move that folder away or delete it" in done.stderr + done.stdout
    assert sorted(p.name for p in results(tmp_path).iterdir()) == ["trials"]  # nothing new


def test_packs_give_the_numbers_of_one_job_per_cell_and_rerun_alone(tiny_run, tmp_path):
    """The tiny study packs its cheap cells (LinearRegression, MeanBaseline, Flaky) into
    one job. Unpacked (each given a high seconds_per_trial, a scheduling key), the same
    study gives a bit-identical trials table; a change to a cheap model reruns its pack."""
    config = tiny_config()
    for name in ("LinearRegression", "MeanBaseline", "Flaky"):
        config["models"][name]["seconds_per_trial"] = 100.0
    path = write_config(tmp_path, config)
    dry = run_snakemake(tmp_path, "-n", "--cores", "2", "--configfile", str(path))
    assert "trials_pack" not in planned_jobs(dry.stdout)
    run_snakemake(tmp_path, "--cores", "2", "--configfile", str(path))
    packed = pd.read_parquet(results(tiny_run) / "trials.parquet").drop(columns=TIMING)
    alone = pd.read_parquet(results(tmp_path) / "trials.parquet").drop(columns=TIMING)
    pd.testing.assert_frame_equal(packed, alone, check_exact=True)
    assert (results(tiny_run) / "trials" / "noise" / "pack1.parquet").is_file()

    config = tiny_config()
    config["models"]["MeanBaseline"]["params"] = {"strategy": "median"}
    path = write_config(tmp_path / "packed", config)
    dry = run_snakemake(tiny_run, "-n", "--cores", "2", "--configfile", str(path))
    trial_jobs = {k: v for k, v in planned_jobs(dry.stdout).items() if k.startswith("trials")}
    assert trial_jobs == {"trials_pack": 1}
