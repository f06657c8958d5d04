"""The baselines figures (a k-fold split, or the training-mean baseline in a sweep):
test R², scored against the test targets' mean, beside out-of-sample R², scored
against the training mean."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from negr2.figures.axes import SweepAxis, along, line_with_band, value_text
from negr2.figures.base import FigureData, full, half_widths
from negr2.figures.sweeps import SweepGroup, scenario_sweep_groups
from negr2.study import Study


def baselines_sweeps(data: FigureData) -> Iterator[tuple[str, Figure]]:
    """:func:`baselines_sweep` of every swept scenario key."""
    groups = scenario_sweep_groups(data.study)
    for key in dict.fromkeys(key for _, key, _, _ in groups):
        along_key = [g for g in groups if g[1] == key]
        yield key, baselines_sweep(data.summary, data.study, along_key, data.colours)


def baselines_by_models(data: FigureData) -> Iterator[tuple[str, Figure]]:
    """The one :func:`baselines_by_model` figure of the study (its stem is the kind's)."""
    yield "", baselines_by_model(data.summary, data.study)


def baselines_sweep(
    summary: pd.DataFrame,
    study: Study,
    groups: Sequence[SweepGroup],
    colours: Mapping[str, Any],
) -> Figure:
    """Mean test R² (solid) and mean out-of-sample R² (dashed) against one swept
    scenario key, one panel per scenario (so holdout and k-fold sit side by side),
    one colour per model, with t 95 % bands.

    Parameters
    ----------
    groups : the :func:`scenario_sweep_groups` entries that sweep the same key.
    """
    key = groups[0][1]
    fig = Figure(figsize=(max(4.8 * len(groups), 7.5), 5.0), layout="constrained")
    axes = fig.subplots(1, len(groups), sharey=True, squeeze=False)[0]
    for ax, (name, _, fixed, points) in zip(axes, groups, strict=True):
        axis = SweepAxis([p.swept[key] for p in points])
        for model in study.models.values():
            rows = along(summary, [p.id for p in points], model.id)
            x = axis.positions(points[i].swept[key] for i in rows["_value"])
            colour, none_at = colours[model.id], axis.none_at
            line_with_band(ax, x, rows, "mean_r2", colour, model.id, detached=none_at)
            style = {"ls": "--", "marker": "s", "detached": none_at}
            line_with_band(ax, x, rows, "mean_oos_r2", colour, None, **style)
        ax.axhline(0, color="grey", lw=0.8, ls=":")
        axis.apply(ax, key)
        extra = "".join(f", {k}={value_text(v)}" for k, v in fixed.items())
        ax.set_title(f"{name}{extra} ({study.splits[points[0].id].text})", fontsize=10)
    axes[0].set_ylabel("mean R²")
    handles, labels = axes[0].get_legend_handles_labels()
    handles += [Line2D([], [], color="black"), Line2D([], [], color="black", ls="--")]
    labels += ["test R² (vs test mean)", "out-of-sample R² (vs training mean)"]
    fig.legend(handles, labels, loc="outside lower center", ncols=4, fontsize=8)
    fig.suptitle(f"Test R² against out-of-sample R², by {key} (full feature set)")
    return fig


def baselines_by_model(summary: pd.DataFrame, study: Study) -> Figure:
    """Each model's mean test R² (circle) beside its mean out-of-sample R² (square)
    with t 95 % intervals, one panel per scenario point (holdout and k-fold side by
    side), on the full feature set."""
    points = list(study.scenarios.values())
    models = list(study.models)
    size = (4.2 * len(points) + 2.2, 0.36 * len(models) + 1.8)
    fig = Figure(figsize=size, layout="constrained")
    axes = fig.subplots(1, len(points), sharey=True, squeeze=False)[0]
    y = np.arange(len(models))
    for ax, point in zip(axes, points, strict=True):
        rows = full(summary, point.id).set_index("model_id").reindex(models)
        for column, marker, shift, colour in (
            ("mean_r2", "o", -0.13, "tab:blue"),
            ("mean_oos_r2", "s", 0.13, "tab:orange"),
        ):
            err = half_widths(rows, column)
            ax.errorbar(
                rows[column], y + shift, xerr=err, fmt=marker, ms=4, capsize=2, color=colour
            )
        ax.axvline(0, color="grey", lw=0.8, ls="--")
        ax.set_title(f"{point.id} ({study.splits[point.id].text})", fontsize=10)
        ax.set_xlabel("mean R², 95% CI")
    axes[0].set_yticks(y, models)
    axes[0].invert_yaxis()
    handles = [
        Line2D([], [], marker="o", ls="", color="tab:blue"),
        Line2D([], [], marker="s", ls="", color="tab:orange"),
    ]
    labels = ["test R² (vs test mean)", "out-of-sample R² (vs training mean)"]
    fig.legend(handles, labels, loc="outside lower center", ncols=2, fontsize=8)
    fig.suptitle("Test R² against out-of-sample R² (full feature set)")
    return fig
