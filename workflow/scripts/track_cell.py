"""Log one cell into MLflow as soon as its trials are done."""

import json
import logging

from negr2 import files, logs
from negr2.aggregate import as_written, cell_trials, summary_table
from negr2.config import results_config
from negr2.tracking import server_unreachable, track_cell

snakemake = snakemake  # noqa: F821 (injected by Snakemake)
logs.to_file(snakemake.log[0])

config = results_config(snakemake.config)
scenario_id, model_id = snakemake.wildcards.scenario, snakemake.wildcards.model
rows = cell_trials(snakemake.input.trials, config, scenario_id, model_id)
summary = as_written(summary_table(rows, config))
uri = snakemake.params.tracking_uri


def log_cell():
    """The cell's run, or None (logged later by the final track job) when the
    tracking server does not answer: the study's files must still be made."""
    if server_unreachable(uri):
        return None
    try:
        return track_cell(
            uri,
            config,
            rows,
            summary,
            lock_file=snakemake.params.lock,
            artifact_root=snakemake.params.artifact_root,
            source=snakemake.params.source,
            history=snakemake.params.history,
        )
    except Exception:
        if server_unreachable(uri):  # went down while logging
            return None
        raise


run = log_cell()
if run is None:
    logging.warning("the MLflow tracking server %s did not answer; logged at the end", uri)
    run = {"cell": f"{scenario_id}/{model_id}", "run_id": None, "values_logged": 0}
logging.info(
    "%s: run %s, %d metric values logged", run["cell"], run["run_id"], run["values_logged"]
)
files.write_text(snakemake.output.run, json.dumps(run, indent=2) + "\n")

logs.exit_job()
