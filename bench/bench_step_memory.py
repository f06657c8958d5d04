#!/usr/bin/env python3
"""Peak memory of Snakemake's process while the bookkeeping steps (aggregate, report,
track, paper) run inside it on a million-trial study, in minutes instead of an hour.

    python bench/bench_step_memory.py [--copies 50] [--repo DIR]

Runs ``config/studies/million.yaml`` at 20,000 trials per cell for real (four trial jobs,
one chunk each), then copies each cell's trials file ``--copies`` times with its trials
renumbered, as the study's chunks would be at ``--copies`` × 20,000 trials per cell. A
second ``snakemake`` at that many trials (``--rerun-triggers mtime``: the copied chunks
stand for trial jobs done) then runs only the steps after the trials, on millions of
rows. Prints the peak resident memory of that Snakemake process, and each step's seconds
and ``max_rss`` from its ``benchmark:`` file (a ``run:`` step's is the whole process's).
``--repo`` runs another checkout's Snakefile (a before/after comparison).
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STUDY = "million"
CHUNK = 20_000
STEPS = ("aggregate", "report", "track", "paper")


# Runs a command and prints the peak resident memory (KB) of its largest process.
PEAK = (
    "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
    "sys.exit(code)"
)


def snakemake(repo: Path, workdir: Path, config: Path, *args: str) -> float:
    """Run the study; the peak resident memory (MB) of Snakemake's process, the largest
    (trial jobs, its children, take far less here)."""
    cmd = [
        sys.executable,
        "-c",
        PEAK,
        str(BIN / "snakemake"),
        *("--snakefile", str(repo / "Snakefile"), "--directory", str(workdir)),
        *("--cores", "2", "--configfile", str(config), *args),
    ]
    # The checkout's own package, whatever the virtual environment has installed.
    env = os.environ | {"PYTHONPATH": str(repo / "src")}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        sys.exit(f"snakemake failed:\n{done.stderr[-3000:]}")
    return int(done.stderr.strip().splitlines()[-1]) / 1024


def copy_chunks(results: Path, copies: int) -> None:
    """Each cell's one chunk, renumbered into ``copies`` chunks as the study makes them."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    for one in sorted(results.glob("trials/*/*/1of1.parquet")):
        table = pq.read_table(one)
        column = table.schema.get_field_index("trial")
        for k in range(copies):
            trial = pc.add(table["trial"], pa.scalar(k * CHUNK, table["trial"].type))
            path = one.parent / f"{k + 1}of{copies}.parquet"
            pq.write_table(table.set_column(column, "trial", trial), path)
        one.unlink()


def step_benchmark(results: Path, step: str) -> tuple[float, float]:
    """Seconds and max_rss (MB) of a step's last run, from its benchmark file."""
    with open(results / "benchmarks" / f"{step}.tsv") as handle:
        row = list(csv.DictReader(handle, delimiter="\t"))[-1]
    return float(row["s"]), float(row["max_rss"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=50)
    parser.add_argument("--repo", type=Path, default=REPO, help="the checkout to run")
    args = parser.parse_args()
    repo = args.repo.resolve()
    with tempfile.TemporaryDirectory(prefix="negr2-bench-") as tmp:
        work = Path(tmp)
        study = yaml.safe_load((REPO / "config/studies/million.yaml").read_text())
        study["trials"] = CHUNK * args.copies
        config = work / "million.yaml"
        config.write_text(yaml.safe_dump(study, sort_keys=False))
        snakemake(repo, work, config, "--config", f"trials={CHUNK}")
        results = work / "results" / STUDY
        copy_chunks(results, args.copies)
        peak = snakemake(repo, work, config, "--rerun-triggers", "mtime")
        rows = len(study["models"]) * CHUNK * args.copies
        print(f"{repo}: {rows:,} rows; Snakemake's process peaked at {peak:.0f} MB")
        print("| step | seconds | max_rss (MB) |")
        print("|---|---|---|")
        for step in STEPS:
            seconds, max_rss = step_benchmark(results, step)
            print(f"| {step} | {seconds:.2f} | {max_rss:.0f} |")


if __name__ == "__main__":
    main()
