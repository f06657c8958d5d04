#!/usr/bin/env python3
"""The sample-size study against the joblib script a user would write for it.

    python bench/bench_sample_size_peer.py --pairs 3 --cores 2

Alternates, ``--pairs`` times: the study (``config/studies/sample-size.yaml``) from an empty
results folder with ``snakemake --cores N``, which writes the trials, summary, report,
paper outputs and MLflow runs; then ``bench/peers/sample_size_joblib.py --jobs N`` with the
same trials, the same fits and test R² only. Prints each pair's wall and CPU seconds, the
ratio study ÷ peer pair by pair, and the medians (the machine is shared: a pair's ratio
is taken from two runs next to each other). ``--timeline`` keeps the last study run and
prints where its time went: Snakemake's log (each job's start and end, to the second), the
jobs' benchmark files and the trials' own fit and predict seconds.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STUDY = REPO / "config" / "studies" / "sample-size.yaml"
PEER = REPO / "bench" / "peers" / "sample_size_joblib.py"


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run ``cmd`` to its end; its wall seconds and the CPU seconds of its processes."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed:\n{done.stderr[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def run_study(cores: int, folder: Path) -> tuple[float, float]:
    """The study in an empty folder, MLflow's store included (sqlite, in the folder)."""
    cmd = [str(BIN / "snakemake"), "--snakefile", str(REPO / "Snakefile"), "--directory",
           str(folder), "--cores", str(cores), "--configfile", str(STUDY)]  # fmt: skip
    return timed(cmd, os.environ | {"MLFLOW_TRACKING_URI": ""})


def run_peer(cores: int, trials: int, seed: int) -> tuple[float, float]:
    cmd = [sys.executable, str(PEER), "--trials", str(trials), "--seed", str(seed)]
    return timed([*cmd, "--jobs", str(cores)])


STAMP = re.compile(r"^\[(\w{3} \w{3} +\d+ [\d:]+ \d{4})\]$")


def job_times(log: Path) -> dict[int, tuple[str, datetime, datetime]]:
    """Each job's (rule, start, end) from Snakemake's log of the run (second resolution)."""
    jobs, starts, when, rule = {}, {}, None, None
    for line in log.read_text().splitlines():
        if stamp := STAMP.match(line):
            when = datetime.strptime(stamp.group(1), "%a %b %d %H:%M:%S %Y")
        elif re.match(r"^(local)?rule \w+:$", line):
            rule = line.split()[-1].rstrip(":")
        elif found := re.match(r"^\s+jobid: (\d+)$", line):
            starts[int(found.group(1))] = (rule, when)
        elif found := re.match(r"^Finished jobid: (\d+)", line):
            job = int(found.group(1))
            jobs[job] = (*starts[job], when)
    return jobs


def timeline(folder: Path, wall: float) -> None:
    """Where the study's wall time went, printed as Markdown lines."""
    results = folder / "results" / "sample-size"
    log = sorted((folder / ".snakemake" / "log").glob("*.snakemake.log"))[-1]
    jobs = job_times(log).values()
    began, ended = min(s for _, s, _ in jobs), max(e for _, _, e in jobs)
    trials = [(start, end) for rule, start, end in jobs if rule.startswith("trials")]
    first, last = min(s for s, _ in trials), max(e for _, e in trials)
    marks = pd.concat(
        pd.read_csv(f, sep="\t") for f in (results / "benchmarks" / "trials").rglob("*.tsv")
    )
    timing = pd.read_parquet(results / "trials.parquet", columns=["fit_seconds", "predict_seconds"])
    fits, predictions = timing["fit_seconds"].sum(), timing["predict_seconds"].sum()
    print(f"\n- whole run {wall:.1f} s; from its first job: the first trial job starts at "
          f"{(first - began).seconds} s, the last ends at {(last - began).seconds} s, the last "
          f"job at {(ended - began).seconds} s")  # fmt: skip
    print(f"- {len(trials)} trial jobs: {marks['s'].sum():.1f} s of job wall, "
          f"{marks['cpu_time'].sum():.1f} s of CPU; in them the trials' fits {fits:.1f} s "
          f"and predictions {predictions:.1f} s")  # fmt: skip
    # These steps run inside Snakemake's process: their files' cpu_time is the process's.
    steps = ("aggregate", "report", "paper", "track")
    seconds = [
        pd.read_csv(results / "benchmarks" / f"{step}.tsv", sep="\t")["s"].iloc[0] for step in steps
    ]
    print(
        "- then " + ", ".join(f"{step} {s:.1f} s" for step, s in zip(steps, seconds, strict=True))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--timeline", action="store_true", help="where the last run's time went")
    args = parser.parse_args()
    spec = yaml.safe_load(STUDY.read_text())
    print("| pair | study wall (s) | study CPU (s) | peer wall (s) | peer CPU (s) | ratio | load |")
    print("|---|---|---|---|---|---|---|")
    ratios, studies, peers = [], [], []
    keep = Path(tempfile.mkdtemp(prefix="sample-size-"))
    for pair in range(1, args.pairs + 1):
        shutil.rmtree(keep)
        study = run_study(args.cores, keep)
        peer = run_peer(args.cores, spec["trials"], spec["seed"])
        ratios.append(study[0] / peer[0])
        studies.append(study[0])
        peers.append(peer[0])
        print(f"| {pair} | {study[0]:.1f} | {study[1]:.1f} | {peer[0]:.1f} | {peer[1]:.1f} "
              f"| {ratios[-1]:.2f} | {os.getloadavg()[0]:.1f} |", flush=True)  # fmt: skip
    print(f"\nmedians: study {statistics.median(studies):.1f} s, peer "
          f"{statistics.median(peers):.1f} s, ratio {statistics.median(ratios):.2f}")  # fmt: skip
    if args.timeline:
        timeline(keep, studies[-1])
    shutil.rmtree(keep)


if __name__ == "__main__":
    main()
