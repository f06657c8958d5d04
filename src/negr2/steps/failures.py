"""Fail the run when a cell failed more trials than allowed.

The lines naming the failed cells close the run's output (the Snakefile's onsuccess
and onerror); here they go to the step's log.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from negr2 import files
from negr2.failures import closing_lines, failed_cells, over_limit
from negr2.steps.runner import StepError


def run(inputs: Any, outputs: Any, params: Any, config: Mapping[str, Any]) -> None:
    """Write the record of failed cells only when the study passes: with no output,
    the next run checks again."""
    limit = params.max_failed_share
    cells = failed_cells(inputs.summary, inputs.trials)
    for line in closing_lines(cells, limit):
        logging.getLogger(__name__).info(line)
    if over_limit(cells, limit):
        raise StepError(f"cells failed more than max_failed_share ({limit}) of their trials")
    record = {"max_failed_share": limit, "failed_cells": [asdict(cell) for cell in cells]}
    files.write_text(outputs.record, json.dumps(record, indent=2) + "\n")
