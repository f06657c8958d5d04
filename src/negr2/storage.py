"""The study's trials table on disk: written a cell at a time, read a cell, a pair of
cells or a few columns at a time, and the memory Arrow keeps given back.

* :func:`write_trials` writes ``trials.parquet`` from the trial jobs' files, one row
  group per cell, and hands each cell's rows to a caller (the summary) on the way;
* :class:`CellTable`, :func:`read_cells` and :func:`read_columns` read it back without
  the whole table (a study of a million trials per cell has millions of rows);
* :func:`write_outputs` and :func:`as_written` write the small tables (CSV, Parquet).

Statistics live in :mod:`negr2.aggregate`; the report and tracking steps read tables
through this module alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import pandas as pd

from negr2 import files
from negr2.columns import CELL, CSV_FLOATS
from negr2.datasets import TABLE_METADATA_KEY, table_metadata
from negr2.study import Study


def combine_trials(chunk_paths: Iterable[str], study: Study) -> pd.DataFrame:
    """Read every chunk, add the swept columns and order the rows by the config's
    scenarios and models, then by trial, so the table does not depend on which job
    finished first."""
    trials = pd.concat([pd.read_parquet(p) for p in chunk_paths], ignore_index=True)
    trials = _with_swept_columns(trials, study)
    _check_complete(trials, study.config["trials"], len(study.cells))
    return trials


def write_trials(
    cells: Iterable[tuple[str, str, Sequence[str]]],
    study: Study,
    path: str,
    each_cell: Callable[[pd.DataFrame], None],
) -> None:
    """Write the study's trials table to ``path`` one trials file at a time: the job
    holds one cell's rows, never the whole table (a study of a million trials per cell
    has millions of rows).

    ``cells`` gives each cell's ``(scenario_id, model_id, trials files)`` in config
    order; a pack's file is read once for each cell it holds. The file equals
    :func:`combine_trials`'s table written whole. Once a cell is written,
    ``each_cell`` gets its rows without ``seed`` and ``error``, text as categories
    (half the memory: a cell of a million trials is held whole); nothing is written
    if it raises.
    """
    import pyarrow.parquet as pq

    writer = None
    with files.atomic_path(path) as tmp:
        try:
            for scenario_id, model_id, cell_files in cells:
                compact = []
                for part in _cell_parts(cell_files, study, scenario_id, model_id):
                    if writer is None:
                        writer = pq.ParquetWriter(tmp, _table_schema(part, study))
                    writer.write_table(part.cast(writer.schema))
                    compact.append(_compact(part))
                rows = _cell_rows(compact, study, scenario_id, model_id)
                del compact
                each_cell(rows)
                del rows
                release_memory()
        finally:
            if writer is not None:
                writer.close()


def release_memory() -> None:
    """Give back to the system what Arrow's allocator keeps of freed memory: it would
    otherwise keep the peak of every cell read so far, in Snakemake's own process
    (where the steps run) for the rest of the run."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def _compact(part: Any) -> Any:
    """The columns of a cell's rows that its summary reads, text as categories: half the
    memory of the rows."""
    unused = [c for c in ("seed", "error") if c in part.column_names]
    return _text_as_categories(part.drop_columns(unused))


def _is_text(arrow_type: Any) -> bool:
    import pyarrow as pa

    return pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)


def _text_as_categories(table: Any) -> Any:
    """``table`` with its text columns dictionary-encoded (pandas categories)."""
    import pyarrow.compute as pc

    for index, field in enumerate(table.schema):
        if _is_text(field.type):
            table = table.set_column(index, field.name, pc.dictionary_encode(table[field.name]))
    return table


def _table_schema(first: Any, study: Study) -> Any:
    """The trials file's schema from its first part. A column empty there takes its
    type in the whole table: a swept key's from the study's values (a bool, a list),
    any other text (no failed trial yet: no error text). Its metadata adds the
    study's (:func:`negr2.datasets.table_metadata`)."""
    import pyarrow as pa

    swept = _swept_arrow_types(study)
    # The study and its data digests travel with the table: negr2 compare pairs the
    # trials of two versions by them.
    metadata = {**(first.schema.metadata or {}), TABLE_METADATA_KEY: table_metadata(study)}
    return pa.schema(
        f.with_type(swept.get(f.name, pa.string())) if pa.types.is_null(f.type) else f
        for f in first.schema
    ).with_metadata(metadata)


def read_cells(
    path: str, text_as_categories: bool = False
) -> Iterator[tuple[tuple[str, str], pd.DataFrame]]:
    """The study's trials table one cell at a time, in file order, each cell's rows as
    the whole table holds them (same order; text as categories if asked)."""
    table = CellTable(path)
    for cell in table.cells:
        yield cell, table.read([cell], text_as_categories=text_as_categories)


class CellTable:
    """The study's trials table, read a cell or two at a time.

    :func:`write_trials` writes a cell at a time, so each of the file's row groups holds
    rows of one cell only: a cell is read without the rest of the table.
    """

    def __init__(self, path: str) -> None:
        import pyarrow.parquet as pq

        self._file = pq.ParquetFile(path)
        self._groups: dict[tuple[str, str], list[int]] = {}
        for index in range(self._file.num_row_groups):
            keys = self._file.read_row_group(index, columns=list(CELL))
            self._groups.setdefault(_only_cell(keys), []).append(index)
        text = [f.name for f in self._file.schema_arrow if _is_text(f.type)]
        # Text read straight into categories (a byte a row), never as strings first.
        self._as_categories = pq.ParquetFile(path, read_dictionary=text)

    @property
    def cells(self) -> list[tuple[str, str]]:
        """Each cell's ``(scenario_id, model_id)``, in file order."""
        return list(self._groups)

    def read(
        self,
        cells: Sequence[tuple[str, str]],
        columns: Sequence[str] | None = None,
        text_as_categories: bool = False,
    ) -> pd.DataFrame:
        """The rows of ``cells`` (those in the table), in file order: every column, or
        ``columns``; text as categories (a byte a row) if asked."""
        groups = sorted(g for cell in cells for g in self._groups.get(cell, []))
        read = None if columns is None else list(columns)
        file = self._as_categories if text_as_categories else self._file
        return _to_frame(file.read_row_groups(groups, columns=read))


def _only_cell(group: Any) -> tuple[str, str]:
    """The one cell a row group holds (an error for a table not written cell by cell)."""
    keys = {column: set(group.column(column).unique().to_pylist()) for column in CELL}
    if any(len(values) != 1 for values in keys.values()):
        raise ValueError(
            "trials.parquet was written whole, by an older negr2, not a cell at a time: "
            "rerun aggregate (snakemake -R aggregate) and then this step"
        )
    return tuple(values.pop() for values in keys.values())  # type: ignore[return-value]


def read_columns(path: str, columns: Sequence[str]) -> pd.DataFrame:
    """Some columns of the trials table, its text columns as categories: a few bytes a
    row, where the whole table costs hundreds (millions of rows fit in memory)."""
    import pyarrow.parquet as pq

    schema = pq.read_schema(path)
    text = [name for name in columns if _is_text(schema.field(name).type)]
    return _to_frame(pq.read_table(path, columns=list(columns), read_dictionary=text))


def _to_frame(table: Any) -> pd.DataFrame:
    """``table`` as a DataFrame, converted column by column and each column freed once
    converted (not the rows twice over at once); then Arrow's freed memory given back.
    ``table`` must not be used afterwards."""
    frame = table.to_pandas(split_blocks=True, self_destruct=True)
    del table
    release_memory()
    return frame


def in_config_order(
    files: Mapping[str, Sequence[str]], study: Study
) -> list[tuple[str, str, Sequence[str]]]:
    """``(scenario_id, model_id, files)`` of every cell in the config's order, from the
    trials files of each ``"scenario_id/model_id"``."""
    return [(s, m, files[f"{s}/{m}"]) for s, m in study.cells]


def cell_trials(
    paths: Iterable[str], study: Study, scenario_id: str, model_id: str
) -> pd.DataFrame:
    """One cell's rows from its trials files (its chunks, or the pack it shares),
    exactly as :func:`combine_trials` puts them in the study's table."""
    parts = list(_cell_parts(list(paths), study, scenario_id, model_id))
    return _cell_rows(parts, study, scenario_id, model_id)


def _cell_parts(
    paths: Sequence[str], study: Study, scenario_id: str, model_id: str
) -> Iterator[Any]:
    """The cell's rows of each of its trials files, as Arrow tables in the table's
    order: a file at a time, so that the cell is never held twice over (whole, then
    sorted).

    Each chunk holds a contiguous range of trials: ordered within each file and the
    files taken by their first trial, the rows are ordered across the cell (ranges that
    overlap are an error).
    """
    import pyarrow as pa

    last = -1
    for path in sorted(paths, key=_first_trial) if len(paths) > 1 else paths:
        rows = pd.read_parquet(path)
        rows = rows[(rows["scenario_id"] == scenario_id) & (rows["model_id"] == model_id)]
        if not len(rows):
            continue
        rows = _with_swept_columns(rows.reset_index(drop=True), study)
        if rows["trial"].iloc[0] <= last:
            raise ValueError(
                f"{scenario_id}/{model_id}: a trial appears twice: stale trials files?"
            )
        last = rows["trial"].iloc[-1]
        yield pa.Table.from_pandas(rows, preserve_index=False)


def _first_trial(path: str) -> int:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    return pc.min(pq.read_table(path, columns=["trial"])["trial"]).as_py()


def _cell_rows(parts: list[Any], study: Study, scenario_id: str, model_id: str) -> pd.DataFrame:
    """The cell's rows from its parts (:func:`_cell_parts`), checked complete."""
    import pyarrow as pa

    expected = study.config["trials"]
    if not parts:
        raise ValueError(f"{scenario_id}/{model_id}: expected {expected} trials, found none")
    # The swept columns again from the study: through Arrow a list value comes back as
    # an array, and the summary's text (and the cell's fingerprint) would change.
    swept = [c for c in study.swept_columns if c in parts[0].column_names]
    parts = [part.drop_columns(swept) for part in parts]
    rows = pa.concat_tables(parts, promote_options="default").to_pandas()
    rows = _with_cell_sweeps(rows, study, scenario_id, model_id)
    if rows["trial"].nunique() != expected:
        raise ValueError(f"{scenario_id}/{model_id}: expected {expected} trials")
    if rows.duplicated(["ablation", "trial"]).any():
        raise ValueError(f"{scenario_id}/{model_id}: a trial appears twice: stale trials files?")
    return rows


def _with_swept_columns(trials: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Add a column per swept key and order the rows (config order, then trial).

    Each swept column gets the type it has in the study's whole table (a key swept by
    one scenario only is float there, with NaN elsewhere), so that a cell's rows read
    alone equal its rows in the table.
    """
    for column, (owner, values, dtype) in _sweeps(study).items():
        trials[column] = trials[owner].map(values).astype(dtype)
    order = {
        "scenario_id": {id_: i for i, id_ in enumerate(study.scenarios)},
        "model_id": {id_: i for i, id_ in enumerate(study.models)},
    }
    return trials.sort_values(
        ["scenario_id", "model_id", "trial"],
        key=lambda col: col.map(order[col.name]) if col.name in order else col,
        kind="stable",
    ).reset_index(drop=True)


def _with_cell_sweeps(
    rows: pd.DataFrame, study: Study, scenario_id: str, model_id: str
) -> pd.DataFrame:
    """:func:`_with_swept_columns`'s columns for the rows of one cell (already in
    order), whatever type their key columns have (text or categories)."""
    for column, (owner, values, dtype) in _sweeps(study).items():
        value = values[scenario_id if owner == "scenario_id" else model_id]
        rows[column] = pd.Series([value] * len(rows), index=rows.index).astype(dtype)
    return rows


def _sweeps(study: Study) -> dict[str, tuple[str, dict[str, Any], Any]]:
    """Each swept column: the id column it follows (``scenario_id`` or ``model_id``),
    its value by id, and its type in the study's whole table."""
    out = {}
    for column in study.swept_columns:
        in_scenarios = any(column in p.swept for p in study.scenarios.values())
        owner = "scenario_id" if in_scenarios else "model_id"
        points = study.scenarios if in_scenarios else study.models
        values = {id_: p.swept.get(column) for id_, p in points.items()}
        out[column] = (owner, values, pd.Series(list(values.values())).dtype)
    return out


def _swept_arrow_types(study: Study) -> dict[str, Any]:
    """The Arrow type of each swept column in the study's whole table."""
    import pyarrow as pa

    return {
        column: pa.Array.from_pandas(pd.Series(list(values.values())).astype(dtype)).type
        for column, (_, values, dtype) in _sweeps(study).items()
    }


def _check_complete(trials: pd.DataFrame, n_trials: int, n_cells: int) -> None:
    cells = trials.groupby(list(CELL), sort=False)["trial"].nunique()
    if len(cells) != n_cells or (cells != n_trials).any():
        raise ValueError(f"expected {n_cells} cells of {n_trials} trials each")
    if trials.duplicated([*CELL, "ablation", "trial"]).any():
        raise ValueError("a trial appears twice: stale chunk files in the trials folder?")


def write_outputs(tables: Mapping[str, pd.DataFrame], paths: Mapping[str, str]) -> None:
    """Write each table atomically: ``.parquet`` or ``.csv`` by its path."""
    for name, table in tables.items():
        path = paths[name]
        if path.endswith(".parquet"):
            with files.atomic_path(path) as tmp:
                table.to_parquet(tmp, index=False)
        else:
            files.write_text(path, table.to_csv(index=False, float_format=CSV_FLOATS))


def as_written(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` as it reads back from its CSV file (floats to CSV_FLOATS), so that
    what a job logs from memory equals what the files hold."""
    from io import StringIO

    return pd.read_csv(StringIO(table.to_csv(index=False, float_format=CSV_FLOATS)))
