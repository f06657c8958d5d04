"""``diabetes``: a fresh random split of scikit-learn's bundled diabetes data per trial."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import numpy as np

from negr2.generators.base import Dataset, Generator, n_rows, random_rows, read_only
from negr2.generators.checks import enough_rows


@functools.cache
def _diabetes() -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """scikit-learn's bundled diabetes data: X (442, 10), y (442,), feature names."""
    from sklearn.datasets import load_diabetes

    bunch = load_diabetes(scaled=False)  # raw: scaling is the study's, fit on training rows
    return read_only(bunch.data), read_only(bunch.target), tuple(bunch.feature_names)


class Diabetes(Generator):
    """scikit-learn's diabetes data (442 rows, 10 features), a random split per trial.

    The data is :func:`~sklearn.datasets.load_diabetes` unscaled (no download): its
    default scaling uses all 442 rows, test rows included. Each trial takes
    ``n_train + n_test`` distinct rows in random order
    (``rng.permutation(442)[:n_train + n_test]``); the first ``n_train`` train.
    """

    name = "diabetes"

    def check(self, scenario: str, spec: Mapping[str, Any]) -> None:
        enough_rows(scenario, spec, _diabetes()[0].shape[0], "the diabetes data")

    def draw(self, rng: np.random.Generator, spec: Mapping[str, Any]) -> Dataset:
        """The data's feature names (``age, sex, bmi, ...``), no known informative feature."""
        X, y, names = _diabetes()
        rows = random_rows(rng, X.shape[0], n_rows(spec))
        return Dataset(X[rows], y[rows], names, ())
