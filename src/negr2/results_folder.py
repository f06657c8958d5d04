"""A results folder's format: one negr2 never mixes its tables with another format's."""

from __future__ import annotations

import json
import re
from pathlib import Path


def check_results_folder(folder: str) -> None:
    """Refuse a results folder written by another results format (see
    :data:`negr2.RESULTS_FORMAT`): its tables would not mix with new ones."""
    from negr2 import RESULTS_FORMAT

    root = Path(folder)
    marker = root / "negr2-format.json"
    if marker.is_file():
        found = json.loads(marker.read_text()).get("results_format")
    elif (root / "trials").is_dir() or (root / "trials.parquet").is_file():
        found = None  # written before folders were marked
    else:
        return
    if found != RESULTS_FORMAT:
        writer = "an older negr2" if found is None else f"negr2 results format {found}"
        raise ValueError(
            f"{folder} was written by {writer}, and this negr2 writes results format "
            f"{RESULTS_FORMAT}: move that folder away or delete it, then run again"
        )


def compared_table(compare_with: str, results: str) -> str:
    """The trials table of the earlier version a study's ``compare_with`` names (a
    results folder or a trials table), checked to exist and not to be the study's own
    results, which the run rewrites."""
    path = Path(compare_with)
    table = path / "trials.parquet" if path.is_dir() else path
    if not path.exists():
        raise ValueError(f"compare_with: {compare_with}: no such file or folder")
    if not table.is_file():
        raise ValueError(
            f"compare_with: {compare_with} holds no trials.parquet: name a results folder "
            "whose study has run, or a trials.parquet"
        )
    if table.resolve() == (Path(results) / "trials.parquet").resolve():
        raise ValueError(
            f"compare_with: {compare_with} is this study's own results, which this run "
            f"rewrites: copy them first (cp -r {results} {results}-before) and name the copy"
        )
    return str(table)


#: Metric and summary column names of results format 2 and before, and their names
#: since format 3 (:mod:`negr2.metrics`). MLflow runs logged before keep their old
#: names; :func:`current_name` reads them.
RENAMED = {
    "neg_recall": "negative_target_recall",
    "mae_neg": "negative_target_mae",
    "bias_neg": "negative_target_bias",
    "bias_neg_abs": "negative_target_abs_bias",
    "pred_neg_share": "negative_prediction_share",
    "neg_pct": "negative_r2_pct",
    "oos_neg_pct": "negative_oos_r2_pct",
}


def renamed_hint(name: str) -> str:
    """`` (renamed <today's name> in results format 3)`` for an older metric name, else
    "": for the errors that refuse a name."""
    return f" (renamed {RENAMED[name]} in results format 3)" if name in RENAMED else ""


def current_name(name: str) -> str:
    """The name today of a trials, summary or MLflow metric name of any results format:
    ``bias_neg`` → ``negative_target_bias``, ``mean_neg_recall_lo`` →
    ``mean_negative_target_recall_lo``, ``drop:x1/neg_pct`` → ``drop:x1/negative_r2_pct``
    (an ablation variant's prefix is kept). A current name is returned as it is."""
    variant, slash, base = name.rpartition("/")
    old = "|".join(RENAMED)
    found = re.fullmatch(rf"(mean_|median_|std_)?({old})(_lo|_hi)?", base)
    if found:
        base = (found[1] or "") + RENAMED[found[2]] + (found[3] or "")
    return variant + slash + base
