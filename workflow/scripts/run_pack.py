"""Fit and score a pack of cheap cells of one scenario point, one after the other."""

from negr2 import files, logs
from negr2.generators import ScenarioDraws
from negr2.trials import CellJob, run_cells

snakemake = snakemake  # noqa: F821 (injected by Snakemake)
logs.to_file(snakemake.log[0])

table = run_cells(
    ScenarioDraws(**snakemake.params.draws),
    [CellJob(**fields) for fields in snakemake.params.jobs],
    range(snakemake.params.trials),
)
with files.atomic_path(snakemake.output.trials) as tmp:
    table.to_parquet(tmp, index=False)

logs.exit_job()
