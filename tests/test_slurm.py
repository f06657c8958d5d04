"""The cluster path for real: a study on a one-node SLURM cluster started on this machine
(services/slurm.sh), against the same study run locally."""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import uuid
from datetime import datetime

import pandas as pd
import pytest
import yaml
from conftest import REPO, missing_programs, require, run_snakemake, write_config
from test_workflow import TIMING, check_mlflow_matches_files, results

from negr2.progress import read_progress

pytestmark = [pytest.mark.e2e, pytest.mark.slurm]

SLURM = REPO / "services" / "slurm.sh"
APT_INSTALL = "sudo apt-get install slurm-wlm munge"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A one-node SLURM cluster, stopped whatever the test's outcome."""
    # Root first: SLURM's daemons live in /usr/sbin, off a user's PATH, so without root
    # "SLURM is missing" would be said of a machine that has it.
    if os.geteuid() != 0:
        require(["root"], "A one-node SLURM cluster", "sudo bash .ci/run (it runs as root)")
    missing = missing_programs("slurmctld", "slurmd", "munged", "sbatch", "squeue")
    require(missing, "SLURM", APT_INSTALL)
    folder = tmp_path_factory.mktemp("slurm")
    subprocess.run(["bash", str(SLURM), "start", str(folder)], check=True, timeout=120)
    try:
        yield folder / "slurm.conf"
    finally:
        subprocess.run(["bash", str(SLURM), "stop", str(folder)], timeout=120)


def slurm_jobs(conf) -> list[tuple[str, str]]:
    """(job name, state) of every job of this cluster, finished ones included."""
    return [(name, state) for name, state, _, _ in slurm_records(conf)]


def slurm_records(conf) -> list[tuple[str, str, datetime, datetime]]:
    """(job name, state, start, end) of every job of this cluster in submission order, as
    SLURM keeps them (squeue lists finished jobs for MinJobAge; sacct needs accounting)."""
    done = subprocess.run(
        ["squeue", "-h", "-t", "all", "--sort", "i", "-o", "%j %T %S %e"],
        env=os.environ | {"SLURM_CONF": str(conf)},
        capture_output=True,
        text=True,
        check=True,
    )
    records = []
    for line in done.stdout.splitlines():
        name, state, start, end = line.split()
        records.append((name, state, _when(start), _when(end)))
    return records


def _when(text: str) -> datetime | None:
    return None if text in ("N/A", "Unknown") else datetime.fromisoformat(text)


def run_on_slurm(cluster, workdir, *args) -> None:
    """Run the workflow through profiles/slurm on the test cluster (run_snakemake's
    timeout stops a run whose status checks hang)."""
    os.environ["SLURM_CONF"] = str(cluster)  # sbatch and squeue, in the snakemake process
    try:
        run_snakemake(
            workdir,
            "--profile",
            str(REPO / "profiles" / "slurm"),
            "--slurm-init-seconds-before-status-checks",
            "5",
            "--slurm-logdir",
            str(workdir / f"slurm-logs-{uuid.uuid4().hex[:6]}"),
            *args,
        )
    finally:
        del os.environ["SLURM_CONF"]


@contextlib.contextmanager
def watching(folder):
    """Read the study's progress (negr2 status) every second while the block runs;
    yields the list of what was read."""
    seen, stop = [], threading.Event()

    def watch():
        while not stop.wait(1.0):
            if (folder / "plan.json").is_file():
                seen.append(read_progress(folder))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield seen
    finally:
        stop.set()
        watcher.join()


def most_at_once(intervals) -> int:
    """The largest number of (start, end) intervals that overlap at one instant."""
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    running = peak = 0
    for _, step in events:  # at equal times an end (-1) sorts before a start
        running += step
        peak = max(peak, running)
    return peak


def test_the_quick_study_on_slurm_equals_the_local_run(cluster, tmp_path):
    quick = str(REPO / "config" / "studies" / "quick.yaml")
    local, remote = tmp_path / "local", tmp_path / "slurm"
    local.mkdir()
    remote.mkdir()
    run_snakemake(local, "--cores", "2", "--configfile", quick)
    before = slurm_jobs(cluster)
    run_on_slurm(cluster, remote, "--cores", "2", "--configfile", quick)
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


def logged_span(log) -> tuple[datetime, datetime]:
    """The times of a trial log's first and last lines (negr2.logs stamps each line)."""
    lines = log.read_text().splitlines()
    return tuple(
        datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f") for line in (lines[0], lines[-1])
    )


def test_trial_jobs_run_side_by_side_on_the_node(cluster, tmp_path):
    """The sample-size study's twelve packs run as twelve SLURM jobs, as many at once as
    the node has CPUs (two), by SLURM's records and by the jobs' own logs."""
    study = yaml.safe_load((REPO / "config" / "studies" / "sample-size.yaml").read_text())
    study["trials"] = 10
    config = write_config(tmp_path, study)
    before = len(slurm_records(cluster))
    with watching(results(tmp_path, "sample-size")) as seen:
        run_on_slurm(cluster, tmp_path, "--cores", "2", "--configfile", str(config))
    # negr2 status read the run part way: some trial jobs done, not all.
    assert any(0 < progress.jobs_done < progress.jobs_total == 12 for progress in seen)
    jobs = slurm_records(cluster)[before:]
    benchmarks = list((results(tmp_path, "sample-size") / "benchmarks" / "trials").rglob("*.tsv"))
    print("SLURM jobs:", *jobs, sep="\n")
    assert len(jobs) == len(benchmarks) == 12
    assert {state for _, state, _, _ in jobs} == {"COMPLETED"}
    assert most_at_once([(start, end) for _, _, start, end in jobs]) == 2
    # Each job's own record, written inside the job as it ran (a file's mtime is not: the
    # main Snakemake process may touch outputs when it collects finished jobs): the first
    # and last lines of its log bound a span within the job, so spans that overlap are
    # jobs that ran at the same time.
    ran = [
        logged_span(path)
        for path in (results(tmp_path, "sample-size") / "logs" / "trials").rglob("*.log")
    ]
    print("Trial logs' first and last lines:", *sorted(ran), sep="\n")
    assert len(ran) == 12
    assert most_at_once(ran) == 2


def test_a_job_that_cannot_fit_the_partition_stops_the_run_before_submitting(cluster, tmp_path):
    """The quick study's pack asks for 5 min and 1000 MB; partition short allows 2 min and
    500 MB: the run stops at once, naming the job, its asks, the limits and the keys."""
    before = slurm_jobs(cluster)
    os.environ["SLURM_CONF"] = str(cluster)
    try:
        done = run_snakemake(
            tmp_path,
            *("--profile", str(REPO / "profiles" / "slurm"), "--cores", "2"),
            *("--default-resources", "slurm_partition=short", "cpus_per_task=1"),
            *("--configfile", str(REPO / "config" / "studies" / "quick.yaml")),
            check=False,
        )
    finally:
        del os.environ["SLURM_CONF"]
    assert done.returncode != 0
    lines = [line for line in (done.stdout + done.stderr).splitlines() if "partition" in line]
    time = next(line for line in lines if " min," in line)
    assert "trial job trials_pack (scenario=noise, pack=pack1) asks for 5 min" in time
    assert "partition 'short' allows (2 min)" in time and "models.<model>.chunks" in time
    memory = next(line for line in lines if "of memory" in line)
    assert "asks for 1000 MB" in memory and "allows (500 MB of memory)" in memory
    assert "mem_mb" in memory
    assert slurm_jobs(cluster) == before  # nothing was submitted
    assert not (results(tmp_path, "quick") / "trials").exists()
