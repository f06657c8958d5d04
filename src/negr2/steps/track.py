"""Bring the study's MLflow experiment in line with its result files."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from negr2 import files
from negr2.config import results_config
from negr2.steps.runner import StepError
from negr2.storage import read_cells
from negr2.study import Study
from negr2.tracking import server_unreachable, track_study


def run(inputs: Any, outputs: Any, params: Any, config: Mapping[str, Any]) -> None:
    """The rule's files and params, and the study's config (logged whole, as run)."""
    early = [json.loads(Path(path).read_text()) for path in inputs.early]
    uri = params.tracking_uri
    try:
        runs = track_study(
            uri,
            Study.from_config(results_config(config)),
            read_cells(inputs.trials, text_as_categories=True),
            pd.read_csv(inputs.summary),
            artifacts=[inputs.summary, inputs.report, *inputs.compare],
            artifact_root=params.artifact_root,
            source=params.source,
            study_file=config,
            history=params.history,
            logged_early={run["cell"]: run["run_id"] for run in early},
        )
    except Exception as error:
        if not server_unreachable(uri):
            raise
        raise StepError(f"negr2: the MLflow tracking server {uri} did not answer") from error
    logging.getLogger(__name__).info(
        "MLflow experiment %s, study run %s", runs["experiment_id"], runs["study_run_id"]
    )
    files.write_text(outputs.runs, json.dumps(runs, indent=2) + "\n")
