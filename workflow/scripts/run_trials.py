"""Fit and score one model point on a chunk of one scenario point's trials."""

import logging

from negr2 import io, logs
from negr2.config import chunk_from_label
from negr2.generators import ScenarioDraws
from negr2.trials import CellJob, run_cell

snakemake = snakemake  # noqa: F821 (injected by Snakemake)
logs.to_file(snakemake.log[0])

job = CellJob(**snakemake.params.job)
chunk = chunk_from_label(snakemake.params.trials, snakemake.wildcards.chunk)
draws = ScenarioDraws(**snakemake.params.draws)
table = run_cell(draws, job, range(chunk.start, chunk.stop))
failed = int((table["status"] != "ok").sum())
logging.info(
    "%s/%s trials %d-%d: %d failed rows",
    job.scenario_id,
    job.model_id,
    chunk.start,
    chunk.stop - 1,
    failed,
)

with io.atomic_path(snakemake.output.trials) as tmp:
    table.to_parquet(tmp, index=False)

logs.exit_job()
