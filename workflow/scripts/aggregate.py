"""Combine every cell's trials into the study's trials, summary, comparisons and claims.

The trials table is written one cell at a time; the comparisons and claims then read
back only the columns they pair, so the job never holds the whole table.
"""

import pandas as pd

from negr2 import logs
from negr2.aggregate import (
    comparisons_table,
    in_config_order,
    paired_columns,
    write_outputs,
    write_trials,
)
from negr2.claims import evaluate_claims
from negr2.config import results_config
from negr2.study import Study

snakemake = snakemake  # noqa: F821 (injected by Snakemake)
logs.to_file(snakemake.log[0])

study = Study.from_config(results_config(snakemake.config))
summary = write_trials(
    in_config_order(snakemake.params.cells, study), study, snakemake.output.trials
)
paired = pd.read_parquet(snakemake.output.trials, columns=paired_columns(study))
tables = {
    "summary": summary,
    "comparisons": comparisons_table(paired, study),
    "claims": evaluate_claims(paired, study.config),
}
write_outputs(tables, dict(snakemake.output.items()))

logs.exit_job()
