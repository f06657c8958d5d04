"""The compare_with key: the compare rule, its section of the report and its MLflow
artifacts; the DAG without the key; bad values refused before any job."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from conftest import planned_jobs, run_snakemake, write_config
from mlflow.tracking import MlflowClient

pytestmark = pytest.mark.e2e


def _config(alpha: float, **more) -> dict:
    return {
        "study": "versions",
        "seed": 5,
        "trials": 8,
        "scenarios": {
            "signal": {
                "generator": "linear",
                "n_train": 30,
                "n_test": 30,
                "n_features": 4,
                "n_informative": 2,
                "snr": 2.0,
            },
        },  # fmt: skip
        "models": {
            "LinearRegression": {"estimator": "sklearn.linear_model.LinearRegression"},
            "Ridge": {"estimator": "sklearn.linear_model.Ridge", "params": {"alpha": alpha}},
        },
        **more,
    }


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory):
    """The study with Ridge alpha 1, kept as results/versions-before, then with alpha 100
    and compare_with naming the kept folder."""
    workdir = tmp_path_factory.mktemp("versions")
    first = write_config(workdir, _config(1.0), "first.yaml")
    run_snakemake(workdir, "--cores", "2", "--configfile", str(first))
    shutil.copytree(workdir / "results/versions", workdir / "results/versions-before")
    second = write_config(
        workdir, _config(100.0, compare_with="results/versions-before"), "second.yaml"
    )
    dry = run_snakemake(workdir, "-n", "--cores", "2", "--configfile", str(second))
    run_snakemake(workdir, "--cores", "2", "--configfile", str(second))
    return workdir, first, second, planned_jobs(dry.stdout)


def test_without_the_key_there_is_no_compare_job(tmp_path):
    config = write_config(tmp_path, _config(1.0))
    jobs = planned_jobs(
        run_snakemake(tmp_path, "-n", "--cores", "2", "--configfile", str(config)).stdout
    )
    assert "compare" not in jobs and jobs["report"] == 1  # fmt: skip


def test_the_key_adds_one_compare_job_and_reruns_only_what_changed(two_versions):
    _, _, _, jobs = two_versions
    assert jobs.get("compare") == 1
    assert "trials" not in jobs and jobs.get("trials_pack", 0) <= 1


def test_the_comparison_is_written_reported_and_logged(two_versions):
    workdir, _, _, _ = two_versions
    folder = workdir / "results/versions/compare"
    table = pd.read_csv(folder / "compare.csv")
    cells = table[table["quantity"] == "r2"].set_index("model_id")
    assert cells.loc["LinearRegression", "cell_verdict"] == "identical"
    assert cells.loc["Ridge", "cell_verdict"] in {"moved", "within noise"}
    assert set(cells["pairing"]) == {"paired"}
    report = (workdir / "results/versions/report.html").read_text()
    assert "<h2>Against an earlier version</h2>" in report
    assert 'id="fig-compare-forest"' in report and "results/versions-before" in report
    client = MlflowClient(f"sqlite:///{workdir / 'results/mlflow.db'}")
    experiment = client.get_experiment_by_name("versions").experiment_id
    [study_run] = client.search_runs([experiment], "tags.`negr2.kind` = 'study'")
    logged = {a.path for a in client.list_artifacts(study_run.info.run_id)}
    assert {"compare.csv", "compare.md", "forest.png", "compare.html"} <= logged


def test_a_rerun_with_the_key_has_nothing_to_do(two_versions):
    workdir, _, second, _ = two_versions
    done = run_snakemake(workdir, "-n", "--cores", "2", "--configfile", str(second))
    assert planned_jobs(done.stdout) == {}


def test_another_base_reruns_the_comparison_and_what_shows_it_only(two_versions):
    workdir, _, _, _ = two_versions
    table = workdir / "elsewhere/trials.parquet"  # the same version, copied elsewhere
    table.parent.mkdir()
    shutil.copy(workdir / "results/versions-before/trials.parquet", table)
    config = write_config(workdir, _config(100.0, compare_with=str(table)), "third.yaml")
    done = run_snakemake(workdir, "-n", "--cores", "2", "--configfile", str(config))
    assert set(planned_jobs(done.stdout)) == {"compare", "report", "paper", "track", "failures"}


@pytest.mark.parametrize(
    ("compare_with", "message"),
    [("results/nowhere", "compare_with: results/nowhere: no such file or folder"),
     ("results/versions", "is this study's own results, which this run rewrites")],
)  # fmt: skip
def test_bad_compare_with_stops_before_any_job(two_versions, compare_with, message):
    workdir, _, _, _ = two_versions
    config = write_config(workdir, _config(1.0, compare_with=compare_with), "bad.yaml")
    done = run_snakemake(workdir, "-n", "--cores", "2", "--configfile", str(config), check=False)
    assert done.returncode != 0
    assert message in done.stdout + done.stderr
