"""How a scenario point splits its rows into training and test sets.

A leaf of the package (standard library only): the study, the cost estimates and the
aggregate step all read a point's split from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Folds of a k-fold split that does not say (the schema's default too).
DEFAULT_FOLDS = 5


def split_of(config: Mapping[str, Any], scenario: Mapping[str, Any]) -> dict[str, Any]:
    """The split a scenario (or sweep point) uses, as written: its own ``split``, else
    the study's; ``{}`` means one holdout split. Trial jobs receive this dict."""
    split = scenario["split"] if "split" in scenario else config.get("split")
    return dict(split or {})


@dataclass(frozen=True)
class Split:
    """A scenario point's split with its defaults resolved: ``holdout`` (one split) or
    ``kfold`` over ``folds`` folds."""

    method: str
    folds: int

    @property
    def kfold(self) -> bool:
        return self.method == "kfold"

    @property
    def fits(self) -> int:
        """Fits of one trial and feature set: one per fold."""
        return self.folds if self.kfold else 1

    @property
    def text(self) -> str:
        """``holdout split`` or ``5-fold CV``, for titles."""
        return f"{self.folds}-fold CV" if self.kfold else "holdout split"


def resolve_split(config: Mapping[str, Any], scenario: Mapping[str, Any]) -> Split:
    """The :class:`Split` of a scenario (or sweep point): :func:`split_of` with its
    defaults filled in, in this one place."""
    split = split_of(config, scenario)
    return Split(split.get("method", "holdout"), split.get("folds", DEFAULT_FOLDS))
