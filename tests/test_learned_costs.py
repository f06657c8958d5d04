"""Costs learned from a study's last run: measured seconds and memory, never a rerun."""

from __future__ import annotations

import math
import os

import pandas as pd
import pytest
from conftest import planned_jobs, run_snakemake, tiny_config, write_config
from test_plan import FOREST, OLS, small
from test_workflow import TIMING, results

from negr2.costs import TableCosts
from negr2.learned_costs import LearnedCosts, learned_costs
from negr2.plan import MEM_MB, START_SECONDS, JobPlan, runtime_minutes

SUMMARY_COLUMNS = ["scenario_id", "model_id", "ablation", "n_trials"]


def last_run(folder, rows, benchmarks):
    """A results folder as a finished run leaves it: summary.csv rows (scenario_id,
    model_id, ablation, n_trials, mean fit s, mean predict s) and benchmark files
    (trials file → wall s, max_rss MB)."""
    columns = [*SUMMARY_COLUMNS, "mean_fit_seconds", "mean_predict_seconds"]
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=columns).to_csv(folder / "summary.csv", index=False)
    for trials_file, (seconds, max_rss) in benchmarks.items():
        path = (folder / "benchmarks" / trials_file).with_suffix(".tsv")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"s\th:m:s\tmax_rss\n{seconds}\t0:00:01\t{max_rss}\n")


@pytest.fixture
def study():
    """300 trials on one scenario point: a forest alone (30 s by the table), OLS packed
    (0.6 s), and OLS given 0.5 s a trial (alone)."""
    models = {"forest": FOREST, "ols": OLS, "given": OLS | {"seconds_per_trial": 0.5}}
    return small(models, trials=300)


def test_measured_seconds_per_trial_with_the_jobs_overhead(tmp_path, study):
    # Last run, 100 trials. The forest: 0.05 s fit + 0.01 s predict per trial on the full
    # set, 0.03 + 0.01 on its one ablation variant: 0.10 s a trial, 10 s in all. OLS:
    # 0.002 s a trial, 0.2 s. The jobs took 12.6 s of wall for 10.2 s of fits.
    last_run(
        tmp_path,
        [
            ("s", "forest", "full", 100, 0.05, 0.01),
            ("s", "forest", "drop_x1", 100, 0.03, 0.01),
            ("s", "ols", "full", 100, 0.0015, 0.0005),
        ],
        {"trials/s/forest/1of1.parquet": (10.5, 180.0), "trials/s/pack1.parquet": (2.1, 150.0)},
    )
    table = TableCosts(study.config)
    costs = learned_costs(tmp_path, study, table)
    assert isinstance(costs, LearnedCosts)
    spec = {name: point.spec for name, point in study.models.items()}
    scenario = study.scenarios["s"].spec
    factor = 12.6 / 10.2
    assert costs.seconds(100, scenario, spec["forest"]) == pytest.approx(10.0 * factor)
    assert costs.seconds(50, scenario, spec["ols"]) == pytest.approx(0.1 * factor)
    # A model's own seconds_per_trial wins; a cell never measured keeps the table's.
    assert costs.seconds(100, scenario, spec["given"]) == 50.0
    other = scenario | {"n_train": 999}
    assert costs.seconds(100, other, spec["forest"]) == table.seconds(100, other, spec["forest"])
    # Memory: the last peak times 1.5, rounded up to 100 MB, at least 300 MB.
    assert costs.memory_mb("trials/s/forest/1of1.parquet") == 300
    assert costs.memory_mb("trials/s/nowhere.parquet") is None


def test_the_plan_keeps_its_packs_and_learns_the_rest(tmp_path, study):
    # Measured: the forest 4 s a trial (the table says 0.1), OLS 0.002 s; the jobs' wall
    # (400 s) is below their fits (400.2 s), so the factor is its floor, 1.
    last_run(
        tmp_path,
        [("s", "forest", "full", 100, 3.0, 1.0), ("s", "ols", "full", 100, 0.001, 0.001)],
        {"trials/s/forest/1of1.parquet": (400.0, 700.0)},
    )
    table = JobPlan.from_study(study)
    learned = JobPlan.from_study(study, learned_costs(tmp_path, study, TableCosts(study.config)))
    assert learned.packs == table.packs == {"pack1": ("ols",)}
    job = learned.chunk_job("s", "forest", "1of1")
    assert job.seconds == pytest.approx(300 * 4.0)
    assert job.runtime(1) == runtime_minutes(START_SECONDS + 1200.0, 1) == 41
    assert job.mem_mb(1) == 100 * math.ceil(700 * 1.5 / 100) and job.mem_mb(2) == 2 * 1100
    assert learned.pack_job("s", "pack1").mem_mb(1) == MEM_MB  # never measured
    assert job.priority > table.chunk_job("s", "forest", "1of1").priority


def test_no_summary_no_learning(tmp_path, study):
    table = TableCosts(study.config)
    assert learned_costs(tmp_path, study, table) is table


@pytest.mark.e2e
def test_learning_reruns_nothing_and_changes_no_result(tmp_path):
    config = write_config(tmp_path, tiny_config())
    run_snakemake(tmp_path, "--cores", "2", "--configfile", str(config))
    first = pd.read_parquet(results(tmp_path) / "trials.parquet").drop(columns=TIMING)
    # Say LinearRegression took 10 s a trial: learned, it is too slow for its pack. The
    # summary keeps its time stamp, so that only the estimate changes.
    summary = results(tmp_path) / "summary.csv"
    stamp = summary.stat()
    table = pd.read_csv(summary)
    table.loc[table["model_id"] == "LinearRegression", "mean_fit_seconds"] = 10.0
    table.to_csv(summary, index=False)
    os.utime(summary, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    # The finished run's timings are now the plan's: a second run plans no job...
    dry = run_snakemake(tmp_path, "--cores", "2", "--configfile", str(config), "-n")
    assert planned_jobs(dry.stdout) == {}
    # ...and trials rerun under the learned plan are the same, bit for bit.
    run_snakemake(tmp_path, "--cores", "2", "--configfile", str(config),
                  "--forcerun", "trials", "trials_pack")  # fmt: skip
    second = pd.read_parquet(results(tmp_path) / "trials.parquet").drop(columns=TIMING)
    pd.testing.assert_frame_equal(first, second, check_exact=True)
