"""A plain study's figures: each model's test R² over the trials of a scenario point,
and its share of negative R²."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from negr2.figures.base import FigureData, full, half_widths


def r2_distributions(data: FigureData) -> Iterator[tuple[str, Figure]]:
    """:func:`r2_distribution` of every scenario point."""
    for sid in data.summary["scenario_id"].unique():
        yield sid, r2_distribution(data.trials, data.summary, sid)


def negative_shares(data: FigureData) -> Iterator[tuple[str, Figure]]:
    """:func:`negative_share` of every scenario point."""
    for sid in data.summary["scenario_id"].unique():
        yield sid, negative_share(data.summary, sid)


#: A model whose trials span more than this many times the median model's span (the
#: range between the 1st and 99th percentiles) gets a panel of its own, on its own scale:
#: one wide tail (RANSAC's, down to about -4) would otherwise squeeze every other box.
WIDE = 3.0


def r2_distribution(trials: pd.DataFrame, summary: pd.DataFrame, scenario: str) -> Figure:
    """Each model's test R² over the trials of one scenario point.

    A box per model with the trials as dots (a seeded, reproducible jitter), the mean
    with its 95 % interval, and the closed-form expectation (where one applies) as a
    red tick. Models far wider than the others (:func:`wide_models`) are drawn in a
    second panel below, with an x-axis of its own.
    """
    rows = full(summary, scenario)
    ok = full(trials, scenario)
    ok = ok[ok["status"] == "ok"]
    data = {m: ok.loc[ok["model_id"] == m, "r2"].to_numpy() for m in rows["model_id"]}
    wide = wide_models(data)
    groups = [g for g in ([m for m in data if m not in wide], wide) if g]
    fig = Figure(figsize=(8, 0.45 * len(data) + 1.6 + 0.6 * (len(groups) - 1)))
    fig.set_layout_engine("constrained")
    axes = fig.subplots(len(groups), 1, squeeze=False, height_ratios=[len(g) + 1 for g in groups])
    jitter = np.random.default_rng(0)  # fixed: the figure is reproducible too
    for ax, models in zip(axes[:, 0], groups, strict=True):
        chosen = rows[rows["model_id"].isin(models)]
        _draw_boxes(ax, chosen, [data[m] for m in chosen["model_id"]], jitter)
    axes[0, 0].set_title(f"Test R² per trial — scenario {scenario}")
    axes[0, 0].legend(loc="lower left", fontsize=8)
    if len(groups) > 1:
        axes[1, 0].set_title("on a scale of its own: a far wider spread", fontsize=9)
    return fig


def wide_models(data: dict[str, np.ndarray]) -> list[str]:
    """The models whose trials span more than :data:`WIDE` times the median span (1st
    to 99th percentile), in order; none when every model would be wide or none is."""
    spans = {
        model: float(np.subtract(*np.percentile(values, [99, 1]))) if values.size else 0.0
        for model, values in data.items()
    }
    typical = float(np.median(list(spans.values())))
    wide = [model for model, span in spans.items() if typical > 0 and span > WIDE * typical]
    return wide if len(wide) < len(data) else []


def _draw_boxes(
    ax: Any, rows: pd.DataFrame, data: list[np.ndarray], jitter: np.random.Generator
) -> None:
    """One box per row of ``rows`` (models) with its trials ``data``, its mean with the
    95 % interval, and the closed form where one exists."""
    y = np.arange(len(rows))
    ax.boxplot(data, positions=y, orientation="horizontal", widths=0.6, showfliers=False)
    for i, values in enumerate(data):
        shown = _dots(values, jitter)
        yj = i + jitter.uniform(-0.2, 0.2, shown.size)
        ax.scatter(shown, yj, s=6, alpha=0.35, color="tab:blue", linewidths=0)
    ax.errorbar(
        rows["mean_r2"],
        y,
        xerr=half_widths(rows, "mean_r2"),
        fmt="D",
        color="black",
        ms=4,
        capsize=3,
        label="mean, 95% CI",
    )
    theory = rows["theory_r2"].to_numpy(dtype=float)
    has = ~np.isnan(theory)
    if has.any():
        kwargs = {"marker": "|", "s": 250, "color": "tab:red", "zorder": 5}
        ax.scatter(theory[has], y[has], label="closed-form E[R²]", **kwargs)
    ax.axvline(0, color="grey", lw=0.8, ls="--")
    ax.set_yticks(y, list(rows["model_id"]))
    ax.invert_yaxis()
    ax.set_xlabel("test R²")


def negative_share(summary: pd.DataFrame, scenario: str) -> Figure:
    """Share of trials with negative test R² per model, with Wilson 95 % intervals."""
    rows = full(summary, scenario)
    y = np.arange(len(rows))
    fig = Figure(figsize=(8, 0.4 * len(rows) + 1.4), layout="constrained")
    ax = fig.add_subplot()
    ax.barh(y, rows["negative_r2_pct"], color="tab:orange", alpha=0.7)
    xerr = half_widths(rows, "negative_r2_pct")
    ax.errorbar(rows["negative_r2_pct"], y, xerr=xerr, fmt="none", color="black", capsize=3)
    ax.set_yticks(y, rows["model_id"])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("trials with negative test R² (%), Wilson 95% CI")
    ax.set_title(f"How often is test R² negative? — scenario {scenario}")
    return fig


#: Dots drawn per model at most: beyond, a seeded sample of the trials (the box, the
#: mean and its interval still use them all). A million dots would hide each other and
#: make a vector file of hundreds of megabytes.
MAX_DOTS = 2000


def _dots(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The trials drawn as dots: all of them, or MAX_DOTS of them chosen by ``rng``."""
    if values.size <= MAX_DOTS:
        return values
    return values[np.sort(rng.choice(values.size, MAX_DOTS, replace=False))]
