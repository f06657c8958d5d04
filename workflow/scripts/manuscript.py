"""Compile the manuscript once its studies' paper outputs are current; write its
arXiv archive."""

from negr2 import logs
from negr2.manuscript import build_pdf

snakemake = snakemake  # noqa: F821 (injected by Snakemake)
logs.to_file(snakemake.log[0])

build_pdf(
    snakemake.input.tex,
    snakemake.params.papers,
    snakemake.params.config_files,
    snakemake.output.pdf,
    f"{snakemake.log[0]}.latex",
    strict=snakemake.params.strict,
    archive=snakemake.output.archive,
)

logs.exit_job()
