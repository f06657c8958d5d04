"""Create the MLflow store, the study's experiment and its study run."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from negr2 import files
from negr2.tracking import prepare_store


def run(inputs: Any, outputs: Any, params: Any, config: Mapping[str, Any]) -> None:
    """Write the marker: where the store is, its experiment and study run, and which
    generation of the store it describes (see common.smk: store_generation)."""
    store = prepare_store(params.tracking_uri, {"study": params.study}, params.artifact_root)
    store["generation"] = params.generation
    files.write_text(outputs.store, json.dumps(store, indent=2) + "\n")
