"""``gaussian_noise``: features and target independent standard normals (the post's data)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from negr2.generators.base import Dataset, Generator, n_rows, numbered_names
from negr2.generators.checks import integer


class GaussianNoise(Generator):
    """``n_features`` independent standard normal features and target: no signal at all.

    As in the post, one ``(n_train + n_test) × (n_features + 1)`` normal table is drawn
    and its last column is the target, so there is no signal to learn. The closed forms
    of :mod:`negr2.theory` give the expected test R² of OLS and of the training mean.
    """

    name = "gaussian_noise"
    params = {"n_features": "number of features (an integer >= 1)"}
    pure_noise = True

    def check(self, scenario: str, spec: Mapping[str, Any]) -> None:
        integer(scenario, spec, "n_features", 1)

    def draw(self, rng: np.random.Generator, spec: Mapping[str, Any]) -> Dataset:
        """Features ``x0, x1, ...`` and no informative feature."""
        n_features = int(spec["n_features"])
        table = rng.normal(size=(n_rows(spec), n_features + 1))
        return Dataset(table[:, :-1], table[:, -1], numbered_names(n_features), ())
