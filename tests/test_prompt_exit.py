"""exit_promptly: Snakemake's pending scheduler timers are cancelled, other timers are
left to run, and the objects alive are exempted from the collections at exit."""

from __future__ import annotations

import gc
import threading
from types import SimpleNamespace

import pytest
from snakemake.scheduling.job_scheduler import JobScheduler

from negr2.prompt_exit import exit_promptly


@pytest.fixture
def unfreeze():
    yield
    gc.unfreeze()


def _timers() -> list[threading.Timer]:
    return [t for t in threading.enumerate() if isinstance(t, threading.Timer)]


def test_cancels_the_schedulers_timer_and_leaves_others(unfreeze):
    # The timer Snakemake's own scheduler arms after a pass (rate limit on).
    scheduler = SimpleNamespace(_open_jobs=threading.Semaphore(0))
    before = set(_timers())
    JobScheduler._schedule_reevalutation(scheduler, 60)
    (snakemake_timer,) = set(_timers()) - before
    fired = threading.Event()
    other = threading.Timer(0.2, fired.set)
    other.start()

    exit_promptly()

    snakemake_timer.join(timeout=10)
    assert not snakemake_timer.is_alive()
    assert not scheduler._open_jobs.acquire(blocking=False)  # cancelled, never fired
    assert fired.wait(timeout=10)  # another library's timer still runs


def test_freezes_the_objects_alive(unfreeze):
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    exit_promptly()
    assert gc.get_freeze_count() > 0
