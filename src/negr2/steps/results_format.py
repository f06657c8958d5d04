"""Mark the results folder with the format of the files negr2 writes into it."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from negr2 import files


def run(inputs: Any, outputs: Any, params: Any, config: Mapping[str, Any]) -> None:
    """Write the marker with the results format (see negr2.RESULTS_FORMAT)."""
    logging.getLogger(__name__).info("results format %s", params.results_format)
    marker = {"results_format": params.results_format}
    files.write_text(outputs.marker, json.dumps(marker) + "\n")
