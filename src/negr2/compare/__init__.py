"""Paired comparison of two versions of a study (``negr2 compare``).

:mod:`~negr2.compare.versions` and :mod:`~negr2.compare.mlflow_versions` read a version
(a results folder, a trials table, MLflow runs) a cell at a time;
:mod:`~negr2.compare.engine` compares the cells with the tests of
:mod:`~negr2.compare.statistics` and gives the verdicts; :mod:`~negr2.compare.tables`,
:mod:`~negr2.compare.forest`, :mod:`~negr2.compare.page` and
:mod:`~negr2.compare.output` write the table, the figure and the page;
:mod:`~negr2.compare.command` is the ``negr2 compare`` subcommand.
"""
