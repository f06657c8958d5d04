"""Logging for workflow jobs: everything, warnings included, into the job's log file."""

from __future__ import annotations

import logging
import os
import sys
import time

#: A job log's line: time, level, logger, message.
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def to_file(path: str) -> None:
    """Send log records and Python warnings to ``path``.

    Warnings (a ``ConvergenceWarning``, say) are routed into the log rather than
    silenced, so a user can see them next to the trial that raised them.
    """
    logging.basicConfig(filename=path, filemode="w", level=logging.INFO, format=FORMAT, force=True)
    logging.captureWarnings(True)
    sys.excepthook = _log_then_raise


def _log_then_raise(kind, error, traceback) -> None:
    """Put a job's fatal error in its log too, not only on Snakemake's console."""
    logging.critical("the job failed", exc_info=(kind, error, traceback))
    sys.__excepthook__(kind, error, traceback)


def exit_job() -> None:
    """End a job's process now that its outputs are written and closed.

    Skips the interpreter's teardown, which takes ~0.2 s of CPU once scikit-learn,
    SciPy and pandas are loaded: paid once per job, that is several seconds of a
    study. Log handlers are flushed and closed first.
    """
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


class Progress:
    """Logs items done / total, elapsed time and an estimate of the time left, at most
    every ``every_seconds`` and at the end (trial jobs: trials; track: cells)."""

    def __init__(self, total: int, label: str, unit: str, every_seconds: float = 10.0) -> None:
        self.total, self.label, self.unit, self.every = total, label, unit, every_seconds
        self.done = 0
        self.start = self.last = time.perf_counter()

    def step(self, note: str = "") -> None:
        """One more item done; ``note`` is appended to the line (e.g. values logged)."""
        self.done += 1
        now = time.perf_counter()
        if now - self.last < self.every and self.done < self.total:
            return
        self.last = now
        elapsed = now - self.start
        left = elapsed / self.done * (self.total - self.done)
        logging.getLogger(__name__).info(
            "%s: %d/%d %s, %.1f s elapsed, ~%.1f s left%s",
            self.label,
            self.done,
            self.total,
            self.unit,
            elapsed,
            left,
            f", {note}" if note else "",
        )
