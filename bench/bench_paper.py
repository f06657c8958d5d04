#!/usr/bin/env python3
"""Time the manuscript's two paths to a PDF: from empty results, and from its bundle.

    python bench/bench_paper.py --cores 2 [--repeats 3] [--keep DIR]

1. From empty results: the manuscript workflow (workflow/manuscript.smk) in a fresh
   folder holding only config/ and manuscript/, which runs every cited study, then
   the results bundle (the paper_bundle rule), timed apart.
2. From the bundle, as a reader does it: ``negr2 verify`` then ``negr2 rebuild``
   (no trial rerun), ``--repeats`` times; the median is reported.

Path 1 takes tens of minutes and runs once. ``--keep DIR`` leaves the folder there.
``--bundle FILE`` times path 2 alone, on a bundle already made (``make paper-bundle``).
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


def from_bundle(bundle: Path, repeats: int) -> tuple[list[float], list[float]]:
    """Seconds of ``negr2 verify`` and of ``negr2 rebuild`` on the bundle, each run."""
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
    parser.add_argument("--bundle", type=Path, help="time only the reader's path, on this bundle")
    args = parser.parse_args()
    if args.bundle:
        print_reader_rows(*from_bundle(args.bundle.resolve(), args.repeats), None)
        return
    if args.keep:
        args.keep.mkdir(parents=True)  # a new folder: an old one's results would be reused
    work = Path(args.keep or tempfile.mkdtemp(prefix="negr2-bench-paper-")).resolve()
    try:
        pdf, bundle = from_empty(work, args.cores)
        bundle_file = work / "results" / "manuscript" / "ms-bundle.tar.gz"
        verify, rebuild = from_bundle(bundle_file, args.repeats)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print("| path | runs | wall (s) |")
    print("|---|---|---|")
    print(f"| empty results -> ms.pdf (every study, --cores {args.cores}) | 1 | {pdf:.1f} |")
    print(f"| then the bundle (paper_bundle rule) | 1 | {bundle:.1f} |")
    print_reader_rows(verify, rebuild, pdf)


def print_reader_rows(verify: list[float], rebuild: list[float], pdf: float | None) -> None:
    """The reader's rows: medians of verify, rebuild and both (and their share of ``pdf``)."""
    both = [v + r for v, r in zip(verify, rebuild, strict=True)]
    runs, median = len(both), statistics.median(both)
    share = "" if pdf is None else f"; {median / pdf:.3f} of the path from empty results"
    if pdf is None:
        print("| path | runs | wall (s) |")
        print("|---|---|---|")
    print(f"| bundle: negr2 verify | {runs} | {statistics.median(verify):.1f} (median) |")
    print(f"| bundle: negr2 rebuild | {runs} | {statistics.median(rebuild):.1f} (median) |")
    print(f"| bundle -> ms.pdf, verify + rebuild | {runs} | {median:.1f} (median{share}) |")


if __name__ == "__main__":
    main()
