"""The Snakemake command lines of the make targets parse and plan.

``make paper-bundle`` once put its target after ``--config``, which Snakemake read as one
more config entry: the target failed at once, and only a run of the whole paper path showed
it. Here each target's Snakemake commands (from ``make -n``) run as dry runs, in a folder
that links to the repository's workflow and holds no results yet.
"""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[1]
#: The targets whose recipes run Snakemake, with what their dry run must plan.
TARGETS = {
    "study": "rule aggregate",
    "paper": "rule manuscript",
    "paper-bundle": "rule paper_bundle",
}


def snakemake_commands(target: str) -> list[list[str]]:
    """The Snakemake commands ``make -n TARGET`` prints, continuation lines joined."""
    printed = subprocess.run(["make", "-n", target, "CORES=1"], cwd=REPO, capture_output=True,
                             text=True, check=True).stdout  # fmt: skip
    lines = printed.replace("\\\n", " ").splitlines()
    return [shlex.split(line) for line in lines if "bin/snakemake" in line.split(" ", 1)[0]]


def fresh_checkout(folder: Path) -> Path:
    """A folder with the repository's files linked in and no ``results/``."""
    for name in ("Snakefile", "workflow", "src", "profiles", "config", "manuscript", ".venv"):
        (folder / name).symlink_to(REPO / name)
    return folder


@pytest.mark.parametrize("target", TARGETS)
def test_each_targets_snakemake_command_plans_its_jobs(target, tmp_path):
    commands = snakemake_commands(target)
    assert commands, f"make -n {target} prints no Snakemake command"
    folder = fresh_checkout(tmp_path)
    planned = ""
    for command in commands:
        done = subprocess.run([*command, "--dry-run"], cwd=folder, capture_output=True,
                              text=True, timeout=300)  # fmt: skip
        assert done.returncode == 0, f"make {target}: {shlex.join(command)}\n{done.stderr[-2000:]}"
        planned += done.stdout
    assert TARGETS[target] in planned, f"make {target} plans no {TARGETS[target]}"
