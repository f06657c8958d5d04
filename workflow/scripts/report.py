"""Draw the study's figures once: into the self-contained HTML report, and as
PDF, SVG and 300-dpi PNG files for manuscripts."""

import pandas as pd

from negr2 import files, logs
from negr2.config import results_config
from negr2.figures import study_figures
from negr2.paper import save_figures
from negr2.report import render_report
from negr2.study import Study

snakemake = snakemake  # noqa: F821 (injected by Snakemake)
logs.to_file(snakemake.log[0])

study = Study.from_config(results_config(snakemake.config))
trials = pd.read_parquet(snakemake.input.trials)
summary = pd.read_csv(snakemake.input.summary)
comparisons = pd.read_csv(snakemake.input.comparisons)
claims = pd.read_csv(snakemake.input.claims)
figs = study_figures(trials, summary, study, comparisons)
drawn = {stem: fig.figure for stem, fig in figs.items()}
save_figures(drawn, {stem: fig.caption for stem, fig in figs.items()}, snakemake.output.figures)
html = render_report(
    study,
    trials,
    summary,
    snakemake.params.tracking_uri,
    snakemake.scriptdir,
    comparisons=comparisons,
    figs=figs,
    claims=claims,
)
files.write_text(snakemake.output.html, html)

logs.exit_job()
