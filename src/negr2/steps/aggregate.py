"""Combine every cell's trials into the study's trials, summary, comparisons and claims.

The trials table is written one cell at a time; the comparisons and claims then read
back only the columns they pair, so the step never holds the whole table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

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


def run(inputs: Any, outputs: Any, params: Any, config: Mapping[str, Any]) -> None:
    """The rule's files and params (``params.cells``: each cell's trials files, by
    "scenario/model"), and the study's config."""
    study = Study.from_config(results_config(config))
    summary = write_trials(in_config_order(params.cells, study), study, outputs.trials)
    paired = pd.read_parquet(outputs.trials, columns=paired_columns(study))
    tables = {
        "summary": summary,
        "comparisons": comparisons_table(paired, study),
        "claims": evaluate_claims(paired, study.config),
    }
    write_outputs(tables, dict(outputs.items()))
