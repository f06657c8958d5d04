#!/usr/bin/env python3
"""How long ``negr2 status`` takes on a million-trial study caught part way.

    python bench/bench_status.py [--done 40] [--repeats 3] [--real]

Writes ``--done`` of the 50 chunks of each of ``config/studies/million.yaml``'s four cells
(20,000 trials each), as a run part way through would have, and the run's plan. The
chunks are a trial job's file with every column, their values drawn at random; with
``--real``, the study is run at 20,000 trials per cell for real (four trial jobs) and each
cell's file copied into the chunks (bench_step_memory.copy_chunks). Times the whole
``negr2 status results/million`` command, imports included: the median wall and CPU
(user + system) seconds of ``--repeats`` runs, with the rows it read. On a busy machine
the CPU seconds are what an idle one would take.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from bench_step_memory import BIN, CHUNK, REPO, STUDY, copy_chunks, snakemake

from negr2.columns import TRIAL_METRICS as METRICS
from negr2.progress import PlannedJob, read_progress, write_plan

CHUNKS = 50  # a million trials in chunks of 20,000 (negr2.chunking.MAX_TRIALS_PER_JOB)


def partial_study(workdir: Path, done: int, real: bool) -> Path:
    """A million-trial study's results folder with ``done`` of each cell's 50 chunks."""
    study = yaml.safe_load((REPO / "config" / "studies" / "million.yaml").read_text())
    results = workdir / "results" / STUDY
    if real:
        study["trials"] = CHUNK
        config = workdir / "million-20000.yaml"
        config.write_text(yaml.safe_dump(study))
        snakemake(REPO, workdir, config)
        copy_chunks(results, CHUNKS)
    else:
        for model in study["models"]:
            drawn_chunks(results / "trials" / "noise" / model, model, done)
    jobs = []
    for model in study["models"]:
        for k in range(1, CHUNKS + 1):
            name = f"trials/noise/{model}/{k}of{CHUNKS}"
            jobs.append(
                PlannedJob(
                    f"results/{STUDY}/{name}.parquet",
                    f"results/{STUDY}/logs/{name}.log",
                    (f"noise/{model}",),
                    CHUNK,
                    10.0,
                )  # fmt: skip
            )
            if k > done and (results / f"{name}.parquet").exists():
                (results / f"{name}.parquet").unlink()
    write_plan(results / "plan.json", STUDY, jobs, workers=2)
    return results


def drawn_chunks(folder: Path, model: str, done: int) -> None:
    """``done`` chunk files of one cell with a trial job's columns, values at random."""
    import numpy as np
    import pandas as pd

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for k in range(done):
        trial = np.arange(k * CHUNK, (k + 1) * CHUNK)
        metrics = {m: rng.normal(size=CHUNK) for m in METRICS}
        frame = pd.DataFrame(
            {"scenario": "noise", "scenario_id": "noise", "model": model, "model_id": model,
             "ablation": "full", "trial": trial, "seed": rng.integers(0, 2**31, CHUNK),
             **metrics, "fit_seconds": rng.random(CHUNK) / 1e3,
             "predict_seconds": rng.random(CHUNK) / 1e4, "status": "ok", "error": ""}
        )  # fmt: skip
        frame.to_parquet(folder / f"{k + 1}of{CHUNKS}.parquet", index=False)


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system, children) seconds of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--done", type=int, default=40, help="chunks of 50 done per cell")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--real", action="store_true", help="trials files from a real run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="negr2-status-") as tmp:
        results = partial_study(Path(tmp), args.done, args.real)
        runs = [timed([str(BIN / "negr2"), "status", str(results)]) for _ in range(args.repeats)]
        seconds = [wall for wall, _ in runs]
        cpu = [used for _, used in runs]
        progress = read_progress(results)
    print(f"negr2 status on {progress.trials_done:,} of {progress.trials_total:,} trials "
          f"({progress.jobs_done} of {progress.jobs_total} trials files): median "
          f"{statistics.median(seconds):.2f} s wall, {statistics.median(cpu):.2f} s CPU of "
          f"{args.repeats} ({', '.join(f'{s:.2f}' for s in seconds)} s wall); "
          f"load {os.getloadavg()[0]:.1f}")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
