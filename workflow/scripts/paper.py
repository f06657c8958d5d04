"""Write the manuscript's LaTeX table, LaTeX number macros and Markdown report."""

import json
from pathlib import Path

import pandas as pd

from negr2 import files, logs
from negr2.config import results_config
from negr2.paper import escape_latex, numbers_tex, report_md, table_tex

snakemake = snakemake  # noqa: F821 (injected by Snakemake)
logs.to_file(snakemake.log[0])

config = results_config(snakemake.config)
summary = pd.read_csv(snakemake.input.summary)
comparisons = pd.read_csv(snakemake.input.comparisons)
captions = json.loads(Path(snakemake.input.figures, "captions.json").read_text())
study = escape_latex(config["study"])
caption = f"Test $R^2$ over {config['trials']} trials per cell (study {study})."

files.write_text(snakemake.output.numbers, numbers_tex(summary, config["study"]))
files.write_text(snakemake.output.table, table_tex(summary, caption, f"tab:{config['study']}"))
files.write_text(snakemake.output.markdown, report_md(config, summary, captions, comparisons))

logs.exit_job()
