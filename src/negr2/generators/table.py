"""``table``: a fresh random split of a user's CSV or Parquet file per trial."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from negr2.generators.base import Dataset, Generator, n_rows, random_rows
from negr2.generators.checks import enough_rows, error
from negr2.generators.table_file import TableError, load_table, table_path


class Table(Generator):
    """A fresh random split of a user's CSV or Parquet table per trial.

    The file (``path``, ``.csv``, ``.parquet`` or ``.pq``; relative to the working
    directory) is read once per process and checked when the config is: a bad file fails
    before any job. Each trial takes ``n_train + n_test`` distinct rows in random order,
    like ``diabetes``. The target is the ``target`` column; the features the ``columns``.
    Editing the file redraws the scenario's trials.
    """

    name = "table"
    params = {
        "path": "the CSV or Parquet file (.csv, .parquet, .pq), relative to the working folder",
        "target": "the target column",
        "columns": "the feature columns (default: every other column, in file order)",
    }
    list_valued = frozenset({"columns"})
    fixed = frozenset({"path", "target"})

    def check(self, scenario: str, spec: Mapping[str, Any]) -> None:
        try:
            X, _, _ = load_table(spec)
        except TableError as problem:
            raise error(scenario, problem.key, problem.message) from None
        enough_rows(scenario, spec, X.shape[0], str(table_path(spec)))

    def draw(self, rng: np.random.Generator, spec: Mapping[str, Any]) -> Dataset:
        """The column names as feature names, no known informative feature."""
        X, y, names = load_table(spec)
        rows = random_rows(rng, X.shape[0], n_rows(spec))
        return Dataset(X[rows], y[rows], names, ())

    def input_files(self, spec: Mapping[str, Any]) -> list[str]:
        return [spec["path"]]
