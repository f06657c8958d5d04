"""A comparison as a self-contained HTML page in the report's style, and as a section
of the study's report."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import jinja2
import pandas as pd

from negr2 import __version__
from negr2.compare.tables import CORRECTION_NAMES, number, p_value
from negr2.html import data_uri, template_environment


def environment() -> jinja2.Environment:
    """The templates with the filters the comparison's tables use."""
    return template_environment(
        {"num": number, "pvalue": p_value, "count": _count, "verdict_class": _verdict_class}
    )


def section_context(
    table: pd.DataFrame, description: dict[str, Any], png: bytes, caption: str
) -> dict[str, Any]:
    """What ``compare_section.html.j2`` renders: the method lines, the figure and one
    row per cell (its primary metric's row)."""
    metric = description["metric"]
    return {
        "method": description["method"],
        "metric": metric,
        "correction": CORRECTION_NAMES[description["correction"]],
        "figure_uri": data_uri(png),
        "caption": caption,
        "cells": table[table["quantity"] == metric].to_dict("records"),
    }


def render_page(table: pd.DataFrame, description: dict[str, Any], png: bytes, caption: str) -> str:
    """The whole page: the section, then every quantity of every cell."""
    return (
        environment()
        .get_template("compare.html.j2")
        .render(
            versus=section_context(table, description, png, caption),
            base=description["base"],
            new=description["new"],
            rows=table.to_dict("records"),
            version=__version__,
            created=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )
    )


def render_section(
    table: pd.DataFrame, description: dict[str, Any], png: bytes, caption: str
) -> str:
    """The section alone, as an HTML fragment the study's report includes."""
    context = section_context(table, description, png, caption)
    return environment().get_template("compare_section.html.j2").render(versus=context)


def _count(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return str(int(value))


def _verdict_class(verdict: str) -> str:
    return {"moved": "no", "identical": "yes"}.get(verdict, "")
