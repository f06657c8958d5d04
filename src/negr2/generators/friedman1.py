"""``friedman1``: scikit-learn's Friedman #1 regression problem."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from negr2.generators.base import Dataset, Generator, n_rows, numbered_names
from negr2.generators.checks import integer, non_negative

_MIN_FEATURES = 5  # the formula uses x0 to x4


class Friedman1(Generator):
    """scikit-learn's :func:`~sklearn.datasets.make_friedman1`.

    ``y = 10 sin(π x0 x1) + 20 (x2 - 0.5)² + 10 x3 + 5 x4 + N(0, noise²)`` with U(0, 1)
    features; features from ``x5`` on are noise. ``random_state`` is an integer in
    ``[0, 2³²)`` drawn from the trial's generator.
    """

    name = "friedman1"
    params = {
        "n_features": f"number of features (an integer >= {_MIN_FEATURES})",
        "noise": "standard deviation of the added noise (default 0)",
    }
    informed = True

    def check(self, scenario: str, spec: Mapping[str, Any]) -> None:
        integer(scenario, spec, "n_features", _MIN_FEATURES)
        non_negative(scenario, spec, "noise", 0.0)

    def draw(self, rng: np.random.Generator, spec: Mapping[str, Any]) -> Dataset:
        """Features ``x0, x1, ...``; informative ``(0, 1, 2, 3, 4)``, in index order, not
        by importance."""
        from sklearn.datasets import make_friedman1

        n_features = int(spec["n_features"])
        X, y = make_friedman1(
            n_samples=n_rows(spec),
            n_features=n_features,
            noise=float(spec.get("noise", 0.0)),
            random_state=int(rng.integers(2**32)),
        )
        return Dataset(
            np.asarray(X, np.float64),
            np.asarray(y, np.float64),
            numbered_names(n_features),
            tuple(range(_MIN_FEATURES)),
        )
