"""Seeds: one master seed, one independent stream per (scenario, trial).

Trial ``t`` of scenario ``s`` always gets the same seed, whatever the number of
cores, the chunking of trials into jobs or the order jobs run in, because the seed
is a pure function of ``(master_seed, s, t)``.
"""

from __future__ import annotations

import hashlib

import numpy as np


def scenario_key(scenario: str) -> int:
    """Map a scenario name to a stable 32-bit integer (independent of PYTHONHASHSEED)."""
    digest = hashlib.sha256(scenario.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "little")


def trial_seed_sequence(master_seed: int, scenario: str, trial: int) -> np.random.SeedSequence:
    """The seed sequence of one trial of one scenario."""
    if trial < 0:
        raise ValueError(f"trial index must be >= 0, got {trial}")
    return np.random.SeedSequence(master_seed, spawn_key=(scenario_key(scenario), trial))


def trial_seed(master_seed: int, scenario: str, trial: int) -> int:
    """A 31-bit integer seed for the trial, recorded in the results and handed to
    estimators whose ``random_state`` the config leaves unset."""
    state = trial_seed_sequence(master_seed, scenario, trial).generate_state(1, np.uint32)[0]
    return int(state) & 0x7FFFFFFF
