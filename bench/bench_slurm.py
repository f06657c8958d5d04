#!/usr/bin/env python3
"""A study on the one-node SLURM cluster against the same study run locally.

    sudo services/slurm.sh start /tmp/negr2-slurm && export SLURM_CONF=/tmp/negr2-slurm/slurm.conf
    python bench/bench_slurm.py config/studies/sample-size.yaml --pairs 2 [--profile DIR]

Runs the study from an empty results folder locally (``--cores 2``) and through the SLURM
profile (``--cores 2``), alternating, ``--pairs`` times each, and prints each run's wall
time, the medians and their ratio. For each SLURM run, from squeue's records: how many
SLURM jobs, the most that ran at once, and the seconds from the first job's start to the
last one's end. ``--profile`` times another profile (profiles/slurm by default), e.g. the
grouped one that ran the packs one at a time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run_study(config: Path, workdir: Path, *args: str) -> float:
    """Wall seconds of one run of the study in ``workdir``."""
    cmd = [str(BIN / "snakemake"), "--snakefile", str(REPO / "Snakefile"), "--directory",
           str(workdir), "--cores", "2", "--configfile", str(config), *args]  # fmt: skip
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - start


def slurm_jobs() -> list[tuple[int, datetime, datetime]]:
    """(job id, start, end) of every finished job squeue still lists."""
    out = subprocess.run(["squeue", "-h", "-t", "all", "-o", "%i %S %e"],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    jobs = []
    for line in out.splitlines():
        job, start, end = line.split()
        if "N/A" not in (start, end) and "Unknown" not in (start, end):
            jobs.append((int(job), datetime.fromisoformat(start), datetime.fromisoformat(end)))
    return jobs


def most_at_once(intervals: list[tuple[datetime, datetime]]) -> int:
    events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
    running = peak = 0
    for _, step in events:
        running += step
        peak = max(peak, running)
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", type=Path)
    parser.add_argument("--pairs", type=int, default=2)
    parser.add_argument("--profile", type=Path, default=REPO / "profiles" / "slurm")
    args = parser.parse_args()
    if "SLURM_CONF" not in os.environ:
        sys.exit("export SLURM_CONF first (services/slurm.sh start prints it)")
    study = yaml.safe_load(args.config.read_text())["study"]
    config = args.config.resolve()
    local, slurm = [], []
    for pair in range(args.pairs):
        with tempfile.TemporaryDirectory(prefix="negr2-local-") as tmp:
            local.append(run_study(config, Path(tmp)))
        seen = {job for job, _, _ in slurm_jobs()}
        with tempfile.TemporaryDirectory(prefix="negr2-slurm-") as tmp:
            logs = Path(tmp) / "slurm-logs"
            slurm.append(run_study(config, Path(tmp), "--profile", str(args.profile),
                                   "--slurm-logdir", str(logs)))  # fmt: skip
        jobs = [(s, e) for job, s, e in slurm_jobs() if job not in seen]
        span = (max(e for _, e in jobs) - min(s for s, _ in jobs)).total_seconds()
        print(f"pair {pair + 1}: local {local[-1]:.1f} s, SLURM {slurm[-1]:.1f} s "
              f"({len(jobs)} SLURM jobs, at most {most_at_once(jobs)} at once, "
              f"first start to last end {span:.0f} s); load {os.getloadavg()[0]:.1f}")  # fmt: skip
    ratio = statistics.median(slurm) / statistics.median(local)
    print(f"{study}: local median {statistics.median(local):.1f} s, SLURM median "
          f"{statistics.median(slurm):.1f} s, ratio {ratio:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
