"""Combine every cell's trials into the study's trials, summary, comparisons and claims.

The trials table is written one trials file at a time (each cell's rows are then
summarised); the comparisons and claims read back a pair of cells at a time, only the
columns they pair. The step holds a cell, a trials file or two cells' paired columns,
never the whole table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from negr2.aggregate import write_and_summarise
from negr2.config import results_config
from negr2.recompute import paired_tables
from negr2.storage import CellTable, in_config_order, write_outputs
from negr2.study import Study


def run(inputs: Any, outputs: Any, params: Any, config: Mapping[str, Any]) -> None:
    """The rule's files and params (``params.cells``: each cell's trials files, by
    "scenario/model"), and the study's config."""
    study = Study.from_config(results_config(config))
    summary = write_and_summarise(in_config_order(params.cells, study), study, outputs.trials)
    tables = {"summary": summary, **paired_tables(CellTable(outputs.trials), study)}
    write_outputs(tables, dict(outputs.items()))
