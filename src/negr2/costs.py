"""What a trial job is estimated to cost: the one source of the job plan's estimates.

:class:`negr2.plan.JobPlan` asks a :class:`CostModel` how long a cell's trials take; it
packs cheap cells, sets time limits and orders jobs from the answers. The estimates of
today come from a table (:class:`TableCosts`); an estimate learnt from measured timings
is another :class:`CostModel`, handed to :meth:`negr2.plan.JobPlan.from_study`.

Standard library only: the Snakefile plans the jobs on every ``snakemake`` call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from negr2.splits import resolve_split

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
#: The training rows of the post's scenario, at which KNOWN_SECONDS were measured.
POST_TRAIN_ROWS = 160


class CostModel(Protocol):
    """Where the job plan's estimates come from."""

    def seconds(
        self, n_trials: int, scenario: Mapping[str, Any], model: Mapping[str, Any]
    ) -> float:
        """Estimated seconds of ``n_trials`` trials of one model point (its spec) on one
        scenario point (its spec): the fits, predictions and scores, without start-up.
        Packs and time limits are planned from it."""
        ...

    def ranking(self, job_seconds: float, scenario: Mapping[str, Any]) -> float:
        """The seconds that rank a job of ``job_seconds`` (the sum of its cells'
        :meth:`seconds`) on this scenario point among the jobs of its priority: the
        longest starts first."""
        ...


class TableCosts:
    """Estimates from :data:`KNOWN_SECONDS` (a model's ``seconds_per_trial`` overrides
    them), for the study's ``config`` (its split and ablations multiply the fits)."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config

    def seconds(
        self, n_trials: int, scenario: Mapping[str, Any], model: Mapping[str, Any]
    ) -> float:
        return trials_seconds(n_trials, scenario, self.config, model)

    def ranking(self, job_seconds: float, scenario: Mapping[str, Any]) -> float:
        # The table's seconds are the post's: a fit on more training rows takes longer.
        return job_seconds * rows_factor(scenario)


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


def rows_factor(scenario: Mapping[str, Any]) -> float:
    """How much longer a fit takes on this scenario point than on the post's: about in
    proportion to its training rows (a sweep of ``n_train`` from 20 to 640 spans 32
    times). Orders jobs; packs and time limits keep the per-model estimate."""
    return scenario.get("n_train", POST_TRAIN_ROWS) / POST_TRAIN_ROWS
