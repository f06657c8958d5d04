"""Log one cell into MLflow as soon as its trials are done, beside the trials still
running."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from negr2 import files
from negr2.aggregate import summary_table
from negr2.config import results_config
from negr2.storage import as_written, cell_trials
from negr2.study import Study
from negr2.tracking import track_cell_or_defer

log = logging.getLogger(__name__)


def run(inputs: Any, outputs: Any, params: Any, config: Mapping[str, Any]) -> None:
    """The rule's files and params (``params.job``: the cell, as trial jobs get it)."""
    study = Study.from_config(results_config(config))
    cell = params.job
    rows = cell_trials(inputs.trials, study, cell["scenario_id"], cell["model_id"])
    uri = params.tracking_uri
    run = track_cell_or_defer(
        uri,
        rows,
        study=study,
        summary=as_written(summary_table(rows, study)),
        lock_file=params.lock,
        artifact_root=params.artifact_root,
        source=params.source,
        history=params.history,
    )
    if run["run_id"] is None:
        log.warning("the MLflow tracking server %s did not answer; logged at the end", uri)
    log.info(
        "%s: run %s, %d metric values logged", run["cell"], run["run_id"], run["values_logged"]
    )
    files.write_text(outputs.run, json.dumps(run, indent=2) + "\n")
