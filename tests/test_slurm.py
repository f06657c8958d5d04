"""The cluster path for real: a study on a one-node SLURM cluster started on this machine
(services/slurm.sh), against the same study run locally."""

from __future__ import annotations

import os
import subprocess
import uuid

import pandas as pd
import pytest
from conftest import REPO, missing_programs, require, run_snakemake
from test_workflow import TIMING, check_mlflow_matches_files, results

pytestmark = [pytest.mark.e2e, pytest.mark.slurm]

SLURM = REPO / "services" / "slurm.sh"
APT_INSTALL = "sudo apt-get install slurm-wlm munge"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A one-node SLURM cluster, stopped whatever the test's outcome."""
    missing = missing_programs("slurmctld", "slurmd", "munged", "sbatch", "squeue")
    require(missing, "SLURM", APT_INSTALL)
    if os.geteuid() != 0:
        require(["root"], "A one-node SLURM cluster", "sudo bash .ci/run (it runs as root)")
    folder = tmp_path_factory.mktemp("slurm")
    subprocess.run(["bash", str(SLURM), "start", str(folder)], check=True, timeout=120)
    try:
        yield folder / "slurm.conf"
    finally:
        subprocess.run(["bash", str(SLURM), "stop", str(folder)], timeout=120)


def slurm_jobs(conf) -> list[tuple[str, str]]:
    """(job name, state) of every job of this cluster, finished ones included."""
    done = subprocess.run(
        ["squeue", "-h", "-t", "all", "-o", "%j %T"],
        env=os.environ | {"SLURM_CONF": str(conf)},
        capture_output=True,
        text=True,
        check=True,
    )
    return [tuple(line.split()) for line in done.stdout.splitlines()]


def test_the_quick_study_on_slurm_equals_the_local_run(cluster, tmp_path):
    quick = str(REPO / "config" / "studies" / "quick.yaml")
    local, remote = tmp_path / "local", tmp_path / "slurm"
    local.mkdir()
    remote.mkdir()
    run_snakemake(local, "--cores", "2", "--configfile", quick)
    before = slurm_jobs(cluster)
    os.environ["SLURM_CONF"] = str(cluster)  # sbatch and squeue, in the snakemake process
    try:
        run_snakemake(
            remote,
            "--profile",
            str(REPO / "profiles" / "slurm"),
            "--cores",
            "2",
            "--slurm-init-seconds-before-status-checks",
            "5",
            "--slurm-logdir",
            str(remote / f"slurm-logs-{uuid.uuid4().hex[:6]}"),
            "--configfile",
            quick,
        )
    finally:
        del os.environ["SLURM_CONF"]
    jobs = slurm_jobs(cluster)[len(before) :]
    n_trial_jobs = len(list((results(remote, "quick") / "trials").rglob("*.parquet")))
    print(f"{n_trial_jobs} trial job(s) ran as {len(jobs)} SLURM job(s): {jobs}")
    # Every trial job ran in SLURM (the quick study packs its six cheap cells into one
    # job), at most one SLURM job per trial job, and all finished.
    assert 1 <= len(jobs) <= n_trial_jobs
    assert {state for _, state in jobs} == {"COMPLETED"}
    logs = list((remote / "results" / "quick" / "logs" / "trials").rglob("*.log"))
    assert logs and all("failed rows" in log.read_text() for log in logs)
    one = pd.read_parquet(results(local, "quick") / "trials.parquet").drop(columns=TIMING)
    two = pd.read_parquet(results(remote, "quick") / "trials.parquet").drop(columns=TIMING)
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    check_mlflow_matches_files(remote, "quick")
