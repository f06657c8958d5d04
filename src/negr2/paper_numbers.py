"""The manuscript's number macros: ``numbers.tex``, regenerated with the results.

Naming rule of ``numbers.tex`` (``\\input`` it, then write e.g. ``\\NegPct{noise}{Ridge}``):
``\\<Quantity>[<study>]{<scenario point>}{<model point>}`` for the full feature set, where
Quantity is one of :data:`MACROS` (e.g. NegPct, NegPctLo, NegPctHi: percent of trials
with negative test R² and its Wilson 95 % bounds; MeanRsq with its t 95 % bounds;
TheoryRsq, the closed-form expectation; NTrials, trials that ran without failing);
``\\DeltaRsq[<study>]{<scenario>}{<model>}{<ablation>}`` with DeltaRsqLo and DeltaRsqHi
for ablation variants; ``\\PairDiff[<study>]{<scenario>}{<model>}`` (with Lo, Hi) for the
paired comparison with the study's reference model; ``\\ClaimVerdict[<study>]{<id>}`` and
``\\ClaimDiff`` (with Lo, Hi) for the claim of that id;
``\\NegrIf[<study>]{<id>}{<text if it holds>}{<text otherwise>}`` for a sentence whose
words follow the claim's verdict (it holds when supported, or equivalent); ``\\PubNegPct``,
``\\PubMeanRsq`` and ``\\RefAgrees[<study>]{<model>}`` for a published table;
``\\NegrInfo[<study>]{<key>}`` for the study itself (:func:`study_info`). Point ids are
those of summary.csv (e.g. ``noise@n_train=20``).

The study is optional: without it a number comes from the only study the document
inputs (or the one named by ``\\NegrDefaultStudy``), so single-study documents read as
before, and several studies' numbers coexist without colliding. A number that does not
exist prints a bold ``??`` and a LaTeX warning, like a broken ``\\ref``; after
``\\negrstricttrue`` (or with ``\\negrstrictbuild`` defined before the first numbers
file, as the manuscript workflow does) the document ends with an error naming every
missing number.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from negr2.claims import HOLDS, VERDICTS
from negr2.columns import FULL
from negr2.metrics import metric
from negr2.paper_tables import escape_latex, is_missing

if TYPE_CHECKING:
    from negr2.study import Study


def _with_interval(macro: str, columns: tuple[str, ...], decimals: int) -> dict:
    """The macros of a statistic and of its interval's bounds, ``macro``, ``macro``Lo and
    ``macro``Hi, for its ``columns`` (:meth:`negr2.metrics.Metric.statistic_columns`)."""
    names = (macro, f"{macro}Lo", f"{macro}Hi")
    return {name: (column, decimals) for name, column in zip(names, columns, strict=True)}


_R2 = metric("r2")
#: Macro name -> (summary column, decimals); R² values use 3 decimals, percentages 1.
MACROS = {
    **_with_interval("NegPct", _R2.statistic_columns("negative_share"), 1),
    **_with_interval("MeanRsq", _R2.statistic_columns("mean_ci"), 3),
    "MedianRsq": ("median_r2", 3),
    "StdRsq": ("std_r2", 3),
    "TheoryRsq": ("theory_r2", 4),
    "NTrials": ("n_ok", 0),
    # against the training mean (oos_r2) and on negative targets (a share)
    "NegOosPct": ("negative_oos_r2_pct", 1),
    "MeanOosRsq": ("mean_oos_r2", 3),
    "NegRecall": ("mean_negative_target_recall", 3),
}
DELTA_MACROS = {
    "DeltaRsq": "delta_r2_mean",
    "DeltaRsqLo": "delta_r2_lo",
    "DeltaRsqHi": "delta_r2_hi",
}


#: Paired comparison with the study's reference model (comparisons.csv), 3 decimals.
PAIR_MACROS = {"PairDiff": "mean_diff", "PairDiffLo": "diff_lo", "PairDiffHi": "diff_hi"}
#: A claim's paired difference in the claim's direction (claims.csv), and for a claim of
#: equivalence its margin and TOST p-value; 3 decimals.
CLAIM_MACROS = {
    "ClaimDiff": "mean_diff",
    "ClaimDiffLo": "diff_lo",
    "ClaimDiffHi": "diff_hi",
    "ClaimMargin": "margin",
    "ClaimTostP": "tost_p",
}
#: Macro -> number of mandatory arguments, for every macro numbers.tex defines.
ARITY = {
    **dict.fromkeys(MACROS, 2),
    **dict.fromkeys(DELTA_MACROS, 3),
    **dict.fromkeys(PAIR_MACROS, 2),
    **dict.fromkeys([*CLAIM_MACROS, "ClaimVerdict"], 1),
    **dict.fromkeys(["PubNegPct", "PubMeanRsq", "RefAgrees"], 1),
    "NegrInfo": 1,
}

# Defined once per document, by whichever numbers file comes first: the lookup, the
# study registry, strict mode and every macro with its optional study argument.
_MACHINERY = r"""\ifx\negrtwo@get\undefined
\expandafter\newif\csname ifnegrstrict\endcsname
\ifx\negrstrictbuild\undefined\else\negrstricttrue\fi
\gdef\negrtwo@missing{}
\gdef\negrtwo@get#1#2{\ifcsname negrtwo@#1@#2\endcsname\csname negrtwo@#1@#2\endcsname
\else\textbf{??}\PackageWarning{negr2}{No number `#2' in study `#1'}%
\xdef\negrtwo@missing{\negrtwo@missing\space#2 (study #1)}\fi}
\gdef\negrtwo@study#1{\ifx\negrtwo@pinned\undefined\ifx\negrtwo@default\undefined
\gdef\negrtwo@default{#1}\else\def\negrtwo@this{#1}\ifx\negrtwo@this\negrtwo@default\else
\gdef\negrtwo@default{several studies input: name one}\fi\fi\fi}
\gdef\NegrDefaultStudy#1{\gdef\negrtwo@default{#1}\gdef\negrtwo@pinned{}}
\gdef\negrtwo@if#1#2#3#4{\ifcsname negrtwo@#1@ClaimHolds@#2\endcsname
\if1\csname negrtwo@#1@ClaimHolds@#2\endcsname#3\else#4\fi\else\negrtwo@get{#1}{ClaimHolds@#2}\fi}
\AtEndDocument{\ifx\negrtwo@missing\@empty\else\ifnegrstrict
\PackageError{negr2}{Missing numbers:\negrtwo@missing}{Each prints ?? in
the text: rerun its study, or correct the macro's arguments (see numbers.tex).}\else
\PackageWarning{negr2}{Missing numbers:\negrtwo@missing}\fi\fi}
"""


def numbers_tex(
    summary: pd.DataFrame,
    study: str,
    comparisons: pd.DataFrame | None = None,
    claims: pd.DataFrame | None = None,
    reference: pd.DataFrame | None = None,
    info: Mapping[str, Any] | None = None,
) -> str:
    """LaTeX macros for the headline numbers (see the module's naming rule).

    ``reference`` is :func:`negr2.reference.compare`'s table (published beside ours);
    ``info`` the study-wide values of ``\\NegrInfo`` (:func:`study_info`).
    """
    lines = [
        f"% negr2 numbers of study {study}: \\input this file, then write e.g.",
        "% \\NegPct{noise}{Ridge}, or \\NegPct[" + study + "]{noise}{Ridge} beside other",
        "% studies' numbers. Regenerated with the results; do not edit.",
        "\\makeatletter",
        _MACHINERY.rstrip("\n"),
    ]
    for macro, arity in ARITY.items():
        params = "@".join(f"#{i}" for i in range(2, arity + 2))
        lines.append(
            f"\\newcommand{{\\{macro}}}[{arity + 1}][\\negrtwo@default]"
            f"{{\\negrtwo@get{{#1}}{{{macro}@{params}}}}}"
        )
    lines.append("\\newcommand{\\NegrIf}[4][\\negrtwo@default]{\\negrtwo@if{#1}{#2}{#3}{#4}}")
    lines += ["\\fi", f"\\negrtwo@study{{{study}}}"]
    for name, text in _values(summary, comparisons, claims, reference, info):
        lines.append(f"\\expandafter\\gdef\\csname negrtwo@{study}@{name}\\endcsname{{{text}}}")
    lines.append("\\makeatother")
    return "\n".join(lines) + "\n"


def _values(
    summary: pd.DataFrame,
    comparisons: pd.DataFrame | None,
    claims: pd.DataFrame | None,
    reference: pd.DataFrame | None,
    info: Mapping[str, Any] | None,
) -> list[tuple[str, str]]:
    """(macro key, LaTeX text) of every number that exists; NaN leaves a key out."""
    out: list[tuple[str, Any, int]] = []
    for row in summary.to_dict("records"):
        cell = f"{row['scenario_id']}@{row['model_id']}"
        if row["ablation"] == FULL:
            out += [(f"{m}@{cell}", row.get(c), d) for m, (c, d) in MACROS.items()]
        out += [(f"{m}@{cell}@{row['ablation']}", row[c], 3) for m, c in DELTA_MACROS.items()]
    for row in _rows(comparisons):
        if row["ablation"] == FULL:
            cell = f"{row['scenario_id']}@{row['model_id']}"
            out += [(f"{m}@{cell}", row[c], 3) for m, c in PAIR_MACROS.items()]
    texts: list[tuple[str, str]] = []
    for row in _rows(claims):
        claim = str(row["id"])
        out += [(f"{m}@{claim}", row[c], 3) for m, c in CLAIM_MACROS.items()]
        texts.append((f"ClaimVerdict@{claim}", str(row["verdict"])))
        texts.append((f"ClaimHolds@{claim}", "1" if row["verdict"] in HOLDS else "0"))
    for row in _rows(reference):
        out.append((f"PubNegPct@{row['model']}", row["published_negative_r2_pct"], 1))
        out.append((f"PubMeanRsq@{row['model']}", row["published_mean_r2"], 3))
        agrees = row["negative_r2_pct_agrees"] and row["mean_r2_agrees"]
        texts.append((f"RefAgrees@{row['model']}", "yes" if agrees else "no"))
    texts += [(f"NegrInfo@{key}", str(value)) for key, value in (info or {}).items()]
    numbers = [(key, latex_number(v, d)) for key, v, d in out if not is_missing(v)]
    return numbers + texts


def _rows(table: pd.DataFrame | None) -> list[dict[str, Any]]:
    return [] if table is None else table.to_dict("records")


def study_info(
    study: Study,
    commit: str,
    claims: pd.DataFrame | None = None,
    reference: pd.DataFrame | None = None,
    versions: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The study-wide values of ``\\NegrInfo{<key>}``, as LaTeX text: ``study``,
    ``trials``, ``seed``, ``commit`` (the git commit that wrote the results), the
    claims' verdict counts (``claims``, ``supported``, ``contradicted``,
    ``inconclusive``, ``equivalent``, ``not-shown-equivalent``) and the published
    table's agreement counts (``reference-models``, ``reference-agree-neg``,
    ``reference-agree-mean``, ``reference-agree``),
    ``version-<package>`` for each of ``versions``, and ``config:<key path>`` for
    every value of the config (``config:scenarios.noise.n_train``; a list's items
    joined by commas), so that a manuscript cites the design as it ran."""
    config = study.config
    info = {
        "study": escape_latex(study.name),
        "trials": str(config["trials"]),
        "seed": str(config["seed"]),
        "commit": escape_latex(commit),
    }
    if claims is not None and len(claims):
        verdicts = claims["verdict"].value_counts()
        info["claims"] = str(len(claims))
        for verdict in VERDICTS:
            info[verdict.replace(" ", "-")] = str(int(verdicts.get(verdict, 0)))
    if reference is not None and len(reference):
        both = reference["negative_r2_pct_agrees"] & reference["mean_r2_agrees"]
        info["reference-models"] = str(len(reference))
        info["reference-agree-neg"] = str(int(reference["negative_r2_pct_agrees"].sum()))
        info["reference-agree-mean"] = str(int(reference["mean_r2_agrees"].sum()))
        info["reference-agree"] = str(int(both.sum()))
    for package, version in (versions or {}).items():
        info[f"version-{package}"] = escape_latex(version)
    for path, value in _flatten(config):
        info[f"config:{path}"] = escape_latex(value)
    return info


def _flatten(value: Any, path: str = "") -> list[tuple[str, str]]:
    """(dotted key path, text) of every scalar or list of scalars in ``value``."""
    if isinstance(value, Mapping):
        out: list[tuple[str, str]] = []
        for key, item in value.items():
            out += _flatten(item, f"{path}.{key}" if path else str(key))
        return out
    if isinstance(value, list):
        if all(not isinstance(item, (Mapping, list)) for item in value):
            return [(path, ", ".join(map(_scalar, value)))]
        return [pair for i, item in enumerate(value) for pair in _flatten(item, f"{path}.{i}")]
    return [(path, _scalar(value))]


def _scalar(value: Any) -> str:
    return (
        "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    )


def latex_number(value: float, digits: int) -> str:
    """A number for running text or math: a true minus sign, fixed decimals."""
    text = f"{abs(float(value)):.{digits}f}"
    return f"\\ensuremath{{-{text}}}" if float(value) < 0 and float(text) != 0 else text
