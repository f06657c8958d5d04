#!/usr/bin/env python3
"""Print every job of a dry run, sorted: rule, wildcards, priority, threads, resources,
input and output files.

    python bench/dry_run_jobs.py [--snakefile Snakefile] [--profile profiles/slurm] \
        config/config.yaml config/studies/*.yaml > jobs.txt

Run it on two versions of the workflow and diff the outputs: an empty diff means both
plan the same jobs with the same priorities and resources. Each study is dry-run
(``snakemake -n``) in a scratch folder; what Snakemake prints for each job is parsed,
the job id and the reason dropped (they depend on the order the DAG was built in), and
the lines of each job printed in a fixed order, jobs sorted by rule and wildcards.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
#: The fields of a job compared, in the order printed (jobid and reason are left out).
FIELDS = ("wildcards", "priority", "threads", "resources", "input", "output", "log", "benchmark")
JOB_START = re.compile(r"^(\s*)(?:local)?rule (\w+):$")
GROUP_START = re.compile(r"Group job (\w+)")


def dry_run(snakefile: Path, config: Path, profile: Path | None) -> str:
    """The text of ``snakemake -n`` for one study, run in a scratch folder."""
    with tempfile.TemporaryDirectory(prefix="negr2-dry-") as folder:
        command = [
            str(BIN / "snakemake"),
            "--snakefile",
            str(snakefile),
            "--directory",
            folder,
            "-n",
            "--cores",
            "2",
            "--configfile",
            str(config.resolve()),
        ]
        if profile is not None:
            command += ["--profile", str(profile.resolve())]
        done = subprocess.run(command, capture_output=True, text=True, cwd=folder)
        if done.returncode != 0:
            sys.exit(f"dry run of {config} failed:\n{done.stdout}{done.stderr}")
        return (done.stdout + done.stderr).replace(folder, "<workdir>")


def jobs(text: str) -> list[dict[str, str]]:
    """Each job's fields, parsed from a dry run's text: ``rule``, ``group`` for a job
    of a group job (a cluster profile's), and what Snakemake printed."""
    found: list[dict[str, str]] = []
    group, indent = "", None
    for line in text.splitlines():
        if GROUP_START.search(line):
            group = GROUP_START.search(line).group(1)
        start = JOB_START.match(line)
        if start:
            indent = len(start.group(1)) + 4
            found.append({"rule": start.group(2), "group": group if indent > 4 else ""})
        elif indent is not None and line.startswith(" " * indent) and ": " in line:
            key, _, value = line.strip().partition(": ")
            found[-1][key] = value
        elif line.strip() and not line.startswith(" " * (indent or 1)):
            indent = None  # the job's block has ended
    return found


def job_lines(fields: dict[str, str]) -> list[str]:
    """One job as text lines: its rule, then each compared field (resources sorted by
    name: Snakemake prints them in an order that varies between runs)."""
    resources = (item for item in fields.get("resources", "").split(", ") if item)
    kept = sorted(item for item in resources if not item.startswith("tmpdir="))
    fields = {**fields, "resources": ", ".join(kept)}
    group = f" (group {fields['group']})" if fields["group"] else ""
    return [f"{fields['rule']}{group}:"] + [
        f"    {key}: {fields[key]}" for key in FIELDS if key in fields
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("configs", nargs="+", type=Path)
    parser.add_argument("--snakefile", type=Path, default=REPO / "Snakefile")
    parser.add_argument("--profile", type=Path)
    args = parser.parse_args()
    for config in args.configs:
        found = jobs(dry_run(args.snakefile.resolve(), config, args.profile))
        print(f"# {config}: {len(found)} jobs")
        blocks = sorted(job_lines(fields) for fields in found)
        for block in blocks:
            print("\n".join(block))


if __name__ == "__main__":
    main()
