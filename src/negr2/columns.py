"""The columns of a trials table, in one place.

The Snakefile loads :mod:`negr2.study` (which reserves these names) on every
``snakemake`` call, and :mod:`negr2.trials` writes them: this imports only the metric
registry (and NumPy, which Snakemake has loaded already).
"""

from negr2.metrics import REGISTRY

#: What identifies a cell: a scenario point and a model point.
CELL = ("scenario_id", "model_id")
#: The ``ablation`` label of the model fit on every feature (see :mod:`negr2.ablation`).
FULL = "full"
#: What identifies a row.
KEYS = ("scenario", "scenario_id", "model", "model_id", "ablation", "trial", "seed")
#: Metrics of every trial, in their columns' order: its scores (averaged over folds with
#: k-fold), then its timings (summed), from the registry :data:`negr2.metrics.REGISTRY`.
TRIAL_METRICS = tuple(m.name for m in REGISTRY.values() if m.in_trials)
#: The scores of a trial: its metrics but the timings.
SCORES = tuple(name for name in TRIAL_METRICS if REGISTRY[name].score is not None)
#: The timings of a trial, measured around its fits and predictions.
TIMES = tuple(name for name in TRIAL_METRICS if name not in SCORES)
#: Columns of a trials table, in order (swept parameters are appended by aggregate).
COLUMNS = (*KEYS, *TRIAL_METRICS, "status", "error")
#: How the CSV tables write floats: ten significant digits.
CSV_FLOATS = "%.10g"
