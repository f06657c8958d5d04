"""A generator of one's own for negr2: a sine wave of the first feature, plus noise.

A scenario names it by import path, ``generator: waves.sine_waves``, with this folder on
PYTHONPATH (see docs/extending.md, "Your own generator", and waves.yaml beside this file).
"""

import numpy as np


def sine_waves(
    rng: np.random.Generator, n_rows: int, n_features: int, freq: float = 1.0, noise_sd: float = 0.3
) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """``y = sin(2π · freq · x0) + N(0, noise_sd²)`` with U(-1, 1) features.

    Every random number comes from ``rng``, the trial's own generator. Only ``x0``
    carries signal, so the third value says so: feature 0 is the informative one.
    """
    X = rng.uniform(-1.0, 1.0, size=(n_rows, n_features))
    y = np.sin(2 * np.pi * freq * X[:, 0]) + noise_sd * rng.standard_normal(n_rows)
    return X, y, [0]
