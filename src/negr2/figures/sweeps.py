"""A scenario sweep's figures: negative % and mean test R² against each swept scenario
key."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from negr2.columns import FULL
from negr2.figures.axes import SweepAxis, along, line_with_band, percent_axis, value_text
from negr2.figures.base import FigureData
from negr2.study import Point, Study

#: One line of a scenario sweep, ``(scenario, key, fixed, points)``: see
#: :func:`scenario_sweep_groups`.
SweepGroup = tuple[str, str, dict[str, Any], list[Point]]


def scenario_sweeps(data: FigureData) -> Iterator[tuple[str, Figure]]:
    """:func:`scenario_sweep` of every scenario, swept key and combination of its
    other swept keys, named ``<key>-<scenario>[-<other>=<value>...]``."""
    for name, key, fixed, points in scenario_sweep_groups(data.study):
        subject = "-".join([key, name, *(f"{k}={value_text(v)}" for k, v in fixed.items())])
        yield subject, scenario_sweep(data.summary, data.study, points, key, data.colours)


def scenario_sweep_groups(study: Study) -> list[SweepGroup]:
    """The lines of the scenario sweeps: ``(scenario, key, fixed, points)`` for each
    scenario, each key it sweeps and each combination ``fixed`` of its other swept keys,
    with the points along ``key`` in config order."""
    groups: dict[tuple[str, str, str], SweepGroup] = {}
    for point in study.scenarios.values():
        for key in point.swept:
            fixed = {k: v for k, v in point.swept.items() if k != key}
            group_key = (point.name, key, json.dumps(fixed, sort_keys=True, default=str))
            groups.setdefault(group_key, (point.name, key, fixed, []))[3].append(point)
    return list(groups.values())


def scenario_sweep(
    summary: pd.DataFrame,
    study: Study,
    points: Sequence[Point],
    key: str,
    colours: Mapping[str, Any],
) -> Figure:
    """Negative % (left) and mean test R² (right) against a swept scenario key, one
    line per model point with its 95 % band, on the full feature set; the closed-form
    E[R²] dashed in the model's colour where it exists.

    Parameters
    ----------
    summary : the study's summary table.
    study : the study (for the model points and their order).
    points : the scenario points along ``key``, in order.
    key : the swept scenario key.
    colours : model id -> colour.
    """
    axis = SweepAxis([p.swept[key] for p in points])
    fig = Figure(figsize=(11, 4.4), layout="constrained")
    ax_neg, ax_r2 = fig.subplots(1, 2, sharex=True)
    for model in study.models.values():
        rows = along(summary, [p.id for p in points], model.id)
        if rows.empty:
            continue
        x = axis.positions(points[i].swept[key] for i in rows["_value"])
        colour = colours[model.id]
        line_with_band(ax_neg, x, rows, "negative_r2_pct", colour, model.id, detached=axis.none_at)
        line_with_band(ax_r2, x, rows, "mean_r2", colour, model.id, detached=axis.none_at)
        theory = rows["theory_r2"].to_numpy(dtype=float)
        if np.isfinite(theory).any():
            ax_r2.plot(x, theory, ls=(0, (4, 2)), lw=1.4, color=colour, zorder=4)
    percent_axis(ax_neg, "trials with negative test R² (%)")
    ax_r2.axhline(0, color="grey", lw=0.8, ls=":")
    ax_r2.set_ylabel("mean test R²")
    for ax in (ax_neg, ax_r2):
        axis.apply(ax, key)
    handles, labels = ax_neg.get_legend_handles_labels()
    if _has_theory(summary, [p.id for p in points]):
        handles.append(Line2D([], [], color="black", ls=(0, (4, 2)), lw=1.4))
        labels.append("closed-form E[R²]")
    fig.legend(handles, labels, loc="outside right upper", fontsize=8)
    fig.suptitle(f"Scenario {points[0].name}: test R² against {key} (full feature set)")
    return fig


def _has_theory(summary: pd.DataFrame, scenario_ids: Sequence[str]) -> bool:
    rows = summary[summary["scenario_id"].isin(scenario_ids) & (summary["ablation"] == FULL)]
    return bool(np.isfinite(rows["theory_r2"].to_numpy(dtype=float)).any())
