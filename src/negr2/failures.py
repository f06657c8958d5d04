"""Failed trials, where a study ends: which cells failed, how often, and why.

A failed trial is recorded, not fatal, so a study always runs to its end. Its closing
message then lists every cell with failed trials, and the run exits non-zero when a
cell failed more than the study's ``max_failed_share`` of them. This module reads
only the CSV summary and two columns of the trials table: it runs in Snakemake's own
process at the end of a run, where a heavy import would delay every run's exit.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FailedCell:
    """One (scenario point, model point) cell with failed trials.

    ``failed`` and ``total`` count rows of the trials table: one per trial and ablation
    variant, so a variant that fails alone counts once.
    """

    cell: str
    failed: int
    total: int
    first_error: str

    @property
    def share(self) -> float:
        return self.failed / self.total

    def describe(self) -> str:
        return (
            f"{self.cell}: {self.failed} of {self.total} failed ({self.share:.0%}); "
            f"first error: {self.first_error}"
        )


def failed_cells(summary_csv: str | Path, trials_parquet: str | Path) -> list[FailedCell]:
    """Every cell of the study with at least one failed trial, in summary order.

    Parameters
    ----------
    summary_csv : the study's ``summary.csv`` (``n_trials`` and ``n_failed`` per
        scenario point, model point and ablation variant).
    trials_parquet : the study's ``trials.parquet``, read for the first error of
        each failed cell (the one of its lowest trial index) only.
    """
    counts: dict[str, list[int]] = {}
    with open(summary_csv, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            cell = f"{row['scenario_id']}/{row['model_id']}"
            failed, total = counts.setdefault(cell, [0, 0])
            counts[cell] = [failed + int(row["n_failed"]), total + int(row["n_trials"])]
    failing = {cell: ft for cell, ft in counts.items() if ft[0] > 0}
    if not failing:
        return []
    errors = _first_errors(trials_parquet)
    return [
        FailedCell(cell, failed, total, errors.get(cell, "(no error text)"))
        for cell, (failed, total) in failing.items()
    ]


def _first_errors(trials_parquet: str | Path) -> dict[str, str]:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    columns = ["scenario_id", "model_id", "trial", "status", "error"]
    table = pq.read_table(trials_parquet, columns=columns)
    failed = table.filter(pc.not_equal(table["status"], "ok")).sort_by("trial")
    first: dict[str, str] = {}
    for scenario, model, error in zip(
        failed["scenario_id"].to_pylist(),
        failed["model_id"].to_pylist(),
        failed["error"].to_pylist(),
        strict=True,
    ):
        first.setdefault(f"{scenario}/{model}", error)
    return first


def over_limit(cells: list[FailedCell], max_failed_share: float) -> list[FailedCell]:
    """The cells that failed a larger share of their trials than allowed."""
    return [cell for cell in cells if cell.share > max_failed_share]


def closing_lines(cells: list[FailedCell], max_failed_share: float) -> list[str]:
    """The lines a run ends with when trials failed; none when nothing failed."""
    if not cells:
        return []
    lines = [f"negr2: trials failed in {len(cells)} cell(s):"]
    lines += [f"  {cell.describe()}" for cell in cells]
    bad = over_limit(cells, max_failed_share)
    if bad:
        names = ", ".join(cell.cell for cell in bad)
        lines.append(
            f"negr2: {names} failed more than max_failed_share = {max_failed_share:g} of "
            "their trials: the run fails. Every file and the report are written; see the "
            "report's failed trials and each cell's log under logs/trials/."
        )
    return lines
