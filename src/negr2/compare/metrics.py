"""Which metrics a comparison looks at, and which way is better: the one place that
names them, from the metric registry (:data:`negr2.metrics.REGISTRY`).

Every per-trial metric of the trials table is compared; the timings are compared too
but never judged identical or decide a cell's verdict (they differ in every run).
"""

from __future__ import annotations

from negr2.metrics import REGISTRY

#: The per-trial metrics of a trials table, in its column order.
METRICS: tuple[str, ...] = tuple(name for name, entry in REGISTRY.items() if entry.in_trials)
#: The metrics measured around the fit (seconds): compared, never part of "identical" or
#: the verdict.
TIMINGS: tuple[str, ...] = tuple(name for name in METRICS if REGISTRY[name].score is None)
#: The share of ok trials whose test R² is negative, in percent (as ``negative_r2_pct`` in
#: summary.csv), and the share of trials that failed.
NEGATIVE_SHARE = "negative_r2_pct"
FAILED_SHARE = "failed_pct"
#: The quantities compared, in the table's order.
QUANTITIES: tuple[str, ...] = (*METRICS, NEGATIVE_SHARE, FAILED_SHARE)
#: Whether a higher value is better, by quantity (None where neither is).
HIGHER_IS_BETTER: dict[str, bool | None] = {
    **{name: REGISTRY[name].higher_is_better for name in METRICS},
    NEGATIVE_SHARE: False,
    FAILED_SHARE: False,
}
#: The metric a cell's verdict rests on unless told otherwise.
PRIMARY = "r2"
