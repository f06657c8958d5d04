"""Which metrics a comparison looks at: the one place that names them.

Every per-trial metric of the trials table is compared; the timings are compared too
but never judged identical or decide a cell's verdict (they differ in every run).
"""

from __future__ import annotations

from negr2.columns import TIMES, TRIAL_METRICS

#: The per-trial metrics of a trials table, in its column order.
METRICS: tuple[str, ...] = tuple(TRIAL_METRICS)
#: The metrics measured in seconds: compared, never part of "identical" or the verdict.
TIMINGS: tuple[str, ...] = tuple(TIMES)
#: The share of ok trials whose test R² is negative, in percent (as ``negative_r2_pct`` in
#: summary.csv), and the share of trials that failed.
NEGATIVE_SHARE = "negative_r2_pct"
FAILED_SHARE = "failed_pct"
#: The quantities compared, in the table's order.
QUANTITIES: tuple[str, ...] = (*METRICS, NEGATIVE_SHARE, FAILED_SHARE)
#: The metric a cell's verdict rests on unless told otherwise.
PRIMARY = "r2"
