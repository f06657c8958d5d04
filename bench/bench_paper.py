#!/usr/bin/env python3
"""Time the manuscript's two paths to a PDF: from empty results, and from its bundle.

    python bench/bench_paper.py --cores 2 [--repeats 3] [--keep DIR]

1. From empty results: the manuscript workflow (workflow/manuscript.smk) in a fresh
   folder holding only config/ and manuscript/, which runs every cited study, then
   the results bundle (the paper_bundle rule), timed apart.
2. From the bundle, as a reader does it: ``negr2 verify`` then ``negr2 rebuild``
   (no trial rerun), ``--repeats`` times; the median is reported.

Path 1 takes tens of minutes and runs once. ``--keep DIR`` leaves the folder there.
Prints a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def timed(cmd: list[str], cwd: Path) -> float:
    """Wall seconds of ``cmd`` run in ``cwd``; stops the benchmark if it fails."""
    env = os.environ | {"MLFLOW_TRACKING_URI": ""}
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return seconds


def from_empty(work: Path, cores: int) -> tuple[float, float]:
    """Seconds to the PDF from empty results, then to the bundle."""
    for folder in ("config", "manuscript"):
        shutil.copytree(REPO / folder, work / folder)
    smk = [str(BIN / "snakemake"), "-s", str(REPO / "workflow" / "manuscript.smk")]
    smk += ["--directory", str(work), "--cores", str(cores)]
    pdf = timed(smk, work)
    bundle = timed([*smk, "results/manuscript/ms-bundle.tar.gz"], work)
    return pdf, bundle


def from_bundle(work: Path, repeats: int) -> tuple[list[float], list[float]]:
    """Seconds of ``negr2 verify`` and of ``negr2 rebuild`` on the bundle, each run."""
    bundle = work / "results" / "manuscript" / "ms-bundle.tar.gz"
    negr2 = str(BIN / "negr2")
    verify, rebuild = [], []
    with tempfile.TemporaryDirectory(prefix="negr2-reader-") as reader:
        for _ in range(repeats):
            verify.append(timed([negr2, "verify", str(bundle)], Path(reader)))
            rebuild.append(timed([negr2, "rebuild", str(bundle), "-o", "ms.pdf"], Path(reader)))
    return verify, rebuild


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="run in this (new) folder and keep it")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True)  # a new folder: an old one's results would be reused
    work = Path(args.keep or tempfile.mkdtemp(prefix="negr2-bench-paper-")).resolve()
    try:
        pdf, bundle = from_empty(work, args.cores)
        verify, rebuild = from_bundle(work, args.repeats)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    both = [v + r for v, r in zip(verify, rebuild, strict=True)]
    print("| path | runs | wall (s) |")
    print("|---|---|---|")
    print(f"| empty results -> ms.pdf (every study, --cores {args.cores}) | 1 | {pdf:.1f} |")
    print(f"| then the bundle (paper_bundle rule) | 1 | {bundle:.1f} |")
    print(f"| bundle: negr2 verify | {args.repeats} | {statistics.median(verify):.1f} (median) |")
    print(f"| bundle: negr2 rebuild | {args.repeats} | {statistics.median(rebuild):.1f} (median) |")
    print(
        f"| bundle -> ms.pdf, verify + rebuild | {args.repeats} | {statistics.median(both):.1f} "
        f"(median; {statistics.median(both) / pdf:.3f} of the path from empty results) |"
    )


if __name__ == "__main__":
    main()
