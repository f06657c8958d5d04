"""Fit and score one model point on a chunk of one scenario point's trials."""

from negr2 import files, logs
from negr2.chunking import chunk_from_label
from negr2.generators import ScenarioDraws
from negr2.trials import CellJob, run_cells

snakemake = snakemake  # noqa: F821 (injected by Snakemake)
logs.to_file(snakemake.log[0])

chunk = chunk_from_label(snakemake.params.trials, snakemake.wildcards.chunk)
table = run_cells(
    ScenarioDraws(**snakemake.params.draws),
    [CellJob(**snakemake.params.job)],
    range(chunk.start, chunk.stop),
)
with files.atomic_path(snakemake.output.trials) as tmp:
    table.to_parquet(tmp, index=False)

logs.exit_job()
