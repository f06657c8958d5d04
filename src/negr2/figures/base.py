"""What every figure module draws from: the study's design, its tables and its colours,
and the row selections they share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: jobs run headless

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import colormaps  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

from negr2.columns import FULL  # noqa: E402
from negr2.study import Study  # noqa: E402


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


def study_design(study: Study, summary: pd.DataFrame) -> Design:
    """The design of a study: its sweeps and ablations, and whether the baselines
    figure applies (a k-fold split, or the training-mean baseline in a sweep).

    Parameters
    ----------
    study : the study (its points and their splits).
    summary : the study's summary table (its ``ablation`` column tells the variants).
    """
    scenario_sweep = any(p.swept for p in study.scenarios.values())
    model_sweep = any(p.swept for p in study.models.values())
    kfold = any(split.kfold for split in study.splits.values())
    models = study.config["models"].values()
    dummy = any(m["estimator"] == "sklearn.dummy.DummyRegressor" for m in models)
    return Design(
        scenario_sweep=scenario_sweep,
        model_sweep=model_sweep,
        ablations=bool((summary["ablation"] != FULL).any()),
        dropped=bool(summary["ablation"].str.match(r"^(drop|drop_informative):").any()),
        baselines=kfold or (dummy and (scenario_sweep or model_sweep)),
    )


@dataclass(frozen=True)
class FigureData:
    """Everything a figure builder may draw from (see :mod:`negr2.figures.registry`).

    Attributes
    ----------
    trials, summary : the study's tables (see :mod:`negr2.aggregate`).
    study : the study (its config with defaults filled in, its points).
    design : what the study varies.
    colours : model name and model point id -> colour, the same in every figure.
    """

    trials: pd.DataFrame
    summary: pd.DataFrame
    study: Study
    design: Design
    colours: Mapping[str, Any]


def figure_data(trials: pd.DataFrame, summary: pd.DataFrame, study: Study) -> FigureData:
    """The :class:`FigureData` of a study, its design and colours worked out once."""
    return FigureData(trials, summary, study, study_design(study, summary), colours(study))


def colours(study: Study) -> dict[str, Any]:
    """A colour per model name and per model point, in config order (tab10, or tab20
    beyond 10 models); the points of a swept model go from dark to light in its colour."""
    names = list(study.config["models"])
    cmap = colormaps["tab10" if len(names) <= 10 else "tab20"]
    points = study.models.values()
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


def full(table: pd.DataFrame, scenario_id: str) -> pd.DataFrame:
    """The rows of one scenario point without ablation (the full feature set)."""
    return table[(table["scenario_id"] == scenario_id) & (table["ablation"] == FULL)]


def half_widths(rows: pd.DataFrame, column: str) -> np.ndarray:
    """Asymmetric error-bar lengths from ``<column>_lo`` and ``<column>_hi``."""
    centre = rows[column].to_numpy(dtype=float)
    lo = rows[f"{column}_lo"].to_numpy(dtype=float)
    hi = rows[f"{column}_hi"].to_numpy(dtype=float)
    return np.nan_to_num(np.vstack([centre - lo, hi - centre]), nan=0.0)
