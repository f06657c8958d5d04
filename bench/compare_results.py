#!/usr/bin/env python3
"""Check that two runs of the same studies wrote the same results, timings aside.

    python bench/compare_results.py BEFORE/results AFTER/results

For each study folder of BEFORE: the trials, summary, comparisons and claims tables are
equal in every column but the timing ones (exactly: no tolerance), and the paper's
numbers.tex, table.tex, claims.tex, reference.tex and report.md are equal byte for byte
(table.tex: whitespace aside). Exits 1 on any difference, naming it.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import pandas as pd

TIMING = ("fit_seconds", "predict_seconds", "mean_fit_seconds", "mean_predict_seconds")
TABLES = ("trials.parquet", "summary.csv", "comparisons.csv", "claims.csv")
TEXTS = {
    "paper/numbers.tex": False,
    "paper/table.tex": True,
    "paper/claims.tex": False,
    "paper/reference.tex": False,
    "paper/report.md": False,
}


def same_table(a: Path, b: Path) -> bool:
    """Equal columns, and equal values in each but the timing ones."""
    read = pd.read_parquet if a.suffix == ".parquet" else pd.read_csv
    x, y = read(a), read(b)
    kept = [c for c in x.columns if c not in TIMING]
    return list(x.columns) == list(y.columns) and x[kept].equals(y[kept])


def same_text(a: Path, b: Path, ignore_whitespace: bool) -> bool:
    x, y = a.read_text(), b.read_text()
    if ignore_whitespace:
        x, y = re.sub(r"\s+", "", x), re.sub(r"\s+", "", y)
    return x == y


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    args = parser.parse_args()
    different = 0
    for study in sorted(p for p in args.before.iterdir() if (p / "summary.csv").is_file()):
        other = args.after / study.name
        checks = [(name, same_table(study / name, other / name)) for name in TABLES]
        checks += [
            (name, same_text(study / name, other / name, ws))
            for name, ws in TEXTS.items()
            if (study / name).is_file()
        ]
        for name, same in checks:
            print(f"{study.name:20} {name:20} {'identical' if same else 'DIFFERENT'}")
            different += not same
    print("all identical" if not different else f"{different} files differ")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
