"""Logging for workflow jobs: everything, warnings included, into the job's log file."""

from __future__ import annotations

import logging


def to_file(path: str) -> None:
    """Send log records and Python warnings to ``path``.

    Warnings (a ``ConvergenceWarning``, say) are routed into the log rather than
    silenced, so a user can see them next to the trial that raised them.
    """
    logging.basicConfig(
        filename=path,
        filemode="w",
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    logging.captureWarnings(True)
