"""Check a manuscript's results bundle (make paper-bundle) without refitting a model.

  negr2 verify results/manuscript/ms-bundle.tar.gz     (or the folder it unpacks to)

Every file must have the SHA-256 that MANIFEST.sha256 records. Then, for each study,
the summary, intervals, comparisons and claims are computed again from the bundled
trials.parquet, and numbers.tex and the LaTeX tables written again from them: every
number the manuscript can cite must equal the bundled one, and so must every cell of
summary.csv, comparisons.csv and claims.csv. The provenance in numbers.tex (the
commit, the package versions) is taken as recorded. Each difference is named: the
file, the number, the bundled value and the recomputed one. Exit status 0 when all
agree, 1 when something differs.
"""

from __future__ import annotations

import argparse
import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

from negr2.bundle import MANIFEST
from negr2.unbundle import opened_bundle, parse_numbers

if TYPE_CHECKING:
    import pandas as pd

HELP = "check a results bundle: every cited number recomputed from its trials"
#: At most this many differences are named per file (then a count of the others).
SHOWN = 100
#: numbers.tex keys that record provenance, not results: taken from the bundle.
PROVENANCE = re.compile(r"NegrInfo@(commit|version-.*)$")
#: The columns that name a row of each table in a message.
ROW_KEYS = {
    "summary": ("scenario_id", "model_id", "ablation"),
    "comparisons": ("scenario_id", "model_id", "ablation"),
    "claims": ("id", "text"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("bundle", help="a <manuscript>-bundle.tar.gz, or its unpacked folder")


def run(args: argparse.Namespace) -> int:
    with opened_bundle(args.bundle) as root:
        problems, checked = verify_bundle(root)
    for problem in problems:
        print(f"negr2 verify: {problem}")
    if problems:
        print(f"negr2 verify: FAILED: {len(problems)} difference(s) in {args.bundle}")
        return 1
    print(
        f"negr2 verify: OK: {checked['files']} files match {MANIFEST}; "
        f"{checked['numbers']} numbers of {checked['studies']} studies and every row of "
        "their summary, comparisons and claims equal those recomputed from the trials"
    )
    return 0


def verify_bundle(root: Path) -> tuple[list[str], dict[str, int]]:
    """The differences found in the bundle unpacked at ``root``, and what was checked
    (``files``, ``studies``, ``numbers``)."""
    problems, n_files = check_manifest(root)
    studies = sorted(path for path in (root / "studies").iterdir() if path.is_dir())
    n_numbers = 0
    for folder in studies:
        found, n = check_study(folder, root)
        problems += found
        n_numbers += n
    return problems, {"files": n_files, "studies": len(studies), "numbers": n_numbers}


def check_manifest(root: Path) -> tuple[list[str], int]:
    """Files whose SHA-256 is not the manifest's, missing, or not in it; and how many
    the manifest lists."""
    manifest = root / MANIFEST
    if not manifest.is_file():
        return [f"no {MANIFEST}: this is not a complete bundle"], 0
    listed = {}
    for line in manifest.read_text().splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    problems = []
    for name, digest in listed.items():
        path = root / name
        if not path.is_file():
            problems.append(f"{name}: listed in {MANIFEST} but missing")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            problems.append(f"{name}: its SHA-256 is not the one {MANIFEST} records")
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if path.is_file() and name != MANIFEST and name not in listed:
            problems.append(f"{name}: not in {MANIFEST}")
    return problems, len(listed)


def check_study(folder: Path, root: Path) -> tuple[list[str], int]:
    """The differences between a study's bundled files and those recomputed from its
    trials, and how many numbers its numbers.tex holds."""
    from negr2.unbundle import recomputed_study

    where = folder.relative_to(root).as_posix()
    bundled_numbers = parse_numbers((folder / "paper" / "numbers.tex").read_text())
    tables, texts = recomputed_study(folder, bundled_numbers)
    problems = []
    for name, table in tables.items():
        problems += compare_tables(f"{where}/{name}.csv", folder / f"{name}.csv", table, name)
    recomputed = parse_numbers(texts["numbers"])
    problems += compare_numbers(f"{where}/paper/numbers.tex", bundled_numbers, recomputed)
    for name in ("table", "claims", "reference", "models"):
        bundled = (folder / "paper" / f"{name}.tex").read_text()
        if bundled != texts[name]:
            problems.append(f"{where}/paper/{name}.tex: differs from the one the trials give")
    return problems, len(bundled_numbers)


def compare_numbers(where: str, bundled: dict[str, str], recomputed: dict[str, str]) -> list[str]:
    """Each macro whose bundled text is not the recomputed one, or that only one has."""
    problems = []
    for key in sorted(bundled.keys() | recomputed.keys()):
        if PROVENANCE.search(key):
            continue
        ours, theirs = bundled.get(key, "(absent)"), recomputed.get(key, "(absent)")
        if ours != theirs:
            problems.append(f"{where}: {key} is {ours} in the bundle; the trials give {theirs}")
    return _at_most(problems, where)


def compare_tables(where: str, path: Path, recomputed: pd.DataFrame, name: str) -> list[str]:
    """Each cell of the bundled CSV at ``path`` that differs from ``recomputed`` (a
    table as written and read back), named by its row and column."""
    import pandas as pd

    bundled = pd.read_csv(path)
    if list(bundled.columns) != list(recomputed.columns) or len(bundled) != len(recomputed):
        return [f"{where}: {bundled.shape} table, the trials give {recomputed.shape}"]
    keys = [key for key in ROW_KEYS[name] if key in bundled.columns]
    problems = []
    for column in bundled.columns:
        same = (bundled[column] == recomputed[column]) | (
            bundled[column].isna() & recomputed[column].isna()
        )
        for i in same.index[~same]:
            row = " / ".join(str(bundled.at[i, key]) for key in keys)
            problems.append(
                f"{where}: {column} of {row} is {bundled.at[i, column]} in the bundle; "
                f"the trials give {recomputed.at[i, column]}"
            )
    return _at_most(problems, where)


def _at_most(problems: list[str], where: str) -> list[str]:
    if len(problems) <= SHOWN:
        return problems
    return [*problems[:SHOWN], f"{where}: and {len(problems) - SHOWN} more difference(s)"]
