"""The columns of a trials table, in one place.

Kept free of imports: the Snakefile loads :mod:`negr2.study` (which reserves these
names) on every ``snakemake`` call, and :mod:`negr2.trials` writes them.
"""

#: What identifies a cell: a scenario point and a model point.
CELL = ("scenario_id", "model_id")
#: The ``ablation`` label of the model fit on every feature (see :mod:`negr2.ablation`).
FULL = "full"
#: What identifies a row.
KEYS = ("scenario", "scenario_id", "model", "model_id", "ablation", "trial", "seed")
#: Scores on the test rows with a negative target: NaN where a test split has none.
NEGATIVE_TARGET_SCORES = ("neg_recall", "mae_neg", "bias_neg")
#: Scores of one trial (averaged over folds with k-fold).
SCORES = (
    "r2",
    "oos_r2",
    "rmse",
    "mae",
    "msle",
    *NEGATIVE_TARGET_SCORES,
    "pred_neg_share",
    "r2_train",
)
#: Timings of one trial (summed over folds).
TIMES = ("fit_seconds", "predict_seconds")
#: Metrics measured in every trial (the scores, then the timings).
TRIAL_METRICS = SCORES + TIMES
#: Columns of a trials table, in order (swept parameters are appended by aggregate).
COLUMNS = (*KEYS, *SCORES, *TIMES, "status", "error")
#: How the CSV tables write floats: ten significant digits.
CSV_FLOATS = "%.10g"
