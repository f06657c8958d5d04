"""Compare the study's trials with an earlier version of it (the ``compare_with`` key)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from negr2.compare.engine import Options, compare_versions
from negr2.compare.output import FILES, write_comparison
from negr2.compare.versions import open_version
from negr2.errors import InputError
from negr2.steps.runner import StepError


def run(inputs: Any, outputs: Any, params: Any, config: Mapping[str, Any]) -> None:
    """The rule's files: ``inputs.trials``, this study's table, and ``inputs.base``, the
    table of the earlier version the config names."""
    folder = Path(outputs.table).parent
    if {name: str(folder / file) for name, file in FILES.items()} != dict(outputs.items()):
        raise ValueError(f"the compare rule's outputs must be {FILES} in one folder")
    try:
        base = open_version(inputs.base, "compare_with:")
        new = open_version(inputs.trials, "this study's")
        comparison = compare_versions(base, new, Options())
    except InputError as error:
        raise StepError(f"negr2: {error}") from None
    logging.getLogger(__name__).info("%s", comparison.counts())
    write_comparison(comparison, folder)
