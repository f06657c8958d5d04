"""Fit and score a pack of cheap cells of one scenario point, one after the other."""

import logging

import pandas as pd

from negr2 import io, logs
from negr2.generators import ScenarioDraws
from negr2.trials import CellJob, run_cell

snakemake = snakemake  # noqa: F821 (injected by Snakemake)
logs.to_file(snakemake.log[0])

draws = ScenarioDraws(**snakemake.params.draws)
tables = []
for fields in snakemake.params.jobs:
    job = CellJob(**fields)
    logging.info("cell %s/%s: %d trials", job.scenario_id, job.model_id, snakemake.params.trials)
    table = run_cell(draws, job, range(snakemake.params.trials))
    logging.info(
        "cell %s/%s: %d failed rows", job.scenario_id, job.model_id, (table["status"] != "ok").sum()
    )
    tables.append(table)

with io.atomic_path(snakemake.output.trials) as tmp:
    pd.concat(tables, ignore_index=True).to_parquet(tmp, index=False)

logs.exit_job()
