"""Combine every cell's trials into the study's trials table and summary."""

from negr2 import logs
from negr2.aggregate import combine_trials, summary_table, write_outputs

snakemake = snakemake  # noqa: F821 (injected by Snakemake)
logs.to_file(snakemake.log[0])

config = snakemake.params.config
trials = combine_trials(snakemake.input.chunks, config)
summary = summary_table(trials, config)
write_outputs(trials, summary, snakemake.output.trials, snakemake.output.summary)

logs.exit_job()
