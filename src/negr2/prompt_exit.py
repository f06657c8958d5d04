"""Let a finished ``snakemake`` process exit at once.

Two waits follow the last line Snakemake prints, measured at 2.2 s of the default
study's 18 s (BENCHMARKS.md, sixth round):

- Snakemake's scheduler rearms a one-second :class:`threading.Timer` after each pass
  (its ``--max-jobs-per-timespan`` limit, on by default), and the interpreter waits
  for pending timers before it exits.
- The interpreter's final garbage collections walk every object of the libraries the
  in-process steps loaded (pandas, Matplotlib, MLflow, scikit-learn): about a second.

Called from ``onsuccess`` and ``onerror``, when no job is left to schedule.
"""

from __future__ import annotations

import gc
import threading

SCHEDULER_MODULE = "snakemake.scheduling.job_scheduler"


def exit_promptly() -> None:
    """Cancel the scheduler's pending rate-limit timers and exempt every object alive
    now from the garbage collections at exit (the process is about to end: their
    memory goes back with it)."""
    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer) and _is_scheduler_timer(thread):
            thread.cancel()
    gc.freeze()


def _is_scheduler_timer(timer: threading.Timer) -> bool:
    # Only Snakemake's own rescheduling timers: another library's timer may still
    # have work to do.
    return getattr(timer.function, "__module__", None) == SCHEDULER_MODULE
