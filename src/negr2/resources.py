"""Cluster resources of a trial job (SLURM's time and memory), from its estimated cost.

A job's runtime is twice its estimated seconds (imports plus fits), at least five
minutes, and grows with Snakemake's ``attempt``, so that ``retries`` gives a job that
ran out of time a longer limit. Trial jobs hold one trial's data and their rows, so
memory does not depend on the study's size (under 300 MB measured per job).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from negr2.study import resolve_split

# Seconds per trial (one fit, its predictions and scores, post's shape) of the slow
# estimators measured on a 2-core workstation; every other estimator gets
# DEFAULT_SECONDS (the post's seven cheap models took 0.7-1.7 ms a trial: KNN's cost
# grows with the training rows).
KNOWN_SECONDS = {
    "sklearn.ensemble.RandomForestRegressor": 0.1,
    "sklearn.ensemble.GradientBoostingRegressor": 0.06,
    "sklearn.linear_model.RANSACRegressor": 0.07,
    "negr2.models.KerasMLP": 1.5,
}
DEFAULT_SECONDS = 0.002
START_SECONDS = 10.0  # interpreter start and imports
MIN_RUNTIME_MINUTES = 5
MEM_MB = 1000  # per attempt


def seconds_per_fit(model: Mapping[str, Any]) -> float:
    """The model's ``seconds_per_trial`` from the config, else the table's estimate."""
    given = model.get("seconds_per_trial")
    if given is not None:
        return float(given)
    return KNOWN_SECONDS.get(model["estimator"], DEFAULT_SECONDS)


def fits_per_trial(scenario: Mapping[str, Any], config: Mapping[str, Any]) -> int:
    """Fits of one trial: each fold, times the feature sets (:func:`variants_per_trial`)."""
    return resolve_split(config, scenario).fits * variants_per_trial(scenario, config)


def variants_per_trial(scenario: Mapping[str, Any], config: Mapping[str, Any]) -> int:
    """The feature sets of one trial: the full one, and an upper bound on the ablation
    variants (one per feature for ``drop_one`` or ``drop_informative``, one per
    ``drop_random`` size, one per ``keep`` subset)."""
    ablations = config.get("ablations") or {}
    n_features = scenario.get("n_features", 10)
    k = (ablations.get("drop_random") or {}).get("k", [])
    variants = 1 + len(k if isinstance(k, list) else [k]) + len(ablations.get("keep") or {})
    per_feature = bool(ablations.get("drop_one")) + bool(ablations.get("drop_informative"))
    return variants + n_features * per_feature


def trials_seconds(
    n_trials: int, scenario: Mapping[str, Any], config: Mapping[str, Any], model: Mapping[str, Any]
) -> float:
    """Estimated seconds of ``n_trials`` trials of one model on one scenario point."""
    return n_trials * fits_per_trial(scenario, config) * seconds_per_fit(model)


#: The training rows of the post's scenario, at which KNOWN_SECONDS were measured.
POST_TRAIN_ROWS = 160


def rows_factor(scenario: Mapping[str, Any]) -> float:
    """How much longer a fit takes on this scenario point than on the post's: about in
    proportion to its training rows (a sweep of ``n_train`` from 20 to 640 spans 32
    times). Orders jobs; packs and time limits keep the per-model estimate."""
    return scenario.get("n_train", POST_TRAIN_ROWS) / POST_TRAIN_ROWS


def longest_first(seconds: float) -> float:
    """A fraction in [0, 1) that grows with a job's estimated seconds: added to the
    integer priority of its models, it starts the longest of equal-priority jobs first,
    so that a long job does not run alone at the end."""
    return seconds / (seconds + 3600.0)


def runtime_minutes(seconds: float, attempt: int) -> int:
    """A job's time limit: twice the estimate, at least five minutes, times attempt."""
    return attempt * max(MIN_RUNTIME_MINUTES, math.ceil(2 * seconds / 60))


def mem_mb(attempt: int) -> int:
    """A job's memory limit, times attempt."""
    return attempt * MEM_MB
