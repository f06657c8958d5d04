"""Shared helpers: run the workflow on small configs in temporary folders."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
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


def in_ci() -> bool:
    """Whether this run is CI's (``CI`` set, as .ci/run sets it), where every tool must be."""
    return os.environ.get("CI", "").lower() not in ("", "0", "false")


def require(missing: list[str], what: str, install: str) -> None:
    """Skip the calling test when ``missing`` names something absent; in CI, fail it.

    Parameters
    ----------
    missing
        What is absent (programs, modules); empty when all is there.
    what
        The tool in words, e.g. ``"SLURM"``.
    install
        The command that installs it.
    """
    if not missing:
        return
    message = f"{what} is missing ({', '.join(missing)}); install it with: {install}"
    if in_ci():
        pytest.fail(f"{message} (CI=true: every tool must be there)", pytrace=False)
    pytest.skip(message)


def missing_programs(*names: str) -> list[str]:
    """The programs among ``names`` that are not on PATH."""
    return [name for name in names if shutil.which(name) is None]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config) -> Iterator[None]:
    """End the run with what it skipped and why, one line per reason: nothing is lost
    silently when a machine lacks TeX, Chromium, SLURM or an extra."""
    result = yield
    reasons = Counter(_skip_reason(report) for report in terminalreporter.stats.get("skipped", []))
    if reasons:
        total = sum(reasons.values())
        terminalreporter.section(f"skipped: {total} test(s), and why", sep="=", yellow=True)
        for reason, count in sorted(reasons.items()):
            terminalreporter.line(f"{count:4d} × {reason}")
    return result


#: The marker of tests that start processes (Snakemake, TeX, a browser, a service);
#: ``make test-fast`` leaves them out.
PROCESS_MARKER = "e2e"


class UnmarkedProcessError(RuntimeError):
    """A test without the ``e2e`` marker started a process."""


@contextlib.contextmanager
def _processes_forbidden(item: pytest.Item) -> Iterator[list[str]]:
    """Within the block, starting a process from ``item`` raises and is recorded
    (unless ``item`` carries the e2e marker): the fast lane stays fast."""
    started: list[str] = []
    if item.get_closest_marker(PROCESS_MARKER) is not None:
        yield started
        return
    original = subprocess.Popen._execute_child

    def refuse(popen, args, *rest, **kwargs):
        command = " ".join(map(str, args)) if isinstance(args, list | tuple) else str(args)
        started.append(command)
        raise UnmarkedProcessError(
            f"{item.nodeid} started a process ({command[:120]}) without @pytest.mark.e2e"
        )

    subprocess.Popen._execute_child = refuse
    try:
        yield started
    finally:
        subprocess.Popen._execute_child = original


def _guarded(item: pytest.Item) -> Iterator[None]:
    with _processes_forbidden(item) as started:
        result = yield
    if started:
        pytest.fail(
            f"{item.nodeid} starts a process ({started[0][:120]}) but has no "
            f"@pytest.mark.{PROCESS_MARKER}: mark it (or its module's pytestmark), so that "
            "the fast lane (make test-fast) leaves it out",
            pytrace=False,
        )
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    return (yield from _guarded(item))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    return (yield from _guarded(item))


def _skip_reason(report: pytest.TestReport) -> str:
    """A skip's reason, without pytest's ``Skipped: `` prefix."""
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")


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
