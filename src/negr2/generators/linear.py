"""``linear``: a linear model with independent features, its target optionally skewed."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from negr2.generators import coefficients
from negr2.generators.base import Dataset, Generator, n_rows
from negr2.generators.checks import error, integer, non_negative, real

_FEATURES = ("normal", "uniform")
_UNIFORM_VARIANCE = 1.0 / 12.0  # variance of U(0, 1)
_MAX_EXPONENT = 700.0  # exp(709.8) overflows float64


class Linear(Generator):
    """``y = X·coef + N(0, noise_sd²)`` with independent ``normal`` or ``uniform`` features.

    Features are standard normal (``features: normal``, the default) or U(0, 1); see
    :mod:`negr2.generators.coefficients` for ``coef``, ``n_informative`` and ``snr``.
    The features ``(n_rows, n_features)`` are drawn first, then the noise. A nonzero
    ``target_shift`` or ``target_skew`` then transforms the target with
    :func:`shape_target` (no draw is added), for mostly positive targets with a minority
    of negatives.
    """

    name = "linear"
    params = {
        **coefficients.PARAMS,
        "features": "distribution of the features: normal (default) or uniform, U(0, 1)",
        "target_shift": "added to the target (default 0)",
        "target_skew": "right skew of the shifted target t: (exp(skew·t) − 1) / skew (default 0)",
    }
    informed = True
    list_valued = frozenset({"coef"})

    def check(self, scenario: str, spec: Mapping[str, Any]) -> None:
        n_features = integer(scenario, spec, "n_features", 1)
        if "features" in spec and spec["features"] not in _FEATURES:
            choices = ", ".join(_FEATURES)
            raise error(scenario, "features", f"must be one of {choices}, got {spec['features']!r}")
        non_negative(scenario, spec, "noise_sd", 1.0)
        coefficients.check_coefficients(scenario, spec, n_features)
        real(scenario, "target_shift", spec.get("target_shift", 0.0))
        non_negative(scenario, spec, "target_skew", 0.0)

    def draw(self, rng: np.random.Generator, spec: Mapping[str, Any]) -> Dataset:
        shape = (n_rows(spec), int(spec["n_features"]))
        if spec.get("features", "normal") == "uniform":
            X = rng.random(shape)
            coef = coefficients.coefficients(spec, lambda k: k * _UNIFORM_VARIANCE)
        else:
            X = rng.standard_normal(shape)
            coef = coefficients.coefficients(spec, float)
        data = coefficients.linear_dataset(rng, X, coef, spec)
        shift, skew = float(spec.get("target_shift", 0.0)), float(spec.get("target_skew", 0.0))
        if shift == 0.0 and skew == 0.0:
            return data
        y = shape_target(data.y, shift, skew)
        return Dataset(data.X, y, data.feature_names, data.informative)


def shape_target(y: np.ndarray, shift: float = 0.0, skew: float = 0.0) -> np.ndarray:
    """Shift a target, then skew it to the right: ``t = y + shift``, and
    ``(exp(skew · t) − 1) / skew`` for ``skew > 0`` (``t`` itself for ``skew = 0``).

    Strictly increasing, so it keeps the order of the targets (which features matter, and
    in which direction), and it keeps the sign of ``t``: the share of negative targets is
    ``P(y < −shift)``, whatever ``skew``. Positive targets are stretched (a long right
    tail), negative ones squeezed into ``(−1/skew, 0)``, like sales net of returns.

    Raises
    ------
    ValueError
        For a non-finite ``shift``, a negative or non-finite ``skew``, or a ``skew · t`` so
        large that ``exp`` would overflow.
    """
    if not math.isfinite(shift) or not math.isfinite(skew) or skew < 0:
        raise ValueError(f"need a finite shift and a finite skew >= 0, got {shift} and {skew}")
    t = np.asarray(y, dtype=np.float64) + shift
    if skew == 0.0:
        return t
    largest = float(skew * t.max()) if t.size else 0.0
    if largest > _MAX_EXPONENT:
        raise ValueError(
            f"target_skew {skew} overflows: exp({largest:.0f}) is too large; lower target_skew"
        )
    return np.expm1(skew * t) / skew
