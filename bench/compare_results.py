#!/usr/bin/env python3
"""Check that two runs of the same studies wrote the same results, timings aside.

    python bench/compare_results.py BEFORE/results AFTER/results [--added medae ...]

For each study folder of BEFORE: the trials, summary, comparisons and claims tables are
equal in every column but the timing ones (exactly: no tolerance; the CSV files cell by
cell as their text holds them), and paper/*.tex, paper/report.md and report.html are
equal byte for byte (table.tex: whitespace aside), but for the provenance that names the
run (the git commit, the report's time of creation).

BEFORE may be of an older results format: its metric names are read as today's
(``negr2.results_folder.current_name``: ``neg_pct`` is ``negative_r2_pct``), in its
column names, the claims' ``metric`` column and the texts (a study file in the report).
Metrics added since (``--added``) are left out of AFTER: their trials column and summary
columns. Any other column that only one side has is a difference. Exits 1 on any
difference, naming it.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import pandas as pd

from negr2.metrics import metric
from negr2.results_folder import current_name

TIMING = ("fit_seconds", "predict_seconds", "mean_fit_seconds", "mean_predict_seconds")
TABLES = ("trials.parquet", "summary.csv", "comparisons.csv", "claims.csv")
#: Text files compared byte for byte (True: whitespace aside), besides paper/*.tex.
TEXTS = {"paper/table.tex": True, "paper/report.md": False, "report.html": False}
#: The provenance of a run, which two runs of the same results do not share.
PROVENANCE = (
    re.compile(r"(NegrInfo@commit\\endcsname\{)[0-9a-f]+"),
    re.compile(r'(<td>git commit</td>\s*<td class="left">\s*<code>)[0-9a-f]+'),
    re.compile(r'(<td>created</td>\s*<td class="left">)[^<]*'),
)


def read(path: Path) -> pd.DataFrame:
    """A table as its file holds it: a CSV file's cells as their text."""
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def as_today(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with older metric names read as today's (columns, claims' metrics)."""
    table = table.rename(columns=current_name)
    if "metric" in table.columns:
        table["metric"] = table["metric"].map(current_name)
    return table


def same_table(a: Path, b: Path, added: set[str]) -> bool:
    """Equal columns (renamed, added metrics aside), and equal values in each but the
    timing ones."""
    x, y = as_today(read(a)), read(b)
    y = y.drop(columns=[c for c in y.columns if c in added and c not in x.columns])
    kept = [c for c in x.columns if c not in TIMING]
    return list(x.columns) == list(y.columns) and x[kept].equals(y[kept])


def same_text(a: Path, b: Path, ignore_whitespace: bool) -> bool:
    """Equal text, provenance aside, BEFORE's older metric names read as today's."""
    x, y = a.read_text(), b.read_text()
    x = re.sub(r"[A-Za-z_]\w*", lambda word: current_name(word[0]), x)
    for pattern in PROVENANCE:
        x, y = pattern.sub(r"\1", x), pattern.sub(r"\1", y)
    if ignore_whitespace:
        x, y = re.sub(r"\s+", "", x), re.sub(r"\s+", "", y)
    return x == y


def added_columns(names: list[str]) -> set[str]:
    """The trials and summary columns of metrics added since BEFORE."""
    return {column for name in names for column in (name, *metric(name).summary_columns)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--added", nargs="*", default=[], help="metrics added since BEFORE")
    args = parser.parse_args()
    added = added_columns(args.added)
    different = 0
    for study in sorted(p for p in args.before.iterdir() if (p / "summary.csv").is_file()):
        other = args.after / study.name
        checks = [(name, same_table(study / name, other / name, added)) for name in TABLES]
        texts = {f"paper/{p.name}": False for p in sorted(study.glob("paper/*.tex"))}
        checks += [
            (name, same_text(study / name, other / name, ws))
            for name, ws in (texts | TEXTS).items()
            if (study / name).is_file()
        ]
        for name, same in checks:
            print(f"{study.name:20} {name:20} {'identical' if same else 'DIFFERENT'}")
            different += not same
    print("all identical" if not different else f"{different} files differ")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
