"""A study's tables and paper files computed again from its trials table alone.

The aggregate step computes the summary, comparisons and claims while it writes the
trials table; :func:`study_tables` computes them from the written table, with the same
functions, one cell (or the pair of cells a claim or a comparison needs) at a time.
:func:`paper_files` then writes what the paper step writes. A results bundle is checked
(``negr2 verify``) and its PDF rebuilt (``negr2 rebuild``) this way, without refitting
a model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from negr2.aggregate import comparisons_by_cell, paired_columns, summary_table
from negr2.claims import claims_table
from negr2.storage import CellTable, read_cells
from negr2.study import Study


def paired_tables(table: CellTable, study: Study) -> dict[str, pd.DataFrame]:
    """The ``comparisons`` and ``claims`` tables from the study's trials table, read a
    pair of cells at a time."""

    def claim_cells(claim: Mapping[str, Any]) -> pd.DataFrame:
        cells = [(claim["scenario"], claim[model]) for model in ("better", "than")]
        return table.read(cells, paired_columns(study), text_as_categories=True)

    return {
        "comparisons": comparisons_by_cell(table, study),
        "claims": claims_table(study.config, claim_cells),
    }


def study_tables(trials_path: str, study: Study) -> dict[str, pd.DataFrame]:
    """The ``summary``, ``comparisons`` and ``claims`` tables of the trials table at
    ``trials_path``, as the aggregate step computes them."""
    summaries = [
        summary_table(rows, study) for _, rows in read_cells(trials_path, text_as_categories=True)
    ]
    return {
        "summary": pd.concat(summaries, ignore_index=True),
        **paired_tables(CellTable(trials_path), study),
    }
