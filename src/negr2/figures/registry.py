"""The figure registry: every kind of figure the report can show, in the report's order,
each with its builder, caption, section and the studies it applies to.

Adding a kind takes a builder in a figure module, a function of the study's
:class:`~negr2.figures.base.FigureData` that yields ``(subject, figure)`` pairs (one per
scenario point, say; an empty subject for one figure per study), and its
:class:`FigureKind` entry below. Its figures are saved as ``<name>-<subject>`` (or
``<name>``) and shown in the report under ``section`` with ``caption`` beneath.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from matplotlib.figure import Figure

from negr2.figures import ablations, baselines, distributions, hyperparameters, sweeps
from negr2.figures.base import Design, FigureData


@dataclass(frozen=True)
class FigureKind:
    """One kind of figure.

    Attributes
    ----------
    name : the figures' file-name stem, or its first part (``<name>-<subject>``).
    section : the report's heading above the kind's figures; kinds of one section are
        consecutive entries of :data:`KINDS`.
    caption : the one-sentence caption under each of the kind's figures.
    applies : whether a study's design calls for the kind.
    draw : the builder: ``(subject, figure)`` for each figure of the kind.
    """

    name: str
    section: str
    caption: str
    applies: Callable[[Design], bool]
    draw: Callable[[FigureData], Iterable[tuple[str, Figure]]]


PER_SCENARIO = "Test R² per scenario"
ABLATIONS = "Feature ablations"
BASELINES = "Test-mean against training-mean baseline"

#: Every kind of figure, in the report's order.
KINDS: tuple[FigureKind, ...] = (
    FigureKind(
        name="r2-distribution",
        section=PER_SCENARIO,
        caption=(
            "Test R² of every trial (dots; a seeded sample of 2,000 per model beyond that) "
            "with its quartiles (box), the mean with its 95% interval (black diamond) and, "
            "where a closed form exists, the expected R² (red tick); left of the dashed line "
            "at 0 the model did worse than predicting the mean of the test targets. A model "
            "whose trials spread over more than three times the typical model's range (1st to "
            "99th percentile) is drawn in a panel of its own below, on its own scale, so that "
            "every other box stays legible."
        ),
        applies=lambda design: design.plain,
        draw=distributions.r2_distributions,
    ),
    FigureKind(
        name="negative-share",
        section=PER_SCENARIO,
        caption=(
            "Share of trials in which each model's test R² was negative, with its Wilson 95% "
            "interval as whiskers: 100% means the model never beat the test targets' mean."
        ),
        applies=lambda design: design.plain,
        draw=distributions.negative_shares,
    ),
    FigureKind(
        name="sweep",
        section="Along the swept scenario values",
        caption=(
            "Share of trials with negative test R² (left, Wilson 95% band) and mean test R² "
            "(right, t 95% band) against the swept scenario value, one colour per model on the "
            "full feature set; dashed lines in a model's colour are its closed-form expected R²."
        ),
        applies=lambda design: design.scenario_sweep,
        draw=sweeps.scenario_sweeps,
    ),
    FigureKind(
        name="hyperparameters",
        section="Tuned models against their parameter",
        caption=(
            "Each tuned model's mean test R² (top, t 95% band) and share of negative R² "
            "(bottom, Wilson 95% band) against its parameter, with the models whose parameters "
            "are not swept as dashed horizontal lines for reference; a 'None' tick at the right "
            "end is the parameter left unset."
        ),
        applies=lambda design: design.model_sweep,
        draw=hyperparameters.model_sweeps,
    ),
    FigureKind(
        name="ablation-heatmap",
        section=ABLATIONS,
        caption=(
            "Mean paired change in test R² when the feature of a row is removed, per model "
            "(column), against the full model on the same trials: red cells lost R², blue "
            "cells gained, and hatched cells with grey numbers have a 95% interval that "
            "includes 0."
        ),
        applies=lambda design: design.dropped,
        draw=ablations.ablation_heatmaps,
    ),
    FigureKind(
        name="ablation-informative",
        section=ABLATIONS,
        caption=(
            "Mean paired change in test R² against the number of informative features removed "
            "(largest |coefficient| first; 0 is the full model), one line per model with its "
            "t 95% band: the steeper the fall, the more the model relied on those features."
        ),
        applies=lambda design: design.dropped,
        draw=ablations.ablations_informative,
    ),
    FigureKind(
        name="baselines-sweep",
        section=BASELINES,
        caption=(
            "Mean test R² (solid, scored against the mean of the test targets) and mean "
            "out-of-sample R² (dashed, scored against the training mean) with t 95% bands, one "
            "panel per scenario and split: the training-mean baseline scores 0 out of sample "
            "but below 0 on test R², so the gap between a model's two lines is the price of "
            "the test-mean reference."
        ),
        applies=lambda design: design.baselines and design.scenario_sweep,
        draw=baselines.baselines_sweeps,
    ),
    FigureKind(
        name="baselines-by-model",
        section=BASELINES,
        caption=(
            "Each model's mean test R² (circle, against the mean of the test targets) beside "
            "its mean out-of-sample R² (square, against the training mean) with t 95% "
            "intervals, one panel per scenario and split: the training-mean baseline scores 0 "
            "out of sample but below 0 on test R²."
        ),
        applies=lambda design: design.baselines and not design.scenario_sweep,
        draw=baselines.baselines_by_models,
    ),
)
