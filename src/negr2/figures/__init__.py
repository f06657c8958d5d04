"""The report's figures, as matplotlib figures (saved or embedded by the caller).

:func:`study_figures` draws every kind of figure of :data:`registry.KINDS
<negr2.figures.registry.KINDS>` that the study's design calls for:

* no sweep and no drop ablation: each model's R² distribution and share of negative
  R² per scenario point, full feature set (``r2-distribution-*``, ``negative-share-*``;
  :mod:`~negr2.figures.distributions`);
* a swept scenario key: negative % and mean R² against the swept value (``sweep-*``;
  :mod:`~negr2.figures.sweeps`);
* a swept model parameter: the tuned models against their parameter, the untuned
  ones as reference lines (``hyperparameters-*``; :mod:`~negr2.figures.hyperparameters`);
* ablations: the paired ΔR² of each dropped feature (``ablation-heatmap-*``) and of
  the cumulatively dropped informative features (``ablation-informative-*``;
  :mod:`~negr2.figures.ablations`);
* k-fold splits, or a training-mean baseline in a sweep: test R² beside the
  out-of-sample R² (``baselines-*``; :mod:`~negr2.figures.baselines`).

Each drawn figure carries its kind, and with it its caption and report section.
"""

from negr2.figures.assemble import StudyFigure, safe_stem, study_figures
from negr2.figures.axes import SweepAxis, value_text
from negr2.figures.base import Design, FigureData, study_design
from negr2.figures.registry import FigureKind

__all__ = [
    "Design",
    "FigureData",
    "FigureKind",
    "StudyFigure",
    "SweepAxis",
    "safe_stem",
    "study_design",
    "study_figures",
    "value_text",
]
