"""A study's claims: "model A is better than model B on this metric", tested on the trials.

A claim (an entry of the config's ``claims:`` list) names a scenario point, a ``better``
and a ``than`` model point, and a metric. It is tested on the paired trials of that
scenario (every model of a trial sees the same data), on the full feature set, over the
trials where both fits are ok and the metric is defined for both. The difference
``better − than`` is taken per trial and its sign turned so that a positive difference
goes the claim's way (``than − better`` for a metric where lower is better). Its mean
gets a Student-t 95 % interval and a two-sided Wilcoxon signed-rank p-value, and the
verdict says where the interval lies:

* ``supported``: entirely above 0, in the claim's direction;
* ``contradicted``: entirely below 0, against it;
* ``inconclusive``: it covers 0 (or there are fewer than two pairs). An interval
  that covers 0 is absence of evidence, not evidence that A matches B.

"A matches B" is a claim of equivalence: one with a ``margin`` (e.g. 0.01 on R²) says
that |mean(A − B)| < margin, tested with two one-sided t-tests (TOST) at the 5 % level
(the difference's 90 % interval inside ±margin). Its verdict is ``equivalent`` when both
reject, else ``not shown equivalent``; ``tost_p`` is the larger one-sided p-value.

Each claim has an ``id``, unique in its study, by which a manuscript cites it
(``\\ClaimVerdict[<study>]{<id>}``, ``\\NegrIf[<study>]{<id>}{...}{...}``): reordering
the config's claims changes no citation.

The metrics a claim may name, and their directions, are those of the registry
(:data:`negr2.metrics.REGISTRY`). This module imports only the registry at load time
(pandas and SciPy inside the functions): :func:`check_claims` runs in the Snakefile on
every ``snakemake`` call.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from negr2.columns import CELL, FULL
from negr2.metrics import REGISTRY, metric
from negr2.results_folder import renamed_hint

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

COLUMNS = (
    "id",
    "text",
    "scenario",
    "better",
    "than",
    "metric",
    "n_pairs",
    "mean_diff",
    "diff_lo",
    "diff_hi",
    "wilcoxon_p",
    "margin",
    "tost_p",
    "verdict",
)
#: Every verdict: of a claim of direction, then of a claim of equivalence.
VERDICTS = ("supported", "contradicted", "inconclusive", "equivalent", "not shown equivalent")
#: The verdicts that mean a claim holds (``\\NegrIf`` takes its first branch).
HOLDS = ("supported", "equivalent")


def claim_metrics() -> list[str]:
    """The metrics a claim may name (those of :data:`negr2.metrics.REGISTRY` marked
    ``claims``), in registry order."""
    return [m.name for m in REGISTRY.values() if m.claims]


def lower_is_better(claim: Mapping[str, Any]) -> bool:
    """The claim's ``lower_is_better``, else its metric's direction.

    Raises
    ------
    ValueError
        For a metric claims may not name, or one without a direction when the claim
        does not say.
    """
    name = claim["metric"]
    if name not in claim_metrics():
        allowed = ", ".join(claim_metrics())
        raise ValueError(f"unknown metric {name!r}{renamed_hint(name)}; use one of: {allowed}")
    given = claim.get("lower_is_better")
    higher = metric(name).higher_is_better
    if given is None and higher is None:
        raise ValueError(f"metric {name} has no default direction; set lower_is_better")
    return bool(not higher if given is None else given)


def check_claims(config: Mapping[str, Any], scenario_ids: list[str], model_ids: list[str]) -> None:
    """Check the config's claims against the study's scenario and model point ids.

    Raises
    ------
    ValueError
        ``claims[i].key: what is wrong``, for the first bad claim.
    """
    seen: set[str] = set()
    for i, claim in enumerate(config.get("claims") or []):
        where = f"claims[{i}]"
        if claim["id"] in seen:
            raise ValueError(f"{where}.id: {claim['id']!r} is the id of an earlier claim too")
        seen.add(claim["id"])
        if claim["scenario"] not in scenario_ids:
            raise ValueError(
                f"{where}.scenario: {claim['scenario']!r} is not one of the study's scenario "
                f"points ({', '.join(scenario_ids)})"
            )
        for key in ("better", "than"):
            if claim[key] not in model_ids:
                raise ValueError(
                    f"{where}.{key}: {claim[key]!r} is not one of the study's model points "
                    f"({', '.join(model_ids)})"
                )
        if claim["better"] == claim["than"]:
            raise ValueError(f"{where}.than: compares {claim['better']!r} with itself")
        try:
            lower_is_better(claim)
        except ValueError as error:
            raise ValueError(f"{where}.metric: {error}") from None


def evaluate_claims(trials: pd.DataFrame, config: Mapping[str, Any]) -> pd.DataFrame:
    """Test every claim of the config on the trials (full feature set only).

    Parameters
    ----------
    trials : the study's trials table (one row per scenario point, model point, trial
        and ablation variant), with at least ``scenario_id, model_id, ablation, trial,
        status`` and the claims' metric columns (:func:`metric_column`: a metric
        derived from another, such as ``negative_target_abs_bias``, is read from that one).
    config : the study config, with its ``claims`` list (none: an empty table).

    Returns
    -------
    DataFrame with one row per claim, in config order, and :data:`COLUMNS`.
    """
    return claims_table(config, lambda claim: trials)


def claims_table(
    config: Mapping[str, Any], trials_of: Callable[[Mapping[str, Any]], pd.DataFrame]
) -> pd.DataFrame:
    """:func:`evaluate_claims`, each claim tested on ``trials_of(claim)``: the trials
    table, or only its rows of the claim's two cells (a study of millions of rows)."""
    import pandas as pd

    rows = []
    for claim in config.get("claims") or []:
        better, than = _paired_values(trials_of(claim), claim)
        rows.append(
            {
                **{key: claim[key] for key in ("id", "text", "scenario", "better", "than")},
                "metric": claim["metric"],
                **_test(better, than, lower_is_better(claim), claim.get("margin")),
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def metric_column(name: str) -> str:
    """The trials column a claim's metric is computed from."""
    return metric(name).column


def _paired_values(trials: pd.DataFrame, claim: Mapping[str, Any]) -> tuple[Any, Any]:
    """The claim's metric for ``better`` and for ``than``, each of shape (n_pairs,),
    over the trials of its scenario where both are ok and the metric defined."""
    name = claim["metric"]
    rows = trials[
        (trials["scenario_id"] == claim["scenario"])
        & (trials["ablation"] == FULL)
        & (trials["status"] == "ok")
    ]
    column = metric_column(name)
    values = rows[[*CELL, "trial", column]].rename(columns={column: "value"})
    if metric(name).abs_of:
        values = values.assign(value=values["value"].abs())
    values = values.dropna(subset=["value"])
    a = values[values["model_id"] == claim["better"]].drop(columns="model_id")
    b = values[values["model_id"] == claim["than"]].drop(columns="model_id")
    pairs = a.merge(b, on=["scenario_id", "trial"], suffixes=("_better", "_than"))
    return pairs["value_better"].to_numpy(dtype=float), pairs["value_than"].to_numpy(dtype=float)


def _test(
    better: np.ndarray, than: np.ndarray, lower: bool, margin: float | None = None
) -> dict[str, Any]:
    """Paired difference in the claim's direction, with its verdict: by the 95 %
    interval's side of 0, or, given a ``margin``, by TOST against ±margin."""
    from negr2.stats import paired_difference

    diff = paired_difference(than, better) if lower else paired_difference(better, than)
    lo, hi = diff["diff_lo"], diff["diff_hi"]
    if margin is not None:
        p = tost_p(than - better if lower else better - than, margin)
        verdict = "equivalent" if p < 0.05 else "not shown equivalent"
        return {**diff, "margin": float(margin), "tost_p": p, "verdict": verdict}
    verdict = "inconclusive"
    if not math.isnan(lo) and lo > 0:
        verdict = "supported"
    elif not math.isnan(hi) and hi < 0:
        verdict = "contradicted"
    return {**diff, "margin": math.nan, "tost_p": math.nan, "verdict": verdict}


def tost_p(differences: np.ndarray, margin: float) -> float:
    """The p-value of two one-sided t-tests that the mean of ``differences`` (shape
    (n_pairs,)) lies within ±``margin``: the larger of the tests of mean > −margin and
    of mean < margin (NaN with fewer than two pairs)."""
    import numpy as np
    import scipy.stats

    d = np.asarray(differences, dtype=float)
    if d.size < 2:
        return math.nan
    mean, se = float(d.mean()), float(d.std(ddof=1)) / math.sqrt(d.size)
    if se == 0:
        return 0.0 if abs(mean) < margin else 1.0
    above = scipy.stats.t.sf((mean + margin) / se, d.size - 1)
    below = scipy.stats.t.cdf((mean - margin) / se, d.size - 1)
    return float(max(above, below))
