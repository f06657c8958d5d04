"""negr2.resources: a trial job's cluster time limit and memory."""

from __future__ import annotations

import re

from conftest import REPO, run_snakemake

from negr2 import resources

FOREST = {"estimator": "sklearn.ensemble.RandomForestRegressor"}
OLS = {"estimator": "sklearn.linear_model.LinearRegression"}


def test_runtime_is_twice_the_estimate_and_grows_with_attempt():
    # 50 RandomForest trials of 0.1 s: 10 + 5 = 15 s, below the 5-minute floor.
    assert resources.runtime_minutes(15.0, attempt=1) == 5
    # 20,000 trials of 0.1 s: 2010 s, twice is 67 minutes; then 134, 201.
    seconds = resources.START_SECONDS + 20_000 * resources.seconds_per_fit(FOREST)
    assert [resources.runtime_minutes(seconds, a) for a in (1, 2, 3)] == [67, 134, 201]


def test_memory_grows_with_attempt():
    assert [resources.mem_mb(a) for a in (1, 2)] == [resources.MEM_MB, 2 * resources.MEM_MB]


def test_a_model_may_give_its_own_estimate():
    assert resources.seconds_per_fit(OLS) == resources.DEFAULT_SECONDS
    assert resources.seconds_per_fit({**OLS, "seconds_per_trial": 2.5}) == 2.5


def test_folds_and_ablations_multiply_the_fits():
    scenario = {"n_features": 9}
    assert resources.fits_per_trial(scenario, {}) == 1
    assert resources.fits_per_trial({**scenario, "split": {"method": "kfold"}}, {}) == 5
    kfold3 = {"split": {"method": "kfold", "folds": 3}, "ablations": {"drop_one": True}}
    assert resources.fits_per_trial(scenario, kfold3) == 3 * 10


def test_only_ablations_that_are_on_add_fits():
    scenario = {"n_features": 4}
    off = {"ablations": {"drop_one": False, "drop_informative": False}}
    assert resources.fits_per_trial(scenario, off) == 1
    mixed = {"ablations": {"drop_random": {"k": [1, 2]}, "keep": {"a": ["x0"]}}}
    assert resources.fits_per_trial(scenario, mixed) == 1 + 2 + 1


def test_cheap_cells_are_packed_in_id_order_up_to_the_pack_budget():
    from negr2 import plan
    from negr2.study import Study

    def model(**spec):
        return {"estimator": "m.E", **spec}

    models = {
        "b": model(seconds_per_trial=0.06),  # 6 s
        "a": model(seconds_per_trial=0.06),  # 6 s
        "slow": model(seconds_per_trial=1.0),  # 100 s: alone
        "big": model(chunks=2),  # chunked: alone
        "c": model(seconds_per_trial=0.06),  # 6 s: a pack holds 15 s
    }
    config = {"trials": 100, "scenarios": {"s": {"n_features": 3}}, "models": models}
    assert plan.packs(Study.from_config(config)) == [["a", "b"], ["c"]]
    backwards = {**config, "models": dict(reversed(models.items()))}
    assert plan.packs(Study.from_config(backwards)) == [["a", "b"], ["c"]]


def test_cells_of_long_history_are_logged_early():
    from negr2 import plan
    from negr2.columns import TRIAL_METRICS

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


def test_a_swept_feature_count_is_costed_at_each_point():
    from negr2 import plan
    from negr2.study import Study

    config = {
        "trials": 100,
        "ablations": {"drop_one": True},
        "scenarios": {"s": {"generator": "gaussian_noise", "n_features": [2, 8]}},
        "models": {"m": {}},
    }
    ols = {**OLS, "seconds_per_trial": 0.01}
    # the costliest point: 8 features, so 1 + 8 variants per trial, 100 trials of 0.01 s
    assert plan.cell_seconds(Study.from_config(config), ols) == 100 * 9 * 0.01


def test_the_longest_of_equal_priority_jobs_starts_first():
    # The tie-break stays below the next integer priority and grows with the estimate.
    fractions = [resources.longest_first(s) for s in (0.0, 1.0, 60.0, 3600.0, 1e9)]
    assert fractions == sorted(fractions) and len(set(fractions)) == 5
    assert fractions[0] == 0.0 and fractions[-1] < 1.0
    assert resources.rows_factor({"n_train": 640}) == 4 * resources.rows_factor({"n_train": 160})


def test_sample_size_packs_start_largest_training_set_first(tmp_path):
    # One pack per scenario point, every one of RandomForest's priority 1: without the
    # tie-break their order was Snakemake's, and the n_train=640 packs could run last.
    study = REPO / "config" / "studies" / "sample-size.yaml"
    dry = run_snakemake(tmp_path, "-n", "--cores", "2", "--configfile", str(study))
    priorities = {}
    for block in re.split(r"^(?=(?:local)?rule \w+:)", dry.stdout + dry.stderr, flags=re.M):
        if block.startswith("rule trials_pack:"):
            scenario = re.search(r"wildcards: scenario=([^,\s]+)", block).group(1)
            priorities[scenario] = float(re.search(r"priority: ([\d.]+)", block).group(1))
    assert len(priorities) == 12
    assert all(1 <= p < 2 for p in priorities.values())
    n_train = {s: int(s.split("n_train=")[1]) for s in priorities}
    started = sorted(priorities, key=priorities.__getitem__, reverse=True)
    assert [n_train[s] for s in started] == sorted(n_train.values(), reverse=True)
