"""The ``negr2`` console script: one subcommand per task.

Each subcommand lives in a module of its own, named in :data:`SUBCOMMANDS`, which
provides:

* ``HELP``: one line for ``negr2 --help``;
* ``add_arguments(parser)``: its arguments (the module's docstring is its description);
* ``run(args) -> int``: the work, returning the exit status.

A subcommand's module must import quickly (argparse only at the top; pandas, SciPy or
MLflow inside ``run``): ``negr2 --help`` imports every one of them. Bad input raises
:class:`negr2.errors.InputError`, which is printed as one line (exit status 2).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from negr2 import __version__
from negr2.errors import InputError

#: Each subcommand's name and the module that implements it.
SUBCOMMANDS: dict[str, str] = {
    "compare": "negr2.compare.command",
    "verify": "negr2.verify",
    "rebuild": "negr2.rebuild",
    "status": "negr2.status",
}


def build_parser(subcommands: dict[str, str] | None = None) -> argparse.ArgumentParser:
    """The parser of ``negr2`` with a subparser per entry of ``subcommands`` (by default
    :data:`SUBCOMMANDS`)."""
    parser = argparse.ArgumentParser(
        prog="negr2", description="negr2: when, and why, does a regression model score a "
        "negative test R²? Commands on a study's results."
    )  # fmt: skip
    parser.add_argument("--version", action="version", version=f"negr2 {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in (SUBCOMMANDS if subcommands is None else subcommands).items():
        module = importlib.import_module(module_name)
        sub = commands.add_parser(
            name,
            help=module.HELP,
            description=module.__doc__,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None, subcommands: dict[str, str] | None = None) -> int:
    """Run the subcommand ``argv`` names (``sys.argv[1:]`` by default); return its exit
    status. An :class:`~negr2.errors.InputError` is printed as one line, status 2."""
    parser = build_parser(subcommands)
    args = parser.parse_args(argv)
    if getattr(args, "run", None) is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.run(args))
    except InputError as error:
        print(f"negr2 {args.command}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
