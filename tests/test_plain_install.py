"""README's quick start without make: `pip install -e .` alone, without the dev extras, runs a study
and `snakemake --report`."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, tiny_config, write_config

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def plain_venv(tmp_path_factory) -> Path:
    """A fresh virtual environment with the core install only."""
    venv = tmp_path_factory.mktemp("plain") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin/python"), "-m", "pip", "install", "--quiet"]
    subprocess.run(
        [*pip, "--disable-pip-version-check", "-e", str(REPO)],
        check=True,
        timeout=900,
        capture_output=True,
    )
    return venv


def test_report_zip_after_the_plain_install(plain_venv, tmp_path):
    python = str(plain_venv / "bin/python")
    # The dev extras (pytest, which brings pygments to the test environment) are absent.
    probe = subprocess.run([python, "-c", "import pytest"], capture_output=True, text=True)
    assert probe.returncode != 0 and "No module named 'pytest'" in probe.stderr
    config = write_config(tmp_path, tiny_config())
    env = os.environ | {"PYTHONPATH": str(tmp_path), "MLFLOW_TRACKING_URI": ""}
    snakemake = [str(plain_venv / "bin/snakemake"), "--snakefile", str(REPO / "Snakefile")]
    common = [*snakemake, "--directory", str(tmp_path), "--configfile", str(config)]
    for extra in (["--cores", "2"], ["--report", "results/tiny/report.zip"]):
        done = subprocess.run(
            [*common, *extra], capture_output=True, text=True, env=env, timeout=900
        )
        assert done.returncode == 0, done.stdout + done.stderr
    with zipfile.ZipFile(tmp_path / "results/tiny/report.zip") as report:
        names = report.namelist()
    assert any(name.endswith("report.html") for name in names), names
    assert any(name.endswith("summary.csv") for name in names), names
