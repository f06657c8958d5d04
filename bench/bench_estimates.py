#!/usr/bin/env python3
"""How far the job plan's estimates are from the trial jobs' measured seconds, before
and after learning from a run.

    python bench/bench_estimates.py config/studies/sample-size.yaml \
        config/studies/hyperparameters.yaml

For each study: run A from an empty results folder (the table's estimates), then run B
from a folder holding only A's summary.csv and benchmark files (the costs learned from
A). For every trial job, estimated ÷ measured seconds (Snakemake's benchmark ``s`` of that
run): the table's estimate is the fits plus START_SECONDS of start-up (what its time
limit is made of), the learned one is its seconds (measured start-up included). Prints
the median ratio and the share of jobs within ±25 % for each.

    python bench/bench_estimates.py STUDY.yaml --learn-from A --measured B

compares two finished runs' results folders (results/<study>) instead: the costs learned
from A against B's measured seconds.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from snakemake.utils import validate

from negr2.costs import TableCosts
from negr2.learned_costs import learned_costs, read_benchmarks
from negr2.plan import START_SECONDS, JobPlan
from negr2.study import Study

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run(config: Path, workdir: Path) -> None:
    cmd = [str(BIN / "snakemake"), "--snakefile", str(REPO / "Snakefile"), "--directory",
           str(workdir), "--cores", "2", "--configfile", str(config)]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")


def ratios(estimates: dict[str, float], results: Path) -> list[float]:
    measured = read_benchmarks(results)
    return [estimates[path] / measured[path]["s"] for path in estimates if path in measured]


def describe(name: str, values: list[float]) -> str:
    within = sum(0.75 <= v <= 1.25 for v in values) / len(values)
    spread = f"{min(values):.2f}-{max(values):.2f}"
    return (f"{name}: median estimated/measured {statistics.median(values):.2f} over "
            f"{len(values)} jobs ({spread}), {within:.0%} within ±25%")  # fmt: skip


def estimates(path: Path, learn_from: Path | None) -> tuple[Study, dict, dict]:
    """The study of ``path``, the table's estimate of each job and the one learned from
    results folder ``learn_from`` (empty without one)."""
    config = yaml.safe_load(path.read_text())
    validate(config, str(REPO / "workflow" / "schemas" / "config.schema.yaml"))
    study = Study.from_config(config)
    before = {job.path: START_SECONDS + job.seconds for job in JobPlan.from_study(study).jobs}
    if learn_from is None:
        return study, before, {}
    plan = JobPlan.from_study(study, learned_costs(learn_from, study, TableCosts(study.config)))
    return study, before, {job.path: job.seconds for job in plan.jobs}


def two_runs(path: Path) -> None:
    """Run A, then B learning from A; print the ratios of both estimates."""
    study, before, _ = estimates(path, None)
    with tempfile.TemporaryDirectory(prefix="negr2-estimates-") as tmp:
        first, second = Path(tmp, "a"), Path(tmp, "b")
        run(path.resolve(), first)
        a = first / "results" / study.name
        b = second / "results" / study.name
        b.mkdir(parents=True)
        shutil.copy(a / "summary.csv", b / "summary.csv")
        shutil.copytree(a / "benchmarks" / "trials", b / "benchmarks" / "trials")
        _, _, after = estimates(path, b)
        shutil.rmtree(b / "benchmarks")
        run(path.resolve(), second)
        print(describe(f"{study.name}, table (run A)", ratios(before, a)))
        print(describe(f"{study.name}, table (run B)", ratios(before, b)))
        print(describe(f"{study.name}, learned from A (run B)", ratios(after, b)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("configs", type=Path, nargs="+")
    parser.add_argument("--learn-from", type=Path, help="a finished run's results folder")
    parser.add_argument("--measured", type=Path, help="another finished run's results folder")
    args = parser.parse_args()
    for path in args.configs:
        if args.learn_from is None or args.measured is None:
            two_runs(path)
            continue
        study, before, after = estimates(path, args.learn_from)
        print(describe(f"{study.name}, table", ratios(before, args.measured)))
        print(describe(f"{study.name}, learned", ratios(after, args.measured)))


if __name__ == "__main__":
    main()
