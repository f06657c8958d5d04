"""Write the manuscript's LaTeX tables, LaTeX number macros and Markdown report."""

import json
import platform
import re
from pathlib import Path

import pandas as pd

from negr2 import files, logs
from negr2.config import results_config
from negr2.paper import report_md
from negr2.paper_numbers import numbers_tex, study_info
from negr2.paper_tables import claims_tex, escape_latex, reference_tex, table_tex
from negr2.reference import compare
from negr2.report import git_commit, package_versions
from negr2.study import Study

snakemake = snakemake  # noqa: F821 (injected by Snakemake)
logs.to_file(snakemake.log[0])

config = results_config(snakemake.config)
study = Study.from_config(config)
summary = pd.read_csv(snakemake.input.summary)
comparisons = pd.read_csv(snakemake.input.comparisons)
claims = pd.read_csv(snakemake.input.claims)
reference = compare(summary, config["reference"]) if config.get("reference") else None
captions = json.loads(Path(snakemake.input.figures, "captions.json").read_text())
name = study.name
latex_name = escape_latex(name)
caption = f"Test $R^2$ over {config['trials']} trials per cell (study {latex_name})."
versions = {"python": platform.python_version(), **package_versions()}
info = study_info(study, git_commit(snakemake.scriptdir), claims, reference, versions)

numbers = numbers_tex(summary, name, comparisons, claims, reference, info)
files.write_text(snakemake.output.numbers, numbers)
files.write_text(snakemake.output.table, table_tex(summary, caption, f"tab:{name}"))
# Always written, so that a manuscript can \input them: a comment when there is nothing.
claims_table = f"% study {name} has no claims.\n"
if len(claims):
    claims_caption = f"The claims of study {latex_name}, tested on paired trials."
    claims_table = claims_tex(claims, claims_caption, f"tab:{name}-claims")
reference_table = f"% study {name} has no published table.\n"
if reference is not None and len(reference):
    # "quoted" text in the source gets TeX's opening and closing quotes
    source = re.sub(r'"([^"]*)"', r"``\1''", escape_latex(config["reference"]["source"]))
    reference_table = reference_tex(
        reference, f"{source} beside study {latex_name}.", f"tab:{name}-ref"
    )
files.write_text(snakemake.output.claims, claims_table)
files.write_text(snakemake.output.reference, reference_table)
files.write_text(snakemake.output.markdown, report_md(study, summary, captions, comparisons))

logs.exit_job()
