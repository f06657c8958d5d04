"""Versions of a study read from MLflow: cell runs rebuilt into trials.

A cell run holds every trial's metrics as metric history (step = trial; an ablation
variant's under ``<variant>/<metric>``), its trial count as the ``trials`` param and
its data digest as its dataset input. A trial with no ``r2`` failed. Three sources:

* an experiment's current cell runs (``experiments:/<name>``);
* a run (``runs:/<id>``): a study run's current cell runs, or one cell run;
* a study's current cell runs against the runs they superseded (``--mlflow <study>``):
  the retired runs stay in the store, soft-deleted (see :mod:`negr2.cell_runs`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from negr2.columns import FULL
from negr2.compare.metrics import METRICS
from negr2.compare.versions import Cell, Version
from negr2.errors import InputError
from negr2.internals import TAG_PARENT_RUN

CELL_TAG, CURRENT, KIND = "negr2.cell", "negr2.current", "negr2.kind"


def client_for(tracking_uri: str) -> Any:
    """An MLflow client of an existing store: a SQLite file that exists, or a server
    that answers (opening a missing SQLite store would create one)."""
    from mlflow.tracking import MlflowClient

    from negr2.tracking import server_unreachable

    if tracking_uri.startswith("sqlite:///"):
        path = Path(tracking_uri.removeprefix("sqlite:///"))
        if not path.is_file():
            raise InputError(
                f"no MLflow store at {path}: run a study first, or point --tracking-uri "
                "(or MLFLOW_TRACKING_URI) at the store to read"
            )
    elif server_unreachable(tracking_uri):
        raise InputError(
            f"the MLflow tracking server {tracking_uri} did not answer: start it (make "
            "tracking-server) or point --tracking-uri (or MLFLOW_TRACKING_URI) at one that runs"
        )
    return MlflowClient(tracking_uri)


def experiment_version(client: Any, name: str, role: str) -> Version:
    """The current cell runs of the experiment ``name``."""
    experiment_id = _experiment_id(client, name)
    runs = [r for r in _cell_runs(client, experiment_id, deleted=False) if _is_current(r)]
    if not runs:
        raise InputError(f"{role} experiments:/{name}: the experiment holds no cell run")
    return _version(client, f"experiments:/{name}", runs)


def run_version(client: Any, run_id: str, role: str) -> Version:
    """A study run's current cell runs, or one cell run."""
    from mlflow.exceptions import MlflowException

    try:
        run = client.get_run(run_id)
    except MlflowException:
        raise InputError(f"{role} runs:/{run_id}: no such run in the store") from None
    kind = run.data.tags.get(KIND)
    if kind == "cell":
        return _version(client, f"runs:/{run_id}", [run])
    if kind != "study":
        raise InputError(f"{role} runs:/{run_id}: not a negr2 study run or cell run")
    runs = [
        r
        for r in _cell_runs(client, run.info.experiment_id, deleted=False)
        if _is_current(r) and r.data.tags.get(TAG_PARENT_RUN) == run_id
    ]
    if not runs:
        raise InputError(f"{role} runs:/{run_id}: the study run has no current cell run")
    return _version(client, f"runs:/{run_id}", runs)


def superseded_versions(client: Any, study: str) -> tuple[Version, Version]:
    """BASE: each cell as it stood before its last change; NEW: the current cell runs.

    A cell's BASE is the run its current run superseded (the latest retired run logged
    before it). A cell that was never superseded is its own BASE if its current run
    is older than every run that superseded another (it did not change), and is
    ``added`` otherwise; a cell with retired runs only is ``removed``.
    """
    experiment_id = _experiment_id(client, study)
    runs = _cell_runs(client, experiment_id, deleted=True)
    current = {_cell(r): r for r in runs if _is_current(r)}
    retired: dict[Cell, list[Any]] = {}
    for run in runs:
        if _is_retired(run):
            retired.setdefault(_cell(run), []).append(run)
    base = {cell: _superseded(run, retired.get(cell, [])) for cell, run in current.items()}
    changed = [current[cell].info.start_time for cell, old in base.items() if old is not None]
    if not changed:
        raise InputError(
            f"--mlflow {study}: no cell run of the study was superseded (no cell changed "
            "since it was first logged): nothing to compare"
        )
    cutoff = min(changed)
    for cell, run in current.items():
        if base[cell] is None and run.info.start_time < cutoff:
            base[cell] = run  # unchanged since before the change: its own earlier version
    for cell, old in retired.items():
        if cell not in current:
            base[cell] = max(old, key=lambda r: r.info.start_time)
    base_runs = [run for run in base.values() if run is not None]
    label = f"MLflow experiment {study}"
    return (
        _version(client, f"{label}, before each cell's last change", base_runs),
        _version(client, f"{label}, current runs", list(current.values())),
    )


def _superseded(run: Any, retired: list[Any]) -> Any | None:
    """The latest retired run of the cell logged before ``run``."""
    older = [r for r in retired if r.info.start_time <= run.info.start_time]
    return max(older, key=lambda r: r.info.start_time) if older else None


def _experiment_id(client: Any, name: str) -> str:
    experiment = client.get_experiment_by_name(name)
    if experiment is None:
        raise InputError(f"no MLflow experiment {name!r} in the store: is the study's name right?")
    return experiment.experiment_id


def _cell_runs(client: Any, experiment_id: str, deleted: bool) -> list[Any]:
    """Every cell run of the experiment, with the soft-deleted ones if ``deleted``."""
    from mlflow.entities import ViewType

    view = ViewType.ALL if deleted else ViewType.ACTIVE_ONLY
    runs, token = [], None
    while True:
        page = client.search_runs(
            [experiment_id], f"tags.`{KIND}` = 'cell'", view, max_results=1000, page_token=token
        )
        runs += list(page)
        token = page.token
        if not token:
            return runs


def _is_current(run: Any) -> bool:
    return run.info.lifecycle_stage == "active" and run.data.tags.get(CURRENT) == "true"


def _is_retired(run: Any) -> bool:
    """Superseded: fully logged (finished), then tagged not current and soft-deleted. A
    run a crash left half-logged was never finished."""
    return (
        run.info.lifecycle_stage == "deleted"
        and run.data.tags.get(CURRENT) == "false"
        and run.info.status == "FINISHED"
    )


def _cell(run: Any) -> Cell:
    scenario_id, _, model_id = run.data.tags[CELL_TAG].partition("/")
    return scenario_id, model_id


def _version(client: Any, label: str, runs: list[Any]) -> Version:
    """A version over cell runs (one per cell), read a run at a time, in the order they
    were logged (the study's order)."""
    by_cell = {_cell(run): run for run in sorted(runs, key=lambda r: r.info.start_time)}
    studies = {run.data.params.get("study") for run in runs}

    def read(cell: Cell) -> pd.DataFrame:
        return run_trials(client, by_cell[cell])

    return Version(
        label=label,
        study=studies.pop() if len(studies) == 1 else None,
        cells=list(by_cell),
        digests={cell: _digest(run) for cell, run in by_cell.items()},
        read=read,
    )


def _digest(run: Any) -> str | None:
    inputs = run.inputs.dataset_inputs if run.inputs else []
    return inputs[0].dataset.digest if inputs else None


def run_trials(client: Any, run: Any) -> pd.DataFrame:
    """A cell run's trials from its metric histories (the columns of
    :class:`~negr2.compare.versions.Version`'s frames, without seeds)."""
    n_trials = int(run.data.params["trials"])
    variants = dict(_trial_metric_names(run.data.metrics))
    if not variants:
        raise InputError(
            f"run {run.info.run_id} ({run.data.tags.get(CELL_TAG)}) holds no per-trial metric "
            "history (logged with mlflow.history: summary): nothing to compare trial by trial"
        )
    frames = []
    for variant, names in variants.items():
        frame = pd.DataFrame({"ablation": variant, "trial": np.arange(n_trials)})
        for metric in METRICS:
            values = np.full(n_trials, np.nan)
            if metric in names:
                for point in client.get_metric_history(run.info.run_id, names[metric]):
                    values[point.step] = point.value
            frame[metric] = values
        frame["status"] = np.where(np.isnan(frame["r2"]), "failed", "ok")
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _trial_metric_names(metrics: dict[str, float]) -> Iterator[tuple[str, dict[str, str]]]:
    """Each ablation variant with its per-trial metrics' names (``r2`` for the full
    model, ``<variant>/r2`` for a variant); a run logged before results format 3 is read
    with today's names (``neg_recall`` is ``negative_target_recall``)."""
    from negr2.results_folder import current_name

    variants: dict[str, dict[str, str]] = {}
    for name in metrics:
        variant, _, metric = current_name(name).rpartition("/")
        if metric in METRICS:
            variants.setdefault(variant or FULL, {})[metric] = name
    yield from variants.items()


def single_cells_paired(base: Version, new: Version) -> Version:
    """NEW renamed to BASE's cell when each is one cell run of different cells (two
    run ids name the two cells to compare)."""
    if len(base.cells) != 1 or len(new.cells) != 1 or base.cells == new.cells:
        return new
    (old,), (cell,) = new.cells, base.cells

    def read(_cell: Cell) -> pd.DataFrame:
        return new.read(old)

    return Version(
        f"{new.label} ({old[0]}/{old[1]})", new.study, [cell], {cell: new.digests[old]}, read
    )
