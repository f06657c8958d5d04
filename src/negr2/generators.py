"""Data generators: one dataset per trial, drawn from the trial's own seed.

Every generator returns the full table of one trial, rows ``[0, n_train)`` for
training and the rest for testing, so that every model of a trial sees exactly the
same split (a paired design).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from negr2.seeding import trial_seed, trial_seed_sequence

Generator = Callable[[np.random.Generator, Mapping[str, Any]], tuple[np.ndarray, np.ndarray]]


def gaussian_noise(
    rng: np.random.Generator, spec: Mapping[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    """Features and target independent standard normals: the post's data.

    As in the post, one ``(n_train + n_test) × (n_features + 1)`` normal table is drawn
    and its last column is the target, so there is no signal to learn.

    Returns
    -------
    X : ndarray of shape (n_train + n_test, n_features)
    y : ndarray of shape (n_train + n_test,)
    """
    n_rows = spec["n_train"] + spec["n_test"]
    table = rng.normal(size=(n_rows, spec["n_features"] + 1))
    return table[:, :-1], table[:, -1]


GENERATORS: dict[str, Generator] = {"gaussian_noise": gaussian_noise}


def generate_scenario(
    scenario: str, spec: Mapping[str, Any], master_seed: int, trials: int
) -> dict[str, np.ndarray]:
    """Draw the datasets of every trial of one scenario.

    Parameters
    ----------
    scenario : the scenario's name (part of every trial's seed).
    spec : the scenario's config (``generator``, ``n_train``, ``n_test``, ...).
    master_seed : the study's seed.
    trials : number of trials.

    Returns
    -------
    dict with ``X`` of shape (trials, n_rows, n_features), ``y`` of shape
    (trials, n_rows), ``seed`` of shape (trials,) and the scalar ``n_train``.
    """
    if trials < 1:
        raise ValueError(f"trials must be >= 1, got {trials}")
    try:
        generator = GENERATORS[spec["generator"]]
    except KeyError:
        known = ", ".join(sorted(GENERATORS))
        raise ValueError(
            f"scenarios.{scenario}.generator: unknown generator {spec['generator']!r}; "
            f"use one of: {known}"
        ) from None
    xs, ys = [], []
    for trial in range(trials):
        rng = np.random.default_rng(trial_seed_sequence(master_seed, scenario, trial))
        X, y = generator(rng, spec)
        xs.append(X)
        ys.append(y)
    seeds = [trial_seed(master_seed, scenario, t) for t in range(trials)]
    return {
        "X": np.stack(xs),
        "y": np.stack(ys),
        "seed": np.asarray(seeds, dtype=np.int64),
        "n_train": np.asarray(spec["n_train"]),
    }
