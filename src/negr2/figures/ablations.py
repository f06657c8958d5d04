"""An ablation study's figures: the paired ΔR² of each dropped feature, and of the
cumulatively dropped informative features."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from negr2.columns import FULL
from negr2.figures.axes import line_with_band
from negr2.figures.base import FigureData


def ablation_heatmaps(data: FigureData) -> Iterator[tuple[str, Figure]]:
    """:func:`ablation_heatmap` of every scenario point with ``drop:`` variants."""
    for sid in _with_variants(data.summary, "drop:"):
        yield sid, ablation_heatmap(data.summary, sid)


def ablations_informative(data: FigureData) -> Iterator[tuple[str, Figure]]:
    """:func:`ablation_informative` of every scenario point with ``drop_informative:``
    variants."""
    for sid in _with_variants(data.summary, "drop_informative:"):
        yield sid, ablation_informative(data.summary, sid, data.colours)


def ablation_heatmap(summary: pd.DataFrame, scenario_id: str) -> Figure:
    """Paired ΔR² (variant − full) of every ``drop:<feature>`` variant of one scenario
    point: rows are the removed features, columns the models, each cell annotated; a
    diverging colormap centred at 0; cells whose 95 % interval covers 0 are hatched
    with grey text."""
    rows = summary[summary["scenario_id"] == scenario_id]
    drops = rows[rows["ablation"].str.startswith("drop:")]
    features = [a.removeprefix("drop:") for a in drops["ablation"].unique()]
    models = list(drops["model_id"].unique())
    table = drops.set_index(["ablation", "model_id"])
    index = pd.MultiIndex.from_product([[f"drop:{f}" for f in features], models])
    cells = table.reindex(index)[["delta_r2_mean", "delta_r2_lo", "delta_r2_hi"]]
    shape = (len(features), len(models))
    mean, lo, hi = (cells[c].to_numpy(dtype=float).reshape(shape) for c in cells.columns)
    size = (1.25 * len(models) + 2.6, 0.42 * len(features) + 1.9)
    fig = Figure(figsize=size, layout="constrained")
    ax = fig.add_subplot()
    limit = float(np.nanmax(np.abs(mean))) if np.isfinite(mean).any() else 1.0
    norm = Normalize(-(limit or 1.0), limit or 1.0)
    image = ax.imshow(mean, cmap="RdBu", norm=norm, aspect="auto")
    _annotate_cells(ax, mean, (lo <= 0) & (hi >= 0), norm)
    ax.set_xticks(range(len(models)), models, rotation=30, ha="right")
    ax.set_yticks(range(len(features)), features)
    ax.set_ylabel("removed feature")
    ax.tick_params(length=0)
    fig.colorbar(image, ax=ax, label="ΔR² = R²(without feature) − R²(full)", shrink=0.9)
    ax.set_title(f"Removing one feature — scenario {scenario_id}")
    return fig


def _annotate_cells(ax: Axes, mean: np.ndarray, covers_zero: np.ndarray, norm: Normalize) -> None:
    """Write each cell's value; hatch and grey out cells whose interval covers 0."""
    for (i, j), value in np.ndenumerate(mean):
        if not np.isfinite(value):
            ax.text(j, i, "n/a", ha="center", va="center", fontsize=7, color="grey")
            continue
        if covers_zero[i, j]:
            box = Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", lw=0)
            box.set_edgecolor("0.75")
            ax.add_patch(box)
            colour, style = "0.35", "italic"
        else:
            colour = "white" if abs(norm(value) - 0.5) > 0.33 else "black"
            style = "normal"
        text = "0" if value == 0 else f"{value:+.3f}"
        ax.text(j, i, text, ha="center", va="center", fontsize=8, color=colour, style=style)


def ablation_informative(
    summary: pd.DataFrame, scenario_id: str, colours: Mapping[str, Any]
) -> Figure:
    """Paired ΔR² against the number of informative features removed (most
    informative first), one line per model with its 95 % band; 0 is the full model."""
    rows = summary[
        (summary["scenario_id"] == scenario_id)
        & summary["ablation"].str.match(r"^(full|drop_informative:\d+)$")
    ].copy()
    rows["_k"] = [0 if a == FULL else int(a.partition(":")[2]) for a in rows["ablation"]]
    fig = Figure(figsize=(8, 4.4), layout="constrained")
    ax = fig.add_subplot()
    for model_id, line in rows.groupby("model_id", sort=False):
        line = line.sort_values("_k").fillna({"delta_r2_lo": 0.0, "delta_r2_hi": 0.0})
        line = line.assign(delta_r2=line["delta_r2_mean"])
        colour = colours.get(model_id, "black")
        line_with_band(ax, line["_k"].to_numpy(), line, "delta_r2", colour, model_id)
    ax.axhline(0, color="grey", lw=0.8, ls=":")
    ax.set_xticks(sorted(rows["_k"].unique()))
    ax.set_xlabel("informative features removed (largest |coefficient| first)")
    ax.set_ylabel("ΔR² = R²(variant) − R²(full)")
    ax.legend(fontsize=8, loc="lower left")
    ax.set_title(f"Removing the informative features — scenario {scenario_id}")
    return fig


def _with_variants(summary: pd.DataFrame, prefix: str) -> list[str]:
    """The scenario points, in summary order, with a variant whose name starts with
    ``prefix``."""
    return [
        sid
        for sid, rows in summary.groupby("scenario_id", sort=False)
        if rows["ablation"].str.startswith(prefix).any()
    ]
