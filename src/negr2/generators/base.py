"""What every generator shares: a trial's :class:`Dataset` and the :class:`Generator` class."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from negr2.generators.checks import error

#: Keys any scenario may have, whatever its generator. ``split`` (the scenario's
#: holdout / k-fold override) is read by the trials, not by the generators.
COMMON_KEYS = frozenset({"generator", "n_train", "n_test", "split"})


@dataclass(frozen=True)
class Dataset:
    """One trial's table: rows ``[0, n_train)`` train, the rest test.

    Attributes
    ----------
    X : ndarray of shape (n_train + n_test, n_features), float64
    y : ndarray of shape (n_train + n_test,), float64
    feature_names : tuple of n_features str
    informative : indices of the informative features, most important first; ``()`` if
        unknown.
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...]
    informative: tuple[int, ...]

    def __post_init__(self) -> None:
        if self.X.ndim != 2 or self.y.shape != (self.X.shape[0],):
            raise ValueError(f"Dataset: X {self.X.shape} and y {self.y.shape} do not match")
        if len(self.feature_names) != self.X.shape[1]:
            raise ValueError(
                f"Dataset: {len(self.feature_names)} feature names for {self.X.shape[1]} columns"
            )
        if any(not 0 <= i < self.X.shape[1] for i in self.informative):
            raise ValueError(f"Dataset: informative {self.informative} out of range")


class Generator:
    """A family of data sets, one per trial, drawn from the trial's own generator.

    A subclass that sets ``name`` in a module of :mod:`negr2.generators` is a built-in
    generator: the registry finds it there, and the config names it by ``name``.

    Attributes
    ----------
    name : what a scenario's ``generator`` says.
    params : the scenario keys it takes besides :data:`COMMON_KEYS`, with their meaning.
    informed : whether its datasets name their informative features (``drop_informative``).
    pure_noise : whether features and target are independent standard normals, the data
        of :mod:`negr2.theory`'s closed forms.
    list_valued : keys whose value is a list by nature: only a list of lists sweeps them.
    fixed : keys never swept (a list is their value).
    """

    name: str
    params: ClassVar[Mapping[str, str]] = {}
    informed: ClassVar[bool] = False
    pure_noise: ClassVar[bool] = False
    list_valued: ClassVar[frozenset[str]] = frozenset()
    fixed: ClassVar[frozenset[str]] = frozenset()

    def check_keys(self, scenario: str, spec: Mapping[str, Any]) -> None:
        """Refuse a key the generator does not take, suggesting the closest one."""
        unknown = sorted((key for key in spec if key not in {*self.params, *COMMON_KEYS}), key=str)
        if not unknown:
            return
        quoted = ", ".join(repr(key) for key in unknown)
        verb = "does" if len(unknown) == 1 else "do"
        takes = ", ".join(sorted(self.params)) or "nothing besides " + ", ".join(
            sorted(COMMON_KEYS)
        )
        hint = ""
        if "n_features" in unknown:
            hint = "; its features come from the data"
            if "columns" in self.params:
                hint += " (choose them with 'columns')"
        else:
            close = difflib.get_close_matches(str(unknown[0]), [*self.params, *COMMON_KEYS], 1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
        raise error(
            scenario,
            None,
            f"{quoted} {verb} not apply to generator {self.name} (it takes: {takes}){hint}",
        )

    def check(self, scenario: str, spec: Mapping[str, Any]) -> None:
        """Check the values of the generator's keys (``check_keys`` has run)."""

    def draw(self, rng: np.random.Generator, spec: Mapping[str, Any]) -> Dataset:
        """One trial's table, drawn from ``rng`` alone."""
        raise NotImplementedError

    def knows_informative(self, spec: Mapping[str, Any]) -> bool:
        """Whether the scenario's datasets name their informative features."""
        del spec  # the same for every scenario of a built-in generator
        return self.informed

    def input_files(self, spec: Mapping[str, Any]) -> list[str]:
        """Files the datasets are read from: a change to one redraws the trials."""
        del spec
        return []


def numbered_names(n_features: int) -> tuple[str, ...]:
    """``x0, x1, …``: the names of drawn features."""
    return tuple(f"x{j}" for j in range(n_features))


def n_rows(spec: Mapping[str, Any]) -> int:
    """Rows of one trial's table: ``n_train + n_test``."""
    return int(spec["n_train"]) + int(spec["n_test"])


def random_rows(rng: np.random.Generator, n_available: int, n_wanted: int) -> np.ndarray:
    """``n_wanted`` distinct row indices out of ``n_available``, in random order."""
    if n_wanted > n_available:
        raise ValueError(f"need {n_wanted} rows (n_train + n_test) but only {n_available} exist")
    return rng.permutation(n_available)[:n_wanted]


def read_only(array: np.ndarray) -> np.ndarray:
    """A contiguous float64 copy nobody can write to (shared by every trial of a process)."""
    array = np.ascontiguousarray(array, dtype=np.float64)
    array.flags.writeable = False
    return array
