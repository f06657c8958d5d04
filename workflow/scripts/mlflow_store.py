"""Create the MLflow store, the study's experiment and its study run."""

import json

from negr2 import files, logs
from negr2.tracking import prepare_store

snakemake = snakemake  # noqa: F821 (injected by Snakemake)
logs.to_file(snakemake.log[0])

store = prepare_store(
    snakemake.params.tracking_uri, {"study": snakemake.params.study}, snakemake.params.artifact_root
)
store["generation"] = snakemake.params.generation  # see common.smk: store_generation
files.write_text(snakemake.output.store, json.dumps(store, indent=2) + "\n")

logs.exit_job()
