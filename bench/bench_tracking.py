#!/usr/bin/env python3
"""MLflow logging throughput, SQLite against PostgreSQL, the way negr2 logs a cell.

    python bench/bench_tracking.py --values 100000 --reps 3

Each repetition logs one run's metric history of ``--values`` values (13 metrics, step =
trial) with ``MlflowClient.log_batch`` in batches of 1000 (MLflow's limit per call), once
into a fresh SQLite store and once into an MLflow server on PostgreSQL that this script
starts with services/tracking_server.sh on 127.0.0.1 and stops at the end. It also times
the server path with MLflow's asynchronous logging (``synchronous=False``), the faster path
the client offers. Prints metric values per second (medians) as a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")

from mlflow.entities import Metric  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
METRICS = 13  # metric names per synthetic trial (BENCHMARKS.md's runs used 13)
BATCH = 1000


def metrics(values: int) -> list[Metric]:
    now = int(time.time() * 1000)
    trials = values // METRICS
    return [
        Metric(f"m{m}", float(t * 0.001 + m), now, t) for m in range(METRICS) for t in range(trials)
    ]


def log_run(client: MlflowClient, experiment: str, values: list[Metric], wait: bool) -> float:
    """Seconds to log one run's history (until the server has it all)."""
    run = client.create_run(experiment).info.run_id
    start = time.perf_counter()
    pending = []
    for i in range(0, len(values), BATCH):
        future = client.log_batch(run, metrics=values[i : i + BATCH], synchronous=wait)
        if not wait:
            pending.append(future)
    for future in pending:
        future.wait()
    seconds = time.perf_counter() - start
    client.set_terminated(run)
    return seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    values = metrics(args.values)
    folder = Path(tempfile.mkdtemp(prefix="negr2-bench-tracking-"))
    folder.chmod(0o755)
    port = free_port()
    server = ["bash", str(REPO / "services" / "tracking_server.sh")]
    env = os.environ | {"MLFLOW": str(Path(sys.executable).with_name("mlflow"))}
    subprocess.run([*server, "start", str(folder / "server"), str(port)], check=True, env=env)
    times: dict[str, list[float]] = {"SQLite": [], "PostgreSQL": [], "PostgreSQL, async": []}
    try:
        for rep in range(args.reps):
            sqlite = MlflowClient(f"sqlite:///{folder}/rep{rep}.db")
            experiment = sqlite.create_experiment("bench", str(folder / f"art{rep}"))
            times["SQLite"].append(log_run(sqlite, experiment, values, wait=True))
            remote = MlflowClient(f"http://127.0.0.1:{port}")
            experiment = remote.create_experiment(f"bench{rep}")
            times["PostgreSQL"].append(log_run(remote, experiment, values, wait=True))
            times["PostgreSQL, async"].append(log_run(remote, experiment, values, wait=False))
    finally:
        subprocess.run([*server, "stop", str(folder / "server")], check=False)
    print(f"\n{len(values)} metric values per run, batches of {BATCH}, {args.reps} reps\n")
    print("| store | median (s) | values/s | reps (s) |")
    print("|---|---|---|---|")
    for store, seconds in times.items():
        median = statistics.median(seconds)
        reps = ", ".join(f"{s:.2f}" for s in seconds)
        print(f"| {store} | {median:.2f} | {len(values) / median:,.0f} | {reps} |")


if __name__ == "__main__":
    main()
