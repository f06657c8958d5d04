"""Write the manuscript's LaTeX tables, LaTeX number macros and Markdown report, and
the study's config as it ran (defaults filled in)."""

from __future__ import annotations

import json
import platform
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from negr2 import files
from negr2.config import results_config
from negr2.paper import report_md
from negr2.paper_numbers import numbers_tex, study_info
from negr2.paper_tables import claims_tex, escape_latex, models_tex, reference_tex, table_tex
from negr2.reference import compare
from negr2.report import git_commit, package_versions
from negr2.study import Study


def run(inputs: Any, outputs: Any, params: Any, config: Mapping[str, Any], checkout: Path) -> None:
    """The rule's files and params, the study's config, and a folder of the workflow's
    git checkout (its commit is named in the numbers)."""
    study = Study.from_config(results_config(config))
    tables = {name: pd.read_csv(inputs[name]) for name in ("summary", "comparisons", "claims")}
    captions = json.loads(Path(inputs.figures, "captions.json").read_text())
    versions = {"python": platform.python_version(), **package_versions()}
    texts = paper_texts(study, tables, captions, git_commit(str(checkout)), versions)
    texts["config"] = yaml.safe_dump(json.loads(json.dumps(dict(config))), sort_keys=False)
    for name, text in texts.items():
        files.write_text(outputs[name], text)


def paper_texts(
    study: Study,
    tables: Mapping[str, pd.DataFrame],
    captions: Mapping[str, str],
    commit: str,
    versions: Mapping[str, str],
) -> dict[str, str]:
    """The text of each paper file but the config, by the rule's output name
    (``numbers``, ``table``, ``claims``, ``reference``, ``models``, ``markdown``), from
    the study's
    ``summary``, ``comparisons`` and ``claims`` tables; ``commit`` and ``versions`` are
    the provenance that ``numbers.tex`` records."""
    config, name = study.config, study.name
    summary, comparisons, claims = (tables[t] for t in ("summary", "comparisons", "claims"))
    reference = compare(summary, config["reference"]) if config.get("reference") else None
    info = study_info(study, commit, claims, reference, versions)
    caption = f"Test $R^2$ over {config['trials']} trials per cell (study {escape_latex(name)})."
    return {
        "numbers": numbers_tex(summary, name, comparisons, claims, reference, info),
        "table": table_tex(summary, caption, f"tab:{name}"),
        "claims": _claims_table(claims, name),
        "reference": _reference_table(reference, config),
        "models": models_tex(
            config, f"The models of study {escape_latex(name)}.", f"tab:{name}-models"
        ),
        "markdown": report_md(study, summary, captions, comparisons),
    }


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
