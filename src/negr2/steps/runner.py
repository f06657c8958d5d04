"""Run a step in a thread of Snakemake's process, its log records in its own log file."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from negr2.logs import FORMAT


class StepError(Exception):
    """A step's deliberate refusal (a study over its failure limit, a tracking server
    that does not answer): its log gets the message alone, without a traceback."""


def run_step(step: Callable[..., None], log_path: str, *job: Any, **more: Any) -> None:
    """Run ``step(*job, **more)`` (``job``: the rule's input, output, params and the
    config), with the log records and warnings of this thread in ``log_path``; an error
    is logged there too, then raised to Snakemake.

    Steps may run side by side, each in a thread of its own (no step uses Matplotlib's
    pyplot or MLflow's fluent API, whose state is the process's).
    """
    with _thread_log(log_path):
        try:
            step(*job, **more)
        except StepError as error:
            logging.getLogger(step.__module__).critical("%s", error)
            raise
        except Exception:
            logging.getLogger(step.__module__).critical("the step failed", exc_info=True)
            raise


class _Capture:
    """While any step runs: the root logger at INFO, and Python warnings logged (both
    are the process's, so the last step to end restores them)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.saved_level = logging.WARNING

    def enter(self, handler: logging.Handler) -> None:
        with self.lock:
            root = logging.getLogger()
            if self.running == 0:
                self.saved_level = root.level
                root.setLevel(logging.INFO)
                logging.captureWarnings(True)
            self.running += 1
            root.addHandler(handler)

    def leave(self, handler: logging.Handler) -> None:
        with self.lock:
            root = logging.getLogger()
            root.removeHandler(handler)
            self.running -= 1
            if self.running == 0:
                logging.captureWarnings(False)
                root.setLevel(self.saved_level)


_CAPTURE = _Capture()


@contextmanager
def _thread_log(path: str) -> Iterator[None]:
    """Send the records of this thread (Snakemake's own aside) to ``path``."""
    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    thread = threading.get_ident()
    handler.addFilter(
        lambda record: record.thread == thread and not record.name.startswith("snakemake")
    )
    _CAPTURE.enter(handler)
    try:
        yield
    finally:
        _CAPTURE.leave(handler)
        handler.close()
