"""The workflow's bookkeeping steps, run inside Snakemake's own process.

Creating the MLflow store, aggregating, drawing the report, writing the paper's files,
tracking and the failures check each need little computing but heavy libraries: a fresh
interpreter would pay 1–4 s of imports per step (pandas, SciPy, Matplotlib, MLflow),
and most of these steps run one after another once the last trial is done. A rule's
``run:`` block calls :func:`run_step` instead, inside Snakemake's process, so that each
library is imported once per ``snakemake`` call. Trial jobs, which need cores of their
own (and a cluster node), stay separate processes.

Each step is a module of this package with one ``run`` function: its rule fingerprints
that module and the package code it imports (``workflow/rules/common.smk``).
"""

from negr2.steps.runner import StepError, run_step

__all__ = ["StepError", "run_step"]
