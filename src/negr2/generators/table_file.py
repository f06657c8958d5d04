"""Reading and checking a user's CSV or Parquet table, once per process and file version.

Every problem raises :class:`TableError`, naming the scenario key to fix (``path``,
``target`` or ``columns``); :mod:`negr2.generators.table` adds the scenario's name.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from negr2.generators.base import read_only

if TYPE_CHECKING:
    import pandas as pd

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


class TableError(ValueError):
    """A problem with a table scenario's file, to be prefixed with ``scenarios.<name>.<key>``."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key, self.message = key, message


def table_path(spec: Mapping[str, Any]) -> Path:
    """The resolved ``path`` of a table scenario (relative to the working directory)."""
    if "path" not in spec:
        raise TableError(
            "path", "required by generator table; add the path of a CSV or Parquet file"
        )
    raw = spec["path"]
    if not isinstance(raw, str | os.PathLike) or not str(raw):
        raise TableError("path", f"must be the path of a CSV or Parquet file, got {raw!r}")
    path = Path(raw).expanduser().resolve()
    if path.suffix.lower() not in FORMATS:
        raise TableError(
            "path",
            f"{path}: unsupported file type {path.suffix!r}; use one of {', '.join(FORMATS)}",
        )
    if not path.is_file():
        raise TableError("path", f"no such file: {path} (relative paths start from {Path.cwd()})")
    return path


@functools.lru_cache(maxsize=8)
def _read_table(path: str, mtime_ns: int) -> pd.DataFrame:
    """The table at ``path`` (cached per path and modification time; do not mutate)."""
    import pandas as pd

    del mtime_ns  # part of the cache key only: an edited file is read again
    try:
        if FORMATS[Path(path).suffix.lower()] == "csv":
            return pd.read_csv(path)
        return pd.read_parquet(path)
    except (OSError, ValueError, ImportError) as error:
        raise TableError("path", f"cannot read {path}: {error}") from None


def _table_columns(
    frame: pd.DataFrame, path: str, target: str, columns: tuple[str, ...] | None
) -> tuple[str, ...]:
    """The feature columns: ``columns`` checked against the table, or all but the target."""
    available = [str(c) for c in frame.columns]
    listing = ", ".join(available)
    if target not in available:
        raise TableError("target", f"no column {target!r} in {path}; its columns are: {listing}")
    if columns is None:
        columns = tuple(c for c in available if c != target)
        if not columns:
            raise TableError("columns", f"{path} has no column besides the target {target!r}")
    for name in columns:
        if name not in available:
            raise TableError("columns", f"no column {name!r} in {path}; its columns are: {listing}")
    if target in columns:
        raise TableError("columns", f"lists the target {target!r}; leave it out")
    return columns


def _check_column(frame: pd.DataFrame, path: str, column: str, key: str) -> None:
    """A used column must be real-valued (or boolean) with no missing or infinite values."""
    import pandas as pd

    values = frame[column]
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_complex_dtype(values):
        raise TableError(
            key,
            f"column {column!r} of {path} is not numeric (dtype {values.dtype}); "
            f"{'pick another target' if key == 'target' else 'leave it out of columns'} "
            "or encode it as numbers",
        )
    missing = int(values.isna().sum())
    if missing:
        raise TableError(
            key,
            f"column {column!r} of {path} has {missing} missing value(s) (NaN); "
            "fill or drop them first",
        )
    infinite = int(np.isinf(values.to_numpy(dtype=np.float64)).sum())
    if infinite:
        raise TableError(key, f"column {column!r} of {path} has {infinite} infinite value(s)")


@functools.lru_cache(maxsize=8)
def _table_arrays(
    path: str, mtime_ns: int, target: str, columns: tuple[str, ...] | None
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Checked, read-only X (n_rows, n_features), y (n_rows,) and feature names of a table."""
    frame = _read_table(path, mtime_ns)
    frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
    names = _table_columns(frame, path, target, columns)
    _check_column(frame, path, target, "target")
    for name in names:
        _check_column(frame, path, name, "columns")
    X = frame[list(names)].to_numpy(dtype=np.float64)
    return read_only(X), read_only(frame[target].to_numpy(dtype=np.float64)), names


def load_table(spec: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """X, y and feature names of a table scenario; raises :class:`TableError`."""
    path = table_path(spec)
    if "target" not in spec:
        raise TableError("target", "required by generator table; add the target column's name")
    target, columns = spec["target"], spec.get("columns")
    if not isinstance(target, str) or not target:
        raise TableError("target", f"must be the name of the target column, got {target!r}")
    if columns is not None:
        if (
            isinstance(columns, str)
            or not isinstance(columns, Sequence)
            or not columns
            or not all(isinstance(name, str) for name in columns)
            or len(set(columns)) != len(columns)
        ):
            raise TableError(
                "columns", f"must be a non-empty list of distinct column names, got {columns!r}"
            )
        columns = tuple(columns)
    return _table_arrays(str(path), path.stat().st_mtime_ns, target, columns)
