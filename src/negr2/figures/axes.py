"""Lines along a swept value: the x axis of swept values, a line with its interval
band, and the rows of one model along a sweep (shared by the sweep, hyperparameter
and baseline figures)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import NullLocator

from negr2.columns import FULL


def value_text(value: Any) -> str:
    """A swept value as text: ``None`` for a missing one, JSON for lists."""
    if _missing(value):
        return "None"
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value, separators=(",", ":"))


class SweepAxis:
    """An x axis for swept values: numeric where the values are numbers (logarithmic
    when positive and spanning more than 10x), otherwise categorical in the given
    order; a missing value (None/NaN) is a categorical "None" tick at the right end.

    Parameters
    ----------
    values : the swept values, one per point, in order (repeats allowed).
    """

    def __init__(self, values: Sequence[Any]) -> None:
        unique = list(dict.fromkeys(value_text(v) for v in values))
        present = [v for v in dict.fromkeys(_hashable(v) for v in values) if not _missing(v)]
        self.numeric = bool(present) and all(_is_number(v) for v in present)
        numbers = sorted(float(v) for v in present) if self.numeric else []
        self.log = self.numeric and numbers[0] > 0 and numbers[-1] / numbers[0] > 10
        if self.numeric:
            self.where = {value_text(v): float(v) for v in present}
        else:
            self.where = {t: float(i) for i, t in enumerate(u for u in unique if u != "None")}
        if "None" in unique:
            self.where["None"] = self._right_of(numbers)
        self.none_at = self.where.get("None")

    def _right_of(self, numbers: list[float]) -> float:
        """Where the "None" tick goes: one average step right of the largest value."""
        if not numbers:
            return float(len(self.where))
        lo, hi, n = numbers[0], numbers[-1], len(numbers)
        if self.log:
            return hi * (hi / lo) ** (1 / max(n - 1, 1))
        return hi + ((hi - lo) / (n - 1) if n > 1 else 1.0)

    def positions(self, values: Iterable[Any]) -> np.ndarray:
        """x positions of the given swept values."""
        return np.array([self.where[value_text(v)] for v in values], dtype=float)

    def apply(self, ax: Axes, label: str) -> None:
        """Scale, ticks and label of ``ax``."""
        if self.log:
            ax.set_xscale("log")
        ax.set_xticks(list(self.where.values()), list(self.where))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_xlabel(label + (" (log scale)" if self.log else ""))


def line_with_band(
    ax: Axes,
    x: np.ndarray,
    rows: pd.DataFrame,
    column: str,
    colour: Any,
    label: str | None,
    *,
    ls: Any = "-",
    marker: str = "o",
    detached: float | None = None,
) -> None:
    """``column`` against ``x`` with markers and its ``_lo``–``_hi`` band; a point at
    ``x == detached`` (the "None" tick of a sweep) stands alone, with an error bar."""
    x = np.asarray(x, dtype=float)
    y = rows[column].to_numpy(dtype=float)
    lo, hi = rows[f"{column}_lo"].to_numpy(dtype=float), rows[f"{column}_hi"].to_numpy(dtype=float)
    alone = x == detached if detached is not None else np.zeros(x.size, dtype=bool)
    on = ~alone
    style = {"marker": marker, "color": colour}
    ax.plot(x[on], y[on], ms=3.5, lw=1.5, ls=ls, label=label if on.any() else None, **style)
    ax.fill_between(x[on], lo[on], hi[on], color=colour, alpha=0.15, lw=0)
    if alone.any():
        err = np.nan_to_num(np.vstack([y - lo, hi - y])[:, alone], nan=0.0)
        label = None if on.any() else label
        ax.errorbar(x[alone], y[alone], yerr=err, ms=4, capsize=3, ls="", label=label, **style)


def percent_axis(ax: Axes, label: str) -> None:
    """A y axis of percentages, with room for markers at 0 and 100."""
    ax.set_ylim(-2, 102)
    ax.set_ylabel(label)


def along(summary: pd.DataFrame, scenario_ids: Sequence[str], model_id: str) -> pd.DataFrame:
    """The full-feature-set rows of one model at the given scenario points, in their
    order, with ``_value`` holding the point's index in ``scenario_ids``."""
    order = {sid: i for i, sid in enumerate(scenario_ids)}
    rows = summary[
        summary["scenario_id"].isin(order)
        & (summary["model_id"] == model_id)
        & (summary["ablation"] == FULL)
    ].copy()
    rows["_value"] = rows["scenario_id"].map(order)
    return rows.sort_values("_value")


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.number) and not isinstance(value, bool)


def _hashable(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, list | dict) else value
