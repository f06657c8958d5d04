"""Every use of another library's undocumented behaviour, in one room.

negr2 leans on a few things Snakemake, scikit-learn and MLflow do without promising
them. Each is below, with what it relies on, the version it was checked against and
what happens if it moves; ``tests/test_internals.py`` has a test per use that fails
loudly when one does. Before bumping a pin, run ``make pin-check`` (the newest
releases in a scratch environment) and read this file.

Two uses cannot live here, and are tested there too:

- The Snakefile finds its own folder with ``str(workflow.current_basedir)`` (the folder
  of the Snakefile being read, also when ``workflow/manuscript.smk`` imports it as a
  module, where ``workflow.basedir`` is the manuscript's), before the package can be
  imported. Checked with Snakemake 9.27.1; were it to move, every ``snakemake`` call would
  stop at once with an error on that line.
- ``force-use-threads: true`` in ``profiles/default`` is a documented flag used for an
  undocumented side effect: ``run:`` steps (MLflow, aggregate, report) run in Snakemake's
  own process rather than a fresh Snakemake each (~2 s apiece). Checked with 9.27.1; were
  it to stop, runs would only be slower (``--workflow-profile none`` runs them so, with
  the same results).

Standard library only: the Snakefile imports it on every ``snakemake`` call. Functions
take the library's objects as arguments rather than importing the library.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Mapping
from typing import Any

# --- Snakemake (checked against 9.27.1) ------------------------------------------------


def configfiles_given(workflow: Any) -> bool:
    """Whether ``--configfile`` was given: then it is the whole study, and the Snakefile
    skips its default ``configfile:`` (else Snakemake merges the two studies).

    Relies on ``Workflow.overwrite_configfiles`` (the command line's config files). The
    documented ``--replace-workflow-config`` does not serve: it also drops the default
    study under ``--config key=value`` alone, and needs the flag on every run. If it
    moves: an AttributeError on every call that names a study file.
    """
    return bool(workflow.overwrite_configfiles)


def command_line_config(workflow: Any) -> Mapping[str, Any]:
    """The ``--config key=value`` pairs as Snakemake parsed them (nested values as text),
    which the Snakefile gives their study-file meaning (``negr2.schema.coerce_overrides``).

    Relies on ``Workflow.config_settings.config``. If it moves: an AttributeError on every
    call.
    """
    return workflow.config_settings.config


def main_snakefile(workflow: Any) -> str:
    """The path of the Snakefile that ``snakemake`` was run with, which the MLflow runs
    name as their source (``workflow/manuscript.smk`` when the manuscript workflow
    imports the study's).

    Relies on ``Workflow.main_snakefile``. If it moves: an AttributeError on every call.
    """
    return workflow.main_snakefile


def limit_writers(workflow: Any, resource: str) -> None:
    """Let one job at a time hold ``resource`` (the SQLite store's writers), unless the
    command line sets it (``--resources mlflow_writers=N`` for a tracking server).

    Relies on ``Workflow.global_resources`` and ``Workflow.register_resource``. The
    documented way, a ``resources:`` entry of the workflow profile, does not serve: the
    profile is looked up in the working directory first, ``--workflow-profile none``
    drops it, and any ``--resources`` replaces its whole entry; without the limit, two
    writers under load fail with "database is locked" (seen on this machine). If it
    moves: an AttributeError on every call.
    """
    if resource not in workflow.global_resources:
        workflow.register_resource(resource, 1)


def rules_to_run(workflow: Any) -> set[str]:
    """The names of the rules with jobs left to run, asked from ``onstart``: the model
    parameters are checked (importing scikit-learn, ~1 s) only when trial jobs will run,
    so that a no-op rerun stays fast.

    Relies on ``Workflow.dag.needrun_jobs()`` yielding jobs with ``rule.name``. If it
    moves: an AttributeError when a run starts.
    """
    return {job.rule.name for job in workflow.dag.needrun_jobs()}


#: The module of Snakemake's scheduler, whose re-evaluation timers exit_promptly cancels.
SCHEDULER_MODULE = "snakemake.scheduling.job_scheduler"


def exit_promptly() -> None:
    """Let a finished ``snakemake`` process exit at once (2.2 s of the default study's
    18 s; BENCHMARKS.md, sixth round). Called from ``onsuccess`` and ``onerror``.

    Two waits follow the last line Snakemake prints. Its scheduler rearms a one-second
    :class:`threading.Timer` after each pass (its ``--max-jobs-per-timespan`` limit), and
    the interpreter waits for pending timers before it exits: they are cancelled, told
    apart from other libraries' timers by the module of their function,
    :data:`SCHEDULER_MODULE`. Then the interpreter's final garbage collections walk every
    object of the libraries the in-process steps loaded (about a second): every object
    alive now is frozen out of them (``gc.freeze``; the process is about to end).

    Relies on the timer's function living in :data:`SCHEDULER_MODULE`. If it moves:
    nothing breaks, runs end a second later (the test says so).
    """
    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer) and _is_scheduler_timer(thread):
            thread.cancel()
    gc.freeze()


def _is_scheduler_timer(timer: threading.Timer) -> bool:
    # Only Snakemake's own rescheduling timers: another library's timer may still
    # have work to do.
    return getattr(timer.function, "__module__", None) == SCHEDULER_MODULE


# --- scikit-learn (checked against 1.9.1) ------------------------------------------------


def constructor_params(cls: type) -> set[str] | None:
    """The parameter names of a scikit-learn-style class, or None if it cannot tell (no
    such method, or a constructor with ``*args``).

    Relies on the private ``BaseEstimator._get_param_names``. If it moves: None, and an
    unknown parameter name is caught by the class itself when it is built instead.
    """
    get_names = getattr(cls, "_get_param_names", None)
    try:
        return set(get_names()) if get_names else None
    except RuntimeError:  # a constructor with *args: scikit-learn cannot list them
        return None


def validate_params(estimator: Any) -> None:
    """Run an unfitted estimator's own parameter checks, as its ``fit`` would: a bad
    value is reported before any job rather than failing every trial.

    Relies on the private ``_validate_params`` driven by ``_parameter_constraints``
    (scikit-learn's estimators), else a ``_check_params`` of the estimator's own
    (:class:`negr2.models.KerasMLP`). If it moves: bad values are no longer caught up
    front (the test fails), and each trial records the error instead.
    """
    if hasattr(estimator, "_parameter_constraints"):
        estimator._validate_params()
    elif hasattr(estimator, "_check_params"):
        estimator._check_params()


# --- MLflow (checked against 3.17.2) -------------------------------------------------------
# MLflow's system tags (``mlflow.utils.mlflow_tags``), set by hand because negr2 logs
# through MlflowClient, which sets none: the UI reads them for a run's source, user,
# commit and parent. The names are copied (importing MLflow costs a second); a test
# checks them against MLflow's constants. If one moves, the UI stops showing it.

TAG_USER = "mlflow.user"
TAG_SOURCE_NAME = "mlflow.source.name"
TAG_SOURCE_TYPE = "mlflow.source.type"
TAG_GIT_COMMIT = "mlflow.source.git.commit"
TAG_GIT_DIRTY = "mlflow.source.git.dirty"  # "true" or "false", as MLflow writes it
TAG_PARENT_RUN = "mlflow.parentRunId"
TAG_DATASET_CONTEXT = "mlflow.data.context"  # a dataset input's role in the run
#: Each tag above by the name of MLflow's own constant for it.
MLFLOW_TAGS = {
    "MLFLOW_USER": TAG_USER,
    "MLFLOW_SOURCE_NAME": TAG_SOURCE_NAME,
    "MLFLOW_SOURCE_TYPE": TAG_SOURCE_TYPE,
    "MLFLOW_GIT_COMMIT": TAG_GIT_COMMIT,
    "MLFLOW_GIT_DIRTY": TAG_GIT_DIRTY,
    "MLFLOW_PARENT_RUN_ID": TAG_PARENT_RUN,
    "MLFLOW_DATASET_CONTEXT": TAG_DATASET_CONTEXT,
}
