"""Bring the study's MLflow experiment in line with its result files."""

import json
import logging
import sys
from pathlib import Path

import pandas as pd

from negr2 import files, logs
from negr2.config import results_config
from negr2.study import Study
from negr2.tracking import server_unreachable, track_study

snakemake = snakemake  # noqa: F821 (injected by Snakemake)
logs.to_file(snakemake.log[0])

trials = pd.read_parquet(snakemake.input.trials)
early = [json.loads(Path(path).read_text()) for path in snakemake.input.early]
summary = pd.read_csv(snakemake.input.summary)
uri = snakemake.params.tracking_uri
try:
    runs = track_study(
        uri,
        Study.from_config(results_config(snakemake.config)),
        trials,
        summary,
        artifacts=[snakemake.input.summary, snakemake.input.report],
        artifact_root=snakemake.params.artifact_root,
        source=snakemake.params.source,
        study_file=snakemake.config,
        history=snakemake.params.history,
        logged_early={run["cell"]: run["run_id"] for run in early},
    )
except Exception:
    if not server_unreachable(uri):
        raise
    message = f"negr2: the MLflow tracking server {uri} did not answer"
    logging.critical(message)
    sys.exit(message)

logging.info("MLflow experiment %s, study run %s", runs["experiment_id"], runs["study_run_id"])
files.write_text(snakemake.output.runs, json.dumps(runs, indent=2) + "\n")

logs.exit_job()
