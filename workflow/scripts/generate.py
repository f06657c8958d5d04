"""Draw every trial's dataset of one scenario point."""

import numpy as np

from negr2 import files, logs
from negr2.generators import generate_scenario

snakemake = snakemake  # noqa: F821 (injected by Snakemake)
logs.to_file(snakemake.log[0])

data = generate_scenario(
    snakemake.wildcards.scenario,
    snakemake.params.spec,
    snakemake.params.seed,
    snakemake.params.trials,
    seed_name=snakemake.params.seed_name,
)
with files.atomic_path(snakemake.output.data) as tmp, open(tmp, "wb") as f:
    np.savez(f, **data)

logs.exit_job()
