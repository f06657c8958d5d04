"""Write the manuscript's LaTeX tables, LaTeX number macros and Markdown report."""

from __future__ import annotations

import json
import platform
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from negr2 import files
from negr2.config import results_config
from negr2.paper import report_md
from negr2.paper_numbers import numbers_tex, study_info
from negr2.paper_tables import claims_tex, escape_latex, reference_tex, table_tex
from negr2.reference import compare
from negr2.report import git_commit, package_versions
from negr2.study import Study


def run(inputs: Any, outputs: Any, params: Any, config: Mapping[str, Any], checkout: Path) -> None:
    """The rule's files and params, the study's config, and a folder of the workflow's
    git checkout (its commit is named in the numbers)."""
    study = Study.from_config(results_config(config))
    config = study.config
    summary = pd.read_csv(inputs.summary)
    comparisons = pd.read_csv(inputs.comparisons)
    claims = pd.read_csv(inputs.claims)
    reference = compare(summary, config["reference"]) if config.get("reference") else None
    captions = json.loads(Path(inputs.figures, "captions.json").read_text())
    name = study.name
    versions = {"python": platform.python_version(), **package_versions()}
    info = study_info(study, git_commit(str(checkout)), claims, reference, versions)
    numbers = numbers_tex(summary, name, comparisons, claims, reference, info)
    files.write_text(outputs.numbers, numbers)
    caption = f"Test $R^2$ over {config['trials']} trials per cell (study {escape_latex(name)})."
    files.write_text(outputs.table, table_tex(summary, caption, f"tab:{name}"))
    files.write_text(outputs.claims, _claims_table(claims, name))
    files.write_text(outputs.reference, _reference_table(reference, config))
    files.write_text(outputs.markdown, report_md(study, summary, captions, comparisons))


def _claims_table(claims: pd.DataFrame, name: str) -> str:
    # Always written, so that a manuscript can \input it: a comment when there is nothing.
    if not len(claims):
        return f"% study {name} has no claims.\n"
    caption = f"The claims of study {escape_latex(name)}, tested on paired trials."
    return claims_tex(claims, caption, f"tab:{name}-claims")


def _reference_table(reference: pd.DataFrame | None, config: Mapping[str, Any]) -> str:
    name = config["study"]
    if reference is None or not len(reference):
        return f"% study {name} has no published table.\n"
    # "quoted" text in the source gets TeX's opening and closing quotes
    source = re.sub(r'"([^"]*)"', r"``\1''", escape_latex(config["reference"]["source"]))
    caption = f"{source} beside study {escape_latex(name)}."
    return reference_tex(reference, caption, f"tab:{name}-ref")
