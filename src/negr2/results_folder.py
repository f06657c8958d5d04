"""A results folder's format: one negr2 never mixes its tables with another format's."""

from __future__ import annotations

import json
from pathlib import Path


def check_results_folder(folder: str) -> None:
    """Refuse a results folder written by another results format (see
    :data:`negr2.RESULTS_FORMAT`): its tables would not mix with new ones."""
    from negr2 import RESULTS_FORMAT

    root = Path(folder)
    marker = root / "negr2-format.json"
    if marker.is_file():
        found = json.loads(marker.read_text()).get("results_format")
    elif (root / "trials").is_dir() or (root / "trials.parquet").is_file():
        found = None  # written before folders were marked
    else:
        return
    if found != RESULTS_FORMAT:
        writer = "an older negr2" if found is None else f"negr2 results format {found}"
        raise ValueError(
            f"{folder} was written by {writer}, and this negr2 writes results format "
            f"{RESULTS_FORMAT}: move that folder away or delete it, then run again"
        )


def compared_table(compare_with: str, results: str) -> str:
    """The trials table of the earlier version a study's ``compare_with`` names (a
    results folder or a trials table), checked to exist and not to be the study's own
    results, which the run rewrites."""
    path = Path(compare_with)
    table = path / "trials.parquet" if path.is_dir() else path
    if not path.exists():
        raise ValueError(f"compare_with: {compare_with}: no such file or folder")
    if not table.is_file():
        raise ValueError(
            f"compare_with: {compare_with} holds no trials.parquet: name a results folder "
            "whose study has run, or a trials.parquet"
        )
    if table.resolve() == (Path(results) / "trials.parquet").resolve():
        raise ValueError(
            f"compare_with: {compare_with} is this study's own results, which this run "
            f"rewrites: copy them first (cp -r {results} {results}-before) and name the copy"
        )
    return str(table)
