"""MLflow tracking: one study run, one current child run per (scenario, model) cell.

The store is created, and the experiment and study run looked up, by one process at a
time (:func:`store_lock`): parallel first opens of a SQLite store corrupt it, and
racing ``create_experiment`` calls fail or log into "Default". With a SQLite store the
``mlflow_store`` job does it once, early, beside the trial jobs.

Cells are logged in one of two places (``mlflow.log_cells``, see
:func:`negr2.plan.logged_early`): a cell with a long history in a ``track_cell``
job of its own, as soon as its trials are done and beside the trials still running;
every other cell in the final ``track`` job, which also attaches the study's files and
retires the runs of cells that left the study. Either way a cell's run is reconciled
with its rows (:mod:`negr2.cell_runs`), so after any sequence of runs, reruns, partial
rebuilds and outages the experiment holds exactly one current run per cell, equal to
the files.

Runs say where they came from: MLflow's provenance tags (git commit, source, user),
``negr2.git.dirty``, the study config as an artifact of the study run, and each
cell's scenario as a dataset input.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import subprocess
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from mlflow.entities import RunTag
from mlflow.tracking import MlflowClient

from negr2 import logs
from negr2.cell_runs import (
    CURRENT,
    KIND,
    PARENT,
    current_cell_runs,
    reconcile_cell,
    retire,
    retire_half_logged,
    search,
)

if TYPE_CHECKING:
    from negr2.study import Study

log = logging.getLogger(__name__)


def track_study(
    tracking_uri: str,
    study: Study,
    cells: Iterable[tuple[tuple[str, str], pd.DataFrame]],
    summary: pd.DataFrame,
    artifacts: Sequence[str],
    artifact_root: str | None = None,
    source: str | None = None,
    study_file: Mapping[str, Any] | None = None,
    history: str = "all",
    logged_early: Mapping[str, str | None] | None = None,
) -> dict[str, Any]:
    """Bring the study's MLflow experiment in line with its result files.

    Parameters
    ----------
    tracking_uri : where the store is (``sqlite:///…`` or a server's URL).
    study : the study of the validated config.
    cells : each cell's rows of the trials table, by (scenario id, model id), one cell
        at a time (:func:`negr2.storage.read_cells`).
    summary : the study's summary table.
    artifacts : files to attach to the study run (summary.csv, report.html, …).
    artifact_root : where a new experiment keeps artifacts (a local folder for a
        SQLite store); ``None`` lets the tracking server decide.
    source : the workflow's Snakefile, named in the runs' provenance tags (its git
        checkout gives the commit).
    study_file : the whole study config as run (scheduling keys included), logged
        as the study run's ``config.yaml``; the study's config when not given.
    history : ``all`` logs every trial's metrics as metric history; ``summary`` only
        each cell's summary metrics (for studies of very many trials).
    logged_early : the run id each ``track_cell`` job logged, by cell (``None`` when
        the server did not answer then). Such a run is kept while it is still current;
        any other cell is reconciled here.

    Returns
    -------
    The experiment id, the study run id and each cell's current run id.
    """
    client = MlflowClient(tracking_uri)
    with store_lock(tracking_uri):
        experiment_id, study_run = _open_study(client, study.name, artifact_root)
    origin = provenance(source)
    _describe_study_run(client, study_run, study_file or study.config, origin)
    retire_half_logged(client, experiment_id)
    current = current_cell_runs(client, experiment_id)
    early = logged_early or {}
    run_ids = {}
    progress = logs.Progress(len(study.cells), study.name, "cells")
    logged = 0
    for (scenario_id, model_id), rows in cells:
        cell = f"{scenario_id}/{model_id}"
        runs = current.pop(cell, [])
        kept = _kept_early_run(early.get(cell), runs, study_run)
        if kept is not None:
            run_ids[cell] = kept
        else:
            cell_summary = summary[
                (summary["scenario_id"] == scenario_id) & (summary["model_id"] == model_id)
            ]
            run_ids[cell], values = reconcile_cell(
                client, experiment_id, study_run, study, rows, cell_summary, runs, origin, history
            )
            logged += values
        del rows  # before the next cell is read: one cell's rows at a time
        progress.step(f"{logged:,} metric values logged")
    for stale in current.values():  # cells no longer in the study
        for run in stale:
            retire(client, run.info.run_id)
    for path in artifacts:
        client.log_artifact(study_run, path)
    return {"experiment_id": experiment_id, "study_run_id": study_run, "cell_run_ids": run_ids}


def _kept_early_run(run_id: str | None, runs: Sequence[Any], study_run: str) -> str | None:
    """The run a ``track_cell`` job logged, if it is still the cell's one current run
    under this study run (a user may have deleted it since)."""
    if run_id is None or len(runs) != 1:
        return None
    run = runs[0]
    if run.info.run_id == run_id and run.data.tags.get(PARENT) == study_run:
        return run_id
    return None


def track_cell(
    tracking_uri: str,
    study: Study,
    rows: pd.DataFrame,
    summary: pd.DataFrame,
    lock_file: str,
    artifact_root: str | None = None,
    source: str | None = None,
    history: str = "all",
) -> dict[str, Any]:
    """Log one cell as soon as its trials are done (the ``track_cell`` job).

    ``rows`` and ``summary`` are the cell's, as they will stand in the study's tables.
    Only this cell's runs are touched, so several cells may log at once into a server;
    ``lock_file`` (a local file) keeps the study's jobs from creating its experiment or
    study run twice. Returns the cell, its current run id and the values logged.
    """
    client = MlflowClient(tracking_uri)
    with store_lock(tracking_uri, lock_file):
        experiment_id, study_run = _open_study(client, study.name, artifact_root)
    first = rows.iloc[0]
    cell = f"{first['scenario_id']}/{first['model_id']}"
    retire_half_logged(client, experiment_id, cell)
    runs = current_cell_runs(client, experiment_id, cell).get(cell, [])
    run_id, values = reconcile_cell(
        client, experiment_id, study_run, study, rows, summary, runs, provenance(source), history
    )
    return {"cell": cell, "run_id": run_id, "values_logged": values}


def track_cell_or_defer(tracking_uri: str, rows: pd.DataFrame, **kwargs: Any) -> dict[str, Any]:
    """:func:`track_cell`, or the cell deferred to the final ``track`` job (``run_id``
    None) when the tracking server does not answer, before or while logging: the
    study's files must still be made, and ``track`` then fails naming the server."""
    first = rows.iloc[0]
    deferred = {"cell": f"{first['scenario_id']}/{first['model_id']}", "run_id": None}
    if server_unreachable(tracking_uri):
        return deferred | {"values_logged": 0}
    try:
        return track_cell(tracking_uri, rows=rows, **kwargs)
    except Exception:
        if server_unreachable(tracking_uri):  # went down while logging
            return deferred | {"values_logged": 0}
        raise


def prepare_store(
    tracking_uri: str, config: Mapping[str, Any], artifact_root: str | None = None
) -> dict[str, str]:
    """Create the store (if new), the study's experiment and its study run.

    The workflow runs this once, early, beside the trial jobs (which never touch
    MLflow); :func:`store_lock` keeps two studies started at once from both creating
    the same SQLite store.
    """
    with store_lock(tracking_uri):
        client = MlflowClient(tracking_uri)
        experiment_id, study_run = _open_study(client, config["study"], artifact_root)
    return {"tracking_uri": tracking_uri, "experiment_id": experiment_id, "study_run_id": study_run}


@contextlib.contextmanager
def store_lock(tracking_uri: str, lock_file: str | None = None) -> Iterator[None]:
    """Hold an exclusive lock while opening the store and the study's experiment.

    A SQLite store is locked through ``<store>.lock``: MLflow creates a new store on
    first open by running its migrations, and two processes doing that at once leave
    it broken for good. A server needs a lock only while several jobs of one study may
    create its experiment and study run at once (``lock_file``, a local file).
    """
    if tracking_uri.startswith("sqlite:///"):
        path = Path(f"{tracking_uri.removeprefix('sqlite:///')}.lock")
    elif lock_file is not None:
        path = Path(lock_file)
    else:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    # Steps are threads of one process too; on NFS flock is a POSIX lock, which the
    # threads of one process share: a lock per path keeps them apart.
    with _thread_lock(path), open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


_THREAD_LOCKS: dict[str, threading.Lock] = {}
_THREAD_LOCKS_GUARD = threading.Lock()


def _thread_lock(path: Path) -> threading.Lock:
    """This process's lock for ``path`` (the same object for every call)."""
    with _THREAD_LOCKS_GUARD:
        return _THREAD_LOCKS.setdefault(str(path.resolve()), threading.Lock())


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


def _open_study(client: MlflowClient, name: str, artifact_root: str | None) -> tuple[str, str]:
    experiment_id = _experiment_id(client, name, artifact_root)
    return experiment_id, _study_run(client, experiment_id, name)


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


def _study_run(client: MlflowClient, experiment_id: str, name: str) -> str:
    """The study's parent run: reused while it exists, so cell runs stay under it."""
    runs = list(search(client, experiment_id, f"tags.`{KIND}` = 'study'"))
    if runs:
        return min(runs, key=lambda r: r.info.start_time).info.run_id
    tags = {KIND: "study", "negr2.study": name}
    run = client.create_run(experiment_id, tags=tags, run_name=name)
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
