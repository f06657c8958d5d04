"""Draw every trial's dataset of one scenario."""

import numpy as np

from negr2 import io, logs
from negr2.generators import generate_scenario

snakemake = snakemake  # noqa: F821 (injected by Snakemake)
logs.to_file(snakemake.log[0])

scenario = snakemake.wildcards.scenario
data = generate_scenario(
    scenario, snakemake.params.spec, snakemake.params.seed, snakemake.params.trials
)

with io.atomic_path(snakemake.output.data) as tmp, open(tmp, "wb") as f:
    np.savez(f, **data)

logs.exit_job()
