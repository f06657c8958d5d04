"""MLflow tracking: one study run, one current child run per (scenario, model) cell.

Only the ``track`` job writes to the store, after every trial has finished, so the
store is created and the experiment looked up by exactly one process (parallel
first opens of a SQLite store corrupt it, and racing ``set_experiment`` calls can
log into "Default"). Runs are reconciled rather than appended: a cell whose trials
and parameters are unchanged keeps its run; a changed cell gets a new run and the
old one is tagged ``negr2.current=false``. So after any sequence of runs, reruns
and partial rebuilds the experiment holds exactly one current run per cell, equal
to the files.
"""

from __future__ import annotations

import hashlib
import logging
import math
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
    for (scenario, model), rows in trials.groupby(["scenario", "model"], sort=False):
        cell_summary = summary[(summary["scenario"] == scenario) & (summary["model"] == model)]
        runs = current.pop((scenario, model), [])
        run_id = _reconcile_cell(
            client, experiment_id, study_run, config, rows, cell_summary.iloc[0], runs
        )
        cells[f"{scenario}/{model}"] = run_id
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


def _current_cell_runs(client: MlflowClient, experiment_id: str) -> dict[tuple, list[Run]]:
    query = f"tags.`{KIND}` = 'cell' and tags.`{CURRENT}` = 'true'"
    current: dict[tuple, list[Run]] = {}
    for run in _search(client, experiment_id, query):
        key = (run.data.tags.get("negr2.scenario"), run.data.tags.get("negr2.model"))
        current.setdefault(key, []).append(run)
    return current


def _reconcile_cell(
    client: MlflowClient,
    experiment_id: str,
    study_run: str,
    config: Mapping[str, Any],
    rows: pd.DataFrame,
    summary_row: pd.Series,
    runs: list[Run],
) -> str:
    """Keep the cell's run if it still matches the files; else log a new one.
    Every other run of the cell is tagged not current."""
    scenario, model = rows["scenario"].iloc[0], rows["model"].iloc[0]
    params = cell_params(config, scenario, model)
    digest = _fingerprint(rows, params)
    keep = next(
        (
            r.info.run_id
            for r in runs
            if r.data.tags.get(FINGERPRINT) == digest and r.data.tags.get(PARENT) == study_run
        ),
        None,
    )
    if keep is None:
        keep = _log_cell(client, experiment_id, study_run, rows, summary_row, params, digest)
    for run in runs:
        if run.info.run_id != keep:
            client.set_tag(run.info.run_id, CURRENT, "false")
    return keep


def _log_cell(client, experiment_id, study_run, rows, summary_row, params, digest) -> str:
    scenario, model = rows["scenario"].iloc[0], rows["model"].iloc[0]
    tags = {
        PARENT: study_run,
        KIND: "cell",
        CURRENT: "false",
        FINGERPRINT: digest,
        "negr2.scenario": scenario,
        "negr2.model": model,
    }
    run_id = client.create_run(experiment_id, tags=tags, run_name=f"{scenario}/{model}").info.run_id
    now = int(time.time() * 1000)
    metrics = list(_trial_metrics(rows, now)) + [
        Metric(name, float(value), now, 0)
        for name, value in summary_row.items()
        if name not in ("scenario", "model") and not math.isnan(float(value))
    ]
    param_list = [Param(k, str(v)) for k, v in params.items()]
    for batch_params, batch_metrics in _batches(param_list, metrics):
        client.log_batch(run_id, metrics=batch_metrics, params=batch_params)
    # Marked current only once fully logged: a crash leaves a run that is not counted.
    client.log_batch(run_id, tags=[RunTag(CURRENT, "true")])
    client.set_terminated(run_id)
    return run_id


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
    for metric in TRIAL_METRICS:
        for step, value in zip(ok["trial"], ok[metric], strict=True):
            yield Metric(metric, float(value), timestamp, int(step))


def cell_params(config: Mapping[str, Any], scenario: str, model: str) -> dict[str, Any]:
    """The parameters that define a cell, flattened for MLflow."""
    spec = config["models"][model]
    params = {
        "study": config["study"],
        "seed": config["seed"],
        "trials": config["trials"],
        "preprocessing": config["preprocessing"],
        "estimator": spec["estimator"],
    }
    params |= {f"scenario.{k}": v for k, v in config["scenarios"][scenario].items()}
    params |= {f"params.{k}": v for k, v in (spec.get("params") or {}).items()}
    return params


def _fingerprint(rows: pd.DataFrame, params: Mapping[str, Any]) -> str:
    digest = hashlib.sha256(pd.util.hash_pandas_object(rows, index=False).to_numpy().tobytes())
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
