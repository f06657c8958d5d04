"""The quick study against its reference snapshot (tests/data/quick-trials.parquet): any
cell that is not identical fails, with the comparison's table in the message. When
results change on purpose, `make snapshot` refreshes the snapshot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, run_snakemake

pytestmark = pytest.mark.e2e

SNAPSHOT = REPO / "tests/data/quick-trials.parquet"


def test_the_quick_study_is_identical_to_its_snapshot(tmp_path):
    run_snakemake(tmp_path, "--cores", "2", "--configfile", str(REPO / "config/studies/quick.yaml"))
    negr2 = Path(sys.executable).with_name("negr2")
    done = subprocess.run(
        [str(negr2), "compare", str(SNAPSHOT), str(tmp_path / "results/quick"),
         "--fail-on", "any-change"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, (
        "the quick study's numbers changed: if on purpose, run `make snapshot`\n"
        + done.stdout
        + done.stderr
    )
    assert "Verdicts: 6 identical." in done.stdout
