"""negr2 status: a study's progress from its plan and the trials files written so far."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from conftest import REPO, SNAKEMAKE, tiny_config, write_config

from negr2.cli import main
from negr2.progress import PlannedJob, read_progress, write_plan

STUDY = "watched"


def trials_file(path: Path, cells: dict[tuple[str, str], np.ndarray]) -> None:
    """A trials file as a trial job writes it: one full row and one ablation row per
    trial of each cell (the ablation rows must not count), some failed trials."""
    rows = []
    for (scenario, model), r2 in cells.items():
        for trial, value in enumerate(r2):
            status = "error" if np.isnan(value) else "ok"
            base = {"scenario_id": scenario, "model_id": model, "trial": trial}
            rows.append(base | {"ablation": "full", "r2": value, "status": status})
            rows.append(base | {"ablation": "drop_x1", "r2": 5.0, "status": "ok"})
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_parquet(path)


def planned(name: str, cells: tuple[str, ...], trials: int, seconds: float) -> PlannedJob:
    """A job of the plan, its trials file and log named as the workflow names them."""
    return PlannedJob(
        f"results/{STUDY}/trials/{name}.parquet",
        f"results/{STUDY}/logs/trials/{name}.log",
        cells,
        trials,
        seconds,
    )


@pytest.fixture
def half_done(tmp_path, monkeypatch):
    """A study of three jobs planned 100 s ago: a pack of two cells done, one chunk of
    two done, the other chunk running (its log reports 7 trials)."""
    monkeypatch.chdir(tmp_path)
    root = Path("results", STUDY)
    jobs = [
        planned("a/pack1", ("a/M1", "a/M2"), 20, 30.0),
        planned("a/Slow/1of2", ("a/Slow",), 10, 50.0),
        planned("a/Slow/2of2", ("a/Slow",), 10, 120.0),
    ]
    write_plan(root / "plan.json", STUDY, jobs, workers=2)
    plan = json.loads((root / "plan.json").read_text())
    plan["started"] -= 100
    (root / "plan.json").write_text(json.dumps(plan))
    rng = np.random.default_rng(3)
    m1, m2, slow = rng.normal(-0.1, 0.3, 20), rng.normal(0.2, 0.2, 20), rng.normal(0, 1, 10)
    m2[[4, 9]] = np.nan  # two failed trials
    trials_file(Path(jobs[0].file), {("a", "M1"): m1, ("a", "M2"): m2})
    trials_file(Path(jobs[1].file), {("a", "Slow"): slow})
    log = Path(jobs[2].log)
    log.parent.mkdir(parents=True)
    log.write_text(
        "2026-12-07 04:00:00,000 INFO negr2.logs: a/Slow: 3/10 trials, 1.0 s elapsed, ~2 s left\n"
        "2026-12-07 04:00:02,000 INFO negr2.logs: a/Slow: 7/10 trials, 3.0 s elapsed, ~1 s left\n"
    )
    return root, {"M1": m1, "M2": m2[~np.isnan(m2)], "Slow": slow}


def test_progress_counts_cells_trials_and_jobs(half_done):
    root, _ = half_done
    progress = read_progress(root)
    assert (progress.jobs_done, progress.jobs_total) == (2, 3)
    # The chunked cell is not done until both its chunks are.
    assert (progress.cells_done, progress.cells_total) == (2, 3)
    assert (progress.trials_done, progress.trials_total) == (20 + 20 + 10, 20 * 2 + 10 + 10)
    assert progress.trials_running == 7
    # 120 s of estimates left at this run's pace: 100 s for the 80 s done.
    assert progress.elapsed == pytest.approx(100, abs=2)
    assert progress.left == pytest.approx(120 * progress.elapsed / 80)


def test_provisional_summary_matches_scipy(half_done):
    root, r2 = half_done
    summary = read_progress(root).summary.set_index("model")
    for model, values in r2.items():
        row = summary.loc[model]
        negative = int((values < 0).sum())
        wilson = scipy.stats.binomtest(negative, values.size).proportion_ci(method="wilson")
        t = scipy.stats.t.interval(
            0.95, values.size - 1, loc=values.mean(), scale=scipy.stats.sem(values)
        )
        assert row["trials"] == values.size
        assert row["negative_r2_pct"] == pytest.approx(100 * negative / values.size)
        assert row["negative_r2_pct_lo"] == pytest.approx(100 * wilson.low, abs=1e-9)
        assert row["negative_r2_pct_hi"] == pytest.approx(100 * wilson.high, abs=1e-9)
        assert row["mean_r2"] == pytest.approx(values.mean())
        assert (row["mean_r2_lo"], row["mean_r2_hi"]) == pytest.approx(t)


def test_status_prints_progress_marked_provisional(half_done, capsys):
    root, _ = half_done
    assert main(["status", str(root)]) == 0
    out = capsys.readouterr().out
    assert "trial jobs: 2 of 3 done" in out
    assert "cells:      2 of 3 done" in out
    assert "trials:     50 of 60 done (+7 in running jobs)" in out
    assert "PROVISIONAL" in out
    assert "left" in out


def test_status_finds_the_folder_from_the_study_file(half_done, capsys):
    Path("study.yaml").write_text(f"study: {STUDY}\n")
    assert main(["status", "study.yaml"]) == 0
    assert "trial jobs: 2 of 3 done" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda root: None, "no results folder"),
        (lambda root: root.mkdir(parents=True), "has no plan.json"),
    ],
)
def test_status_names_what_is_missing(tmp_path, monkeypatch, capsys, make, message):
    monkeypatch.chdir(tmp_path)
    make(Path("results", STUDY))
    assert main(["status", f"results/{STUDY}"]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.5)


@pytest.mark.e2e
def test_status_during_a_run_and_after_it_was_killed(tmp_path):
    """A real run, watched while it goes and then killed: status reads its files, and a
    rerun of the killed study finishes with nothing lost."""
    config = tiny_config(STUDY)
    config["trials"] = 40
    config["models"]["Forest"] |= {"chunks": 4, "params": {"n_estimators": 40}}
    path = write_config(tmp_path, config)
    env = os.environ | {"PYTHONPATH": str(tmp_path), "MLFLOW_TRACKING_URI": ""}
    command = [SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--cores", "1",
               "--configfile", str(path)]  # fmt: skip
    run = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    root = tmp_path / "results" / STUDY
    try:
        wait_for(lambda: any((root / "trials").rglob("*.parquet")), 300, "a trials file")
        during = read_progress(root)
    finally:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
    status = subprocess.run([str(Path(sys.executable).with_name("negr2")), "status",
                             str(root)], capture_output=True, text=True)  # fmt: skip
    assert status.returncode == 0, status.stderr
    after = read_progress(root)
    assert 1 <= during.jobs_done <= after.jobs_done < after.jobs_total
    assert f"trial jobs: {after.jobs_done} of {after.jobs_total} done" in status.stdout
    assert "PROVISIONAL" in status.stdout
