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

from negr2.internals import constructor_params, validate_params
from negr2.keras_mlp import KerasMLP

__all__ = ["KerasMLP", "build_estimator", "check_params", "import_estimator"]


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


def check_params(spec: Mapping[str, Any], key: str = "model") -> None:
    """Raise ``ValueError`` naming ``<key>.params.<name>`` for a parameter the estimator
    rejects, without fitting it.

    scikit-learn validates parameters only in ``fit``; this runs the same validation
    (:func:`negr2.internals.validate_params`) on the unfitted estimator, one parameter
    at a time so that the message names the culprit. Other estimators are checked for
    unknown parameter names only.
    """
    cls = import_estimator(spec["estimator"], f"{key}.estimator")
    params = dict(spec.get("params") or {})
    known = constructor_params(cls)
    for name, value in params.items():
        where = f"{key}.params.{name}"
        if known is not None and name not in known:
            raise ValueError(
                f"{where}: {cls.__name__} has no parameter {name!r} "
                f"(it has: {', '.join(sorted(known))})"
            )
        try:
            validate_params(cls(**{name: value}))
        except (ValueError, TypeError) as error:
            raise ValueError(f"{where}: {error}") from None
    try:
        validate_params(build_estimator(spec, seed=0, key=key))
    except (ValueError, TypeError) as error:
        raise ValueError(f"{key}.params: {error}") from None
