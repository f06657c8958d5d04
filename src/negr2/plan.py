"""The job plan: which cells run alone (in chunks) and which share a job (a pack).

A trial job pays about 1.5 s of CPU to start Python and import scikit-learn before its
first fit. A cheap cell (a linear model's 100 trials take a fraction of a second) is
dominated by that cost, so cheap cells of one scenario point share one job, a *pack*,
up to :data:`PACK_SECONDS` of estimated work. A cell is cheap when it runs as a single
chunk and its estimated seconds (``negr2.resources``; a model's ``seconds_per_trial``
overrides the estimate) fit in a pack. Every other cell keeps its own jobs, one per
chunk. Packing changes which process fits a cell, never its numbers: each trial is
drawn from its own seed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from negr2.columns import TRIAL_METRICS
from negr2.resources import trials_seconds, variants_per_trial

if TYPE_CHECKING:
    from negr2.study import Study

# A pack's start-up and imports (~1.2 s) stay under a tenth of its work, and a pack
# is short enough that the last one to finish leaves the other cores idle briefly.
PACK_SECONDS = 15.0
#: A cell whose MLflow history has at least this many values is logged by a job of its
#: own as soon as its trials are done (``mlflow.log_cells: auto``), in Snakemake's
#: process beside the trials still running: about 0.7 s of logging into SQLite, ten
#: times that job's own lookups. Smaller cells are logged together by the final track
#: job.
EARLY_LOG_VALUES = 10_000


def cell_seconds(study: Study, model_spec: Mapping[str, Any]) -> float:
    """Estimated seconds of one model point's trials in the study's costliest scenario
    point (a swept n_features counts at each of its values)."""
    config = study.config
    return max(
        trials_seconds(config["trials"], point.spec, config, model_spec)
        for point in study.scenarios.values()
    )


def packs(study: Study) -> list[list[str]]:
    """The model point ids that share jobs, grouped in id order (so that reordering a
    study file changes no pack) into packs of at most PACK_SECONDS of estimated work;
    the same packs in every scenario point (:attr:`negr2.study.Study.packs` labels them).
    """
    result: list[list[str]] = []
    load = PACK_SECONDS  # start a new pack at the first cheap cell
    for point_id, point in sorted(study.models.items()):
        if len(study.chunks(point_id)) > 1:
            continue
        seconds = cell_seconds(study, point.spec)
        if seconds > PACK_SECONDS:
            continue
        if load + seconds > PACK_SECONDS:
            result.append([])
            load = 0.0
        result[-1].append(point_id)
        load += seconds
    return result


def pack_label(index: int) -> str:
    """A pack's part of a file name: ``pack1``, ``pack2``, …"""
    return f"pack{index + 1}"


def logged_early(config: Mapping[str, Any], scenario_spec: Mapping[str, Any]) -> bool:
    """Whether the cells of this scenario point are logged into MLflow by jobs of their
    own, as soon as their trials are done, rather than by the final track job."""
    mode = config["mlflow"]["log_cells"]
    if mode != "auto":
        return mode == "early"
    return history_values(config, scenario_spec) >= EARLY_LOG_VALUES


def history_values(config: Mapping[str, Any], scenario_spec: Mapping[str, Any]) -> int:
    """About how many metric values one cell of this scenario point logs into MLflow:
    every trial's metrics for every ablation variant (none with ``history: summary``)."""
    if config["mlflow"]["history"] != "all":
        return 0
    return config["trials"] * variants_per_trial(scenario_spec, config) * len(TRIAL_METRICS)
