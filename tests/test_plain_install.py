"""README's quick start without make: `pip install -e .` alone, without the dev extras, runs
a study and `snakemake --report`. The workflow finds the package itself
(docs/architecture.md): a study runs with the locked dependencies alone, and past another
copy of the package."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, tiny_config, write_config

pytestmark = pytest.mark.e2e


def venv_with(folder: Path, *install: str) -> Path:
    """A fresh virtual environment in ``folder``, then ``pip install <install>``."""
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin/python"), "-m", "pip", "install", "--quiet"]
    subprocess.run(
        [*pip, "--disable-pip-version-check", *install],
        check=True,
        timeout=900,
        capture_output=True,
    )
    return venv


def run_study(
    snakemake: Path, workdir: Path, *args: str, pythonpath: str = ""
) -> subprocess.CompletedProcess:
    """The tiny study, in ``workdir``, run by the given ``snakemake``."""
    config = write_config(workdir, tiny_config())
    env = os.environ | {"PYTHONPATH": pythonpath or str(workdir), "MLFLOW_TRACKING_URI": ""}
    command = [str(snakemake), "--snakefile", str(REPO / "Snakefile"), "--directory"]
    command += [str(workdir), "--configfile", str(config), *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)


@pytest.fixture(scope="module")
def plain_venv(tmp_path_factory) -> Path:
    """A fresh virtual environment with the core install only."""
    return venv_with(tmp_path_factory.mktemp("plain"), "-e", str(REPO))


def test_report_zip_after_the_plain_install(plain_venv, tmp_path):
    python = str(plain_venv / "bin/python")
    # The dev extras (pytest, which brings pygments to the test environment) are absent.
    probe = subprocess.run([python, "-c", "import pytest"], capture_output=True, text=True)
    assert probe.returncode != 0 and "No module named 'pytest'" in probe.stderr
    for extra in (["--cores", "2"], ["--report", "results/tiny/report.zip"]):
        done = run_study(plain_venv / "bin/snakemake", tmp_path, *extra)
        assert done.returncode == 0, done.stdout + done.stderr
    with zipfile.ZipFile(tmp_path / "results/tiny/report.zip") as report:
        names = report.namelist()
    assert any(name.endswith("report.html") for name in names), names
    assert any(name.endswith("summary.csv") for name in names), names


@pytest.fixture(scope="module")
def dependencies_venv(tmp_path_factory) -> Path:
    """A fresh virtual environment with the locked dependencies of the plain install,
    and not negr2 itself (as a conda environment from envs/negr2.yaml)."""
    lock = REPO / "requirements" / "negr2.txt"
    folder = tmp_path_factory.mktemp("dependencies")
    return venv_with(folder, "--require-hashes", "--no-deps", "-r", str(lock))


def test_a_study_runs_with_its_dependencies_alone(dependencies_venv, tmp_path):
    # Snakemake's process and every job import the package from src/ beside the
    # Snakefile (docs/architecture.md, "How the package is found").
    python = str(dependencies_venv / "bin/python")
    probe = subprocess.run([python, "-c", "import negr2"], capture_output=True, text=True)
    assert "No module named 'negr2'" in probe.stderr
    done = run_study(dependencies_venv / "bin/snakemake", tmp_path, "--cores", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "results" / "tiny" / "report.html").is_file()


def test_every_job_imports_this_checkouts_package(tmp_path):
    # Another copy of negr2 ahead on the path (a stale install, another checkout): the
    # jobs, like Snakemake's process, still import the package beside the Snakefile.
    decoy = tmp_path / "decoy" / "negr2"
    decoy.mkdir(parents=True)
    (decoy / "__init__.py").write_text("raise ImportError('the decoy negr2 was imported')\n")
    snakemake = Path(sys.executable).with_name("snakemake")
    path = os.pathsep.join([str(decoy.parent), str(tmp_path)])
    done = run_study(snakemake, tmp_path, "--cores", "2", pythonpath=path)
    assert done.returncode == 0, done.stdout + done.stderr
