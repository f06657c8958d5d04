"""What the linear families share: ``y = X·coef + N(0, noise_sd²)`` and its coefficients.

``coef`` is given, or made of ``n_informative`` equal leading coefficients scaled to a
population signal-to-noise ratio ``snr = Var(X·coef) / noise_sd²``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from negr2.generators.base import Dataset, numbered_names
from negr2.generators.checks import error, integer, real

#: The keys of every linear family, with their meaning.
PARAMS = {
    "n_features": "number of features (an integer >= 1)",
    "noise_sd": "standard deviation of the noise (default 1)",
    "coef": "the coefficients, one per feature (or give n_informative and snr)",
    "n_informative": "how many leading features carry the signal (with snr)",
    "snr": "population signal-to-noise ratio Var(X·coef) / noise_sd² (with n_informative)",
}


def coefficients(spec: Mapping[str, Any], block_variance: Callable[[int], float]) -> np.ndarray:
    """The spec's ``coef``, or its ``n_informative`` equal leading coefficients ``c``,
    of shape (n_features,).

    ``c`` makes the population signal-to-noise ratio exact: ``c² · block_variance(k) =
    snr · noise_sd²``, where ``block_variance(k) = 1ᵀ Σ_kk 1`` is the variance of the sum
    of the first ``k`` features.
    """
    if "coef" in spec:
        return np.asarray(spec["coef"], dtype=np.float64)
    n_informative = int(spec["n_informative"])
    noise_sd = float(spec.get("noise_sd", 1.0))
    c = noise_sd * math.sqrt(float(spec["snr"]) / block_variance(n_informative))
    coef = np.zeros(int(spec["n_features"]))
    coef[:n_informative] = c
    return coef


def linear_dataset(
    rng: np.random.Generator, X: np.ndarray, coef: np.ndarray, spec: Mapping[str, Any]
) -> Dataset:
    """``y = X·coef + N(0, noise_sd²)``, the noise drawn after the features; informative
    the nonzero coefficients by decreasing ``|coef|`` (ties: lower index first)."""
    noise = float(spec.get("noise_sd", 1.0)) * rng.standard_normal(X.shape[0])
    y = X @ coef + noise
    nonzero = np.flatnonzero(coef)
    order = np.argsort(-np.abs(coef[nonzero]), kind="stable")
    informative = tuple(int(i) for i in nonzero[order])
    return Dataset(X, y, numbered_names(X.shape[1]), informative)


def check_coefficients(scenario: str, spec: Mapping[str, Any], n_features: int) -> None:
    """Either ``coef`` (n_features numbers) or ``n_informative`` with ``snr``."""
    given = {key for key in ("coef", "n_informative", "snr") if key in spec}
    if {"coef", "n_informative"} <= given:
        raise error(scenario, None, "give either 'coef' or 'n_informative' with 'snr', not both")
    if "snr" in given and "n_informative" not in given:
        raise error(
            scenario,
            "snr",
            "goes with 'n_informative' (how many leading features carry "
            "the signal); with 'coef', drop 'snr'",
        )
    if not given:
        raise error(
            scenario,
            None,
            f"generator {spec['generator']} needs 'coef' (a list of "
            "n_features numbers) or 'n_informative' and 'snr'",
        )
    if "coef" in given:
        _check_coef(scenario, spec["coef"], n_features)
        return
    if "snr" not in given:
        raise error(scenario, "n_informative", "needs 'snr' (signal variance / noise variance)")
    integer(scenario, spec, "n_informative", 1, n_features)
    snr = real(scenario, "snr", spec["snr"])
    if snr <= 0:
        raise error(scenario, "snr", f"must be > 0, got {snr}")
    if spec.get("noise_sd", 1.0) == 0:
        raise error(
            scenario,
            "noise_sd",
            "must be > 0 with 'snr' (snr = signal variance / "
            "noise_sd²); give a positive noise_sd, or explicit 'coef'",
        )


def _check_coef(scenario: str, coef: Any, n_features: int) -> None:
    if isinstance(coef, str | bytes | Mapping) or not isinstance(coef, Sequence | np.ndarray):
        raise error(scenario, "coef", f"must be a list of numbers, got {coef!r}")
    if len(coef) != n_features:
        raise error(
            scenario,
            "coef",
            f"has {len(coef)} entries but n_features is {n_features}; "
            "give one coefficient per feature",
        )
    for value in coef:
        real(scenario, "coef", value)
