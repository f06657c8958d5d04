"""How far a study's run has got, from the files it has written so far.

Reads results/<study>/plan.json (written when a run starts), the trials files that exist
and the logs of the trial jobs still running; writes nothing, so it can watch a running
study (local or on a cluster) or look at one whose run was killed:

  negr2 status results/sample-size
  negr2 status config/studies/sample-size.yaml     # the study file names its folder

The summary is provisional: the trials done so far, per cell, with the same intervals
as summary.csv (Wilson for the negative share, Student-t for the mean R²).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from negr2.errors import InputError

HELP = "a running (or stopped) study's progress and provisional summary"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``negr2 status RESULTS``."""
    parser.add_argument(
        "results",
        type=Path,
        help="the study's results folder (results/<study>), or its study file (.yaml)",
    )


def run(args: argparse.Namespace) -> int:
    """Print the progress of the study in ``args.results``."""
    from negr2.progress import read_progress

    folder = results_folder(args.results)
    print(format_progress(folder, read_progress(folder)))
    return 0


def results_folder(path: Path) -> Path:
    """The results folder ``path`` names: itself, or results/<study> of a study file
    (relative to the current folder). Raises InputError when it holds no plan."""
    from negr2.progress import PLAN_FILE

    if path.suffix in (".yaml", ".yml"):
        import yaml

        if not path.is_file():
            raise InputError(f"no study file {path}")
        study = (yaml.safe_load(path.read_text()) or {}).get("study")
        if not study:
            raise InputError(f"{path} names no study (its 'study' key)")
        path = Path("results") / str(study)
    if not path.is_dir():
        raise InputError(f"no results folder {path}: run the study first (snakemake ...)")
    if not (path / PLAN_FILE).is_file():
        raise InputError(
            f"{path} has no {PLAN_FILE}: no run of this negr2 has started there; "
            "start one (snakemake ...) and ask again"
        )
    return path


def format_progress(folder: Path, progress) -> str:
    """The lines ``negr2 status`` prints for :class:`negr2.progress.Progress`."""
    from negr2.progress import duration

    running = f" (+{progress.trials_running:,} in running jobs)" if progress.trials_running else ""
    left = (
        "every trial job is done"
        if progress.jobs_done == progress.jobs_total
        else f"about {duration(progress.left)} left (the plan's estimates, at this run's pace)"
    )
    lines = [
        f"negr2 status: {folder}",
        f"  trial jobs: {progress.jobs_done} of {progress.jobs_total} done",
        f"  cells:      {progress.cells_done} of {progress.cells_total} done",
        f"  trials:     {progress.trials_done:,} of {progress.trials_total:,} done{running}",
        f"  time:       {duration(progress.elapsed)} since the run started; {left}",
    ]
    if progress.summary.empty:
        return "\n".join([*lines, "", "No trials file yet: no provisional summary."])
    return "\n".join(
        [
            *lines,
            "",
            "PROVISIONAL summary of the trials done so far (full feature set; the final "
            "numbers are in summary.csv once the run ends):",
            summary_table(progress.summary),
        ]
    )


def summary_table(summary) -> str:
    """The provisional summary as aligned text: negative share and mean R², each with
    its 95 % interval."""
    shown = summary.assign(
        negative=[
            f"{row.negative_r2_pct:5.1f}% "
            f"[{row.negative_r2_pct_lo:5.1f}, {row.negative_r2_pct_hi:5.1f}]"
            for row in summary.itertuples()
        ],
        mean_r2=[
            f"{row.mean_r2:7.3f} [{row.mean_r2_lo:7.3f}, {row.mean_r2_hi:7.3f}]"
            for row in summary.itertuples()
        ],
    )[["scenario", "model", "trials", "negative", "mean_r2"]]
    shown.columns = ["scenario", "model", "trials", "R² < 0 (95% CI)", "mean R² (95% CI)"]
    return shown.to_string(index=False)
