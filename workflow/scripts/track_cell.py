"""Log one cell into MLflow as soon as its trials are done."""

import json
import logging

from negr2 import files, logs
from negr2.aggregate import as_written, cell_trials, summary_table
from negr2.config import results_config
from negr2.study import Study
from negr2.tracking import track_cell_or_defer

snakemake = snakemake  # noqa: F821 (injected by Snakemake)
logs.to_file(snakemake.log[0])

study = Study.from_config(results_config(snakemake.config))
rows = cell_trials(
    snakemake.input.trials, study, snakemake.wildcards.scenario, snakemake.wildcards.model
)
uri = snakemake.params.tracking_uri
run = track_cell_or_defer(
    uri,
    rows,
    study=study,
    summary=as_written(summary_table(rows, study)),
    lock_file=snakemake.params.lock,
    artifact_root=snakemake.params.artifact_root,
    source=snakemake.params.source,
    history=snakemake.params.history,
)
if run["run_id"] is None:
    logging.warning("the MLflow tracking server %s did not answer; logged at the end", uri)
logging.info(
    "%s: run %s, %d metric values logged", run["cell"], run["run_id"], run["values_logged"]
)
files.write_text(snakemake.output.run, json.dumps(run, indent=2) + "\n")

logs.exit_job()
