"""A comparison as text: its table in CSV and Markdown, and the lines that say how it
was judged."""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd

from negr2.columns import CSV_FLOATS
from negr2.compare.engine import Comparison
from negr2.compare.metrics import FAILED_SHARE

#: How the output names each correction.
CORRECTION_NAMES = {"holm": "Holm", "bh": "Benjamini–Hochberg"}


def to_csv(comparison: Comparison) -> str:
    """The long table, one row per cell, variant and quantity (floats to ten digits)."""
    return comparison.table.to_csv(index=False, float_format=CSV_FLOATS)


def method_lines(comparison: Comparison) -> list[str]:
    """What was compared and how it was judged, one sentence a line."""
    base, new, options = comparison.base, comparison.new, comparison.options
    correction = CORRECTION_NAMES[options.correction]
    n_cells = int((~comparison.cells()["cell_verdict"].isin(["added", "removed"])).sum())
    lines = [f"BASE: {_named(base.label, base.study)}; NEW: {_named(new.label, new.study)}."]
    lines += [f"Scenario point {s}: {'; '.join(how)}." for s, how in comparison.pairing.items()]
    lines.append(
        f"A cell moved when its {options.metric} (or its share of failed trials) changed "
        f"beyond noise: {correction}-corrected p < {options.alpha:g} across the {n_cells} "
        f"cells compared, and a change above {options.negligible:g} standard deviations of "
        "the trials. Δ = NEW − BASE with its 95% interval; p: Wilcoxon signed-rank (paired), "
        "Welch t (unpaired), McNemar exact or Pearson chi-squared for the shares (%)."
    )
    counts = comparison.counts()
    lines.append("Verdicts: " + ", ".join(f"{n} {verdict}" for verdict, n in counts.items()) + ".")
    return lines


def _named(label: str, study: str | None) -> str:
    return label if study is None else f"{label} (study {study})"


def to_markdown(comparison: Comparison) -> str:
    """The method lines, then the table with its intervals in brackets."""
    correction = CORRECTION_NAMES[comparison.options.correction]
    header = [
        "scenario", "model", "ablation", "quantity", "pairing", "BASE", "NEW",
        "Δ [95% CI]", "p", f"p ({correction})", "verdict", "cell",
    ]  # fmt: skip
    lines = [*method_lines(comparison), ""]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    for row in comparison.table.itertuples(index=False):
        cells = [
            row.scenario_id, row.model_id, row.ablation, row.quantity, row.pairing or "–",
            number(row.base), number(row.new), _delta(row), p_value(row.p),
            p_value(row.p_adjusted), _verdict(row.verdict, row.direction), row.cell_verdict,
        ]  # fmt: skip
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def _verdict(verdict: str, direction: str) -> str:
    """A row's verdict, with which way a move went (``moved, better``)."""
    return f"{verdict}, {direction}" if verdict == "moved" and direction else verdict


def _delta(row: Any) -> str:
    if _missing(row.delta):
        return "–"
    return f"{number(row.delta)} [{number(row.delta_lo)}, {number(row.delta_hi)}]"


def number(value: Any) -> str:
    """Four significant digits; a dash where there is no number."""
    return "–" if _missing(value) else f"{value:.4g}"


def p_value(value: Any) -> str:
    """A p-value: ``<0.001`` below 0.001, a dash where there is none."""
    if _missing(value):
        return "–"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def description(comparison: Comparison) -> dict[str, Any]:
    """What the report and MLflow need besides the table: the versions, the options,
    the pairing of each scenario point, the verdict counts and the method lines."""
    options = comparison.options
    return {
        "base": {"label": comparison.base.label, "study": comparison.base.study},
        "new": {"label": comparison.new.label, "study": comparison.new.study},
        "alpha": options.alpha,
        "correction": options.correction,
        "metric": options.metric,
        "deciding": [options.metric, FAILED_SHARE],
        "negligible": options.negligible,
        "pairing": comparison.pairing,
        "counts": comparison.counts(),
        "method": method_lines(comparison),
    }


def description_json(comparison: Comparison) -> str:
    return json.dumps(description(comparison), indent=2, ensure_ascii=False) + "\n"


def cell_rows(table: pd.DataFrame, metric: str) -> list[dict[str, Any]]:
    """One record per cell and variant (its ``metric`` row), for the HTML tables."""
    return table[table["quantity"] == metric].to_dict("records")
