"""negr2.results_folder: an older results format is refused in one line, and the metric
names of older formats (MLflow runs logged before the renames) map to today's."""

from __future__ import annotations

import json

import pytest

from negr2 import RESULTS_FORMAT
from negr2.metrics import REGISTRY, metric
from negr2.results_folder import RENAMED, check_results_folder, current_name
from negr2.stats import summarise_cell

#: summary.csv's statistics as results format 2 wrote them (its header, from n_trials on).
FORMAT_2_SUMMARY = [
    "n_trials", "n_ok", "n_failed", "neg_pct", "neg_pct_lo", "neg_pct_hi", "mean_r2",
    "mean_r2_lo", "mean_r2_hi", "median_r2", "std_r2", "oos_neg_pct", "oos_neg_pct_lo",
    "oos_neg_pct_hi", "mean_oos_r2", "mean_oos_r2_lo", "mean_oos_r2_hi", "mean_rmse",
    "mean_mae", "mean_msle", "mean_r2_train", "mean_fit_seconds", "mean_predict_seconds",
    "n_msle_undefined", "mean_neg_recall", "mean_neg_recall_lo", "mean_neg_recall_hi",
    "mean_mae_neg", "mean_bias_neg", "mean_bias_neg_lo", "mean_bias_neg_hi",
    "mean_pred_neg_share", "n_no_negative_targets",
]  # fmt: skip
#: The trials' metric columns of results format 2.
FORMAT_2_TRIALS = [
    "r2", "oos_r2", "rmse", "mae", "msle", "neg_recall", "mae_neg", "bias_neg",
    "pred_neg_share", "r2_train", "fit_seconds", "predict_seconds",
]  # fmt: skip


def _summary_columns() -> list[str]:
    import pandas as pd

    trials = pd.DataFrame({name: [0.5, -0.5] for name in REGISTRY if REGISTRY[name].in_trials})
    return list(summarise_cell(trials.assign(status="ok")))


def test_every_format_2_summary_column_has_a_name_today():
    today = _summary_columns()
    renamed = [current_name(name) for name in FORMAT_2_SUMMARY]
    assert set(renamed) <= set(today)
    # Only the metrics added since (medae, ...) are new, and the others keep their order.
    old_metrics = {current_name(name) for name in FORMAT_2_TRIALS}
    added = [m for name, m in REGISTRY.items() if m.in_trials and name not in old_metrics]
    assert "medae" in [m.name for m in added]
    new = [column for m in added for column in m.summary_columns]
    assert [name for name in today if name not in renamed] == new
    assert [name for name in today if name in renamed] == renamed


def test_every_format_2_trial_metric_and_claim_metric_has_a_name_today():
    for name in [*FORMAT_2_TRIALS, "bias_neg_abs"]:
        assert metric(current_name(name)).name == current_name(name)
    assert current_name("bias_neg_abs") == "negative_target_abs_bias"
    assert set(RENAMED.values()) <= {*REGISTRY, *_summary_columns()}


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("neg_pct", "negative_r2_pct"),
        ("oos_neg_pct_hi", "negative_oos_r2_pct_hi"),
        ("mean_bias_neg_lo", "mean_negative_target_bias_lo"),
        ("drop:x1/neg_recall", "drop:x1/negative_target_recall"),  # an ablation variant's
        ("keep:x0 x1/mean_pred_neg_share", "keep:x0 x1/mean_negative_prediction_share"),
        ("mean_r2", "mean_r2"),  # never renamed
        ("n_no_negative_targets", "n_no_negative_targets"),
        ("negative_r2_pct", "negative_r2_pct"),  # already today's
    ],
)
def test_mlflow_names_of_older_runs_read_as_today(old, new):
    assert current_name(old) == new


def test_an_older_format_is_refused_in_one_line(tmp_path):
    (tmp_path / "negr2-format.json").write_text(json.dumps({"results_format": 2}))
    with pytest.raises(ValueError) as refused:
        check_results_folder(str(tmp_path))
    message = str(refused.value)
    assert "\n" not in message
    assert f"negr2 results format 2, and this negr2 writes results format {RESULTS_FORMAT}" in (
        message
    )
    assert message.endswith("move that folder away or delete it, then run again")


def test_this_format_and_an_empty_folder_are_accepted(tmp_path):
    check_results_folder(str(tmp_path / "new"))
    (tmp_path / "negr2-format.json").write_text(json.dumps({"results_format": RESULTS_FORMAT}))
    check_results_folder(str(tmp_path))
