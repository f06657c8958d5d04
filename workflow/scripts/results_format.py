"""Mark the results folder with the format of the files negr2 writes into it."""

import json

from negr2 import files

snakemake = snakemake  # noqa: F821 (injected by Snakemake)
with open(snakemake.log[0], "w") as log:
    log.write(f"results format {snakemake.params.results_format}\n")
files.write_text(
    snakemake.output.marker,
    json.dumps({"results_format": snakemake.params.results_format}) + "\n",
)
