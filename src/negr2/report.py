"""The study's self-contained HTML report (figures embedded, no external files)."""

from __future__ import annotations

import base64
import datetime as dt
import io as _io
import math
import subprocess
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
import yaml
from matplotlib.figure import Figure

from negr2 import figures
from negr2.reference import compare

PACKAGES = (
    "negr2",
    "numpy",
    "scipy",
    "scikit-learn",
    "pandas",
    "snakemake",
    "mlflow",
    "matplotlib",
)


def study_figures(trials: pd.DataFrame, summary: pd.DataFrame) -> dict[str, Figure]:
    """Every figure of the report, keyed by a stable file-name stem."""
    out: dict[str, Figure] = {}
    for scenario in summary["scenario_id"].unique():
        out[f"r2-distribution-{scenario}"] = figures.r2_distribution(trials, summary, scenario)
        out[f"negative-share-{scenario}"] = figures.negative_share(summary, scenario)
    return out


def render_report(
    config: Mapping[str, Any],
    trials: pd.DataFrame,
    summary: pd.DataFrame,
    tracking_uri: str,
    workdir: str = ".",
) -> str:
    """The report as one HTML string."""
    reference = config.get("reference")
    comparison = compare(summary, reference) if reference else None
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("negr2", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    env.filters["num"] = _number
    figs = {stem: _png_data_uri(fig) for stem, fig in study_figures(trials, summary).items()}
    return env.get_template("report.html.j2").render(
        config=config,
        config_yaml=yaml.safe_dump(dict(config), sort_keys=False),
        summary=summary.to_dict("records"),
        failures=trials[trials["status"] != "ok"].head(20).to_dict("records"),
        comparison=None if comparison is None else comparison.to_dict("records"),
        reference=reference,
        figures=figs,
        tracking_uri=tracking_uri,
        versions=package_versions(),
        commit=git_commit(workdir),
        created=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def _png_data_uri(fig: Figure, dpi: int = 110) -> str:
    buffer = _io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def package_versions() -> dict[str, str]:
    """Installed versions of the packages that shape the numbers."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_commit(workdir: str) -> str:
    """The workflow's git commit (``+dirty`` with uncommitted changes), or 'unknown'."""
    try:
        commit = _git(workdir, "rev-parse", "--short=12", "HEAD")
        dirty = _git(workdir, "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("+dirty" if dirty else "")


def _git(workdir: str, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=Path(workdir), capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def _number(value: Any, digits: int = 3) -> str:
    """A number for a table cell; a dash for a missing one."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}f}"
