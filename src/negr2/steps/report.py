"""Draw the study's figures once: into the self-contained HTML report, and as PDF, SVG
and 300-dpi PNG files for manuscripts."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from negr2 import files
from negr2.config import results_config
from negr2.figures import study_figures
from negr2.paper import save_figures
from negr2.report import TRIALS_COLUMNS, render_report
from negr2.storage import read_columns
from negr2.study import Study


def run(inputs: Any, outputs: Any, params: Any, config: Mapping[str, Any], checkout: Path) -> None:
    """The rule's files and params, the study's config, and a folder of the workflow's
    git checkout (its commit is named in the report)."""
    study = Study.from_config(results_config(config))
    trials = read_columns(inputs.trials, TRIALS_COLUMNS)
    summary = pd.read_csv(inputs.summary)
    comparisons = pd.read_csv(inputs.comparisons)
    claims = pd.read_csv(inputs.claims)
    # The compare rule's section (with compare_with): its own HTML, shown as it is.
    versus = Path(inputs.compare[0]).read_text(encoding="utf-8") if inputs.compare else None
    figs = study_figures(trials, summary, study, comparisons)
    drawn = {stem: fig.figure for stem, fig in figs.items()}
    save_figures(drawn, {stem: fig.caption for stem, fig in figs.items()}, outputs.figures)
    html = render_report(
        study,
        trials,
        summary,
        params.tracking_uri,
        str(checkout),
        comparisons=comparisons,
        figs=figs,
        claims=claims,
        versus=versus,
    )
    files.write_text(outputs.html, html)
