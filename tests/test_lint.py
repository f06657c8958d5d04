"""The code stays ruff-, snakefmt- and `snakemake --lint`-clean."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SNAPSHOT = "tests/data/quick-trials.parquet"


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["snakefmt", "--check", "."],
        ["snakemake", "--lint", "--cores", "1"],
        ["snakemake", "-s", "workflow/manuscript.smk", "--lint", "--cores", "1"],
        # The compare rule exists only with compare_with.
        ["snakemake", "--lint", "--cores", "1", "--config", f"compare_with={SNAPSHOT}"],
    ],
    ids=["ruff", "ruff-format", "snakefmt", "snakemake-lint", "manuscript-lint", "compare-lint"],
)
def test_clean(command):
    done = subprocess.run([str(BIN / command[0]), *command[1:]], cwd=REPO, capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_merge_conflict_markers_are_left_in_tracked_files():
    """A merge resolved by hand once left a bare ``=======`` in BENCHMARKS.md."""
    files = subprocess.run(["git", "ls-files", "*.md", "*.py", "*.smk", "*.yaml", "*.tex",
                            "Snakefile", "Makefile"], cwd=REPO, capture_output=True, text=True,
                           check=True).stdout.split()  # fmt: skip
    found = [
        f"{name}:{number}"
        for name in files
        for number, line in enumerate((REPO / name).read_text().splitlines(), 1)
        if line.rstrip() == "=======" or line.startswith(("<<<<<<< ", ">>>>>>> "))
    ]
    assert not found, f"merge conflict markers at {found}"
