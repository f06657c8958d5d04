"""Combine the cells' trial chunks into the study's tables.

* trials: one row per scenario point, model point, trial and ablation variant,
  with a column per swept parameter;
* summary: one row per scenario point × model point × ablation variant, with
  the paired difference of each variant to ``full`` and the closed-form R²;
* comparisons: each model against a reference model on the same trials;
* claims: each of the config's claims tested on the paired trials
  (:func:`negr2.claims.evaluate_claims`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import pandas as pd

from negr2 import files, theory
from negr2.ablation import n_kept
from negr2.columns import CELL, CSV_FLOATS, FULL
from negr2.datasets import TABLE_METADATA_KEY, table_metadata
from negr2.generators import builtin
from negr2.stats import paired_difference, summarise
from negr2.study import Study, resolve_split


def combine_trials(chunk_paths: Iterable[str], study: Study) -> pd.DataFrame:
    """Read every chunk, add the swept columns and order the rows by the config's
    scenarios and models, then by trial, so the table does not depend on which job
    finished first."""
    trials = pd.concat([pd.read_parquet(p) for p in chunk_paths], ignore_index=True)
    trials = _with_swept_columns(trials, study)
    _check_complete(trials, study.config["trials"], len(study.cells))
    return trials


def write_trials(
    cells: Iterable[tuple[str, str, Sequence[str]]], study: Study, path: str
) -> pd.DataFrame:
    """Write the study's trials table to ``path`` one trials file at a time and return
    its summary: the job holds one cell's rows, never the whole table (a study of a
    million trials per cell has millions of rows).

    ``cells`` gives each cell's ``(scenario_id, model_id, trials files)`` in config
    order; a pack's file is read once for each cell it holds. The file equals
    :func:`combine_trials`'s table written whole, and the summary its
    :func:`summary_table`.
    """
    import pyarrow.parquet as pq

    summaries, writer = [], None
    with files.atomic_path(path) as tmp:
        try:
            for scenario_id, model_id, cell_files in cells:
                compact = []
                for part in _cell_parts(cell_files, study, scenario_id, model_id):
                    if writer is None:
                        writer = pq.ParquetWriter(tmp, _table_schema(part, study))
                    writer.write_table(part.cast(writer.schema))
                    compact.append(_for_summary(part))
                rows = _cell_rows(compact, study, scenario_id, model_id)
                del compact
                summaries.append(summary_table(rows, study))
                del rows
                release_memory()
        finally:
            if writer is not None:
                writer.close()
    return pd.concat(summaries, ignore_index=True)


def release_memory() -> None:
    """Give back to the system what Arrow's allocator keeps of freed memory: it would
    otherwise keep the peak of every cell read so far, in Snakemake's own process
    (where the steps run) for the rest of the run."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def _for_summary(part: Any) -> Any:
    """The columns of a cell's rows that its summary reads, text as categories: half the
    memory of the rows (a cell of a million trials is held whole for its summary)."""
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


def paired_columns(study: Study) -> list[str]:
    """The trials columns that the comparisons and the claims read."""
    from negr2.claims import metric_column

    claims = study.config.get("claims") or []
    metrics = [metric_column(claim["metric"]) for claim in claims]
    keys = ["scenario", "scenario_id", "model", "model_id", "ablation", "trial", "status", "r2"]
    return keys + [m for m in dict.fromkeys(metrics) if m not in keys]


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


def summary_table(trials: pd.DataFrame, study: Study) -> pd.DataFrame:
    """The study's summary: one row per scenario point × model point × ablation."""
    swept = study.swept_columns
    summary = summarise(trials, (*CELL, "ablation"), ("scenario", "model", *swept))
    summary = summary.join(_deltas_to_full(trials), on=[*CELL, "ablation"])
    scenarios, models, config = study.scenarios, study.models, study.config
    summary["theory_r2"] = [
        theory_r2(scenarios[s].spec, models[m].spec, a, config)
        for s, m, a in zip(
            summary["scenario_id"], summary["model_id"], summary["ablation"], strict=True
        )
    ]
    front = ["scenario", "model", "ablation", *swept, "scenario_id", "model_id"]
    return summary[front + [c for c in summary.columns if c not in front]]


def _deltas_to_full(trials: pd.DataFrame) -> pd.DataFrame:
    """Paired Δr2 = r2(variant) − r2(full) per cell and variant, over trials where
    both are ok, with its t 95 % interval."""
    ok = trials[trials["status"] == "ok"]
    r2 = ok.pivot_table(
        index=[*CELL, "trial"], columns="ablation", values="r2", sort=False, observed=True
    )
    rows = []
    for cell, table in r2.groupby(level=list(CELL), sort=False, observed=True):
        for variant in table.columns:
            diff = {}
            if FULL in table:  # else no trial of the cell has an ok full model
                pair = table[[variant, FULL]].dropna()
                diff = paired_difference(pair[variant], pair[FULL]) if len(pair) else {}
            rows.append(
                {
                    "scenario_id": cell[0],
                    "model_id": cell[1],
                    "ablation": variant,
                    "delta_r2_mean": diff.get("mean_diff", math.nan),
                    "delta_r2_lo": diff.get("diff_lo", math.nan),
                    "delta_r2_hi": diff.get("diff_hi", math.nan),
                }
            )
    columns = [*CELL, "ablation", "delta_r2_mean", "delta_r2_lo", "delta_r2_hi"]
    return pd.DataFrame(rows, columns=columns).set_index([*CELL, "ablation"])


def theory_r2(
    scenario: Mapping[str, Any], model: Mapping[str, Any], ablation: str, config: Mapping[str, Any]
) -> float:
    """The closed-form expected test R² where one applies (see :mod:`negr2.theory`):
    pure noise, one holdout split, OLS or the training mean with default parameters.

    Both forms hold with or without standardisation: OLS and the training mean are
    unchanged by an affine rescaling of the features fitted on the training split.
    An ablation only changes the number of features p.
    """
    if resolve_split(config, scenario).kfold:
        return math.nan
    generator = builtin(scenario["generator"])
    if generator is None or not generator.pure_noise or model.get("params"):
        return math.nan
    n, m = scenario["n_train"], scenario["n_test"]
    p = n_kept(ablation, scenario["n_features"], config.get("ablations"))
    estimator = model["estimator"]
    if estimator == "sklearn.linear_model.LinearRegression" and n - p - 2 > 0 and m > 3:
        return theory.ols_expected_r2(n, m, p)
    if estimator == "sklearn.dummy.DummyRegressor" and m > 3:
        return theory.mean_baseline_expected_r2(n, m)
    return math.nan


COMPARISON_COLUMNS = [
    "scenario",
    "scenario_id",
    "ablation",
    "model",
    "model_id",
    "reference",
    "n_pairs",
    "mean_diff",
    "diff_lo",
    "diff_hi",
    "wilcoxon_p",
]


def comparisons_table(trials: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Each model point against the reference model on the same trials and variant:
    mean paired Δr2 with its 95 % interval and the Wilcoxon signed-rank p-value."""
    rows = _comparison_rows(trials, study.reference) if study.reference else []
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def comparisons_by_cell(table: CellTable, study: Study) -> pd.DataFrame:
    """:func:`comparisons_table` of the whole table, read a pair of cells at a time
    (each model point's cell with its scenario's reference cell)."""
    reference, rows = study.reference, []
    for scenario_id, model_id in table.cells if reference else []:
        if model_id != reference:
            cells = [(scenario_id, model_id), (scenario_id, reference)]
            pair = table.read(cells, paired_columns(study), text_as_categories=True)
            rows += _comparison_rows(pair, reference)
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def _comparison_rows(trials: pd.DataFrame, reference: str) -> list[dict[str, Any]]:
    """A comparison row per (scenario point, variant, model point), in the order they
    first appear in ``trials``."""
    ok = trials[trials["status"] == "ok"]
    keys = ["scenario_id", "ablation", "trial"]
    ref = ok.loc[ok["model_id"] == reference, [*keys, "r2"]]
    rows = []
    others = ok[ok["model_id"] != reference]
    for (scenario_id, ablation, model_id), group in others.groupby(
        ["scenario_id", "ablation", "model_id"], sort=False, observed=True
    ):
        pairs = group.merge(ref, on=keys, suffixes=("", "_ref"))
        rows.append(
            {
                "scenario": group["scenario"].iloc[0],
                "scenario_id": scenario_id,
                "ablation": ablation,
                "model": group["model"].iloc[0],
                "model_id": model_id,
                "reference": reference,
                **paired_difference(pairs["r2"].to_numpy(), pairs["r2_ref"].to_numpy()),
            }
        )
    return rows


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
