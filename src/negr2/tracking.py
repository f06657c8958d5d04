"""MLflow tracking: one study run, one current child run per (scenario, model) cell.

Two jobs open the store, one after the other: ``mlflow_store`` creates it, the
experiment and the study run before any trial finishes, and ``track`` logs once every
trial has; so the store is created and the experiment looked up by exactly one process (parallel
first opens of a SQLite store corrupt it, and racing ``set_experiment`` calls can
log into "Default"). Runs are reconciled rather than appended: a cell whose trials
and parameters are unchanged keeps its run; a changed cell gets a new run and the
old one is tagged ``negr2.current=false``. So after any sequence of runs, reruns
and partial rebuilds the experiment holds exactly one current run per cell, equal
to the files. Superseded and half-logged runs are soft-deleted, so MLflow's default
view shows only the current truth (``mlflow runs restore`` or the UI's "Deleted" view
brings them back).

Runs say where they came from: MLflow's provenance tags (git commit, source, user),
``negr2.git.dirty``, the study config as an artifact of the study run, and each
cell's scenario as a dataset input.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import math
import re
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from mlflow.entities import (
    Dataset,
    DatasetInput,
    InputTag,
    Metric,
    Param,
    Run,
    RunTag,
    ViewType,
)
from mlflow.tracking import MlflowClient

from negr2 import logs
from negr2.columns import CELL, FULL
from negr2.stats import TRIAL_METRICS

log = logging.getLogger(__name__)

CURRENT = "negr2.current"
KIND = "negr2.kind"
FINGERPRINT = "negr2.fingerprint"
PARENT = "mlflow.parentRunId"
CELL_TAG = "negr2.cell"
_BATCH = 1000  # MLflow's limit of entities (metrics + params) per log_batch call


def track_study(
    tracking_uri: str,
    config: Mapping[str, Any],
    trials: pd.DataFrame,
    summary: pd.DataFrame,
    artifacts: Sequence[str],
    artifact_root: str | None = None,
    source: str | None = None,
    study_file: Mapping[str, Any] | None = None,
    history: str = "all",
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
    source : the workflow's Snakefile, named in the runs' provenance tags (its git
        checkout gives the commit).
    study_file : the whole study config as run (scheduling keys included), logged
        as the study run's ``config.yaml``; ``config`` when not given.
    history : ``all`` logs every trial's metrics as metric history; ``summary`` only
        each cell's summary metrics (for studies of very many trials).

    Returns
    -------
    The experiment id, the study run id and each cell's current run id.
    """
    client = MlflowClient(tracking_uri)
    with store_lock(tracking_uri):
        experiment_id, study_run = _open_study(client, config, artifact_root)
    origin = provenance(source)
    _describe_study_run(client, study_run, study_file or config, origin)
    _retire_half_logged(client, experiment_id)
    current = _current_cell_runs(client, experiment_id)
    cells = {}
    groups = trials.groupby(list(CELL), sort=False)
    progress = logs.Progress(groups.ngroups, config["study"], "cells")
    logged = 0
    for (scenario_id, model_id), rows in groups:
        cell = f"{scenario_id}/{model_id}"
        cell_summary = summary[
            (summary["scenario_id"] == scenario_id) & (summary["model_id"] == model_id)
        ]
        runs = current.pop(cell, [])
        cells[cell], values = _reconcile_cell(
            client, experiment_id, study_run, config, rows, cell_summary, runs, origin, history
        )
        logged += values
        progress.step(f"{logged:,} metric values logged")
    for stale in current.values():  # cells no longer in the study
        for run in stale:
            _retire(client, run.info.run_id)
    for path in artifacts:
        client.log_artifact(study_run, path)
    return {"experiment_id": experiment_id, "study_run_id": study_run, "cell_run_ids": cells}


def prepare_store(
    tracking_uri: str, config: Mapping[str, Any], artifact_root: str | None = None
) -> dict[str, str]:
    """Create the store (if new), the study's experiment and its study run.

    The workflow runs this once, early, beside the trial jobs (which never touch
    MLflow); :func:`store_lock` keeps two studies started at once from both creating
    the same SQLite store.
    """
    with store_lock(tracking_uri):
        experiment_id, study_run = _open_study(MlflowClient(tracking_uri), config, artifact_root)
    return {"tracking_uri": tracking_uri, "experiment_id": experiment_id, "study_run_id": study_run}


@contextlib.contextmanager
def store_lock(tracking_uri: str) -> Iterator[None]:
    """Hold an exclusive lock on ``<store>.lock`` while opening a SQLite store.

    MLflow creates a new SQLite store on first open by running its migrations; two
    processes doing that at once leave the store broken for good. Servers need no lock.
    """
    if not tracking_uri.startswith("sqlite:///"):
        yield
        return
    store = Path(tracking_uri.removeprefix("sqlite:///"))
    store.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{store}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def server_unreachable(tracking_uri: str, timeout: float = 5.0) -> bool:
    """Whether ``tracking_uri`` is a tracking server that does not answer its health
    check (``/health``); a SQLite store is never unreachable."""
    if tracking_uri.startswith("sqlite:"):
        return False
    return not _server_answers(tracking_uri, timeout)


def _server_answers(tracking_uri: str, timeout: float) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(tracking_uri.rstrip("/") + "/health", timeout=timeout):
            return True
    except OSError:
        return False


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
    tags = {KIND: "study", "negr2.study": config["study"]}
    run = client.create_run(experiment_id, tags=tags, run_name=config["study"])
    client.set_terminated(run.info.run_id)
    return run.info.run_id


def _describe_study_run(
    client: MlflowClient, study_run: str, config: Mapping[str, Any], origin: Mapping[str, str]
) -> None:
    """The study run's provenance and its config (as ``config.yaml``). It is no cell:
    it carries no ``negr2.current`` tag, which filters of current cells would match."""
    client.log_batch(study_run, tags=[RunTag(k, v) for k, v in origin.items()])
    if CURRENT in client.get_run(study_run).data.tags:  # stores made before this tag's removal
        client.delete_tag(study_run, CURRENT)
    client.log_dict(study_run, _plain(config), "config.yaml")


def _plain(value: Any) -> Any:
    """The config as plain dicts and lists, for YAML."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def provenance(source: str | None) -> dict[str, str]:
    """MLflow's standard provenance tags, plus whether the checkout had uncommitted
    changes (``negr2.git.dirty``: true, false, or unknown outside git)."""
    import getpass

    tags = {"mlflow.user": getpass.getuser(), "mlflow.source.type": "LOCAL"}
    if source is None:
        return tags | {"negr2.git.dirty": "unknown"}
    tags["mlflow.source.name"] = str(source)
    folder = Path(source).resolve().parent
    commit = _git(folder, "rev-parse", "HEAD")
    if commit is None:
        return tags | {"negr2.git.dirty": "unknown"}
    status = _git(folder, "status", "--porcelain", "--untracked-files=no")
    tags["mlflow.source.git.commit"] = commit
    tags["negr2.git.dirty"] = "unknown" if status is None else str(bool(status)).lower()
    return tags


def _git(folder: Path, *args: str) -> str | None:
    """A git command's output in ``folder``, or None when git or the checkout is absent."""
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _retire(client: MlflowClient, run_id: str) -> None:
    """Take a run out of the current truth: tagged not current, then soft-deleted
    (restorable with ``mlflow runs restore --run-id …``)."""
    client.set_tag(run_id, CURRENT, "false")
    client.delete_run(run_id)


def _retire_half_logged(client: MlflowClient, experiment_id: str) -> None:
    """Delete cell runs a crash left before they were marked current."""
    query = f"tags.`{KIND}` = 'cell' and tags.`{CURRENT}` = 'false'"
    for run in list(_search(client, experiment_id, query)):
        client.delete_run(run.info.run_id)


def _current_cell_runs(client: MlflowClient, experiment_id: str) -> dict[str, list[Run]]:
    query = f"tags.`{KIND}` = 'cell' and tags.`{CURRENT}` = 'true'"
    current: dict[str, list[Run]] = {}
    for run in _search(client, experiment_id, query):
        current.setdefault(run.data.tags.get(CELL_TAG), []).append(run)
    return current


def _reconcile_cell(
    client: MlflowClient,
    experiment_id: str,
    study_run: str,
    config: Mapping[str, Any],
    rows: pd.DataFrame,
    summary: pd.DataFrame,
    runs: list[Run],
    origin: Mapping[str, str],
    history: str,
) -> tuple[str, int]:
    """Keep the cell's run if it still matches the files; else log a new one.
    Every other run of the cell is retired (tagged not current, soft-deleted).
    Returns the current run's id and the number of metric values logged."""
    params = cell_params(config, rows.iloc[0])
    # Columns of other cells' sweeps are empty here: drop them, or adding a sweep to
    # one model would re-log every cell.
    digest = _fingerprint(rows.dropna(axis=1, how="all"), summary, params | {"history": history})
    keep = next(
        (
            r.info.run_id
            for r in runs
            if r.data.tags.get(FINGERPRINT) == digest and r.data.tags.get(PARENT) == study_run
        ),
        None,
    )
    values = 0
    if keep is None:
        keep, values = _log_cell(
            client, experiment_id, study_run, rows, history, summary, params, digest, origin
        )
        client.log_inputs(keep, datasets=[scenario_dataset(config, rows.iloc[0])])
        _mark_current(client, keep)
    for run in runs:
        if run.info.run_id != keep:
            _retire(client, run.info.run_id)
    return keep, values


def _mark_current(client: MlflowClient, run_id: str) -> None:
    """Marked current only once fully logged: a crash leaves a run that is not counted."""
    client.log_batch(run_id, tags=[RunTag(CURRENT, "true")])
    client.set_terminated(run_id)


def scenario_dataset(config: Mapping[str, Any], row: pd.Series) -> DatasetInput:
    """A cell's data as an MLflow dataset: the scenario point's generator spec, the
    study seed and trial count (which fix every trial's draw), and their digest."""
    from negr2.study import scenario_points

    point = next(p for p in scenario_points(config) if p.id == row["scenario_id"])
    spec = {"scenario": point.spec, "seed": config["seed"], "trials": config["trials"]}
    text = json.dumps(spec, sort_keys=True, default=str)
    sizes = ("n_train", "n_test", "n_features")
    profile = {key: point.spec[key] for key in sizes if key in point.spec}
    dataset = Dataset(
        name=point.id,
        digest=hashlib.sha256(text.encode()).hexdigest()[:16],
        source_type="code",
        source=text,
        profile=json.dumps(profile | {"trials": config["trials"]}),
    )
    return DatasetInput(dataset, tags=[InputTag("mlflow.data.context", "trials")])


def _log_cell(
    client, experiment_id, study_run, rows, history, summary, params, digest, origin
) -> tuple[str, int]:
    """A new run of the cell: its params, its trials as metric history (with
    ``history="all"``) and the summary metrics. Returns its id and the number of
    metric values."""
    first = rows.iloc[0]
    cell = f"{first['scenario_id']}/{first['model_id']}"
    tags = {
        PARENT: study_run,
        KIND: "cell",
        CURRENT: "false",
        FINGERPRINT: digest,
        CELL_TAG: cell,
        "negr2.scenario": first["scenario"],
        "negr2.model": first["model"],
        **origin,
    }
    run_id = client.create_run(experiment_id, tags=tags, run_name=cell).info.run_id
    now = int(time.time() * 1000)
    history_rows = rows if history == "all" else rows.iloc[:0]
    metrics = list(_trial_metrics(history_rows, now)) + list(_summary_metrics(summary, now))
    param_list = [Param(k, str(v)) for k, v in params.items()]
    # A server takes batches faster when they are sent without waiting for each answer
    # (MLflow's asynchronous logging, about twice the values per second here; see
    # BENCHMARKS.md). All are awaited before the run may be marked current. SQLite is
    # faster synchronously.
    asynchronous = not client.tracking_uri.startswith("sqlite:")
    pending = [
        client.log_batch(
            run_id, metrics=batch_metrics, params=batch_params, synchronous=not asynchronous
        )
        for batch_params, batch_metrics in _batches(param_list, metrics)
    ]
    for operation in pending:
        if operation is not None:
            operation.wait()
    return run_id, len(metrics)


def metric_name(ablation: str, metric: str) -> str:
    """``metric`` for the full model, ``<variant>/<metric>`` for an ablation variant
    (characters MLflow does not allow in names become ``_``)."""
    if ablation == FULL:
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
