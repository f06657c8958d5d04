"""MLflow tracking: one study run, one current child run per (scenario, model) cell.

Two jobs open the store, one after the other: ``mlflow_store`` creates it, the
experiment and the study run before any trial finishes, and ``track`` logs once every
trial has; so the store is created and the experiment looked up by exactly one process (parallel
first opens of a SQLite store corrupt it, and racing ``set_experiment`` calls can
log into "Default"). Runs are reconciled rather than appended: a cell whose trials
and parameters are unchanged keeps its run; a changed cell gets a new run and the
old one is tagged ``negr2.current=false``. So after any sequence of runs, reruns
and partial rebuilds the experiment holds exactly one current run per cell, equal
to the files.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from mlflow.entities import Metric, Param, Run, RunTag, ViewType
from mlflow.tracking import MlflowClient

from negr2.stats import TRIAL_METRICS

log = logging.getLogger(__name__)

CURRENT = "negr2.current"
KIND = "negr2.kind"
FINGERPRINT = "negr2.fingerprint"
PARENT = "mlflow.parentRunId"
CELL = "negr2.cell"
CELL_COLUMNS = ["scenario_id", "model_id"]
_BATCH = 1000  # MLflow's limit of entities (metrics + params) per log_batch call


def track_study(
    tracking_uri: str,
    config: Mapping[str, Any],
    trials: pd.DataFrame,
    summary: pd.DataFrame,
    artifacts: Sequence[str],
    artifact_root: str | None = None,
) -> dict[str, Any]:
    """Bring the study's MLflow experiment in line with its result files.

    Parameters
    ----------
    tracking_uri : where the store is (``sqlite:///…`` or a server's URL).
    config : the validated study config.
    trials, summary : the study's trials and summary tables.
    artifacts : files to attach to the study run (summary.csv, report.html, …).
    artifact_root : where a new experiment keeps artifacts (a local folder for a
        SQLite store); ``None`` lets the tracking server decide.

    Returns
    -------
    The experiment id, the study run id and each cell's current run id.
    """
    client = MlflowClient(tracking_uri)
    experiment_id, study_run = _open_study(client, config, artifact_root)
    current = _current_cell_runs(client, experiment_id)
    cells = {}
    for (scenario_id, model_id), rows in trials.groupby(CELL_COLUMNS, sort=False):
        cell = f"{scenario_id}/{model_id}"
        cell_summary = summary[
            (summary["scenario_id"] == scenario_id) & (summary["model_id"] == model_id)
        ]
        runs = current.pop(cell, [])
        cells[cell] = _reconcile_cell(
            client, experiment_id, study_run, config, rows, cell_summary, runs
        )
    for stale in current.values():  # cells no longer in the study
        for run in stale:
            client.set_tag(run.info.run_id, CURRENT, "false")
    for path in artifacts:
        client.log_artifact(study_run, path)
    return {"experiment_id": experiment_id, "study_run_id": study_run, "cell_run_ids": cells}


def prepare_store(
    tracking_uri: str, config: Mapping[str, Any], artifact_root: str | None = None
) -> dict[str, str]:
    """Create the store (if new), the study's experiment and its study run.

    The workflow runs this once, early and alone, so that no two processes ever
    create the same store; it overlaps with the trial jobs, which never touch MLflow.
    """
    experiment_id, study_run = _open_study(MlflowClient(tracking_uri), config, artifact_root)
    return {"tracking_uri": tracking_uri, "experiment_id": experiment_id, "study_run_id": study_run}


def _open_study(
    client: MlflowClient, config: Mapping[str, Any], artifact_root: str | None
) -> tuple[str, str]:
    experiment_id = _experiment_id(client, config["study"], artifact_root)
    return experiment_id, _study_run(client, experiment_id, config)


def _experiment_id(client: MlflowClient, name: str, artifact_root: str | None) -> str:
    experiment = client.get_experiment_by_name(name)
    if experiment is not None:
        if experiment.lifecycle_stage == "deleted":
            raise ValueError(
                f"MLflow experiment {name!r} is deleted; restore it in the UI or "
                "`mlflow experiments restore`, or rename the study"
            )
        return experiment.experiment_id
    location = Path(artifact_root).resolve().as_uri() if artifact_root else None
    return client.create_experiment(name, artifact_location=location)


def _study_run(client: MlflowClient, experiment_id: str, config: Mapping[str, Any]) -> str:
    """The study's parent run: reused while it exists, so cell runs stay under it."""
    runs = list(_search(client, experiment_id, f"tags.`{KIND}` = 'study'"))
    if runs:
        return min(runs, key=lambda r: r.info.start_time).info.run_id
    tags = {KIND: "study", CURRENT: "true", "negr2.study": config["study"]}
    run = client.create_run(experiment_id, tags=tags, run_name=config["study"])
    client.set_terminated(run.info.run_id)
    return run.info.run_id


def _current_cell_runs(client: MlflowClient, experiment_id: str) -> dict[str, list[Run]]:
    query = f"tags.`{KIND}` = 'cell' and tags.`{CURRENT}` = 'true'"
    current: dict[str, list[Run]] = {}
    for run in _search(client, experiment_id, query):
        current.setdefault(run.data.tags.get(CELL), []).append(run)
    return current


def _reconcile_cell(
    client: MlflowClient,
    experiment_id: str,
    study_run: str,
    config: Mapping[str, Any],
    rows: pd.DataFrame,
    summary: pd.DataFrame,
    runs: list[Run],
) -> str:
    """Keep the cell's run if it still matches the files; else log a new one.
    Every other run of the cell is tagged not current."""
    params = cell_params(config, rows.iloc[0])
    # Columns of other cells' sweeps are empty here: drop them, or adding a sweep to
    # one model would re-log every cell.
    digest = _fingerprint(rows.dropna(axis=1, how="all"), summary, params)
    keep = next(
        (
            r.info.run_id
            for r in runs
            if r.data.tags.get(FINGERPRINT) == digest and r.data.tags.get(PARENT) == study_run
        ),
        None,
    )
    if keep is None:
        keep = _log_cell(client, experiment_id, study_run, rows, summary, params, digest)
    for run in runs:
        if run.info.run_id != keep:
            client.set_tag(run.info.run_id, CURRENT, "false")
    return keep


def _log_cell(client, experiment_id, study_run, rows, summary, params, digest) -> str:
    first = rows.iloc[0]
    cell = f"{first['scenario_id']}/{first['model_id']}"
    tags = {
        PARENT: study_run,
        KIND: "cell",
        CURRENT: "false",
        FINGERPRINT: digest,
        CELL: cell,
        "negr2.scenario": first["scenario"],
        "negr2.model": first["model"],
    }
    run_id = client.create_run(experiment_id, tags=tags, run_name=cell).info.run_id
    now = int(time.time() * 1000)
    metrics = list(_trial_metrics(rows, now)) + list(_summary_metrics(summary, now))
    param_list = [Param(k, str(v)) for k, v in params.items()]
    for batch_params, batch_metrics in _batches(param_list, metrics):
        client.log_batch(run_id, metrics=batch_metrics, params=batch_params)
    # Marked current only once fully logged: a crash leaves a run that is not counted.
    client.log_batch(run_id, tags=[RunTag(CURRENT, "true")])
    client.set_terminated(run_id)
    return run_id


def metric_name(ablation: str, metric: str) -> str:
    """``metric`` for the full model, ``<variant>/<metric>`` for an ablation variant
    (characters MLflow does not allow in names become ``_``)."""
    if ablation == "full":
        return metric
    return re.sub(r"[^\w.\- :/]", "_", f"{ablation}/{metric}")


def _summary_metrics(summary: pd.DataFrame, timestamp: int) -> Iterator[Metric]:
    """The summary's statistics (its columns from ``n_trials`` on), step 0."""
    stats = summary.columns[summary.columns.get_loc("n_trials") :]
    for _, row in summary.iterrows():
        for name in stats:
            value = float(row[name])
            if not math.isnan(value):
                yield Metric(metric_name(row["ablation"], name), value, timestamp, 0)


def _batches(params: list[Param], metrics: list[Metric]) -> Iterator[tuple[list, list]]:
    """Split params and metrics into as few ``log_batch`` calls as MLflow allows
    (at most 100 params and 1000 entities in all per call)."""
    while params or metrics:
        head_params, params = params[:100], params[100:]
        room = _BATCH - len(head_params)
        head_metrics, metrics = metrics[:room], metrics[room:]
        yield head_params, head_metrics


def _trial_metrics(rows: pd.DataFrame, timestamp: int) -> Iterator[Metric]:
    """Every ok trial's metrics as metric history, step = trial index."""
    ok = rows[rows["status"] == "ok"]
    for ablation, variant in ok.groupby("ablation", sort=False):
        for metric in TRIAL_METRICS:
            name = metric_name(ablation, metric)
            for step, value in zip(variant["trial"], variant[metric], strict=True):
                if not math.isnan(value):
                    yield Metric(name, float(value), timestamp, int(step))


def cell_params(config: Mapping[str, Any], row: pd.Series) -> dict[str, Any]:
    """The parameters that define a cell (with its sweep point's values), flattened."""
    from negr2.study import model_points, scenario_points, split_of

    scenario = next(p for p in scenario_points(config) if p.id == row["scenario_id"])
    model = next(p for p in model_points(config) if p.id == row["model_id"])
    params = {
        "study": config["study"],
        "seed": config["seed"],
        "trials": config["trials"],
        "preprocessing": model.spec.get("preprocessing", config["preprocessing"]),
        "estimator": model.spec["estimator"],
        "split": json.dumps(split_of(config, scenario.spec), sort_keys=True),
        "ablations": json.dumps(config.get("ablations") or {}, sort_keys=True),
    }
    params |= {f"scenario.{k}": v for k, v in scenario.spec.items()}
    params |= {f"params.{k}": v for k, v in (model.spec.get("params") or {}).items()}
    return params


def _fingerprint(rows: pd.DataFrame, summary: pd.DataFrame, params: Mapping[str, Any]) -> str:
    """A hash of a cell's rows, summary and parameters (as CSV text, so that
    list-valued sweep columns hash as well as numbers)."""
    digest = hashlib.sha256(rows.to_csv(index=False).encode())
    digest.update(summary.to_csv(index=False).encode())
    digest.update(repr(sorted(params.items())).encode())
    return digest.hexdigest()[:16]


def _search(client: MlflowClient, experiment_id: str, query: str) -> Iterator[Run]:
    token = None
    while True:
        page = client.search_runs(
            [experiment_id], query, ViewType.ACTIVE_ONLY, max_results=1000, page_token=token
        )
        yield from page
        token = page.token
        if not token:
            return
