"""A model sweep's figures: each tuned model against its parameter, the untuned models
as reference lines."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from negr2.columns import FULL
from negr2.figures.axes import SweepAxis, line_with_band, percent_axis, value_text
from negr2.figures.base import FigureData
from negr2.study import Point, Study


def model_sweeps(data: FigureData) -> Iterator[tuple[str, Figure]]:
    """:func:`model_sweep` of every scenario point."""
    for scenario_id in data.study.scenarios:
        yield scenario_id, model_sweep(data.summary, data.study, scenario_id, data.colours)


def model_sweep(
    summary: pd.DataFrame, study: Study, scenario_id: str, colours: Mapping[str, Any]
) -> Figure:
    """One column per swept model parameter: the model's mean test R² (top) and
    negative % (bottom) with 95 % bands against the parameter, and every unswept
    model as a dashed horizontal line for reference, on one scenario point.

    Parameters
    ----------
    summary : the study's summary table.
    study : the study (for the model points).
    scenario_id : the scenario point.
    colours : model id -> colour.
    """
    rows = summary[(summary["scenario_id"] == scenario_id) & (summary["ablation"] == FULL)]
    points = list(study.models.values())
    columns = _model_sweep_columns(points)
    fig = Figure(figsize=(3.9 * len(columns) + 1.8, 6.4), layout="constrained")
    axes = fig.subplots(2, len(columns), sharey="row", squeeze=False)
    unswept = [p for p in points if not p.swept]
    for j, (name, key, lines) in enumerate(columns):
        ax_r2, ax_neg = axes[0, j], axes[1, j]
        axis = SweepAxis([p.swept[key] for line in lines for p in line[1]])
        for label, line in lines:
            cell = rows.set_index("model_id").reindex([p.id for p in line])
            x = axis.positions(p.swept[key] for p in line)
            colour = colours[name]
            text = name if not label else f"{name} ({label})"
            line_with_band(ax_r2, x, cell, "mean_r2", colour, text, detached=axis.none_at)
            line_with_band(ax_neg, x, cell, "negative_r2_pct", colour, None, detached=axis.none_at)
        _reference_lines(ax_r2, ax_neg, rows, unswept, colours)
        ax_r2.set_title(f"{name}: {key}")
        axis.apply(ax_neg, key)
        axis.apply(ax_r2, "")
        ax_r2.set_xlabel("")
    axes[0, 0].set_ylabel("mean test R²")
    percent_axis(axes[1, 0], "negative test R² (%)")
    _model_sweep_legend(fig, axes)
    fig.suptitle(f"Tuned models against their parameter — scenario {scenario_id}")
    return fig


def _model_sweep_columns(
    points: Sequence[Point],
) -> list[tuple[str, str, list[tuple[str, list[Point]]]]]:
    """``(model, key, lines)`` for every model and key it sweeps; ``lines`` holds one
    ``(label of the other swept values, points along key)`` per combination of them."""
    columns: dict[tuple[str, str], dict[str, list[Point]]] = {}
    for point in points:
        for key in point.swept:
            others = ", ".join(f"{k}={value_text(v)}" for k, v in point.swept.items() if k != key)
            columns.setdefault((point.name, key), {}).setdefault(others, []).append(point)
    return [(name, key, list(lines.items())) for (name, key), lines in columns.items()]


def _reference_lines(
    ax_r2: Axes,
    ax_neg: Axes,
    rows: pd.DataFrame,
    unswept: Sequence[Point],
    colours: Mapping[str, Any],
) -> None:
    """A dashed horizontal line per unswept model at its mean R² and negative %."""
    by_id = rows.set_index("model_id")
    for point in unswept:
        if point.id not in by_id.index:
            continue
        style = {"color": colours[point.id], "ls": "--", "lw": 1.1, "alpha": 0.9}
        ax_r2.axhline(by_id.loc[point.id, "mean_r2"], label=f"{point.id} (not swept)", **style)
        ax_neg.axhline(by_id.loc[point.id, "negative_r2_pct"], **style)


def _model_sweep_legend(fig: Figure, axes: np.ndarray) -> None:
    """One legend for the figure: every tuned model's line and each reference line once."""
    entries: dict[str, Any] = {}
    for ax in axes[0]:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            entries.setdefault(label, handle)
    labels = sorted(entries, key=lambda label: label.endswith("(not swept)"))  # stable
    fig.legend([entries[label] for label in labels], labels, loc="outside right upper", fontsize=8)
