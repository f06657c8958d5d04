"""A version of a study to compare: its cells, their data digests, and a reader that
gives one cell's trials at a time.

A version comes from a results folder (``results/<study>``), a ``trials.parquet``, or
MLflow (:mod:`negr2.compare.mlflow_versions`). Whatever the source, a cell's trials
arrive as one frame with the columns ``ablation, trial, status``, ``seed`` where
known, and every metric of :data:`negr2.compare.metrics.METRICS` (NaN where a trial
failed or a metric is undefined).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from negr2.compare.metrics import METRICS
from negr2.datasets import TABLE_METADATA_KEY
from negr2.errors import InputError

Cell = tuple[str, str]


@dataclass(frozen=True)
class Version:
    """One side of a comparison.

    ``cells`` are the (scenario point, model point) pairs in the version's order;
    ``digests`` the data digest of each cell's trials, or None where unknown (a
    table written before negr2 recorded them); ``read`` gives one cell's trials.
    """

    label: str
    study: str | None
    cells: list[Cell]
    digests: dict[Cell, str | None]
    read: Callable[[Cell], pd.DataFrame] = field(repr=False)


def open_version(text: str, role: str) -> Version:
    """The version ``text`` names: a results folder or a trials table (``.parquet``).
    ``role`` (BASE or NEW) names it in errors."""
    path = Path(text)
    if not path.exists():
        raise InputError(f"{role} {text}: no such file or folder")
    if path.is_dir():
        _check_folder_format(path, role, text)
        table = path / "trials.parquet"
        if not table.is_file():
            raise InputError(
                f"{role} {text}: no trials.parquet in this folder; name a study's results "
                "folder (results/<study>) once its study has run, or a trials.parquet"
            )
        return _table_version(table, role, text)
    return _table_version(path, role, text)


def _check_folder_format(folder: Path, role: str, text: str) -> None:
    """Refuse a results folder of another results format (its marker says which)."""
    from negr2.results_folder import check_results_folder

    try:
        check_results_folder(str(folder))
    except ValueError:
        raise InputError(_format_message(role, text, _marker_format(folder))) from None


def _marker_format(folder: Path) -> int | None:
    try:
        return json.loads((folder / "negr2-format.json").read_text()).get("results_format")
    except (OSError, ValueError):
        return None


def _format_message(role: str, text: str, found: int | None) -> str:
    from negr2 import RESULTS_FORMAT

    writer = "an older negr2" if found is None else f"results format {found}"
    return (
        f"{role} {text} was written by {writer}, and this negr2 reads results format "
        f"{RESULTS_FORMAT}: rerun its study with this negr2, or compare with the negr2 "
        "that wrote it"
    )


def _table_version(path: Path, role: str, text: str) -> Version:
    """A version read from a trials table, one cell's row groups at a time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from negr2.storage import CellTable

    try:
        schema = pq.read_schema(path)
        described = _described(schema, role, text)
        table = CellTable(str(path))
    except (OSError, pa.ArrowException) as error:
        raise InputError(f"{role} {text}: not a readable trials table ({error})") from None
    except ValueError as error:  # a table written whole, not a cell at a time
        raise InputError(f"{role} {text}: {error}") from None
    columns = ["ablation", "trial", "status", *METRICS]
    if "seed" in schema.names:
        columns.insert(2, "seed")

    def read(cell: Cell) -> pd.DataFrame:
        return table.read([cell], columns, text_as_categories=True)

    digests = described.get("datasets") or {}
    cells = table.cells
    return Version(
        label=text,
        study=described.get("study"),
        cells=cells,
        digests={cell: digests.get(cell[0]) for cell in cells},
        read=read,
    )


def _described(schema: object, role: str, text: str) -> dict:
    """The table's own description (its study, format and data digests), checked to be
    of this negr2's results format; ``{}`` for a table of this format's columns written
    before tables described themselves."""
    from negr2 import RESULTS_FORMAT
    from negr2.columns import COLUMNS

    raw = (schema.metadata or {}).get(TABLE_METADATA_KEY)
    if raw is not None:
        described = json.loads(raw)
        if described.get("results_format") != RESULTS_FORMAT:
            raise InputError(_format_message(role, text, described.get("results_format")))
        return described
    missing = [c for c in COLUMNS if c not in schema.names]
    if missing:
        if {"scenario_id", "model_id", "trial"} <= set(schema.names):
            raise InputError(_format_message(role, text, None))
        raise InputError(f"{role} {text}: not a trials table (no column {missing[0]!r})")
    return {}


def frame_version(
    trials: pd.DataFrame,
    label: str,
    digests: dict[str, str | None] | None = None,
    study: str | None = None,
) -> Version:
    """A version over a trials table held in memory (rows of
    :func:`negr2.trials.run_cell`, or a study's table read whole), for scripts and
    tests; ``digests`` gives each scenario point's data digest where known."""
    cells = list(dict.fromkeys(zip(trials["scenario_id"], trials["model_id"], strict=True)))
    groups = trials.groupby(["scenario_id", "model_id"], sort=False, observed=True)
    known = digests or {}

    def read(cell: Cell) -> pd.DataFrame:
        return groups.get_group(cell).reset_index(drop=True)

    return Version(label, study, cells, {cell: known.get(cell[0]) for cell in cells}, read)
