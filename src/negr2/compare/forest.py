"""The forest plot of a comparison: each cell's change with its 95 % interval."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from negr2.compare.metrics import NEGATIVE_SHARE

#: A colour per verdict (the report's green and red; grey for noise).
COLOURS = {
    "moved": "#b42318",
    "within noise": "#666666",
    "identical": "#1a7f37",
    "added": "#1f5fbf",
    "removed": "#1f5fbf",
}
#: At most this many cells are drawn: the moved ones first, then the largest changes.
MAX_CELLS = 120


def forest_figure(table: pd.DataFrame, metric: str) -> tuple[Figure, str]:
    """Two panels, one row per cell and variant: Δ of ``metric`` and Δ of the share of
    negative R² (percentage points), each with its 95 % interval, coloured by the cell's
    verdict. Returns the figure and a caption saying what it shows."""
    cells = _drawn_cells(table, metric)
    height = 1.2 + 0.26 * max(len(cells), 1)
    fig = Figure(figsize=(10, height), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    labels = [_label(row) for row in cells.itertuples(index=False)]
    positions = np.arange(len(cells))[::-1]
    for ax, quantity, title in (
        (axes[0], metric, f"Δ mean {metric} (NEW − BASE)"),
        (axes[1], NEGATIVE_SHARE, "Δ negative R² (percentage points)"),
    ):
        _panel(ax, table, cells, quantity, positions)
        ax.set_title(title, fontsize=10)
    axes[0].set_yticks(positions, labels, fontsize=8)
    handles = [
        axes[0].plot([], [], "o", color=c, label=v)[0]
        for v, c in COLOURS.items()
        if v in set(cells["cell_verdict"]) and v != "removed"
    ]
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=8)
    return fig, _caption(table, cells, metric)


def _drawn_cells(table: pd.DataFrame, metric: str) -> pd.DataFrame:
    """The rows of ``metric``, one per cell and variant; beyond :data:`MAX_CELLS`, the
    moved ones and then those whose change is largest against its interval."""
    cells = table[table["quantity"] == metric].reset_index(drop=True)
    if len(cells) <= MAX_CELLS:
        return cells
    half = (cells["delta_hi"] - cells["delta_lo"]).abs() / 2
    score = (cells["delta"].abs() / half.replace(0, np.nan)).fillna(0)
    score = score + (cells["cell_verdict"] == "moved") * 1e9
    return cells.loc[score.sort_values(ascending=False, kind="stable").index[:MAX_CELLS]]


def _label(row: object) -> str:
    variant = "" if row.ablation == "full" else f" [{row.ablation}]"
    return f"{row.scenario_id} / {row.model_id}{variant}"


def _panel(ax, table: pd.DataFrame, cells: pd.DataFrame, quantity: str, positions) -> None:
    """One quantity's changes at ``positions`` (one per row of ``cells``)."""
    rows = table[table["quantity"] == quantity].set_index(["scenario_id", "model_id", "ablation"])
    ax.axvline(0, color="#999999", linewidth=0.8)
    for y, cell in zip(positions, cells.itertuples(index=False), strict=True):
        key = (cell.scenario_id, cell.model_id, cell.ablation)
        row = rows.loc[key] if key in rows.index else None
        colour = COLOURS[cell.cell_verdict]
        if row is None or _missing(row["delta"]):
            ax.text(0, y, f" {cell.cell_verdict}", color=colour, va="center", fontsize=8)
            continue
        lo, hi = row["delta_lo"], row["delta_hi"]
        if not (_missing(lo) or _missing(hi)):
            ax.plot([lo, hi], [y, y], color=colour, linewidth=1.6)
        ax.plot([row["delta"]], [y], "o", color=colour, markersize=4)
    ax.grid(axis="x", color="#eeeeee")
    ax.set_ylim(-0.7, len(cells) - 0.3)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _caption(table: pd.DataFrame, cells: pd.DataFrame, metric: str) -> str:
    total = int((table["quantity"] == metric).sum())
    shown = "" if len(cells) == total else f" The {len(cells)} of {total} cells shown are "
    if shown:
        shown += "those that moved, then those whose change is largest against its interval."
    return (
        f"Each cell's change of mean {metric} and of its share of negative R² (NEW − BASE), "
        "with 95% intervals (paired t or Welch for the mean; Newcombe for the share), "
        "coloured by the cell's verdict; added and removed cells are named at 0." + shown
    )
