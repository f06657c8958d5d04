"""Shared helpers: run the workflow on small configs in temporary folders."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))

# An estimator that fails in some trials (raises, or predicts NaN), to check that
# failures are recorded and counted, not fatal. Imported by the trial jobs.
FLAKY_MODULE = '''
import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin


class Flaky(RegressorMixin, BaseEstimator):
    """Mean predictor that raises on seeds divisible by 3 and predicts NaN on
    seeds that are 1 modulo 3."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y):
        if self.random_state % 3 == 0:
            raise RuntimeError("flaky fit failed on purpose")
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        value = np.nan if self.random_state % 3 == 1 else self.mean_
        return np.full(len(X), value)
'''


def pytest_configure(config: pytest.Config) -> None:
    # A run stopped by SIGTERM (kill, a CI time limit) unwinds as Ctrl-C does: every
    # fixture's teardown runs, so the tracking servers, databases and clusters the tests
    # started are stopped instead of left running.
    signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"stopped by signal {signum}")


def tiny_config(study: str = "tiny") -> dict:
    """A study that runs in seconds: 6 trials, four cheap models, one flaky."""
    return {
        "study": study,
        "seed": 7,
        "trials": 6,
        "scenarios": {
            "noise": {"generator": "gaussian_noise", "n_train": 30, "n_test": 10, "n_features": 3}
        },
        "models": {
            "LinearRegression": {"estimator": "sklearn.linear_model.LinearRegression"},
            "Ridge": {
                "estimator": "sklearn.linear_model.Ridge",
                "params": {"alpha": 1.0},
                "chunks": 2,
            },
            "Forest": {
                "estimator": "sklearn.ensemble.RandomForestRegressor",
                "params": {"n_estimators": 5},
                "chunks": 3,
            },
            "MeanBaseline": {"estimator": "sklearn.dummy.DummyRegressor"},
            "Flaky": {"estimator": "flaky_models.Flaky"},
        },
    }


def write_config(workdir: Path, config: dict, name: str = "config.yaml") -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "flaky_models.py").write_text(FLAKY_MODULE)
    path = workdir / name
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def run_snakemake(workdir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run the workflow with ``workdir`` as working directory."""
    env = os.environ | {
        "PYTHONPATH": os.pathsep.join([str(workdir), os.environ.get("PYTHONPATH", "")]),
        "MLFLOW_TRACKING_URI": "",  # the config's store, never the caller's
    }
    cmd = [SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir), *args]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def planned_jobs(output: str) -> dict[str, int]:
    """Job counts per rule from a dry run's "Job stats" table (empty: nothing to do)."""
    table = re.search(r"^job +count\n[- ]+\n((?:\w+ +\d+\n)+)", output, flags=re.M)
    if table is None:
        return {}
    counts = dict(re.findall(r"^(\w+) +(\d+)$", table.group(1), flags=re.M))
    return {rule: int(n) for rule, n in counts.items() if rule not in ("all", "total")}


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory) -> Path:
    """The tiny study, run once with 2 cores; tests read but never change it."""
    workdir = tmp_path_factory.mktemp("tiny")
    config = write_config(workdir, tiny_config())
    run_snakemake(workdir, "--cores", "2", "--configfile", str(config))
    return workdir
