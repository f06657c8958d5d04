#!/usr/bin/env python3
"""Time one study from a clean results folder and the tail after its last trial job.

    python bench/bench_tail.py bench/studies/long-history.yaml --cores 2 [--repo DIR]

The tail is the time from the end of the last trial job (its trials file is written
last, atomically) to the end of the run: what aggregation, the report and MLflow
logging add once every trial is done. ``--repo`` runs another checkout's Snakefile
(for a before/after comparison). Prints a Markdown row for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run_study(repo: Path, config: Path, cores: int) -> tuple[float, float, int]:
    """Wall seconds, tail seconds and the number of trial jobs of one fresh run."""
    study = yaml.safe_load(config.read_text())["study"]
    with tempfile.TemporaryDirectory(prefix="negr2-bench-") as tmp:
        cmd = [
            str(BIN / "snakemake"),
            *("--snakefile", str(repo / "Snakefile"), "--directory", tmp),
            *("--cores", str(cores), "--configfile", str(config.resolve())),
        ]
        start = time.time()
        # The checkout's own package, whatever the virtual environment has installed.
        env = os.environ | {"PYTHONPATH": str(repo / "src")}
        done = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if done.returncode != 0:
            sys.exit(f"the study failed:\n{done.stderr[-3000:]}")
        end = time.time()
        trial_files = list(Path(tmp, "results", study, "trials").rglob("*.parquet"))
        last_trial = max(path.stat().st_mtime for path in trial_files)
    return end - start, end - last_trial, len(trial_files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", type=Path)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--repo", type=Path, default=REPO, help="the checkout to run")
    args = parser.parse_args()
    wall, tail, jobs = run_study(args.repo.resolve(), args.config, args.cores)
    print("| checkout | cores | trial jobs | wall (s) | tail (s) | tail share |")
    print("|---|---|---|---|---|---|")
    print(f"| {args.repo} | {args.cores} | {jobs} | {wall:.1f} | {tail:.1f} | {tail / wall:.0%} |")


if __name__ == "__main__":
    main()
