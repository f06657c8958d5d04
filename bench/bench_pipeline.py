#!/usr/bin/env python3
"""Time the default study against the post's serial script, side by side.

    python bench/bench_pipeline.py                                 # 3 reps, 100 trials
    python bench/bench_pipeline.py --reps 2 --trials 1000

Each repetition runs, in alternating order, (a) the whole workflow from a clean
results folder with ``snakemake --cores N`` (trials, aggregate, report and MLflow
tracking included) and (b) the post's own serial script (the blog post's
code made runnable, ``--baseline``, by default bench/peers/seed_negative_r2.py) with the same number
of trials; then (c) a no-op rerun of the workflow. Prints
the medians and the ratio (a)/(b) as a Markdown table, for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def timed(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def pipeline(workdir: Path, cores: int, trials: int) -> list[str]:
    return [
        str(BIN / "snakemake"),
        "--snakefile",
        str(REPO / "Snakefile"),
        "--directory",
        str(workdir),
        "--cores",
        str(cores),
        "--config",
        f"trials={trials}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument(
        "--baseline",
        type=Path,
        default=Path(__file__).resolve().parent / "peers" / "seed_negative_r2.py",
        help="the post's script: runs as `python BASELINE --trials N`",
    )
    args = parser.parse_args()
    if not args.baseline.is_file():
        sys.exit(f"bench: no baseline script at {args.baseline}")

    times: dict[str, list[float]] = {"pipeline": [], "baseline": [], "noop": []}
    for rep in range(args.reps):
        with tempfile.TemporaryDirectory(prefix="negr2-bench-") as tmp:
            workdir = Path(tmp)
            order = ["pipeline", "baseline"] if rep % 2 == 0 else ["baseline", "pipeline"]
            for what in order:
                if what == "pipeline":
                    cmd = pipeline(workdir, args.cores, args.trials)
                else:
                    cmd = [sys.executable, str(args.baseline), "--trials", str(args.trials)]
                times[what].append(timed(cmd, workdir))
            times["noop"].append(timed(pipeline(workdir, args.cores, args.trials), workdir))
        print(
            f"rep {rep + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()),
            file=sys.stderr,
        )

    med = {k: statistics.median(v) for k, v in times.items()}
    print(
        f"| trials | cores | reps | pipeline median (s) | baseline median (s) | ratio "
        f"| no-op rerun median (s) |\n|---|---|---|---|---|---|---|\n"
        f"| {args.trials} | {args.cores} | {args.reps} | {med['pipeline']:.2f} "
        f"| {med['baseline']:.2f} | {med['pipeline'] / med['baseline']:.2f} "
        f"| {med['noop']:.2f} |"
    )
    for name, values in times.items():
        print(f"{name}: " + ", ".join(f"{v:.2f}" for v in values))


if __name__ == "__main__":
    main()
