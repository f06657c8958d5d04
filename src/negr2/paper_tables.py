"""The manuscript's LaTeX tables (booktabs): the summary, the claims, the models and
their parameters, and a published table beside ours; and the LaTeX text they are made
of."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from negr2.columns import FULL


def table_tex(summary: pd.DataFrame, caption: str, label: str) -> str:
    """A booktabs table of the full-feature-set summary; ``caption`` is LaTeX."""
    rows = summary[summary["ablation"] == FULL]
    theory = rows["theory_r2"].notna().any()
    columns = {
        "Scenario": rows["scenario_id"].map(escape_latex),
        "Model": rows["model_id"].map(escape_latex),
        "$n$": rows["n_ok"].astype(int).astype(str),
        r"Negative $R^2$ (\%)": rows["negative_r2_pct"].map(lambda v: _fixed(v, 1)),
        r"95\% CI": _interval(rows, "negative_r2_pct", 1),
        r"Mean $R^2$": rows["mean_r2"].map(lambda v: _fixed(v, 3)),
        r"95\% CI ": _interval(rows, "mean_r2", 3),  # a second, distinct column name
        r"Median $R^2$": rows["median_r2"].map(lambda v: _fixed(v, 3)),
    }
    if theory:
        columns[r"$E[R^2]$"] = rows["theory_r2"].map(lambda v: _fixed(v, 3))
    return _booktabs(pd.DataFrame(columns), caption, label, ["l", "l"])


def _interval(rows: pd.DataFrame, column: str, digits: int) -> pd.Series:
    lo, hi = rows[f"{column}_lo"], rows[f"{column}_hi"]
    return pd.Series(
        [f"[{_fixed(a, digits)}, {_fixed(b, digits)}]" for a, b in zip(lo, hi, strict=True)],
        index=rows.index,
    )


def _pair(rows: pd.DataFrame, first: str, second: str, digits: int) -> list[str]:
    """``first / second`` of each row, as one cell."""
    return [
        f"{_fixed(a, digits)} / {_fixed(b, digits)}"
        for a, b in zip(rows[first], rows[second], strict=True)
    ]


def _booktabs(cells: pd.DataFrame, caption: str, label: str, text_columns: list[str]) -> str:
    """``cells`` (LaTeX text already) as a floating booktabs table: the first columns
    aligned as ``text_columns`` says (``l``, ``p{4cm}``), the others right-aligned."""
    align = "".join(text_columns) + "r" * (cells.shape[1] - len(text_columns))
    header = [name.rstrip() for name in cells.columns]  # undo the distinct-name padding
    styler = cells.set_axis(header, axis="columns").style.hide(axis="index")
    return styler.to_latex(
        hrules=True,
        caption=caption,
        label=label,
        position="ht",
        position_float="centering",
        column_format=align,
    )


def claims_tex(claims: pd.DataFrame, caption: str, label: str) -> str:
    """A booktabs table of the study's claims: text, scenario, metric, the paired
    difference in the claim's direction with its 95 % interval, and the verdict."""
    cells = pd.DataFrame(
        {
            "Claim": claims["text"].map(escape_latex),
            "Scenario": claims["scenario"].map(escape_latex),
            "Metric": claims["metric"].map(escape_latex),
            "Mean difference": claims["mean_diff"].map(lambda v: _fixed(v, 3)),
            r"95\% CI": _interval(claims, "diff", 3),
            "Verdict": [
                escape_latex(verdict) + ("" if is_missing(margin) else f" (±{margin:g})")
                for verdict, margin in zip(
                    claims["verdict"], claims.get("margin", [None] * len(claims)), strict=True
                )
            ],
        }
    )
    return _booktabs(cells, caption, label, ["p{0.34\\linewidth}", "l", "l"])


def models_tex(config: Mapping[str, Any], caption: str, label: str) -> str:
    """A booktabs table of the study's models as its config gives them: name,
    estimator, parameters (a swept one as the set of its values; ``defaults`` when the
    config sets none) and preprocessing."""
    default = config.get("preprocessing", "none")
    rows = []
    for name, spec in config["models"].items():
        params = spec.get("params") or {}
        rows.append(
            {
                "Model": escape_latex(name),
                # a dotted path may break after each dot
                "Estimator": r"\texttt{"
                + escape_latex(spec["estimator"]).replace(".", r".\allowbreak{}")
                + "}",
                "Parameters": ", ".join(
                    f"{escape_latex(key)} = {_param(value)}" for key, value in params.items()
                )
                or "defaults",
                "Preprocessing": escape_latex(spec.get("preprocessing", default)),
            }
        )
    cells = pd.DataFrame(rows, columns=["Model", "Estimator", "Parameters", "Preprocessing"])
    widths = ["l", "p{0.3\\linewidth}", "p{0.3\\linewidth}", "l"]
    return _booktabs(cells, caption, label, widths)


def _param(value: Any) -> str:
    """A parameter's value as LaTeX text: a swept list as the set of its values."""
    if isinstance(value, list):
        return r"\{" + ", ".join(_param(item) for item in value) + r"\}"
    if value is None:
        return "None"
    return escape_latex(value)


def reference_tex(comparison: pd.DataFrame, caption: str, label: str) -> str:
    """The published table beside ours (:func:`negr2.reference.compare`): negative %
    and mean R² of each, the 95 % intervals of the differences (ours − published),
    and agreement."""
    cells = pd.DataFrame(
        {
            "Model": comparison["model"].map(escape_latex),
            r"Neg.\,\% post / ours": _pair(
                comparison, "published_negative_r2_pct", "negative_r2_pct", 1
            ),
            "Difference": _interval(comparison, "negative_r2_pct_diff", 1),
            r"Mean $R^2$ post / ours": _pair(comparison, "published_mean_r2", "mean_r2", 3),
            "Difference ": _interval(comparison, "mean_r2_diff", 3),
            "Agree": [
                "yes" if a and b else "no"
                for a, b in zip(
                    comparison["negative_r2_pct_agrees"], comparison["mean_r2_agrees"], strict=True
                )
            ],
        }
    )
    return _booktabs(cells, caption, label, ["l"])


def _fixed(value: Any, digits: int) -> str:
    if is_missing(value):
        return "--"
    return f"${float(value):.{digits}f}$"


def escape_latex(text: Any) -> str:
    """Escape LaTeX's special characters in plain text."""
    special = {
        "\\": r"\textbackslash{}",
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "{": r"\{",
        "}": r"\}",
        "~": r"\textasciitilde{}",
        "^": r"\^{}",
    }
    return "".join(special.get(char, char) for char in str(text))


def is_missing(value: Any) -> bool:
    """A number that does not exist: None or NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))
