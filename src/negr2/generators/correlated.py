"""``correlated``: a linear model with Toeplitz-correlated normal features."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import numpy as np

from negr2.generators import coefficients
from negr2.generators.base import Dataset, Generator, n_rows
from negr2.generators.checks import error, integer, non_negative, real


def _toeplitz(n_features: int, rho: float) -> np.ndarray:
    """``Σ_ij = rho^|i-j|``, of shape (n_features, n_features)."""
    index = np.arange(n_features)
    return float(rho) ** np.abs(np.subtract.outer(index, index)).astype(np.float64)


@functools.lru_cache(maxsize=32)
def _toeplitz_cholesky(n_features: int, rho: float) -> np.ndarray:
    """Lower Cholesky factor ``L`` of :func:`_toeplitz` (read-only, ``L Lᵀ = Σ``)."""
    lower = np.linalg.cholesky(_toeplitz(n_features, rho))
    lower.flags.writeable = False
    return lower


class Correlated(Generator):
    """``y = X·coef + N(0, noise_sd²)``, each row of X ``N(0, Σ)`` with ``Σ_ij = rho^|i-j|``.

    X is drawn as ``Z Lᵀ`` from standard normals ``Z`` of shape (n_rows, n_features) and
    the Cholesky factor ``L`` of ``Σ``; then the noise. With ``n_informative`` and
    ``snr``, the leading coefficients equal ``c`` such that ``coefᵀ Σ coef / noise_sd² =
    snr`` (see :mod:`negr2.generators.coefficients`).
    """

    name = "correlated"
    params = {
        **coefficients.PARAMS,
        "rho": "correlation of neighbouring features, strictly between -1 and 1",
    }
    informed = True
    list_valued = frozenset({"coef"})

    def check(self, scenario: str, spec: Mapping[str, Any]) -> None:
        n_features = integer(scenario, spec, "n_features", 1)
        if "rho" not in spec:
            raise error(
                scenario, "rho", "required by generator correlated; add a number in (-1, 1)"
            )
        rho = real(scenario, "rho", spec["rho"])
        if not -1 < rho < 1:
            raise error(scenario, "rho", f"must be strictly between -1 and 1, got {rho}")
        try:
            _toeplitz_cholesky(n_features, rho)
        except np.linalg.LinAlgError:
            raise error(
                scenario,
                "rho",
                f"{rho} is too close to ±1: the covariance of "
                f"{n_features} features is numerically singular; move it away from ±1",
            ) from None
        non_negative(scenario, spec, "noise_sd", 1.0)
        coefficients.check_coefficients(scenario, spec, n_features)

    def draw(self, rng: np.random.Generator, spec: Mapping[str, Any]) -> Dataset:
        n_features, rho = int(spec["n_features"]), float(spec["rho"])
        Z = rng.standard_normal((n_rows(spec), n_features))
        X = Z @ _toeplitz_cholesky(n_features, rho).T
        coef = coefficients.coefficients(spec, lambda k: float(_toeplitz(k, rho).sum()))
        return coefficients.linear_dataset(rng, X, coef, spec)
