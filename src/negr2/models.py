"""Estimators named in the config by import path, seeded per trial.

:class:`KerasMLP` (a Keras network as a scikit-learn regressor, :mod:`negr2.keras_mlp`)
is re-exported here, so a study names it ``negr2.models.KerasMLP``. Importing this
module does not import Keras or JAX: they need the ``keras`` extra and load on the
first fit.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from negr2.keras_mlp import KerasMLP

__all__ = ["KerasMLP", "build_estimator", "import_estimator"]


def import_estimator(path: str, key: str = "estimator") -> type:
    """Import ``package.module.Class`` and return the class."""
    module_name, _, name = path.rpartition(".")
    try:
        module = importlib.import_module(module_name)
        return getattr(module, name)
    except (ImportError, AttributeError, ValueError) as error:
        raise ValueError(f"{key}: cannot import {path!r}: {error}") from error


def build_estimator(spec: Mapping[str, Any], seed: int, key: str = "model") -> Any:
    """A fresh, unfitted estimator for one trial.

    Parameters
    ----------
    spec : the model's config entry (``estimator`` and optional ``params``).
    seed : the trial's seed. An estimator with a ``random_state`` parameter that
        ``params`` leaves unset (or null) gets this seed, so randomised models are
        reproducible yet vary between trials; one the config sets is kept.
    key : where the spec sits in the config, for error messages.
    """
    cls = import_estimator(spec["estimator"], f"{key}.estimator")
    params = dict(spec.get("params") or {})
    try:
        estimator = cls(**params)
    except TypeError as error:
        raise ValueError(f"{key}.params: {spec['estimator']} rejects {params}: {error}") from error
    if not hasattr(estimator, "fit") or not hasattr(estimator, "predict"):
        raise ValueError(f"{key}.estimator: {spec['estimator']} has no fit/predict methods")
    # An unset or null random_state would draw from global or OS randomness: give it
    # the trial's seed instead, so every run of the study is the same.
    if params.get("random_state") is None and "random_state" in _param_names(estimator):
        estimator.set_params(random_state=seed)
    return estimator


def _param_names(estimator: Any) -> set[str]:
    get_params = getattr(estimator, "get_params", None)
    return set(get_params(deep=False)) if get_params else set()
