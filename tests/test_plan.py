"""negr2.plan and negr2.costs: a study's trial jobs, their cells, estimates, priorities,
time limits and memory, and which cells are logged early.

The expected plans of the shipped studies are worked out here by hand from the rules
the modules document (cheap cells packed in id order up to 15 s, a priority of the
models' highest plus seconds / (seconds + 3600), a time limit of twice the estimate
with 10 s of start-up, at least 5 minutes), not read back from the plan.
"""

from __future__ import annotations

import math
import re

import pytest
import yaml
from conftest import REPO, run_snakemake
from snakemake.utils import validate

from negr2 import costs, plan
from negr2.columns import TRIAL_METRICS
from negr2.study import Study

FOREST = {"estimator": "sklearn.ensemble.RandomForestRegressor"}
OLS = {"estimator": "sklearn.linear_model.LinearRegression"}
SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"


def shipped(name: str) -> Study:
    """A study of the repository, its defaults filled in as the Snakefile does."""
    path = REPO / "config" / ("config.yaml" if name == "default" else f"studies/{name}.yaml")
    config = yaml.safe_load(path.read_text())
    validate(config, str(SCHEMA))
    return Study.from_config(config)


def small(models, trials=100, scenarios=None, **extra) -> Study:
    """A study of hand-made models (schema defaults given here)."""
    config = {
        "trials": trials,
        "seed": 1,
        "preprocessing": "none",
        "ablations": {},
        "mlflow": {"history": "all", "log_cells": "auto"},
        "scenarios": scenarios or {"s": {"n_features": 3}},
        "models": {name: {"priority": 0, **spec} for name, spec in models.items()},
        **extra,
    }
    return Study.from_config(config)


def tie_break(seconds: float) -> float:
    return seconds / (seconds + 3600)


def time_limit(seconds: float) -> int:
    return max(5, math.ceil(2 * (10 + seconds) / 60))


# --- costs ---------------------------------------------------------------------------


def test_a_model_may_give_its_own_estimate():
    assert costs.seconds_per_fit(OLS) == costs.DEFAULT_SECONDS
    assert costs.seconds_per_fit({**OLS, "seconds_per_trial": 2.5}) == 2.5


def test_folds_and_ablations_multiply_the_fits():
    scenario = {"n_features": 9}
    assert costs.fits_per_trial(scenario, {}) == 1
    assert costs.fits_per_trial({**scenario, "split": {"method": "kfold"}}, {}) == 5
    kfold3 = {"split": {"method": "kfold", "folds": 3}, "ablations": {"drop_one": True}}
    assert costs.fits_per_trial(scenario, kfold3) == 3 * 10


def test_only_ablations_that_are_on_add_fits():
    scenario = {"n_features": 4}
    off = {"ablations": {"drop_one": False, "drop_informative": False}}
    assert costs.fits_per_trial(scenario, off) == 1
    mixed = {"ablations": {"drop_random": {"k": [1, 2]}, "keep": {"a": ["x0"]}}}
    assert costs.fits_per_trial(scenario, mixed) == 1 + 2 + 1


def test_the_table_ranks_jobs_by_their_training_rows():
    table = costs.TableCosts({})
    assert table.ranking(10.0, {"n_train": 640}) == 4 * table.ranking(10.0, {"n_train": 160})


# --- jobs: time limits, memory, priorities -------------------------------------------


def test_runtime_is_twice_the_estimate_and_grows_with_attempt():
    # 50 RandomForest trials of 0.1 s: 10 + 5 = 15 s, below the 5-minute floor.
    assert plan.runtime_minutes(15.0, attempt=1) == 5
    # 20,000 trials of 0.1 s: 2010 s, twice is 67 minutes; then 134, 201.
    seconds = plan.START_SECONDS + 20_000 * costs.seconds_per_fit(FOREST)
    assert [plan.runtime_minutes(seconds, a) for a in (1, 2, 3)] == [67, 134, 201]


def test_memory_grows_with_attempt():
    job = plan.JobPlan.from_study(small({"m": OLS})).pack_job("s", "pack1")
    assert [job.mem_mb(a) for a in (1, 2)] == [plan.MEM_MB, 2 * plan.MEM_MB]


def test_the_longest_of_equal_priority_jobs_starts_first():
    # The tie-break stays below the next integer priority and grows with the estimate.
    fractions = [plan.longest_first(s) for s in (0.0, 1.0, 60.0, 3600.0, 1e9)]
    assert fractions == sorted(fractions) and len(set(fractions)) == 5
    assert fractions[0] == 0.0 and fractions[-1] < 1.0


# --- packs, chunks, early logging ----------------------------------------------------


PLAN_MODELS = {
    "b": {"estimator": "m.E", "seconds_per_trial": 0.06},  # 100 trials: 6 s, packed
    "slow": {"estimator": "m.E", "seconds_per_trial": 1.0},  # 100 s: alone
    "a": {"estimator": "m.E", "seconds_per_trial": 0.06},  # 6 s, packed
    "big": {"estimator": "m.E", "chunks": 3},  # chunked: alone
    "c": {"estimator": "m.E", "seconds_per_trial": 0.06},  # 6 s: a pack holds 15 s
}


def test_cheap_cells_are_packed_in_id_order_up_to_the_pack_budget():
    jobs = plan.JobPlan.from_study(small(PLAN_MODELS))
    assert jobs.packs == {"pack1": ("a", "b"), "pack2": ("c",)}
    assert jobs.alone == ["slow", "big"]  # config order
    assert jobs.pack_of("b") == "pack1" and jobs.pack_of("slow") is None
    assert [(c.start, c.stop) for c in jobs.chunks("big")] == [(0, 33), (33, 67), (67, 100)]
    backwards = small(dict(reversed(PLAN_MODELS.items())))
    assert plan.JobPlan.from_study(backwards).packs == jobs.packs
    # Every file once: the cells of a scenario in config order, a pack where it first
    # appears.
    assert [job.path for job in jobs.jobs] == [
        "trials/s/pack1.parquet",
        "trials/s/slow/1of1.parquet",
        "trials/s/big/1of3.parquet",
        "trials/s/big/2of3.parquet",
        "trials/s/big/3of3.parquet",
        "trials/s/pack2.parquet",
    ]


def test_a_swept_feature_count_is_costed_at_each_point():
    # 8 features and drop_one: 9 fits a trial, 100 trials of 0.01 s = 9 s at the
    # costliest point; two such cells overflow one pack's 15 s.
    models = {"m": {**OLS, "seconds_per_trial": 0.01}, "n": {**OLS, "seconds_per_trial": 0.01}}
    scenarios = {"s": {"generator": "gaussian_noise", "n_features": [2, 8]}}
    study = small(models, scenarios=scenarios, ablations={"drop_one": True})
    assert plan.JobPlan.from_study(study).packs == {"pack1": ("m",), "pack2": ("n",)}


def test_an_estimate_source_is_swapped_in_one_place():
    class Measured:
        """Every cell takes a minute a trial; no ordering by rows."""

        def seconds(self, n_trials, scenario, model):
            return 60.0 * n_trials

        def ranking(self, job_seconds, scenario):
            return job_seconds

    jobs = plan.JobPlan.from_study(small({"m": OLS}, trials=2), costs=Measured())
    # The packs stay the table's (OLS is cheap there): an estimate never moves a cell
    # into another job, which would rerun it.
    assert jobs.packs == {"pack1": ("m",)} and jobs.alone == []
    job = jobs.pack_job("s", "pack1")
    assert job.seconds == 120.0
    assert job.priority == tie_break(120.0)
    assert job.runtime(1) == time_limit(120.0)


def test_cells_of_long_history_are_logged_early():
    def config(trials, history="all", log_cells="auto", ablations=None):
        return {
            "trials": trials,
            "ablations": ablations or {},
            "mlflow": {"history": history, "log_cells": log_cells},
        }

    scenario = {"n_features": 9}
    metrics = len(TRIAL_METRICS)  # the registry's scores and timings per trial and variant
    assert plan.history_values(config(100), scenario) == 100 * metrics
    # drop_one: the full model and one variant per feature
    assert (
        plan.history_values(config(100, ablations={"drop_one": True}), scenario) == 1000 * metrics
    )
    assert plan.history_values(config(10**6, history="summary"), scenario) == 0
    threshold = -(-plan.EARLY_LOG_VALUES // metrics)  # the fewest trials logged early
    assert plan.logged_early(config(threshold), scenario)
    assert not plan.logged_early(config(threshold - 1), scenario)
    assert plan.logged_early(config(1, log_cells="early"), scenario)
    assert not plan.logged_early(config(10**6, log_cells="end"), scenario)


def test_the_early_scenario_points_log_every_model_early():
    # 100 trials x (1 + n_features) variants x 12 metrics: 4,800 values for 3 features,
    # 25,200 for 20; cells of 10,000 values or more are logged early.
    scenarios = {"small": {"n_features": 3}, "long": {"n_features": 20}}
    study = small({"m": OLS, "n": OLS}, scenarios=scenarios, ablations={"drop_one": True})
    jobs = plan.JobPlan.from_study(study)
    assert jobs.early == ("long",)
    assert jobs.early_cells == [("long", "m"), ("long", "n")]


# --- the shipped studies, worked out by hand ---------------------------------------------


def test_the_published_study_plan():
    jobs = plan.JobPlan.from_study(shipped("default"))
    cheap = ["BayesianRidge", "ElasticNet", "KNN", "Lasso", "LinearRegression", "MeanBaseline"]
    # 100 trials of one fit: 0.2 s a cheap model, GradientBoosting 6 s, RANSAC 7 s,
    # RandomForest 10 s. In id order RANSACRegressor's 7 s still fits the first pack
    # (14.2 s); RandomForest's 10 s opens the second, which Ridge joins.
    first = sorted([*cheap, "GradientBoosting", "RANSACRegressor"])
    assert jobs.packs == {"pack1": tuple(first), "pack2": ("RandomForest", "Ridge")}
    assert jobs.alone == [] and jobs.early == ()
    pack1, pack2 = jobs.jobs
    assert (pack1.path, pack2.path) == ("trials/noise/pack1.parquet", "trials/noise/pack2.parquet")
    assert pack1.seconds == pytest.approx(6 * 0.2 + 6 + 7)
    assert pack1.priority == pytest.approx(2 + tie_break(14.2))  # RANSAC's priority 2
    assert pack2.priority == pytest.approx(3 + tie_break(10.2))  # RandomForest's 3
    assert [pack1.runtime(a) for a in (1, 2, 3)] == [5, 10, 15]
    assert jobs.track_cell_priority == 4


def test_the_ablation_study_plan():
    jobs = plan.JobPlan.from_study(shipped("ablation"))
    # 8 features, drop_one and drop_informative: 1 + 2 x 8 = 17 fits a trial. The four
    # cheap models take 100 x 17 x 2 ms = 3.4 s each, 13.6 s together: one pack.
    assert jobs.packs == {"pack1": ("KNN", "Lasso", "LinearRegression", "MeanBaseline")}
    forest = jobs.chunk_job("correlated", "RandomForest", "1of2")
    assert forest.trials == range(0, 50)
    assert forest.seconds == pytest.approx(50 * 17 * 0.1)
    assert forest.priority == pytest.approx(1 + tie_break(85.0))
    assert forest.runtime(1) == time_limit(85.0) == 5
    # 100 trials x 17 variants x 12 metrics = 20,400 values: every cell logged early.
    assert jobs.early == ("independent", "correlated")
    assert len(jobs.jobs) == 2 * 3  # per scenario: the pack and two chunks


def test_a_cell_job_holds_only_what_changes_results():
    jobs = plan.JobPlan.from_study(shipped("default"))
    cell = jobs.cell("noise", "RandomForest")
    assert cell["model_spec"] == {
        "estimator": "sklearn.ensemble.RandomForestRegressor",
        "params": {"n_estimators": 100, "random_state": 42},
    }
    assert "priority" not in str(cell)
    from dataclasses import fields

    from negr2.trials import CellJob

    assert set(cell) == {field.name for field in fields(CellJob)}


@pytest.mark.e2e
def test_dry_runs_read_the_plan(tmp_path):
    # Each trial job of a dry run has the plan's priority and time limit; in the
    # sample-size study one pack per scenario point, every one of RandomForest's
    # priority 1, the n_train=640 packs first (without the tie-break their order was
    # Snakemake's, and they could run last).
    name = "sample-size"
    jobs = plan.JobPlan.from_study(shipped(name))
    study = REPO / "config" / "studies" / f"{name}.yaml"
    dry = run_snakemake(tmp_path, "-n", "--cores", "2", "--configfile", str(study))
    priorities = {}
    for block in re.split(r"^(?=(?:local)?rule \w+:)", dry.stdout + dry.stderr, flags=re.M):
        if block.startswith("rule trials_pack:"):
            scenario = re.search(r"wildcards: scenario=([^,\s]+)", block).group(1)
            priorities[scenario] = float(re.search(r"priority: ([\d.]+)", block).group(1))
            runtime = int(re.search(r"runtime=(\d+)", block).group(1))
            assert runtime == jobs.pack_job(scenario, "pack1").runtime(1)
    assert priorities == {job.scenario: job.priority for job in jobs.jobs}
    assert len(priorities) == 12
    assert all(1 <= p < 2 for p in priorities.values())
    n_train = {s: int(s.split("n_train=")[1]) for s in priorities}
    started = sorted(priorities, key=priorities.__getitem__, reverse=True)
    assert [n_train[s] for s in started] == sorted(n_train.values(), reverse=True)
