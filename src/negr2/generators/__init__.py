"""Data generators: one dataset per trial, drawn from the trial's own seed.

Every generator returns the full table of one trial as a :class:`Dataset`, rows
``[0, n_train)`` for training and the rest for testing, so that every model of a trial
sees exactly the same split (a paired design).

A scenario's spec (its config entry) names a ``generator``, ``n_train`` and ``n_test``,
plus the generator's own keys. The generator is

- a built-in one, by name: one :class:`Generator` subclass per module of this package
  (``gaussian_noise``, ``linear``, ``correlated``, ``friedman1``, ``diabetes``,
  ``table``), each declaring its keys, checking their values and saying whether it knows
  its informative features; :func:`builtins` finds them;
- or a function of the user's, by import path (:mod:`negr2.generators.imported` states
  the contract).

:func:`check_scenario` checks a spec before any job runs. :class:`ScenarioDraws` draws
one trial at a time, inside the trial job, so that no job holds more than one trial's
data and nothing is stored; :func:`generate_scenario` stacks a scenario's trials (for
tests and notebooks). Trial ``t`` is a pure function of ``(master_seed, seed_name, t)``,
whatever the number of trials drawn.
"""

from negr2.generators.base import COMMON_KEYS, Dataset, Generator
from negr2.generators.draws import ScenarioDraws, generate_scenario
from negr2.generators.linear import shape_target
from negr2.generators.registry import builtin, builtins, check_scenario, family

__all__ = [
    "COMMON_KEYS",
    "Dataset",
    "Generator",
    "ScenarioDraws",
    "builtin",
    "builtins",
    "check_scenario",
    "family",
    "generate_scenario",
    "shape_target",
]
