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

    scikit-learn validates parameters only in ``fit``; this calls the same validation
    (``_validate_params``, driven by the class's ``_parameter_constraints``) on the
    unfitted estimator, one parameter at a time so that the message names the culprit.
    An estimator with a ``_check_params`` method of its own (:class:`KerasMLP`) is
    checked with it. Other estimators are checked for unknown parameter names only.
    """
    cls = import_estimator(spec["estimator"], f"{key}.estimator")
    params = dict(spec.get("params") or {})
    known = _constructor_params(cls)
    for name, value in params.items():
        where = f"{key}.params.{name}"
        if known is not None and name not in known:
            raise ValueError(
                f"{where}: {cls.__name__} has no parameter {name!r} "
                f"(it has: {', '.join(sorted(known))})"
            )
        try:
            _validate(cls(**{name: value}))
        except (ValueError, TypeError) as error:
            raise ValueError(f"{where}: {error}") from None
    try:
        _validate(build_estimator(spec, seed=0, key=key))
    except (ValueError, TypeError) as error:
        raise ValueError(f"{key}.params: {error}") from None


def _constructor_params(cls: type) -> set[str] | None:
    """The parameter names of a scikit-learn-style class, or None if it cannot tell."""
    get_names = getattr(cls, "_get_param_names", None)
    try:
        return set(get_names()) if get_names else None
    except RuntimeError:  # a constructor with *args: scikit-learn cannot list them
        return None


def _validate(estimator: Any) -> None:
    """The estimator's own checks of its (unfitted) parameters, where it has them."""
    if hasattr(estimator, "_parameter_constraints"):
        estimator._validate_params()
    elif hasattr(estimator, "_check_params"):
        estimator._check_params()
