"""A scenario's trials, each drawn from its own seed: on demand, or stacked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from negr2.generators.base import Dataset
from negr2.generators.registry import check_scenario, family
from negr2.seeding import trial_seed, trial_seed_sequence


class ScenarioDraws:
    """Each trial's dataset of one scenario point, drawn on demand from its seed.

    A trial job draws its own trials one by one, so memory does not grow with the
    number of trials and no data is stored; ``draws.trial(t)`` is exactly trial ``t``
    of :func:`generate_scenario`.

    Parameters
    ----------
    scenario : the scenario's name (for messages; the default ``seed_name``).
    spec : the scenario's config entry, checked with :func:`check_scenario` here.
    master_seed : the study's seed.
    seed_name : the name fed to the seeding functions (default: ``scenario``); the sweep
        points of one scenario pass the base scenario's name to share its trial seeds.
    """

    def __init__(
        self,
        scenario: str,
        spec: Mapping[str, Any],
        master_seed: int,
        seed_name: str | None = None,
    ) -> None:
        check_scenario(scenario, spec)
        self.spec = spec
        self.master_seed = master_seed
        self.seed_name = scenario if seed_name is None else seed_name
        self.n_train = int(spec["n_train"])
        self._generator = family(scenario, spec["generator"])
        first = self._draw(0)
        self.feature_names = first.feature_names
        self.informative = first.informative

    def _draw(self, trial: int) -> Dataset:
        sequence = trial_seed_sequence(self.master_seed, self.seed_name, trial)
        return self._generator.draw(np.random.default_rng(sequence), self.spec)

    def dataset(self, trial: int) -> Dataset:
        """Trial ``trial``'s table."""
        dataset = self._draw(trial)
        # The ablations of every trial use trial 0's names and informative features.
        if (dataset.feature_names, dataset.informative) != (
            self.feature_names,
            self.informative,
        ):
            raise ValueError(
                f"scenarios.{self.seed_name}.generator: {self._generator.name} named other "
                f"features or informative features in trial {trial} than in trial 0; "
                "they must be the same in every trial"
            )
        return dataset

    def seed(self, trial: int) -> int:
        """The trial's integer seed (recorded, and given to unseeded estimators)."""
        return trial_seed(self.master_seed, self.seed_name, trial)

    def trial(self, trial: int) -> tuple[np.ndarray, np.ndarray, int]:
        """``(X, y, seed)`` of one trial."""
        dataset = self.dataset(trial)
        return dataset.X, dataset.y, self.seed(trial)


def generate_scenario(
    scenario: str,
    spec: Mapping[str, Any],
    master_seed: int,
    trials: int,
    seed_name: str | None = None,
) -> dict[str, np.ndarray]:
    """Draw the datasets of every trial of one scenario, stacked.

    Trial ``t`` is drawn from ``trial_seed_sequence(master_seed, seed_name, t)`` alone, so
    it does not depend on how many trials are drawn. (The workflow does not store these:
    each trial job draws its own trials with :class:`ScenarioDraws`.)

    Parameters
    ----------
    scenario, spec, master_seed, seed_name : as for :class:`ScenarioDraws`.
    trials : number of trials.

    Returns
    -------
    dict with ``X`` of shape (trials, n_rows, n_features), ``y`` of shape (trials, n_rows),
    ``seed`` of shape (trials,) int64, the scalar ``n_train``, ``feature_names`` (str) of
    shape (n_features,) and ``informative`` (int64) of shape (n_informative,), possibly
    empty.
    """
    if trials < 1:
        raise ValueError(f"trials must be >= 1, got {trials}")
    draws = ScenarioDraws(scenario, spec, master_seed, seed_name)
    datasets = [draws.dataset(t) for t in range(trials)]
    return {
        "X": np.stack([d.X for d in datasets]),
        "y": np.stack([d.y for d in datasets]),
        "seed": np.asarray([draws.seed(t) for t in range(trials)], dtype=np.int64),
        "n_train": np.asarray(spec["n_train"]),
        "feature_names": np.asarray(draws.feature_names, dtype=np.str_),
        "informative": np.asarray(draws.informative, dtype=np.int64),
    }
