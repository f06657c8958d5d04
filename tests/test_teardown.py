"""A test run stopped by SIGTERM still tears its fixtures down (tests/conftest.py), so
that the services the tests start (tracking server, PostgreSQL, SLURM) are stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

TESTS = Path(__file__).resolve().parent

SLOW_TEST = """
import time
from pathlib import Path

import pytest

FOLDER = Path(__file__).parent


@pytest.fixture
def service():
    (FOLDER / "started").touch()
    try:
        yield
    finally:
        (FOLDER / "stopped").touch()


def test_runs_until_stopped(service):
    time.sleep(120)
"""


def test_sigterm_runs_the_fixtures_teardown(tmp_path):
    (tmp_path / "test_slow.py").write_text(SLOW_TEST)
    # The project's conftest as a plugin of a run in another folder.
    env = os.environ | {"PYTHONPATH": str(TESTS)}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "conftest", str(tmp_path)]
    with subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE) as run:
        deadline = time.monotonic() + 60
        while not (tmp_path / "started").exists():
            assert run.poll() is None and time.monotonic() < deadline, "the test never started"
            time.sleep(0.1)
        run.send_signal(signal.SIGTERM)
        run.wait(timeout=60)
    assert (tmp_path / "stopped").exists()
