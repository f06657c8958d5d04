"""The study's self-contained HTML report (figures embedded, no external files)."""

from __future__ import annotations

import datetime as dt
import math
import subprocess
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from negr2 import figures
from negr2.columns import CELL, FULL
from negr2.figures import StudyFigure, study_figures
from negr2.html import data_uri, png_bytes, template_environment
from negr2.reference import compare
from negr2.study import Study

PACKAGES = (
    "negr2",
    "numpy",
    "scipy",
    "scikit-learn",
    "pandas",
    "pyarrow",
    "snakemake",
    "mlflow",
    "matplotlib",
    # negr2.models.KerasMLP (the keras extra): "not installed" without it
    "keras",
    "jax",
    "jaxlib",
)


#: The columns of the trials table the report reads: its figures' test R² and the
#: failed trials' table (a million-trial study's whole table would not fit). A figure
#: kind that draws another column of the trials adds it here.
TRIALS_COLUMNS = (*CELL, "ablation", "trial", "status", "error", "r2")


def render_report(
    study: Study,
    trials: pd.DataFrame,
    summary: pd.DataFrame,
    tracking_uri: str,
    workdir: str = ".",
    comparisons: pd.DataFrame | None = None,
    figs: Mapping[str, StudyFigure] | None = None,
    claims: pd.DataFrame | None = None,
    versus: str | None = None,
) -> str:
    """The report as one self-contained HTML string.

    Parameters
    ----------
    study : the study (its config with defaults filled in).
    trials, summary : the study's trials and summary tables.
    tracking_uri : the MLflow store, for the provenance.
    workdir : the workflow's folder, for its git commit.
    comparisons : the paired comparisons table (each model against the reference
        model); without it the report has no paired-comparisons section.
    figs : the figures, when the caller has drawn them already (see
        :func:`negr2.figures.study_figures`).
    claims : the config's claims with their measured differences and verdicts (see
        :func:`negr2.claims.evaluate_claims`).
    versus : the comparison with an earlier version of the study (``compare_with``),
        an HTML section written by ``negr2 compare``, shown as it is.
    """
    config = study.config
    reference = config.get("reference")
    comparison = compare(summary, reference) if reference else None
    design = figures.study_design(study, summary)
    env = template_environment({"num": _number, "pvalue": _p_value})
    env.globals["FULL"] = FULL  # the full model's ablation label
    failures = trials[trials["status"] != "ok"]
    return env.get_template("report.html.j2").render(
        config=config,
        config_yaml=yaml.safe_dump(dict(config), sort_keys=False),
        design=design,
        design_text=_design_text(study, design),
        swept=study.swept_columns,
        summary=summary_rows(summary, study),
        failures=failures.head(20).to_dict("records"),
        n_failures=len(failures),
        comparison=None if comparison is None else comparison.to_dict("records"),
        disagreements=_disagreements(comparison),
        reference=reference,
        paired=paired_rows(comparisons),
        claims=[] if claims is None else claims.to_dict("records"),
        versus=versus,
        figures=report_figures(trials, summary, study, comparisons, figs),
        tracking_uri=tracking_uri,
        versions=package_versions(),
        commit=git_commit(workdir),
        created=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def report_figures(
    trials: pd.DataFrame,
    summary: pd.DataFrame,
    study: Study,
    comparisons: pd.DataFrame | None = None,
    figs: Mapping[str, StudyFigure] | None = None,
) -> list[dict[str, str]]:
    """Every figure as ``{stem, section, caption, uri}`` (a PNG data URI), in the
    order of :func:`negr2.figures.study_figures` (drawn here unless ``figs`` is given);
    the section and caption are those its kind has in the figure registry."""
    if figs is None:
        figs = study_figures(trials, summary, study, comparisons)
    return [
        {
            "stem": stem,
            "section": drawn.section,
            "caption": drawn.caption,
            "uri": data_uri(png_bytes(drawn.figure)),
        }
        for stem, drawn in figs.items()
    ]


def summary_rows(summary: pd.DataFrame, study: Study) -> list[dict[str, Any]]:
    """The summary's records, each with ``swept_values``: the text of every swept
    column for the row's scenario and model point (a dash where it does not apply)."""
    columns = study.swept_columns
    specs = {id_: p.spec for id_, p in study.scenarios.items()}
    params = {id_: p.spec.get("params") or {} for id_, p in study.models.items()}
    rows = summary.to_dict("records")
    for row in rows:
        values = []
        for column in columns:
            scenario = specs.get(row["scenario_id"], {})
            model = params.get(row["model_id"], {})
            if column in scenario or column in model:
                value = scenario.get(column, model.get(column))
                values.append(figures.value_text(value))
            else:
                values.append("–")
        row["swept_values"] = values
    return rows


def paired_rows(comparisons: pd.DataFrame | None) -> list[dict[str, Any]]:
    """The paired comparisons of the full feature set, as records."""
    if comparisons is None or comparisons.empty:
        return []
    if "ablation" in comparisons:
        comparisons = comparisons[comparisons["ablation"] == FULL]
    return comparisons.to_dict("records")


def _disagreements(comparison: pd.DataFrame | None) -> int:
    """How many of the published values (negative % and mean R²) do not agree."""
    if comparison is None or comparison.empty:
        return 0
    return int(
        (~comparison["negative_r2_pct_agrees"]).sum() + (~comparison["mean_r2_agrees"]).sum()
    )


def _design_text(study: Study, design: figures.Design) -> str:
    """One line naming what the study varies."""
    scenario_keys = {k for p in study.scenarios.values() for k in p.swept}
    parts = []
    if scenario_keys:
        parts.append("sweeps the scenario keys " + ", ".join(sorted(scenario_keys)))
    model_keys = {f"{p.name}.{k}" for p in study.models.values() for k in p.swept}
    if model_keys:
        parts.append("sweeps the model parameters " + ", ".join(sorted(model_keys)))
    ablations = [k for k, v in (study.config.get("ablations") or {}).items() if v]
    if design.ablations and ablations:
        parts.append("runs the feature ablations " + ", ".join(ablations))
    kfold = [id_ for id_, split in study.splits.items() if split.kfold]
    if kfold:
        parts.append("scores k-fold cross-validation in " + ", ".join(kfold))
    if not parts:
        return "This study fits each model once per trial on each scenario, with every feature."
    return "This study " + "; ".join(parts) + "."


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


def _p_value(value: Any) -> str:
    """A p-value for a table cell: ``<0.001`` below 0.001, a dash when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if value < 0.001:
        return "<0.001"
    return f"{value:.3f}"
