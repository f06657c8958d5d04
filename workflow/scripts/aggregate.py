"""Combine every cell's trials into the study's trials, summary, comparisons and claims."""

from negr2 import logs
from negr2.aggregate import combine_trials, comparisons_table, summary_table, write_outputs
from negr2.claims import evaluate_claims
from negr2.config import results_config

snakemake = snakemake  # noqa: F821 (injected by Snakemake)
logs.to_file(snakemake.log[0])

config = results_config(snakemake.config)
trials = combine_trials(snakemake.input.chunks, config)
tables = {
    "trials": trials,
    "summary": summary_table(trials, config),
    "comparisons": comparisons_table(trials, config),
    "claims": evaluate_claims(trials, config),
}
write_outputs(tables, dict(snakemake.output.items()))

logs.exit_job()
