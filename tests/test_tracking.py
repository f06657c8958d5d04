"""MLflow runs say where they came from, and the default view is the current truth."""

from __future__ import annotations

import getpass
import hashlib
import json
import multiprocessing
import re
import sqlite3
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import REPO, run_snakemake, tiny_config, write_config
from mlflow.entities import ViewType
from mlflow.tracking import MlflowClient
from test_workflow import check_mlflow_matches_files, planned_jobs, results, store

from negr2 import cell_runs
from negr2.cell_runs import scenario_dataset
from negr2.study import Study
from negr2.tracking import prepare_store

pytestmark = pytest.mark.e2e


def git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(REPO), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def runs_of(workdir, view=ViewType.ACTIVE_ONLY, study="tiny"):
    client = store(workdir)
    experiment = client.get_experiment_by_name(study)
    return client.search_runs([experiment.experiment_id], run_view_type=view, max_results=1000)


def test_every_run_carries_provenance(tiny_run):
    in_git = (REPO / ".git").exists()
    for run in runs_of(tiny_run):
        tags = run.data.tags
        assert tags["mlflow.user"] == getpass.getuser()
        assert tags["mlflow.source.name"] == str(REPO / "Snakefile")
        if in_git:
            assert tags["mlflow.source.git.commit"] == git("rev-parse", "HEAD")
            dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
            assert tags["mlflow.source.git.dirty"] == str(dirty).lower()
        else:
            assert "mlflow.source.git.dirty" not in tags


def test_study_run_is_no_cell_and_holds_the_config(tiny_run):
    study = [r for r in runs_of(tiny_run) if r.data.tags.get("negr2.kind") == "study"]
    assert len(study) == 1
    tags = study[0].data.tags
    assert "negr2.current" not in tags and "negr2.cell" not in tags
    local = store(tiny_run).download_artifacts(study[0].info.run_id, "config.yaml", str(tiny_run))
    logged = yaml.safe_load(Path(local).read_text())
    assert holds(logged, tiny_config())  # the study file as given ...
    assert logged["max_failed_share"] == 0.99  # ... with the schema's defaults filled in
    assert logged["models"]["Ridge"]["chunks"] == 2  # scheduling keys too


def holds(whole, part) -> bool:
    """Whether every key of ``part`` is in ``whole`` with the same value, recursively."""
    if isinstance(part, dict):
        return isinstance(whole, dict) and all(
            key in whole and holds(whole[key], value) for key, value in part.items()
        )
    return whole == part


def test_cell_runs_record_their_scenario_as_a_dataset(tiny_run):
    cells = [r for r in runs_of(tiny_run) if r.data.tags.get("negr2.kind") == "cell"]
    digests = set()
    for run in cells:
        [dataset_input] = run.inputs.dataset_inputs
        dataset = dataset_input.dataset
        assert dataset.name == "noise"
        source = json.loads(dataset.source)
        assert source["scenario"]["generator"] == "gaussian_noise"
        assert (source["seed"], source["trials"]) == (7, 6)
        digests.add(dataset.digest)
    assert len(digests) == 1  # every model of a scenario is fit on the same data


def test_dataset_digest_follows_what_draws_the_data():
    config = tiny_config() | {"preprocessing": "none", "ablations": {}}
    config["scenarios"]["noise"] |= {"noise_sd": 1.0}
    row = {"scenario_id": "noise"}
    digest = scenario_dataset(Study.from_config(config), row).dataset.digest
    assert scenario_dataset(Study.from_config(config | {"seed": 8}), row).dataset.digest != digest
    assert scenario_dataset(Study.from_config(config | {"trials": 7}), row).dataset.digest != digest
    assert scenario_dataset(Study.from_config(dict(config)), row).dataset.digest == digest


def test_deleted_store_dry_run_changes_nothing_then_relogs(tmp_path):
    path = write_config(tmp_path, tiny_config())
    run_snakemake(tmp_path, "--cores", "2", "--configfile", str(path))
    # A run a crash left half-logged: a cell run never marked current. (Another
    # spelling of the store's URI: MLflow caches one engine per URI in this process,
    # and the one below must see the store made after the deletion.)
    client = MlflowClient(f"sqlite:///{tmp_path}/results/./mlflow.db")
    experiment = client.get_experiment_by_name("tiny").experiment_id
    orphan = client.create_run(
        experiment, tags={"negr2.kind": "cell", "negr2.current": "false"}
    ).info.run_id
    run_snakemake(tmp_path, "--cores", "1", "--configfile", str(path), "--forcerun", "track")
    assert client.get_run(orphan).info.lifecycle_stage == "deleted"

    (tmp_path / "results" / "mlflow.db").unlink()
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "results").rglob("*")}
    dry = run_snakemake(tmp_path, "-n", "--cores", "2", "--configfile", str(path))
    after = {p: p.stat().st_mtime_ns for p in (tmp_path / "results").rglob("*")}
    assert after == before  # a dry run touches nothing
    assert {"mlflow_store", "track"} <= set(planned_jobs(dry.stdout))
    assert "trials" not in planned_jobs(dry.stdout)

    run_snakemake(tmp_path, "--cores", "2", "--configfile", str(path))
    check_mlflow_matches_files(tmp_path)
    assert len(runs_of(tmp_path, ViewType.ALL)) == 1 + len(tiny_config()["models"])
    dry = run_snakemake(tmp_path, "-n", "--cores", "2", "--configfile", str(path))
    assert planned_jobs(dry.stdout) == {}
    assert json.loads((results(tmp_path) / "mlflow-store.json").read_text())["generation"] == 1


def test_summary_history_logs_only_the_summary_metrics(tmp_path):
    config = tiny_config() | {"mlflow": {"history": "summary"}}
    path = write_config(tmp_path, config)
    run_snakemake(tmp_path, "--cores", "2", "--configfile", str(path))
    client = store(tmp_path)
    summary = pd.read_csv(results(tmp_path) / "summary.csv")
    cells = [r for r in runs_of(tmp_path) if r.data.tags.get("negr2.kind") == "cell"]
    assert len(cells) == len(tiny_config()["models"])
    for run in cells:
        assert client.get_metric_history(run.info.run_id, "r2") == []
        row = summary[
            (summary["model_id"] == run.data.tags["negr2.model"]) & (summary["ablation"] == "full")
        ].iloc[0]
        assert run.data.metrics["negative_r2_pct"] == pytest.approx(row["negative_r2_pct"])
    # Back to full histories: only tracking reruns, and every cell gets its history.
    write_config(tmp_path, tiny_config())
    dry = run_snakemake(tmp_path, "-n", "--cores", "2", "--configfile", str(path))
    assert set(planned_jobs(dry.stdout)) == {"track", "failures"}
    run_snakemake(tmp_path, "--cores", "2", "--configfile", str(path))
    check_mlflow_matches_files(tmp_path)


def _open_study_at_once(args):
    """One of several processes opening one fresh store, released together."""
    uri, study, barrier = args
    barrier.wait()
    return prepare_store(uri, {"study": study}, artifact_root=None)


def test_studies_opening_one_fresh_store_at_once_all_succeed(tmp_path):
    """Eight processes create one SQLite store at the same moment (unlocked, MLflow's
    migrations race and break the store): each gets its experiment and study run."""
    uri = f"sqlite:///{tmp_path}/shared/mlflow.db"
    context = multiprocessing.get_context("spawn")  # fork is unsafe once JAX is loaded
    with context.Manager() as manager:
        barrier = manager.Barrier(8)
        with context.Pool(8) as pool:
            opened = pool.map(_open_study_at_once, [(uri, f"s{i}", barrier) for i in range(8)])
    client = MlflowClient(uri)
    for i, opened_store in enumerate(opened):
        experiment = client.get_experiment_by_name(f"s{i}")
        assert experiment.experiment_id == opened_store["experiment_id"]
        assert client.get_run(opened_store["study_run_id"]).data.tags["negr2.kind"] == "study"
    with sqlite3.connect(tmp_path / "shared" / "mlflow.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_track_logs_its_progress(tiny_run):
    """Like the trial jobs: cells done of the total, time left, metric values logged."""
    log = (results(tiny_run) / "logs" / "track.log").read_text()
    cells = len(tiny_config()["models"])
    line = next(line for line in log.splitlines() if f"{cells}/{cells} cells" in line)
    assert "s left" in line and "metric values logged" in line


def swept_config(log_cells: str) -> dict:
    """The tiny study with a sweep in one of two scenarios (so a swept column is
    empty in the other's rows) and ``mlflow.log_cells`` set."""
    config = tiny_config()
    config["trials"] = 40
    config["scenarios"]["noise"]["n_train"] = [30, 40]
    config["scenarios"]["signal"] = {
        "generator": "linear",
        "n_train": 30,
        "n_test": 10,
        "n_features": 3,
        "n_informative": 2,
        "snr": 1.0,
    }
    config["mlflow"] = {"log_cells": log_cells}
    return config


def most_at_once(output: str, rules: set[str]) -> int:
    """The most jobs of ``rules`` running at once, from Snakemake's log of a local run
    (a job starts at its "localrule <name>:" block, ends at "Finished jobid: <id>")."""
    running, most, starting = set(), 0, None
    for line in output.splitlines():
        if match := re.match(r"^localrule (\w+):", line):
            starting = match.group(1) if match.group(1) in rules else None
        elif starting and (match := re.match(r"^\s+jobid: (\d+)", line)):
            running.add(match.group(1))
            most, starting = max(most, len(running)), None
        elif match := re.match(r"^Finished jobid: (\d+)", line):
            running.discard(match.group(1))
    return most


def cell_run_ids(workdir) -> dict[str, str]:
    return json.loads((results(workdir) / "mlflow-runs.json").read_text())["cell_run_ids"]


def test_cells_logged_early_one_writer_at_a_time_then_kept_by_the_end_path(tmp_path):
    """Every cell logged by its own job as soon as its trials are done mirrors the
    files; on SQLite no two of those jobs wrote at once; and the final job, which
    logs the same cells from the study's tables, finds every run up to date."""
    path = write_config(tmp_path, swept_config("early"))
    done = run_snakemake(tmp_path, "--cores", "2", "--configfile", str(path))
    runs = check_mlflow_matches_files(tmp_path)
    cells = [r for r in runs if r.data.tags.get("negr2.kind") == "cell"]
    assert len(list((results(tmp_path) / "mlflow").rglob("*.json"))) == len(cells) == 15
    writers = most_at_once(done.stdout + done.stderr, {"mlflow_store", "track_cell", "track"})
    assert writers == 1, "two jobs wrote into the SQLite store at once"

    early = cell_run_ids(tmp_path)
    path = write_config(tmp_path, swept_config("end"))
    dry = run_snakemake(tmp_path, "-n", "--cores", "2", "--configfile", str(path))
    assert set(planned_jobs(dry.stdout)) == {"track", "failures"}
    run_snakemake(tmp_path, "--cores", "2", "--configfile", str(path))
    assert cell_run_ids(tmp_path) == early
    assert "0 metric values logged" in (results(tmp_path) / "logs" / "track.log").read_text()


def test_a_deleted_early_run_is_logged_again_by_the_end_path(tmp_path):
    path = write_config(tmp_path, tiny_config() | {"mlflow": {"log_cells": "early"}})
    run_snakemake(tmp_path, "--cores", "2", "--configfile", str(path))
    deleted = cell_run_ids(tmp_path)["noise/Ridge"]
    store(tmp_path).delete_run(deleted)
    (results(tmp_path) / "mlflow-runs.json").unlink()  # reruns the final track job only
    run_snakemake(tmp_path, "--cores", "2", "--configfile", str(path))
    assert cell_run_ids(tmp_path)["noise/Ridge"] != deleted
    check_mlflow_matches_files(tmp_path)


@pytest.mark.parametrize(
    "n_rows", [0, 7, cell_runs.CSV_SLICE_ROWS, 2 * cell_runs.CSV_SLICE_ROWS + 3]
)
def test_a_cells_fingerprint_hashes_its_whole_csv_in_slices_without_empty_columns(n_rows):
    # The reference: the whole cell's CSV text, without its empty columns, hashed at once,
    # as runs logged before were.
    rng = np.random.default_rng(n_rows)
    rows = pd.DataFrame(
        {
            "r2": rng.normal(size=n_rows),
            "trial": np.arange(n_rows),
            "status": ["ok"] * n_rows,
            "error": [None] * n_rows,
        }
    )
    summary = pd.DataFrame({"negative_r2_pct": [88.0], "mean_r2": [-0.1071234567891]})
    params = {"model": "Ridge", "alpha": 1.0}
    whole = hashlib.sha256(rows.dropna(axis=1, how="all").to_csv(index=False).encode())
    whole.update(summary.to_csv(index=False, float_format="%.10g").encode())
    whole.update(repr(sorted(params.items())).encode())
    assert cell_runs._fingerprint(rows, summary, params) == whole.hexdigest()[:16]
    # Text read as categories (the track step's way, a byte a row) hashes alike.
    as_categories = rows.astype({"status": "category", "error": "category"})
    assert cell_runs._fingerprint(as_categories, summary, params) == whole.hexdigest()[:16]


def test_store_lock_keeps_threads_of_one_process_apart(tmp_path):
    # In-process steps are threads: while one holds the study's lock, another waits.
    import threading

    from negr2.tracking import store_lock

    lock_file, events = str(tmp_path / "mlflow.lock"), []

    def second():
        with store_lock("http://127.0.0.1:1", lock_file):
            events.append("second in")

    with store_lock("http://127.0.0.1:1", lock_file):
        other = threading.Thread(target=second)
        other.start()
        other.join(timeout=0.5)
        assert other.is_alive() and events == []  # still waiting
        events.append("first out")
    other.join(timeout=10)
    assert events == ["first out", "second in"]
