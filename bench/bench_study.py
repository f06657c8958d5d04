#!/usr/bin/env python3
"""Time one study from a clean results folder and measure the pipeline's overhead.

    python bench/bench_study.py config/studies/sample-size.yaml --cores 2

Overhead share = 1 − Σ fit seconds / (wall seconds × cores): the part of the
machine's time not spent fitting models (process start-up and imports, data
generation, predicting and scoring, aggregation, the report, MLflow logging and
Snakemake's own scheduling). Prints a Markdown row for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", type=Path)
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args()
    study = yaml.safe_load(args.config.read_text())["study"]
    with tempfile.TemporaryDirectory(prefix="negr2-bench-") as tmp:
        cmd = [
            str(BIN / "snakemake"),
            "--snakefile",
            str(REPO / "Snakefile"),
            "--directory",
            tmp,
            "--cores",
            str(args.cores),
            "--configfile",
            str(args.config.resolve()),
        ]
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        wall = time.perf_counter() - start
        trials = pd.read_parquet(Path(tmp, "results", study, "trials.parquet"))
        jobs = len(list(Path(tmp, "results", study, "trials").rglob("*.parquet")))
    fit = float(trials["fit_seconds"].sum())
    overhead = 1 - fit / (wall * args.cores)
    print("| study | cores | trial jobs | rows | wall (s) | Σ fit (s) | overhead share |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| {study} | {args.cores} | {jobs} | {len(trials)} | {wall:.1f} | {fit:.1f} "
        f"| {overhead:.0%} |"
    )


if __name__ == "__main__":
    main()
