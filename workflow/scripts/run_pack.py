"""Fit and score a pack of cheap cells of one scenario point, one after the other."""

import sys
from pathlib import Path

snakemake = snakemake  # noqa: F821 (injected by Snakemake)
# src/ of this checkout first, whatever the job's environment holds (docs/architecture.md)
sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))

from negr2 import files, logs
from negr2.generators import ScenarioDraws
from negr2.trials import CellJob, run_cells

logs.to_file(snakemake.log[0])

table = run_cells(
    ScenarioDraws(**snakemake.params.draws),
    [CellJob(**fields) for fields in snakemake.params.jobs],
    range(snakemake.params.trials),
)
with files.atomic_path(snakemake.output.trials) as tmp:
    table.to_parquet(tmp, index=False)

logs.exit_job()
