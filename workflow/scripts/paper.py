"""Write the manuscript's LaTeX tables, LaTeX number macros and Markdown report."""

import json
import platform
import re
from pathlib import Path

import pandas as pd

from negr2 import files, logs
from negr2.config import results_config
from negr2.paper import (
    claims_tex,
    escape_latex,
    numbers_tex,
    reference_tex,
    report_md,
    study_info,
    table_tex,
)
from negr2.reference import compare
from negr2.report import git_commit, package_versions

snakemake = snakemake  # noqa: F821 (injected by Snakemake)
logs.to_file(snakemake.log[0])

config = results_config(snakemake.config)
summary = pd.read_csv(snakemake.input.summary)
comparisons = pd.read_csv(snakemake.input.comparisons)
claims = pd.read_csv(snakemake.input.claims)
reference = compare(summary, config["reference"]) if config.get("reference") else None
captions = json.loads(Path(snakemake.input.figures, "captions.json").read_text())
name = config["study"]
study = escape_latex(name)
caption = f"Test $R^2$ over {config['trials']} trials per cell (study {study})."
versions = {"python": platform.python_version(), **package_versions()}
info = study_info(config, git_commit(snakemake.scriptdir), claims, reference, versions)

numbers = numbers_tex(summary, name, comparisons, claims, reference, info)
files.write_text(snakemake.output.numbers, numbers)
files.write_text(snakemake.output.table, table_tex(summary, caption, f"tab:{name}"))
# Always written, so that a manuscript can \input them: a comment when there is nothing.
claims_table = f"% study {name} has no claims.\n"
if len(claims):
    claims_caption = f"The claims of study {study}, tested on paired trials."
    claims_table = claims_tex(claims, claims_caption, f"tab:{name}-claims")
reference_table = f"% study {name} has no published table.\n"
if reference is not None and len(reference):
    # "quoted" text in the source gets TeX's opening and closing quotes
    source = re.sub(r'"([^"]*)"', r"``\1''", escape_latex(config["reference"]["source"]))
    reference_table = reference_tex(reference, f"{source} beside study {study}.", f"tab:{name}-ref")
files.write_text(snakemake.output.claims, claims_table)
files.write_text(snakemake.output.reference, reference_table)
files.write_text(snakemake.output.markdown, report_md(config, summary, captions, comparisons))

logs.exit_job()
