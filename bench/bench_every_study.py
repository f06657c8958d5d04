#!/usr/bin/env python3
"""Time every study of config/studies/ (and the default one) from empty results folders.

    python bench/bench_every_study.py --cores 2                # all but million.yaml
    python bench/bench_every_study.py --cores 2 sample-size     # some of them

One run per study, one study at a time, each in a fresh temporary folder, so that no study
reuses another's work. Prints a Markdown table for BENCHMARKS.md and README's table of the
studies: wall seconds, the CPU seconds of the run's processes, trials and models, and the
machine's one-minute load average before and after (the machine is shared: a load above the
core count means other work ran beside the study). negative-targets needs the keras extra.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
#: Left out unless named: about an hour on 2 cores.
SLOW = {"million"}


def study_files(names: list[str]) -> list[Path]:
    """The default study and config/studies/*.yaml, or the ones named."""
    files = [REPO / "config" / "config.yaml", *sorted(REPO.glob("config/studies/*.yaml"))]
    if names:
        return [
            f for f in files if f.stem in names or yaml.safe_load(f.read_text())["study"] in names
        ]
    return [f for f in files if f.stem not in SLOW]


def run_one(config: Path, cores: int, keep: Path | None) -> dict:
    """Run one study in a fresh folder (under ``keep``, kept, if given); its wall and CPU
    seconds, trials and models."""
    spec = yaml.safe_load(config.read_text())
    before_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before = os.getloadavg()[0]
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"{spec['study']}-", dir=keep) as tmp:
        cmd = [str(BIN / "snakemake"), "--snakefile", str(REPO / "Snakefile"), "--directory", tmp,
               "--cores", str(cores), "--configfile", str(config)]  # fmt: skip
        env = os.environ | {"MLFLOW_TRACKING_URI": ""}
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, env=env)
        wall = time.perf_counter() - start
        if keep is not None:
            Path(tmp).rename(keep / spec["study"])
            Path(tmp).mkdir()  # for TemporaryDirectory's clean-up
    if done.returncode != 0:
        raise SystemExit(f"{config.name} failed:\n{done.stderr[-3000:]}")
    after_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after_cpu.ru_utime - before_cpu.ru_utime) + (after_cpu.ru_stime - before_cpu.ru_stime)
    return {"study": spec["study"], "file": config.relative_to(REPO).as_posix(),
            "trials": spec["trials"], "models": len(spec["models"]), "wall": wall, "cpu": cpu,
            "load": (load_before, os.getloadavg()[0])}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("studies", nargs="*", help="study names or file stems (default: all)")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="keep each study's folder under KEEP/<study>")
    args = parser.parse_args()
    print("| study | file | trials | models | wall (s) | CPU (s) | load before → after |")
    print("|---|---|---|---|---|---|---|")
    for config in study_files(args.studies):
        row = run_one(config, args.cores, args.keep)
        print(f"| {row['study']} | `{row['file']}` | {row['trials']} | {row['models']} "
              f"| {row['wall']:.1f} | {row['cpu']:.1f} "
              f"| {row['load'][0]:.1f} → {row['load'][1]:.1f} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
