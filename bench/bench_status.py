#!/usr/bin/env python3
"""How long ``negr2 status`` takes on a million-trial study caught part way.

    python bench/bench_status.py [--done 40] [--repeats 3]

Runs ``config/studies/million.yaml`` at 20,000 trials per cell for real (four trial jobs),
then copies each cell's trials file into ``--done`` of the 50 chunks the study has at a
million trials (bench_step_memory.copy_chunks), as a run part way through would have
written them, and writes the run's plan (50 chunks per cell, started half an hour ago).
Times the whole ``negr2 status results/million`` command, imports included, and prints
the median of ``--repeats`` runs with the rows it read.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from bench_step_memory import BIN, CHUNK, REPO, STUDY, copy_chunks, snakemake

from negr2.progress import PlannedJob, read_progress, write_plan

CHUNKS = 50  # a million trials in chunks of 20,000 (negr2.chunking.MAX_TRIALS_PER_JOB)


def partial_study(workdir: Path, done: int) -> Path:
    """A million-trial study's results folder with ``done`` of each cell's 50 chunks."""
    study = yaml.safe_load((REPO / "config" / "studies" / "million.yaml").read_text())
    study["trials"] = CHUNK
    config = workdir / "million-20000.yaml"
    config.write_text(yaml.safe_dump(study))
    snakemake(REPO, workdir, config)
    results = workdir / "results" / STUDY
    copy_chunks(results, CHUNKS)
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
            if k > done:
                (results / f"{name}.parquet").unlink()
    write_plan(results / "plan.json", STUDY, jobs, workers=2)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--done", type=int, default=40, help="chunks of 50 done per cell")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="negr2-status-") as tmp:
        results = partial_study(Path(tmp), args.done)
        seconds = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            subprocess.run([str(BIN / "negr2"), "status", str(results)], check=True,
                           capture_output=True)  # fmt: skip
            seconds.append(time.perf_counter() - start)
        progress = read_progress(results)
    print(f"negr2 status on {progress.trials_done:,} of {progress.trials_total:,} trials "
          f"({progress.jobs_done} of {progress.jobs_total} trials files): median "
          f"{statistics.median(seconds):.2f} s of {args.repeats} "
          f"({', '.join(f'{s:.2f}' for s in seconds)})")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
