"""The report's figures, as matplotlib figures (saved or embedded by the caller)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # no display: jobs run headless

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402


def r2_distribution(trials: pd.DataFrame, summary: pd.DataFrame, scenario: str) -> Figure:
    """Each model's test R² over the trials of one scenario: a box per model with the
    trials as dots, the mean with its 95 % interval, and the closed-form expectation
    (where one applies) as a red tick."""
    rows = _full(summary, scenario)
    models = list(rows["model_id"])
    ok = _full(trials, scenario)
    ok = ok[ok["status"] == "ok"]
    data = [ok.loc[ok["model_id"] == m, "r2"].to_numpy() for m in models]
    fig = Figure(figsize=(8, 0.45 * len(models) + 1.6), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(models))
    ax.boxplot(data, positions=y, orientation="horizontal", widths=0.6, showfliers=False)
    jitter = np.random.default_rng(0)  # fixed: the figure is reproducible too
    for i, values in enumerate(data):
        ax.scatter(
            values,
            i + jitter.uniform(-0.2, 0.2, values.size),
            s=6,
            alpha=0.35,
            color="tab:blue",
            linewidths=0,
        )
    ax.errorbar(
        rows["mean_r2"],
        y,
        xerr=_half_widths(rows, "mean_r2"),
        fmt="D",
        color="black",
        ms=4,
        capsize=3,
        label="mean, 95% CI",
    )
    theory = rows["theory_r2"].to_numpy(dtype=float)
    has_theory = ~np.isnan(theory)
    if has_theory.any():
        ax.scatter(
            theory[has_theory],
            y[has_theory],
            marker="|",
            s=250,
            color="tab:red",
            zorder=5,
            label="closed-form E[R²]",
        )
    ax.axvline(0, color="grey", lw=0.8, ls="--")
    ax.set_yticks(y, models)
    ax.invert_yaxis()
    ax.set_xlabel("test R²")
    ax.set_title(f"Test R² per trial — scenario {scenario}")
    ax.legend(loc="lower left", fontsize=8)
    return fig


def negative_share(summary: pd.DataFrame, scenario: str) -> Figure:
    """Share of trials with negative test R² per model, with Wilson 95 % intervals."""
    rows = _full(summary, scenario)
    y = np.arange(len(rows))
    fig = Figure(figsize=(8, 0.4 * len(rows) + 1.4), layout="constrained")
    ax = fig.add_subplot()
    ax.barh(y, rows["neg_pct"], color="tab:orange", alpha=0.7)
    ax.errorbar(
        rows["neg_pct"], y, xerr=_half_widths(rows, "neg_pct"), fmt="none", color="black", capsize=3
    )
    ax.set_yticks(y, rows["model_id"])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("trials with negative test R² (%), Wilson 95% CI")
    ax.set_title(f"How often is test R² negative? — scenario {scenario}")
    return fig


def _full(table: pd.DataFrame, scenario_id: str) -> pd.DataFrame:
    """The rows of one scenario point without ablation (the full feature set)."""
    return table[(table["scenario_id"] == scenario_id) & (table["ablation"] == "full")]


def _half_widths(rows: pd.DataFrame, column: str) -> np.ndarray:
    """Asymmetric error-bar lengths from ``<column>_lo`` and ``<column>_hi``."""
    centre = rows[column].to_numpy(dtype=float)
    return np.vstack([centre - rows[f"{column}_lo"], rows[f"{column}_hi"] - centre])
