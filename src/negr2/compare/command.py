"""Compare two versions of a study: which cells moved beyond noise, which only wobbled.

  negr2 compare BASE NEW          each a results folder (results/<study>), a trials.parquet,
                                  runs:/<run id> (a study run or a cell run in MLflow) or
                                  experiments:/<name> (an MLflow experiment's current runs)
  negr2 compare --mlflow STUDY    each current cell run of the study against the run it
                                  superseded: what the last change did

Cells match on scenario point, model point and ablation variant; trials pair up when
both versions drew the same data (the same data digest). The table goes to stdout, or
with --out DIR to DIR/compare.csv, compare.md, compare.html, compare.json and forest.png.
Verdicts: identical, moved, within noise, added, removed (see docs/compare.md).
"""

from __future__ import annotations

import argparse
import os
import sys

HELP = "compare two versions of a study: which cells moved beyond noise"
#: --fail-on: which cell verdicts make the exit status 1.
FAIL_ON = {
    "moved": ("moved",),
    "any-change": ("moved", "within noise", "added", "removed"),
    "never": (),
}
#: The default MLflow store, as the workflow's (results/mlflow.db).
DEFAULT_TRACKING_URI = "sqlite:///results/mlflow.db"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("base", nargs="?", metavar="BASE", help="the earlier version")
    parser.add_argument("new", nargs="?", metavar="NEW", help="the later version")
    parser.add_argument(
        "--mlflow", metavar="STUDY", help="STUDY's current cell runs against those they superseded"
    )
    parser.add_argument(
        "--tracking-uri",
        metavar="URI",
        help="the MLflow store (default: $MLFLOW_TRACKING_URI, else sqlite:///results/mlflow.db)",
    )
    parser.add_argument("--out", metavar="DIR", help="write the table, page and figure here")
    parser.add_argument(
        "--format", choices=("markdown", "csv"), default="markdown", help="stdout's format"
    )
    parser.add_argument(
        "--fail-on",
        choices=tuple(FAIL_ON),
        default="never",
        help="exit 1 when a cell moved, or when any cell is not identical (default: never)",
    )
    parser.add_argument("--alpha", type=float, default=0.05, help="level of the tests (0.05)")
    parser.add_argument(
        "--correction",
        default="holm",
        help="across cells: holm (default) or bh, Benjamini-Hochberg",
    )
    parser.add_argument("--metric", default="r2", help="the metric verdicts rest on (r2)")
    parser.add_argument(
        "--negligible",
        type=float,
        default=1e-3,
        help="a change of at most this many standard deviations is within noise (0.001)",
    )


def run(args: argparse.Namespace) -> int:
    """Compare, write the table (and files), return the exit status --fail-on asks."""
    from negr2.compare.engine import Options, compare_versions
    from negr2.compare.tables import method_lines, to_csv, to_markdown

    options = Options(args.alpha, args.correction, args.metric, args.negligible)
    options.check()
    base, new = _versions(args)
    comparison = compare_versions(base, new, options)
    if args.out:
        from negr2.compare.output import write_comparison

        paths = write_comparison(comparison, args.out)
        print("\n".join(method_lines(comparison)))
        print(f"Written: {', '.join(str(p) for p in paths.values())}")
    else:
        sys.stdout.write(to_csv(comparison) if args.format == "csv" else to_markdown(comparison))
    verdicts = set(comparison.cells()["cell_verdict"])
    return 1 if verdicts & set(FAIL_ON[args.fail_on]) else 0


def _versions(args: argparse.Namespace):
    """The two versions the arguments name (errors before any trial is read)."""
    from negr2.errors import InputError

    if args.mlflow:
        if args.base or args.new:
            raise InputError("give either BASE and NEW, or --mlflow STUDY, not both")
        from negr2.compare.mlflow_versions import client_for, superseded_versions

        return superseded_versions(client_for(_tracking_uri(args)), args.mlflow)
    if not (args.base and args.new):
        raise InputError("name BASE and NEW (results folders, trials.parquet files or MLflow "
                         "runs:/ID, experiments:/NAME), or --mlflow STUDY")  # fmt: skip
    base, new = (
        _version(args, text, role) for text, role in ((args.base, "BASE"), (args.new, "NEW"))
    )
    from negr2.compare.mlflow_versions import single_cells_paired

    return base, single_cells_paired(base, new) if _is_mlflow(args.base) and _is_mlflow(
        args.new
    ) else new


def _version(args: argparse.Namespace, text: str, role: str):
    if not _is_mlflow(text):
        from negr2.compare.versions import open_version

        return open_version(text, role)
    from negr2.compare import mlflow_versions

    client = mlflow_versions.client_for(_tracking_uri(args))
    if text.startswith("runs:/"):
        return mlflow_versions.run_version(client, text.removeprefix("runs:/").strip("/"), role)
    return mlflow_versions.experiment_version(client, text.removeprefix("experiments:/"), role)


def _is_mlflow(text: str | None) -> bool:
    return bool(text) and text.startswith(("runs:/", "experiments:/"))


def _tracking_uri(args: argparse.Namespace) -> str:
    return args.tracking_uri or os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_TRACKING_URI
