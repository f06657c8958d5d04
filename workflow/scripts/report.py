"""Render the study's self-contained HTML report."""

import pandas as pd

from negr2 import io, logs
from negr2.report import render_report

snakemake = snakemake  # noqa: F821 (injected by Snakemake)
logs.to_file(snakemake.log[0])

trials = pd.read_parquet(snakemake.input.trials)
summary = pd.read_csv(snakemake.input.summary)
comparisons = pd.read_csv(snakemake.input.comparisons)
html = render_report(
    snakemake.params.config,
    trials,
    summary,
    snakemake.params.tracking_uri,
    snakemake.params.workdir,
    comparisons=comparisons,
)
io.write_text(snakemake.output.html, html)

logs.exit_job()
