"""The job plan: which trial jobs a study runs, which cells each runs, and what each
costs, in one object built from the :class:`~negr2.study.Study`.

A trial job pays about 1.5 s of CPU to start Python and import scikit-learn before its
first fit. A cheap cell (a linear model's 100 trials take a fraction of a second) is
dominated by that cost, so cheap cells of one scenario point share one job, a *pack*,
up to :data:`PACK_SECONDS` of estimated work. A cell is cheap when it runs as a single
chunk and its estimated seconds fit in a pack. Every other cell runs *alone*, in jobs
of its own, one per chunk of its trials. Packing changes which process fits a cell,
never its numbers: each trial is drawn from its own seed.

Each job gets a priority (its models' highest; the longest of equal priority first),
and a cluster time limit and memory that grow with Snakemake's ``attempt``. Cells with a
long MLflow history are logged *early*, by jobs of their own as soon as their trials
are done. Every estimate comes from one :class:`~negr2.costs.CostModel`.

Standard library only: the Snakefile plans the jobs on every ``snakemake`` call.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from negr2.chunking import Chunk, chunk_from_label, model_chunks
from negr2.columns import TRIAL_METRICS
from negr2.costs import CostModel, TableCosts, variants_per_trial
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
START_SECONDS = 10.0  # a trial job's interpreter start and imports
MIN_RUNTIME_MINUTES = 5
#: A trial job's memory limit per attempt: a job holds one trial's data and its rows,
#: so its memory does not grow with the study (under 300 MB measured).
MEM_MB = 1000


@dataclass(frozen=True)
class TrialJob:
    """One trial job: a pack of cells over every trial, or one cell's chunk of trials.

    ``label`` names its file (``pack1``, or the chunk's ``2of4``); ``models`` are the
    model point ids it runs, in order; ``seconds`` its estimated fits (start-up aside).
    """

    scenario: str
    models: tuple[str, ...]
    label: str
    trials: range
    seconds: float
    priority: float
    #: The memory limit of its first attempt, MB: measured (negr2.learned_costs) or MEM_MB.
    memory: int = MEM_MB

    @property
    def packed(self) -> bool:
        """Whether the job is a pack (else one cell's chunk)."""
        return self.label.startswith("pack")

    @property
    def path(self) -> str:
        """The job's trials file, within the study's results folder."""
        if self.packed:
            return f"trials/{self.scenario}/{self.label}.parquet"
        return f"trials/{self.scenario}/{self.models[0]}/{self.label}.parquet"

    def runtime(self, attempt: int) -> int:
        """The job's time limit in minutes (SLURM's ``runtime``): twice the estimate
        with start-up, at least :data:`MIN_RUNTIME_MINUTES`, times ``attempt``, so that
        a retry helps a job that ran out of time."""
        return runtime_minutes(START_SECONDS + self.seconds, attempt)

    def mem_mb(self, attempt: int) -> int:
        """The job's memory limit in MB, times ``attempt``."""
        return attempt * self.memory


@dataclass(frozen=True, eq=False)
class JobPlan:
    """Every trial job of a study, and which cells are logged early.

    ``packs`` maps a pack's label to its model point ids (the same packs in every
    scenario point); ``early`` holds the scenario point ids whose cells are logged
    early. Build it with :meth:`from_study`.
    """

    study: Study = field(repr=False)
    costs: CostModel = field(repr=False)
    packs: Mapping[str, tuple[str, ...]]
    early: tuple[str, ...]

    @classmethod
    def from_study(cls, study: Study, costs: CostModel | None = None) -> JobPlan:
        """The plan of ``study``, estimated by ``costs`` (default: :class:`TableCosts`)."""
        table = TableCosts(study.config)
        costs = costs or table
        # Packs from the table whatever ``costs`` are: a learned estimate must not move a
        # finished cell into another job (its file and params, so Snakemake would rerun it).
        packs = {pack_label(i): tuple(pack) for i, pack in enumerate(pack_cells(study, table))}
        config = study.config
        early = tuple(s for s, point in study.scenarios.items() if logged_early(config, point.spec))
        return cls(study, costs, packs, early)

    @functools.cached_property
    def alone(self) -> list[str]:
        """The model point ids whose cells run in jobs of their own, one per chunk."""
        packed = {model for pack in self.packs.values() for model in pack}
        return [model for model in self.study.models if model not in packed]

    def pack_of(self, model: str) -> str | None:
        """The label of the pack a model point runs in, or None when it runs alone."""
        return next((label for label, pack in self.packs.items() if model in pack), None)

    def chunks(self, model: str) -> list[Chunk]:
        """The chunks of a model point's cells (the same in every scenario point)."""
        return model_chunks(self.study.config, self.study.models[model].name)

    def pack_job(self, scenario: str, label: str) -> TrialJob:
        """The job of pack ``label`` on a scenario point: its models over every trial."""
        return self._job(scenario, self.packs[label], label, range(self.study.config["trials"]))

    def chunk_job(self, scenario: str, model: str, label: str) -> TrialJob:
        """The job of one cell's chunk ``label`` (e.g. ``2of4``)."""
        chunk = chunk_from_label(self.study.config["trials"], label)
        return self._job(scenario, (model,), label, range(chunk.start, chunk.stop))

    def _job(self, scenario: str, models: tuple[str, ...], label: str, trials: range) -> TrialJob:
        point = self.study.scenarios[scenario].spec
        specs = [self.study.models[m].spec for m in models]
        seconds = sum(self.costs.seconds(len(trials), point, spec) for spec in specs)
        priority = max(spec["priority"] for spec in specs)
        priority += longest_first(self.costs.ranking(seconds, point))
        job = TrialJob(scenario, models, label, trials, seconds, priority)
        memory = getattr(self.costs, "memory_mb", lambda path: None)(job.path)
        return job if memory is None else dataclasses.replace(job, memory=memory)

    def cell_jobs(self, scenario: str, model: str) -> list[TrialJob]:
        """The jobs holding one cell: its chunks, or the pack it shares."""
        pack = self.pack_of(model)
        if pack is not None:
            return [self.pack_job(scenario, pack)]
        return [self.chunk_job(scenario, model, chunk.label) for chunk in self.chunks(model)]

    @functools.cached_property
    def jobs(self) -> list[TrialJob]:
        """Every trial job once, cell by cell in config order."""
        jobs = (job for cell in self.study.cells for job in self.cell_jobs(*cell))
        return list({job.path: job for job in jobs}.values())

    @functools.cached_property
    def early_cells(self) -> list[tuple[str, str]]:
        """The cells logged early, each by its own ``track_cell`` job."""
        return [(scenario, model) for scenario in self.early for model in self.study.models]

    @functools.cached_property
    def track_cell_priority(self) -> int:
        """Above every trial job: a finished cell is logged while the others run."""
        return 1 + max(point.spec["priority"] for point in self.study.models.values())

    def cell(self, scenario: str, model: str) -> dict[str, Any]:
        """What a job needs to run one cell (the fields of :class:`negr2.trials.CellJob`):
        only what changes its results, so that a new priority reruns nothing."""
        point, model_point = self.study.scenarios[scenario], self.study.models[model]
        config = self.study.config
        return {
            "scenario": point.name,
            "scenario_id": point.id,
            "model": model_point.name,
            "model_id": model_point.id,
            "model_spec": {key: model_point.spec[key] for key in ("estimator", "params")},
            "preprocessing": model_point.spec.get("preprocessing", config["preprocessing"]),
            "ablations": config["ablations"],
            # As written, not resolved: the params of earlier results stay the same.
            "split": self.study.raw_split(scenario),
        }

    def draws(self, scenario: str) -> dict[str, Any]:
        """What draws a scenario point's trials (the fields of
        :class:`negr2.generators.ScenarioDraws`): sweep points share their base
        scenario's seeds."""
        point = self.study.scenarios[scenario]
        return {
            "scenario": point.id,
            "spec": point.spec,
            "master_seed": self.study.config["seed"],
            "seed_name": point.name,
        }


def pack_cells(study: Study, costs: CostModel) -> list[list[str]]:
    """The model point ids that share jobs, grouped in id order (so that reordering a
    study file changes no pack) into packs of at most PACK_SECONDS of estimated work;
    the same packs in every scenario point. A cell is costed at the study's costliest
    scenario point (a swept n_features counts at each of its values)."""
    result: list[list[str]] = []
    load = PACK_SECONDS  # start a new pack at the first cheap cell
    trials = study.config["trials"]
    for point_id, point in sorted(study.models.items()):
        if len(model_chunks(study.config, point.name)) > 1:
            continue
        seconds = max(costs.seconds(trials, s.spec, point.spec) for s in study.scenarios.values())
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


def logged_early(config: Mapping[str, Any], scenario: Mapping[str, Any]) -> bool:
    """Whether the cells of this scenario point are logged into MLflow by jobs of their
    own, as soon as their trials are done, rather than by the final track job."""
    mode = config["mlflow"]["log_cells"]
    if mode != "auto":
        return mode == "early"
    return history_values(config, scenario) >= EARLY_LOG_VALUES


def history_values(config: Mapping[str, Any], scenario: Mapping[str, Any]) -> int:
    """About how many metric values one cell of this scenario point logs into MLflow:
    every trial's metrics for every ablation variant (none with ``history: summary``)."""
    if config["mlflow"]["history"] != "all":
        return 0
    return config["trials"] * variants_per_trial(scenario, config) * len(TRIAL_METRICS)


def longest_first(seconds: float) -> float:
    """A fraction in [0, 1) that grows with a job's estimated seconds: added to the
    integer priority of its models, it starts the longest of equal-priority jobs first,
    so that a long job does not run alone at the end."""
    return seconds / (seconds + 3600.0)


def runtime_minutes(seconds: float, attempt: int) -> int:
    """A job's time limit: twice the estimate, at least five minutes, times attempt."""
    return attempt * max(MIN_RUNTIME_MINUTES, math.ceil(2 * seconds / 60))
