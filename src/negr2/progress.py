"""A study's progress from the files it has written so far (``negr2 status``).

When a run starts, the workflow writes ``results/<study>/plan.json``: its trial jobs,
each with its trials file, the cells it holds and its estimated seconds, and when the
run started. :func:`read_progress` reads that plan and whatever trials files exist
(each is written whole, atomically, when its job ends), plus the progress lines of the
jobs still running (their logs), and never writes: it can watch a running study, local
or on a cluster, or one whose run was killed.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

#: The plan of the last run, in a study's results folder.
PLAN_FILE = "plan.json"
#: The columns the provisional summary reads (one cell's trials, full feature set).
COLUMNS = ["scenario_id", "model_id", "ablation", "r2", "status"]
# negr2.logs.Progress: "<scenario point>/<model point>: done/total trials, …"
_PROGRESS_LINE = re.compile(r"INFO negr2\.logs: (\S+?)/(\S+): (\d+)/(\d+) trials,")


@dataclass(frozen=True)
class PlannedJob:
    """One trial job of the plan: its trials file, its cells and its estimate."""

    file: str
    log: str
    cells: tuple[str, ...]
    trials: int
    seconds: float


@dataclass(frozen=True)
class Progress:
    """How far a study's run has got."""

    cells_done: int
    cells_total: int
    trials_done: int
    trials_running: int
    trials_total: int
    jobs_done: int
    jobs_total: int
    elapsed: float
    left: float
    summary: pd.DataFrame


def write_plan(path: Path, study: str, jobs: Iterable[PlannedJob], workers: int) -> None:
    """Write the plan of a run starting now (``workers``: trial jobs run at once)."""
    from negr2.files import write_text

    plan = {
        "study": study,
        "started": time.time(),
        "workers": workers,
        "jobs": [job.__dict__ | {"cells": list(job.cells)} for job in jobs],
    }
    write_text(path, json.dumps(plan, indent=1))


def read_plan(results: Path) -> tuple[dict[str, Any], list[PlannedJob]]:
    """The plan of the last run in ``results`` (raises FileNotFoundError without one)."""
    plan = json.loads((results / PLAN_FILE).read_text())
    jobs = [PlannedJob(**job | {"cells": tuple(job["cells"])}) for job in plan["jobs"]]
    return plan, jobs


def read_progress(results: Path, now: float | None = None) -> Progress:
    """The progress of the study in ``results`` at ``now`` (time.time() by default)."""
    now = time.time() if now is None else now
    plan, jobs = read_plan(results)
    base = results.parent.parent  # the workflow's folder: plan paths are relative to it
    done = [job for job in jobs if (base / job.file).is_file()]
    trials = read_trials([base / job.file for job in done])
    files_of: dict[str, list[PlannedJob]] = {}
    for job in jobs:
        for cell in job.cells:
            files_of.setdefault(cell, []).append(job)
    finished = {job.file for job in done}
    cells_done = sum(all(j.file in finished for j in js) for js in files_of.values())
    elapsed = now - plan["started"]
    return Progress(
        cells_done=cells_done,
        cells_total=len(files_of),
        trials_done=len(trials),
        trials_running=running_trials(base, [j for j in jobs if j.file not in finished], plan),
        trials_total=sum(job.trials * len(job.cells) for job in jobs),
        jobs_done=len(done),
        jobs_total=len(jobs),
        elapsed=elapsed,
        left=time_left(jobs, finished, base, plan, elapsed),
        summary=provisional_summary(trials),
    )


def read_trials(files: Iterable[Path]) -> pd.DataFrame:
    """The full-feature-set rows of ``files`` (:data:`COLUMNS` only), one table."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    tables = []
    for path in files:
        table = pq.read_table(path, columns=COLUMNS)
        tables.append(table.filter(pc.equal(table["ablation"], "full")))
    if not tables:
        return pd.DataFrame({column: [] for column in COLUMNS})
    return pa.concat_tables(tables).to_pandas()


def running_trials(base: Path, jobs: Iterable[PlannedJob], plan: Mapping[str, Any]) -> int:
    """Trials done so far by jobs whose files are not written yet, from the last
    progress line of each cell in their logs (logs older than the run are skipped)."""
    count = 0
    for job in jobs:
        log = base / job.log
        try:
            if log.stat().st_mtime < plan["started"]:
                continue
            text = log.read_text(errors="replace")
        except FileNotFoundError:
            continue
        last = {(m[1], m[2]): int(m[3]) for m in _PROGRESS_LINE.finditer(text)}
        count += sum(last.values())
    return count


def time_left(
    jobs: list[PlannedJob], finished: set[str], base: Path, plan: Mapping[str, Any], elapsed: float
) -> float:
    """Seconds left: the estimated seconds of the jobs not done, at the pace of this
    run's finished jobs (their estimate against the time elapsed), or spread over the
    plan's workers before any has finished; 0 when every job is done."""
    remaining = sum(job.seconds for job in jobs if job.file not in finished)
    if remaining == 0:
        return 0.0
    this_run = [
        job.seconds
        for job in jobs
        if job.file in finished and (base / job.file).stat().st_mtime >= plan["started"]
    ]
    if this_run and elapsed > 0:
        return remaining * elapsed / sum(this_run)
    return remaining / max(1, plan["workers"])


def provisional_summary(trials: pd.DataFrame) -> pd.DataFrame:
    """Per cell so far: trials, negative share (%) with its Wilson interval and mean R²
    with its t interval, over the trials that did not fail (negr2.stats, as the final
    summary computes them)."""
    from negr2.stats import mean_interval, wilson_interval

    rows = []
    ok = trials[trials["status"] == "ok"]
    for (scenario, model), cell in ok.groupby(["scenario_id", "model_id"], sort=False):
        r2 = cell["r2"].to_numpy(dtype=float)
        negative = int((r2 < 0).sum())
        low, high = wilson_interval(negative, r2.size)
        mean_low, mean_high = mean_interval(r2)
        rows.append(
            {
                "scenario": scenario,
                "model": model,
                "trials": r2.size,
                "negative_r2_pct": 100 * negative / r2.size,
                "negative_r2_pct_lo": 100 * low,
                "negative_r2_pct_hi": 100 * high,
                "mean_r2": float(r2.mean()),
                "mean_r2_lo": mean_low,
                "mean_r2_hi": mean_high,
            }
        )
    return pd.DataFrame(rows)


def duration(seconds: float) -> str:
    """``1 h 02 min``, ``3 min 05 s`` or ``42 s``."""
    if not math.isfinite(seconds):
        return "unknown"
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"
