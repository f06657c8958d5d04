"""MLflow runs of cells: each (scenario point, model point) has one current run.

A cell's run is reconciled with its rows rather than appended: while its fingerprint
(the cell's rows, its summary and its parameters) matches, the run is kept; otherwise a
new run is logged, marked current only once complete, and every other run of the cell
is retired (tagged ``negr2.current=false``, then soft-deleted; ``mlflow runs restore``
or the UI's "Deleted" view brings it back). :mod:`negr2.tracking` calls this for every
cell at the end of a study, and for one cell as soon as its trials are done.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

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
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from negr2.columns import CSV_FLOATS, FULL, TRIAL_METRICS
from negr2.datasets import data_digest, data_spec, spec_text

if TYPE_CHECKING:
    from negr2.study import Study

CURRENT = "negr2.current"
KIND = "negr2.kind"
FINGERPRINT = "negr2.fingerprint"
PARENT = "mlflow.parentRunId"
CELL_TAG = "negr2.cell"


def retire(client: MlflowClient, run_id: str) -> None:
    """Take a run out of the current truth: tagged not current, then soft-deleted
    (restorable with ``mlflow runs restore --run-id …``)."""
    client.set_tag(run_id, CURRENT, "false")
    client.delete_run(run_id)


def retire_half_logged(client: MlflowClient, experiment_id: str, cell: str | None = None) -> None:
    """Delete cell runs (of every cell, or of ``cell``) that a crash left before they
    were marked current."""
    query = f"tags.`{KIND}` = 'cell' and tags.`{CURRENT}` = 'false'" + _of_cell(cell)
    for run in list(search(client, experiment_id, query)):
        client.delete_run(run.info.run_id)


def current_cell_runs(
    client: MlflowClient, experiment_id: str, cell: str | None = None
) -> dict[str, list[Run]]:
    """The runs marked current, by cell (of every cell, or of ``cell``)."""
    query = f"tags.`{KIND}` = 'cell' and tags.`{CURRENT}` = 'true'" + _of_cell(cell)
    current: dict[str, list[Run]] = {}
    for run in search(client, experiment_id, query):
        current.setdefault(run.data.tags.get(CELL_TAG), []).append(run)
    return current


def reconcile_cell(
    client: MlflowClient,
    experiment_id: str,
    study_run: str,
    study: Study,
    rows: pd.DataFrame,
    summary: pd.DataFrame,
    runs: list[Run],
    origin: Mapping[str, str],
    history: str,
) -> tuple[str, int]:
    """Keep the cell's run if it still matches the files; else log a new one.
    Every other run of the cell is retired (tagged not current, soft-deleted).
    Returns the current run's id and the number of metric values logged."""
    params = cell_params(study, rows.iloc[0])
    digest = _fingerprint(rows, summary, params | {"history": history})
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
        _log_dataset(client, keep, scenario_dataset(study, rows.iloc[0]))
        _mark_current(client, keep)
    for run in runs:
        if run.info.run_id != keep:
            retire(client, run.info.run_id)
    return keep, values


def _mark_current(client: MlflowClient, run_id: str) -> None:
    """Marked current only once fully logged: a crash leaves a run that is not counted."""
    client.log_batch(run_id, tags=[RunTag(CURRENT, "true")])
    client.set_terminated(run_id)


def _log_dataset(client: MlflowClient, run_id: str, dataset: DatasetInput) -> None:
    """Record the cell's scenario as the run's dataset input.

    MLflow looks a dataset up, then inserts it: two cells of one scenario logged at once
    (into a server) can both miss it, and the second insert fails on the store's unique
    key. The dataset exists by then, so a second try links to it.
    """
    try:
        client.log_inputs(run_id, datasets=[dataset])
    except MlflowException:
        client.log_inputs(run_id, datasets=[dataset])


def scenario_dataset(study: Study, row: pd.Series) -> DatasetInput:
    """A cell's data as an MLflow dataset: the scenario point's generator spec, the
    study seed and trial count (which fix every trial's draw), and their digest."""
    config, point = study.config, study.scenarios[row["scenario_id"]]
    spec = data_spec(study, point.id)
    sizes = ("n_train", "n_test", "n_features")
    profile = {key: point.spec[key] for key in sizes if key in point.spec}
    dataset = Dataset(
        name=point.id,
        digest=data_digest(spec),
        source_type="code",
        source=spec_text(spec),
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
    # The client splits the values into batches of MLflow's size, sent one after the
    # other. Not asynchronously, though that was twice as fast into a server: MLflow's
    # asynchronous queue sends a run's batches from several threads at once, and two
    # batches of one metric then race to insert its latest value (a unique-key error on
    # PostgreSQL, seen in tests/test_server.py), or leave a stale one.
    client.log_batch(run_id, metrics=metrics, params=param_list)
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


def _trial_metrics(rows: pd.DataFrame, timestamp: int) -> Iterator[Metric]:
    """Every ok trial's metrics as metric history, step = trial index."""
    ok = rows[rows["status"] == "ok"]
    for ablation, variant in ok.groupby("ablation", sort=False):
        for metric in TRIAL_METRICS:
            name = metric_name(ablation, metric)
            for step, value in zip(variant["trial"], variant[metric], strict=True):
                if not math.isnan(value):
                    yield Metric(name, float(value), timestamp, int(step))


def cell_params(study: Study, row: pd.Series) -> dict[str, Any]:
    """The parameters that define a cell (with its sweep point's values), flattened.

    The split is the one the cell's jobs were given (as written): a logged run's
    fingerprint holds these, and must not change while the cell's results do not.
    """
    config = study.config
    scenario, model = study.scenarios[row["scenario_id"]], study.models[row["model_id"]]
    params = {
        "study": config["study"],
        "seed": config["seed"],
        "trials": config["trials"],
        "preprocessing": model.spec.get("preprocessing", config["preprocessing"]),
        "estimator": model.spec["estimator"],
        "split": json.dumps(study.raw_split(scenario.id), sort_keys=True),
        "ablations": json.dumps(config.get("ablations") or {}, sort_keys=True),
    }
    params |= {f"scenario.{k}": v for k, v in scenario.spec.items()}
    params |= {f"params.{k}": v for k, v in (model.spec.get("params") or {}).items()}
    return params


#: Rows of a cell turned into CSV text at a time by its fingerprint.
CSV_SLICE_ROWS = 50_000


def _fingerprint(rows: pd.DataFrame, summary: pd.DataFrame, params: Mapping[str, Any]) -> str:
    """A hash of a cell's rows, summary and parameters (as CSV text, so that
    list-valued sweep columns hash as well as numbers)."""
    digest = hashlib.sha256()
    # Columns of other cells' sweeps are empty here: left out, or adding a sweep to one
    # model would re-log every cell.
    filled = [column for column in rows.columns if rows[column].notna().any()]
    # In slices: the CSV text of a million-row cell would cost hundreds of MB at once,
    # and so would a copy of the cell without its empty columns.
    for start in range(0, max(len(rows), 1), CSV_SLICE_ROWS):
        part = rows.iloc[start : start + CSV_SLICE_ROWS][filled]
        digest.update(part.to_csv(index=False, header=start == 0).encode())
    # The summary as its CSV file holds it: a cell's summary read from summary.csv and
    # one computed in memory then hash alike (20 and 20.0 alike).
    digest.update(summary.to_csv(index=False, float_format=CSV_FLOATS).encode())
    digest.update(repr(sorted(params.items())).encode())
    return digest.hexdigest()[:16]


def search(client: MlflowClient, experiment_id: str, query: str) -> Iterator[Run]:
    """Every active run of the experiment that matches ``query``, page by page (the
    client returns one page; the fluent ``mlflow.search_runs``, which pages, works on
    the process-wide tracking URI instead of this client's)."""
    token = None
    while True:
        page = client.search_runs(
            [experiment_id], query, ViewType.ACTIVE_ONLY, max_results=1000, page_token=token
        )
        yield from page
        token = page.token
        if not token:
            return


def _of_cell(cell: str | None) -> str:
    return "" if cell is None else f" and tags.`{CELL_TAG}` = '{cell}'"
