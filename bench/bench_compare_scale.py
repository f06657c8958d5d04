#!/usr/bin/env python3
"""Time and peak memory of `negr2 compare` on two million-trial studies, in minutes.

    python bench/bench_compare_scale.py [--trials 1000000] [--seed-trials 2000]

Builds two trials tables of ``config/studies/million.yaml`` (four cells) cheaply: each
cell's first ``--seed-trials`` trials are run for real by the package's trial code, then
copied with their trials renumbered up to ``--trials`` (as bench_step_memory.py copies
chunks), written a cell at a time as aggregate writes them, with the study's data digest.
NEW is BASE with every metric of every trial nudged (relative 1e-9), so that every
quantity of every cell is tested in full, and Ridge's and KNN's test R² shifted by +0.001
and -0.001 (two cells that move). Then runs ``negr2 compare BASE NEW --out DIR`` and
prints its wall and CPU time and the peak resident memory of its process.
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

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(REPO / "src"))

from negr2.compare.metrics import METRICS  # noqa: E402
from negr2.datasets import TABLE_METADATA_KEY, table_metadata  # noqa: E402
from negr2.generators import ScenarioDraws  # noqa: E402
from negr2.study import Study  # noqa: E402
from negr2.trials import CellJob, run_cells  # noqa: E402

#: Rows written at a time (each a row group of one cell, as aggregate writes them).
SLICE = 100_000
#: NEW's shift of test R² in the cells that move.
SHIFTS = {"Ridge": 0.001, "KNN": -0.001}


def seed_trials(study: Study, n: int) -> pd.DataFrame:
    """The first ``n`` trials of every cell, run by the trial jobs' code."""
    config = study.config
    point = study.scenarios["noise"]
    draws = ScenarioDraws(point.id, point.spec, config["seed"], seed_name=point.name)
    jobs = [
        CellJob(point.name, point.id, m.name, m.id,
                {k: m.spec[k] for k in ("estimator", "params") if k in m.spec},
                config["preprocessing"], {}, {})
        for m in study.models.values()
    ]  # fmt: skip
    return run_cells(draws, jobs, range(n))


def write_version(seeds: pd.DataFrame, study: Study, trials: int, path: Path, nudge: bool) -> None:
    """The table of ``trials`` trials per cell, from the seed trials copied."""
    rng = np.random.default_rng(1)
    schema, writer = None, None
    for _model, cell in seeds.groupby("model_id", sort=False):
        for start in range(0, trials, SLICE):
            part = pd.concat([cell] * (SLICE // len(cell) + 1), ignore_index=True).iloc[:SLICE]
            part = part.assign(trial=np.arange(start, start + SLICE))
            if nudge:
                for metric in METRICS:
                    part[metric] = part[metric] * (1 + 1e-9 * rng.standard_normal(SLICE))
                part["r2"] = part["r2"] + SHIFTS.get(_model, 0.0)
            table = pa.Table.from_pandas(part, preserve_index=False)
            if writer is None:
                metadata = {**table.schema.metadata, TABLE_METADATA_KEY: table_metadata(study)}
                schema = table.schema.with_metadata(metadata)
                writer = pq.ParquetWriter(path, schema)
            writer.write_table(table.cast(schema))
    writer.close()


def measure(base: Path, new: Path, out: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of ``negr2 compare`` in a process of
    its own (CPU time is what a busy machine does not inflate)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "negr2"), "compare", str(base), str(new), "--out", str(out)],
        capture_output=True, text=True,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(done.stderr)
    print(done.stdout.splitlines()[-2])  # the verdicts' line
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return seconds, cpu, after.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=1_000_000)
    parser.add_argument("--seed-trials", type=int, default=2_000)
    args = parser.parse_args()
    config = yaml.safe_load((REPO / "config/studies/million.yaml").read_text())
    study = Study.from_config(config | {"trials": args.trials, "split": {}, "ablations": {}})
    with tempfile.TemporaryDirectory(prefix="negr2-compare-") as tmp:
        work = Path(tmp)
        seeds = seed_trials(study, args.seed_trials)
        write_version(seeds, study, args.trials, work / "base.parquet", nudge=False)
        write_version(seeds, study, args.trials, work / "new.parquet", nudge=True)
        rows = args.trials * len(study.models)
        seconds, cpu, peak = measure(work / "base.parquet", work / "new.parquet", work / "out")
        print(f"{rows:,} rows a version: {seconds:.1f} s wall, {cpu:.1f} s CPU, "
              f"peak RSS {peak:.0f} MB; load average {os.getloadavg()[0]:.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
