#!/usr/bin/env python3
"""The sample-size study against the joblib script a user would write for it.

    python bench/bench_sample_size_peer.py --pairs 3 --cores 2

Alternates, ``--pairs`` times: the study (``config/studies/sample-size.yaml``) from an empty
results folder with ``snakemake --cores N``, which writes the trials, summary, report,
paper outputs and MLflow runs; then ``bench/peers/sample_size_joblib.py --jobs N`` with the
same trials, the same fits and test R² only. Prints each pair's wall and CPU seconds, the
ratio study ÷ peer pair by pair, and the medians (the machine is shared: a pair's ratio
is taken from two runs next to each other).
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


def run_study(cores: int) -> tuple[float, float]:
    """The study from an empty folder, MLflow's store included (sqlite, in the folder)."""
    with tempfile.TemporaryDirectory(prefix="sample-size-") as tmp:
        cmd = [str(BIN / "snakemake"), "--snakefile", str(REPO / "Snakefile"), "--directory", tmp,
               "--cores", str(cores), "--configfile", str(STUDY)]  # fmt: skip
        return timed(cmd, os.environ | {"MLFLOW_TRACKING_URI": ""})


def run_peer(cores: int, trials: int, seed: int) -> tuple[float, float]:
    cmd = [sys.executable, str(PEER), "--trials", str(trials), "--seed", str(seed)]
    return timed([*cmd, "--jobs", str(cores)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args()
    spec = yaml.safe_load(STUDY.read_text())
    print("| pair | study wall (s) | study CPU (s) | peer wall (s) | peer CPU (s) | ratio | load |")
    print("|---|---|---|---|---|---|---|")
    ratios, studies, peers = [], [], []
    for pair in range(1, args.pairs + 1):
        study = run_study(args.cores)
        peer = run_peer(args.cores, spec["trials"], spec["seed"])
        ratios.append(study[0] / peer[0])
        studies.append(study[0])
        peers.append(peer[0])
        print(f"| {pair} | {study[0]:.1f} | {study[1]:.1f} | {peer[0]:.1f} | {peer[1]:.1f} "
              f"| {ratios[-1]:.2f} | {os.getloadavg()[0]:.1f} |", flush=True)  # fmt: skip
    print(f"\nmedians: study {statistics.median(studies):.1f} s, peer "
          f"{statistics.median(peers):.1f} s, ratio {statistics.median(ratios):.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
