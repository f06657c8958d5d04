"""The report's figures, as matplotlib figures (saved or embedded by the caller).

:func:`study_figures` chooses the figures by the study's design (read from its config):

* no sweep and no drop ablation: each model's R² distribution and share of negative
  R² per scenario point, full feature set (``r2-distribution-*``, ``negative-share-*``);
* a swept scenario key: negative % and mean R² against the swept value (``sweep-*``);
* a swept model parameter: the tuned models against their parameter, the untuned
  ones as reference lines (``hyperparameters-*``);
* ablations: the paired ΔR² of each dropped feature (``ablation-heatmap-*``) and of
  the cumulatively dropped informative features (``ablation-informative-*``);
* k-fold splits, or a training-mean baseline in a sweep: test R² beside the
  out-of-sample R² (``baselines-*``).

:func:`figure_caption` gives the one-sentence caption of every stem.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: jobs run headless

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import colormaps  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.colors import Normalize, to_rgb  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from matplotlib.ticker import NullLocator  # noqa: E402

from negr2.columns import FULL  # noqa: E402
from negr2.study import Point, model_points, scenario_points, split_of  # noqa: E402

#: The caption of each kind of figure; a figure's stem is ``<kind>`` or ``<kind>-<subject>``.
FIGURE_CAPTIONS = {
    "r2-distribution": (
        "Test R² of every trial (dots) with its quartiles (box), the mean with its 95% interval "
        "(black diamond) and, where a closed form exists, the expected R² (red tick); left of "
        "the dashed line at 0 the model did worse than predicting the mean of the test targets."
    ),
    "negative-share": (
        "Share of trials in which each model's test R² was negative, with its Wilson 95% "
        "interval as whiskers: 100% means the model never beat the test targets' mean."
    ),
    "sweep": (
        "Share of trials with negative test R² (left, Wilson 95% band) and mean test R² (right, "
        "t 95% band) against the swept scenario value, one colour per model on the full feature "
        "set; dashed lines in a model's colour are its closed-form expected R²."
    ),
    "hyperparameters": (
        "Each tuned model's mean test R² (top, t 95% band) and share of negative R² (bottom, "
        "Wilson 95% band) against its parameter, with the models whose parameters are not swept "
        "as dashed horizontal lines for reference; a 'None' tick at the right end is the "
        "parameter left unset."
    ),
    "ablation-heatmap": (
        "Mean paired change in test R² when the feature of a row is removed, per model (column), "
        "against the full model on the same trials: red cells lost R², blue cells gained, and "
        "hatched cells with grey numbers have a 95% interval that includes 0."
    ),
    "ablation-informative": (
        "Mean paired change in test R² against the number of informative features removed "
        "(largest |coefficient| first; 0 is the full model), one line per model with its t 95% "
        "band: the steeper the fall, the more the model relied on those features."
    ),
    "baselines-sweep": (
        "Mean test R² (solid, scored against the mean of the test targets) and mean "
        "out-of-sample R² (dashed, scored against the training mean) with t 95% bands, one "
        "panel per scenario and split: the training-mean baseline scores 0 out of sample "
        "but below 0 on test R², so the gap between a model's two lines is the price of the "
        "test-mean reference."
    ),
    "baselines-by-model": (
        "Each model's mean test R² (circle, against the mean of the test targets) beside its mean "
        "out-of-sample R² (square, against the training mean) with t 95% intervals, one panel "
        "per scenario and split: the training-mean baseline scores 0 out of sample but below 0 "
        "on test R²."
    ),
}


@dataclass(frozen=True)
class Design:
    """What a study varies, which decides its figures."""

    scenario_sweep: bool
    model_sweep: bool
    ablations: bool  # any variant besides FULL
    dropped: bool  # drop:<feature> or drop_informative:<i> variants, which have figures
    baselines: bool

    @property
    def plain(self) -> bool:
        """No sweep and no drop ablation: the per-scenario distribution figures."""
        return not (self.scenario_sweep or self.model_sweep or self.dropped)


def study_design(config: Mapping[str, Any], summary: pd.DataFrame) -> Design:
    """The design of a study: its sweeps and ablations, and whether the baselines
    figure applies (a k-fold split, or the training-mean baseline in a sweep).

    Parameters
    ----------
    config : the study's config with defaults filled in.
    summary : the study's summary table (its ``ablation`` column tells the variants).
    """
    scenario_sweep = any(p.swept for p in scenario_points(config))
    model_sweep = any(p.swept for p in model_points(config))
    splits = [split_of(config, s) for s in _scenarios(config)]
    kfold = any(split.get("method") == "kfold" for split in splits)
    dummy = any(m["estimator"] == "sklearn.dummy.DummyRegressor" for m in config["models"].values())
    return Design(
        scenario_sweep=scenario_sweep,
        model_sweep=model_sweep,
        ablations=bool((summary["ablation"] != FULL).any()),
        dropped=bool(summary["ablation"].str.match(r"^(drop|drop_informative):").any()),
        baselines=kfold or (dummy and (scenario_sweep or model_sweep)),
    )


def study_figures(
    trials: pd.DataFrame,
    summary: pd.DataFrame,
    config: Mapping[str, Any],
    comparisons: pd.DataFrame | None = None,
) -> dict[str, Figure]:
    """Every figure of the report, keyed by a stable, file-name-safe stem.

    Parameters
    ----------
    trials, summary : the study's tables (see :mod:`negr2.aggregate`).
    config : the study's config with defaults filled in; it tells the design.
    comparisons : the paired comparisons table; the report shows it as a table, so no
        figure draws it (accepted so that every caller passes the same tables).

    Returns
    -------
    dict of stem -> figure, in the report's order; :func:`figure_caption` captions each.
    """
    del comparisons  # shown as a table by the report
    design = study_design(config, summary)
    colours = _colours(config)
    out: dict[str, Figure] = {}
    if design.plain:
        for sid in summary["scenario_id"].unique():
            _add(out, f"r2-distribution-{sid}", r2_distribution(trials, summary, sid))
            _add(out, f"negative-share-{sid}", negative_share(summary, sid))
    if design.scenario_sweep:
        for name, key, fixed, points in scenario_sweep_groups(config):
            subject = "-".join([key, name, *(f"{k}={value_text(v)}" for k, v in fixed.items())])
            _add(out, f"sweep-{subject}", scenario_sweep(summary, config, points, key, colours))
    if design.model_sweep:
        for point in scenario_points(config):
            fig = model_sweep(summary, config, point.id, colours)
            _add(out, f"hyperparameters-{point.id}", fig)
    if design.dropped:
        for sid in summary["scenario_id"].unique():
            if _variants(summary, sid, "drop:"):
                _add(out, f"ablation-heatmap-{sid}", ablation_heatmap(summary, sid))
            if _variants(summary, sid, "drop_informative:"):
                fig = ablation_informative(summary, sid, colours)
                _add(out, f"ablation-informative-{sid}", fig)
    if design.baselines:
        out |= _baseline_figures(summary, config, design, colours)
    return out


def figure_kind(stem: str) -> str:
    """The kind of the figure ``stem``: the longest key of :data:`FIGURE_CAPTIONS`
    that is the stem or begins it followed by ``-``."""
    kinds = [k for k in FIGURE_CAPTIONS if stem == k or stem.startswith(k + "-")]
    if not kinds:
        raise KeyError(f"no caption for figure {stem!r}")
    return max(kinds, key=len)


def figure_caption(stem: str) -> str:
    """The one-sentence caption of the figure ``stem``."""
    return FIGURE_CAPTIONS[figure_kind(stem)]


def safe_stem(text: str) -> str:
    """``text`` with every run of characters other than letters, digits, ``.``, ``_``
    and ``-`` replaced by one ``-`` (``noise@n_train=20`` -> ``noise-n_train-20``)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "figure"


def _add(out: dict[str, Figure], stem: str, fig: Figure) -> None:
    """Store ``fig`` under the safe form of ``stem``, made unique with a counter."""
    base = safe_stem(stem)
    stem, i = base, 2
    while stem in out:
        stem, i = f"{base}-{i}", i + 1
    out[stem] = fig


# ------------------------------------------------------------------ plain studies


def r2_distribution(trials: pd.DataFrame, summary: pd.DataFrame, scenario: str) -> Figure:
    """Each model's test R² over the trials of one scenario point.

    A box per model with the trials as dots (a seeded, reproducible jitter), the mean
    with its 95 % interval, and the closed-form expectation (where one applies) as a
    red tick.
    """
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
        yj = i + jitter.uniform(-0.2, 0.2, values.size)
        ax.scatter(values, yj, s=6, alpha=0.35, color="tab:blue", linewidths=0)
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
    has = ~np.isnan(theory)
    if has.any():
        kwargs = {"marker": "|", "s": 250, "color": "tab:red", "zorder": 5}
        ax.scatter(theory[has], y[has], label="closed-form E[R²]", **kwargs)
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
    xerr = _half_widths(rows, "neg_pct")
    ax.errorbar(rows["neg_pct"], y, xerr=xerr, fmt="none", color="black", capsize=3)
    ax.set_yticks(y, rows["model_id"])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("trials with negative test R² (%), Wilson 95% CI")
    ax.set_title(f"How often is test R² negative? — scenario {scenario}")
    return fig


# ------------------------------------------------------------------ scenario sweeps


def scenario_sweep_groups(
    config: Mapping[str, Any],
) -> list[tuple[str, str, dict[str, Any], list[Point]]]:
    """The lines of the scenario sweeps: ``(scenario, key, fixed, points)`` for each
    scenario, each key it sweeps and each combination ``fixed`` of its other swept keys,
    with the points along ``key`` in config order."""
    groups: dict[tuple[str, str, str], tuple[str, str, dict[str, Any], list[Point]]] = {}
    for point in scenario_points(config):
        for key in point.swept:
            fixed = {k: v for k, v in point.swept.items() if k != key}
            group_key = (point.name, key, json.dumps(fixed, sort_keys=True, default=str))
            groups.setdefault(group_key, (point.name, key, fixed, []))[3].append(point)
    return list(groups.values())


def scenario_sweep(
    summary: pd.DataFrame,
    config: Mapping[str, Any],
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
    config : the study's config (for the model points and their order).
    points : the scenario points along ``key``, in order.
    key : the swept scenario key.
    colours : model id -> colour.
    """
    axis = SweepAxis([p.swept[key] for p in points])
    fig = Figure(figsize=(11, 4.4), layout="constrained")
    ax_neg, ax_r2 = fig.subplots(1, 2, sharex=True)
    for model in model_points(config):
        rows = _along(summary, [p.id for p in points], model.id)
        if rows.empty:
            continue
        x = axis.positions(points[i].swept[key] for i in rows["_value"])
        colour = colours[model.id]
        _line_with_band(ax_neg, x, rows, "neg_pct", colour, model.id, detached=axis.none_at)
        _line_with_band(ax_r2, x, rows, "mean_r2", colour, model.id, detached=axis.none_at)
        theory = rows["theory_r2"].to_numpy(dtype=float)
        if np.isfinite(theory).any():
            ax_r2.plot(x, theory, ls=(0, (4, 2)), lw=1.4, color=colour, zorder=4)
    _percent_axis(ax_neg, "trials with negative test R² (%)")
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


def _along(summary: pd.DataFrame, scenario_ids: Sequence[str], model_id: str) -> pd.DataFrame:
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


def _has_theory(summary: pd.DataFrame, scenario_ids: Sequence[str]) -> bool:
    rows = summary[summary["scenario_id"].isin(scenario_ids) & (summary["ablation"] == FULL)]
    return bool(np.isfinite(rows["theory_r2"].to_numpy(dtype=float)).any())


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


def _line_with_band(
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


def _percent_axis(ax: Axes, label: str) -> None:
    ax.set_ylim(-2, 102)
    ax.set_ylabel(label)


# ------------------------------------------------------------------ model sweeps


def model_sweep(
    summary: pd.DataFrame, config: Mapping[str, Any], scenario_id: str, colours: Mapping[str, Any]
) -> Figure:
    """One column per swept model parameter: the model's mean test R² (top) and
    negative % (bottom) with 95 % bands against the parameter, and every unswept
    model as a dashed horizontal line for reference, on one scenario point.

    Parameters
    ----------
    summary : the study's summary table.
    config : the study's config (for the model points).
    scenario_id : the scenario point.
    colours : model id -> colour.
    """
    rows = summary[(summary["scenario_id"] == scenario_id) & (summary["ablation"] == FULL)]
    points = model_points(config)
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
            _line_with_band(ax_r2, x, cell, "mean_r2", colour, text, detached=axis.none_at)
            _line_with_band(ax_neg, x, cell, "neg_pct", colour, None, detached=axis.none_at)
        _reference_lines(ax_r2, ax_neg, rows, unswept, colours)
        ax_r2.set_title(f"{name}: {key}")
        axis.apply(ax_neg, key)
        axis.apply(ax_r2, "")
        ax_r2.set_xlabel("")
    axes[0, 0].set_ylabel("mean test R²")
    _percent_axis(axes[1, 0], "negative test R² (%)")
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
        ax_neg.axhline(by_id.loc[point.id, "neg_pct"], **style)


def _model_sweep_legend(fig: Figure, axes: np.ndarray) -> None:
    """One legend for the figure: every tuned model's line and each reference line once."""
    entries: dict[str, Any] = {}
    for ax in axes[0]:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            entries.setdefault(label, handle)
    labels = sorted(entries, key=lambda label: label.endswith("(not swept)"))  # stable
    fig.legend([entries[label] for label in labels], labels, loc="outside right upper", fontsize=8)


# ------------------------------------------------------------------ ablations


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
        _line_with_band(ax, line["_k"].to_numpy(), line, "delta_r2", colour, model_id)
    ax.axhline(0, color="grey", lw=0.8, ls=":")
    ax.set_xticks(sorted(rows["_k"].unique()))
    ax.set_xlabel("informative features removed (largest |coefficient| first)")
    ax.set_ylabel("ΔR² = R²(variant) − R²(full)")
    ax.legend(fontsize=8, loc="lower left")
    ax.set_title(f"Removing the informative features — scenario {scenario_id}")
    return fig


def _variants(summary: pd.DataFrame, scenario_id: str, prefix: str) -> bool:
    rows = summary[summary["scenario_id"] == scenario_id]
    return bool(rows["ablation"].str.startswith(prefix).any())


# ------------------------------------------------------------------ baselines


def _baseline_figures(
    summary: pd.DataFrame, config: Mapping[str, Any], design: Design, colours: Mapping[str, Any]
) -> dict[str, Figure]:
    """The baselines figures: along each swept scenario key when the scenarios are
    swept, otherwise one panel per scenario point."""
    out: dict[str, Figure] = {}
    if not design.scenario_sweep:
        _add(out, "baselines-by-model", baselines_by_model(summary, config))
        return out
    keys = dict.fromkeys(key for _, key, _, _ in scenario_sweep_groups(config))
    for key in keys:
        groups = [g for g in scenario_sweep_groups(config) if g[1] == key]
        _add(out, f"baselines-sweep-{key}", baselines_sweep(summary, config, groups, colours))
    return out


def baselines_sweep(
    summary: pd.DataFrame,
    config: Mapping[str, Any],
    groups: Sequence[tuple[str, str, dict[str, Any], list[Point]]],
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
        for model in model_points(config):
            rows = _along(summary, [p.id for p in points], model.id)
            x = axis.positions(points[i].swept[key] for i in rows["_value"])
            colour, none_at = colours[model.id], axis.none_at
            _line_with_band(ax, x, rows, "mean_r2", colour, model.id, detached=none_at)
            style = {"ls": "--", "marker": "s", "detached": none_at}
            _line_with_band(ax, x, rows, "mean_oos_r2", colour, None, **style)
        ax.axhline(0, color="grey", lw=0.8, ls=":")
        axis.apply(ax, key)
        extra = "".join(f", {k}={value_text(v)}" for k, v in fixed.items())
        ax.set_title(f"{name}{extra} ({_split_text(config, points[0])})", fontsize=10)
    axes[0].set_ylabel("mean R²")
    handles, labels = axes[0].get_legend_handles_labels()
    handles += [Line2D([], [], color="black"), Line2D([], [], color="black", ls="--")]
    labels += ["test R² (vs test mean)", "out-of-sample R² (vs training mean)"]
    fig.legend(handles, labels, loc="outside lower center", ncols=4, fontsize=8)
    fig.suptitle(f"Test R² against out-of-sample R², by {key} (full feature set)")
    return fig


def baselines_by_model(summary: pd.DataFrame, config: Mapping[str, Any]) -> Figure:
    """Each model's mean test R² (circle) beside its mean out-of-sample R² (square)
    with t 95 % intervals, one panel per scenario point (holdout and k-fold side by
    side), on the full feature set."""
    points = scenario_points(config)
    models = [p.id for p in model_points(config)]
    size = (4.2 * len(points) + 2.2, 0.36 * len(models) + 1.8)
    fig = Figure(figsize=size, layout="constrained")
    axes = fig.subplots(1, len(points), sharey=True, squeeze=False)[0]
    y = np.arange(len(models))
    for ax, point in zip(axes, points, strict=True):
        rows = _full(summary, point.id).set_index("model_id").reindex(models)
        for column, marker, shift, colour in (
            ("mean_r2", "o", -0.13, "tab:blue"),
            ("mean_oos_r2", "s", 0.13, "tab:orange"),
        ):
            err = _half_widths(rows, column)
            ax.errorbar(
                rows[column], y + shift, xerr=err, fmt=marker, ms=4, capsize=2, color=colour
            )
        ax.axvline(0, color="grey", lw=0.8, ls="--")
        ax.set_title(f"{point.id} ({_split_text(config, point)})", fontsize=10)
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


def _split_text(config: Mapping[str, Any], point: Point) -> str:
    """``holdout split`` or ``5-fold CV``: the split a scenario point uses."""
    split = split_of(config, point.spec)
    if split.get("method") == "kfold":
        return f"{split.get('folds', 5)}-fold CV"
    return "holdout split"


# ------------------------------------------------------------------ helpers


def _scenarios(config: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(config["scenarios"].values())


def _colours(config: Mapping[str, Any]) -> dict[str, Any]:
    """A colour per model name and per model point, in config order (tab10, or tab20
    beyond 10 models); the points of a swept model go from dark to light in its colour."""
    names = list(config["models"])
    cmap = colormaps["tab10" if len(names) <= 10 else "tab20"]
    points = model_points(config)
    out: dict[str, Any] = {}
    for i, name in enumerate(names):
        base = np.array(to_rgb(cmap(i % cmap.N)))
        out[name] = tuple(base)
        own = [p.id for p in points if p.name == name]
        for j, point_id in enumerate(own):
            t = j / (len(own) - 1) - 0.5 if len(own) > 1 else 0.0
            shade = base * (1 + 1.2 * t) if t < 0 else base + (1 - base) * 0.9 * t
            out[point_id] = tuple(np.clip(shade, 0, 1))
    return out


def _full(table: pd.DataFrame, scenario_id: str) -> pd.DataFrame:
    """The rows of one scenario point without ablation (the full feature set)."""
    return table[(table["scenario_id"] == scenario_id) & (table["ablation"] == FULL)]


def _half_widths(rows: pd.DataFrame, column: str) -> np.ndarray:
    """Asymmetric error-bar lengths from ``<column>_lo`` and ``<column>_hi``."""
    centre = rows[column].to_numpy(dtype=float)
    lo = rows[f"{column}_lo"].to_numpy(dtype=float)
    hi = rows[f"{column}_hi"].to_numpy(dtype=float)
    return np.nan_to_num(np.vstack([centre - lo, hi - centre]), nan=0.0)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.number) and not isinstance(value, bool)


def _hashable(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, list | dict) else value


def value_text(value: Any) -> str:
    """A swept value as text: ``None`` for a missing one, JSON for lists."""
    if _missing(value):
        return "None"
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value, separators=(",", ":"))
