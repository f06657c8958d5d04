#!/usr/bin/env python3
"""README's picture of the workflow's rules, drawn by Snakemake (``--rulegraph mermaid-js``).

    python docs/rulegraph.py           # rewrite the picture in README.md (make rulegraph)
    python docs/rulegraph.py --check   # exit 1 if README's picture is not Snakemake's

The graph is that of a small study that uses every rule: a model split into chunks
(``trials``), cheap models sharing a pack (``trials_pack``) and every cell logged as soon
as its trials are done (``track_cell``). GitHub draws the Mermaid block as a picture; an
arrow points from a rule to the rule that uses its output.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
START, END = "<!-- rulegraph: start (make rulegraph) -->", "<!-- rulegraph: end -->"
#: A study small enough to plan in a second that has a job of every rule.
EVERY_RULE = {
    "study": "rulegraph",
    "seed": 1,
    "trials": 4,
    "mlflow": {"log_cells": "early"},
    "scenarios": {
        "noise": {"generator": "gaussian_noise", "n_train": 20, "n_test": 10, "n_features": 2}
    },  # fmt: skip
    "models": {
        "Forest": {"estimator": "sklearn.ensemble.RandomForestRegressor", "chunks": 2},
        "OLS": {"estimator": "sklearn.linear_model.LinearRegression"},
        "Mean": {"estimator": "sklearn.dummy.DummyRegressor"},
    },
}


def mermaid() -> str:
    """Snakemake's rule graph of :data:`EVERY_RULE`, as a Mermaid flowchart."""
    snakemake = Path(sys.executable).with_name("snakemake")
    with tempfile.TemporaryDirectory(prefix="negr2-rulegraph-") as tmp:
        config = Path(tmp) / "study.yaml"
        config.write_text(yaml.safe_dump(EVERY_RULE, sort_keys=False))
        done = subprocess.run(
            [str(snakemake), "-s", str(REPO / "Snakefile"), "-d", tmp, "--configfile",
             str(config), "--rulegraph", "mermaid-js"],
            capture_output=True, text=True, timeout=300,
            env=os.environ | {"MLFLOW_TRACKING_URI": ""},
        )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"snakemake --rulegraph failed:\n{done.stderr[-2000:]}")
    return canonical(done.stdout)


def canonical(flowchart: str) -> str:
    """Snakemake's flowchart with rule names as node ids, edges sorted, colours left out:
    its ids and edge order vary from run to run, the graph does not."""
    names = dict(re.findall(r"^\s*(id\d+)\[(\w+)\]$", flowchart, flags=re.M))
    edges = re.findall(r"^\s*(id\d+) --> (id\d+)$", flowchart, flags=re.M)
    if not names or not edges:
        raise SystemExit(f"no rule graph in Snakemake's output:\n{flowchart[-2000:]}")
    lines = [f"    {names[a]} --> {names[b]}" for a, b in edges]
    return "\n".join(["flowchart TB", *sorted(lines)])


def block(graph: str) -> str:
    """README's block: the markers around a fenced Mermaid diagram."""
    return f"{START}\n```mermaid\n{graph}\n```\n{END}"


def with_picture(readme: str, graph: str) -> str:
    """``readme`` with its block between the markers replaced by ``graph``'s."""
    if START not in readme or END not in readme:
        raise SystemExit(f"README.md has no '{START}' ... '{END}' block")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return head + block(graph) + tail


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args()
    readme = README.read_text()
    updated = with_picture(readme, mermaid())
    if args.check:
        if updated != readme:
            print("README.md's rule graph is stale: run make rulegraph", file=sys.stderr)
            return 1
        return 0
    README.write_text(updated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
