"""The study's figures: every registered kind that its design calls for, drawn, named
and put in the report's order."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from negr2.figures import registry
from negr2.figures.base import figure_data
from negr2.figures.registry import FigureKind
from negr2.study import Study


@dataclass(frozen=True)
class StudyFigure:
    """A drawn figure and the kind it is of (which gives its caption and section)."""

    kind: FigureKind
    figure: Figure

    @property
    def caption(self) -> str:
        """The one-sentence caption under the figure."""
        return self.kind.caption

    @property
    def section(self) -> str:
        """The report's heading above the figure."""
        return self.kind.section


def study_figures(
    trials: pd.DataFrame,
    summary: pd.DataFrame,
    study: Study,
    comparisons: pd.DataFrame | None = None,
) -> dict[str, StudyFigure]:
    """Every figure of the report, keyed by a stable, file-name-safe stem.

    The kinds of :data:`negr2.figures.registry.KINDS` that the study's design calls for
    are drawn, in the registry's order of sections; within a section the figures of one
    subject (a scenario point, say) sit together, in the registry's order of kinds.

    Parameters
    ----------
    trials, summary : the study's tables (see :mod:`negr2.aggregate`).
    study : the study (its config with defaults filled in); it tells the design.
    comparisons : the paired comparisons table; the report shows it as a table, so no
        figure draws it (accepted so that every caller passes the same tables).

    Returns
    -------
    dict of stem -> figure with its kind, in the report's order.
    """
    del comparisons  # shown as a table by the report
    data = figure_data(trials, summary, study)
    drawn = [
        (kind, subject, fig)
        for kind in registry.KINDS  # read at call time: a test may register a kind
        if kind.applies(data.design)
        for subject, fig in kind.draw(data)
    ]
    out: dict[str, StudyFigure] = {}
    for kind, subject, fig in _report_order(drawn):
        stem = _unique(out, safe_stem(f"{kind.name}-{subject}" if subject else kind.name))
        out[stem] = StudyFigure(kind, fig)
    return out


def _report_order(
    drawn: list[tuple[FigureKind, str, Figure]],
) -> list[tuple[FigureKind, str, Figure]]:
    """``drawn`` (in registry order) grouped by section, then by subject within a
    section, each in order of first appearance; kinds keep their order in a group."""
    sections: dict[str, int] = {}
    subjects: dict[tuple[str, str], int] = {}
    for kind, subject, _ in drawn:
        sections.setdefault(kind.section, len(sections))
        subjects.setdefault((kind.section, subject), len(subjects))
    return sorted(  # stable: the registry's order of kinds within a group
        drawn, key=lambda d: (sections[d[0].section], subjects[(d[0].section, d[1])])
    )


def safe_stem(text: str) -> str:
    """``text`` with every run of characters other than letters, digits, ``.``, ``_``
    and ``-`` replaced by one ``-`` (``noise@n_train=20`` -> ``noise-n_train-20``)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "figure"


def _unique(taken: Mapping[str, Any], stem: str) -> str:
    """``stem``, or with a counter appended when another figure has it already."""
    base, i = stem, 2
    while stem in taken:
        stem, i = f"{base}-{i}", i + 1
    return stem
