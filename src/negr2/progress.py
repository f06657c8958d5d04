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

import numpy as np
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
        trials_done=int(trials["rows"].sum()),
        trials_running=running_trials(base, [j for j in jobs if j.file not in finished], plan),
        trials_total=sum(job.trials * len(job.cells) for job in jobs),
        jobs_done=len(done),
        jobs_total=len(jobs),
        elapsed=elapsed,
        left=time_left(jobs, finished, base, plan, elapsed),
        summary=provisional_summary(trials),
    )


def read_trials(files: Iterable[Path]) -> pd.DataFrame:
    """Per cell (scenario_id, model_id) of ``files``, over their full-feature-set rows:
    ``rows``, and over the rows that did not fail ``n``, ``negative`` (R² < 0), ``mean``
    and ``sd`` of R². Summed in Arrow, file by file, without a row in Python."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    parts = []
    for path in files:
        table = pq.read_table(path, columns=COLUMNS)
        full = table.filter(pc.equal(table["ablation"], "full"))
        ok = pc.equal(full["status"], "ok")
        r2 = full["r2"]
        parts.append(
            pa.table(
                {
                    "scenario_id": full["scenario_id"].cast(pa.string()),
                    "model_id": full["model_id"].cast(pa.string()),
                    "row": pa.array(np.ones(len(full), dtype=np.int64)),
                    "ok": pc.cast(ok, pa.int64()),
                    "negative": pc.cast(pc.and_(ok, pc.less(r2, 0)), pa.int64()),
                    "r2": pc.if_else(ok, r2, 0.0),
                    "r2_squared": pc.if_else(ok, pc.multiply(r2, r2), 0.0),
                }
            )
        )
    if not parts:
        return pd.DataFrame(
            columns=["scenario_id", "model_id", "rows", "n", "negative", "sum", "sum_sq"]
        )
    sums = (
        pa.concat_tables(parts)
        .group_by(["scenario_id", "model_id"], use_threads=False)
        .aggregate([(c, "sum") for c in ("row", "ok", "negative", "r2", "r2_squared")])
        .to_pandas()
    )
    sums = sums.sort_values(["scenario_id", "model_id"], ignore_index=True)
    return sums.rename(
        columns={"row_sum": "rows", "ok_sum": "n", "negative_sum": "negative",
                 "r2_sum": "sum", "r2_squared_sum": "sum_sq"}
    )  # fmt: skip


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


def provisional_summary(cells: pd.DataFrame) -> pd.DataFrame:
    """Per cell so far (:func:`read_trials`' sums): trials, negative share (%) with its
    Wilson interval and mean R² with its Student-t interval, over the trials that did not
    fail, as the final summary computes them (negr2.stats)."""
    import scipy.stats

    from negr2.stats import wilson_interval

    rows = []
    for cell in cells[cells["n"] > 0].itertuples():
        n = int(cell.n)
        low, high = wilson_interval(int(cell.negative), n)
        mean = cell.sum / n
        # The sample variance from the sums (R² values are O(1): no cancellation to fear).
        variance = max(0.0, (cell.sum_sq - n * mean * mean) / (n - 1)) if n > 1 else math.nan
        half = scipy.stats.t.ppf(0.975, n - 1) * math.sqrt(variance / n) if n > 1 else math.nan
        rows.append(
            {
                "scenario": cell.scenario_id,
                "model": cell.model_id,
                "trials": n,
                "negative_r2_pct": 100 * cell.negative / n,
                "negative_r2_pct_lo": 100 * low,
                "negative_r2_pct_hi": 100 * high,
                "mean_r2": mean,
                "mean_r2_lo": mean - half,
                "mean_r2_hi": mean + half,
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
