"""Manuscript outputs: number macros and table compile in real LaTeX and show the
current numbers; figures exist in every format."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pandas as pd
import pytest
from conftest import missing_programs, require

from negr2.paper_numbers import latex_number, numbers_tex, study_info
from negr2.paper_tables import claims_tex, escape_latex, reference_tex, table_tex
from negr2.reference import compare
from negr2.study import Study

MANUSCRIPT = r"""\documentclass{article}
\usepackage{booktabs}
\usepackage{graphicx}
\input{numbers.tex}
\begin{document}
OLS was negative in \NegPct{noise}{LinearRegression}\,\% of trials
[\NegPctLo{noise}{LinearRegression}, \NegPctHi{noise}{LinearRegression}],
mean $R^2 = \MeanRsq{noise}{LinearRegression}$, theory \TheoryRsq{noise}{LinearRegression}.
Missing: \NegPct{noise}{NoSuchModel}.
\input{table.tex}
\includegraphics[width=5cm]{figures/FIGURE.pdf}
\end{document}
"""


#: Debian's packages of the programs the PDF tests run.
TEX_INSTALL = "sudo apt-get install texlive-latex-recommended latexmk poppler-utils"


def need(program: str) -> None:
    """Skip (in CI: fail) the calling test when ``program`` (TeX, pdftotext) is not on PATH."""
    what = "pdftotext (poppler)" if program == "pdftotext" else "TeX"
    require(missing_programs(program), what, TEX_INSTALL)


def test_latex_number_uses_a_true_minus_and_fixed_decimals():
    assert latex_number(-0.10849, 3) == r"\ensuremath{-0.108}"
    assert latex_number(95, 1) == "95.0"
    assert latex_number(-0.0001, 3) == "0.000"  # no "-0.000"


def test_escape_latex():
    assert escape_latex("a_b&c%d$e#f{g}") == r"a\_b\&c\%d\$e\#f\{g\}"


def summary_table(negative_r2_pct: float = 12.5, mean_r2: float = -0.25) -> pd.DataFrame:
    """A two-row summary: cell (s, A) on the full feature set and without x0."""
    return pd.DataFrame(
        {
            "scenario_id": ["s", "s"],
            "model_id": ["A", "A"],
            "ablation": ["full", "drop:x0"],
            "negative_r2_pct": [negative_r2_pct, 20.0],
            "negative_r2_pct_lo": [5.0, 9.0],
            "negative_r2_pct_hi": [25.0, 30.0],
            "mean_r2": [mean_r2, -0.5],
            "mean_r2_lo": [-0.3, -0.6],
            "mean_r2_hi": [-0.2, -0.4],
            "median_r2": [-0.1, -0.2],
            "std_r2": [0.1, 0.1],
            "theory_r2": [float("nan"), float("nan")],
            "n_ok": [8, 8],
            "delta_r2_mean": [0.0, -0.25],
            "delta_r2_lo": [0.0, -0.3],
            "delta_r2_hi": [0.0, -0.2],
        }
    )


def test_numbers_define_every_full_cell():
    config = {
        "study": "demo",
        "trials": 8,
        "seed": 1,
        "scenarios": {"s": {"n_train": [20, 40]}},
        "models": {"A": {"estimator": "sklearn.dummy.DummyRegressor"}},
    }
    info = study_info(Study.from_config(config), "abc123")
    tex = numbers_tex(summary_table(), "demo", info=info)
    pattern = r"\\csname negrtwo@demo@(\S+)\\endcsname\{(.*)\}$"
    defined = dict(re.findall(pattern, tex, flags=re.M))
    assert defined["NegPct@s@A"] == "12.5"
    assert defined["MeanRsq@s@A"] == r"\ensuremath{-0.250}"
    assert defined["DeltaRsq@s@A@drop:x0"] == r"\ensuremath{-0.250}"
    assert defined["NegrInfo@trials"] == "8"
    assert defined["NegrInfo@commit"] == "abc123"
    assert defined["NegrInfo@config:scenarios.s.n_train"] == "20, 40"
    assert "NegPct@s@A@drop:x0" not in defined  # headline numbers: full feature set only
    assert not any(k.startswith("TheoryRsq") for k in defined)  # no closed form, no macro


def test_table_is_a_booktabs_table_with_escaped_ids():
    summary = summary_table().assign(model_id=["A_b", "A_b"])
    tex = table_tex(summary, "Caption", "tab:demo")
    lines = tex.splitlines()
    assert lines[:5] == [
        r"\begin{table}[ht]",
        r"\centering",
        r"\caption{Caption}",
        r"\label{tab:demo}",
        r"\begin{tabular}{llrrrrrr}",
    ]
    assert r"s & A\_b & 8 & $12.5$ & [$5.0$, $25.0$] & $-0.250$ & [$-0.300$, $-0.200$]" in tex
    assert [line for line in lines if "rule" in line] == [r"\toprule", r"\midrule", r"\bottomrule"]


def compile_tex(folder, body: str, *, pretex: str = "") -> tuple[subprocess.CompletedProcess, str]:
    """Compile a document of ``body`` in ``folder``; return pdflatex's run and the text
    of the PDF (empty when it failed)."""
    need("pdflatex")
    need("pdftotext")
    (folder / "doc.tex").write_text(
        "\\documentclass{article}\n"
        + body.replace("BEGIN", "\\begin{document}")
        + "\n\\end{document}\n"
    )
    done = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", pretex + "\\input{doc.tex}"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        return done, ""
    text = subprocess.run(
        ["pdftotext", "doc.pdf", "-"], cwd=folder, capture_output=True, text=True, check=True
    ).stdout
    return done, " ".join(text.split())


@pytest.mark.e2e
def test_two_studies_numbers_do_not_collide(tmp_path):
    (tmp_path / "a.tex").write_text(numbers_tex(summary_table(11.0, -0.5), "study-a"))
    (tmp_path / "b.tex").write_text(numbers_tex(summary_table(22.0, -0.75), "study-b"))
    body = r"""\input{a.tex}
\input{b.tex}
BEGIN
A: \NegPct[study-a]{s}{A}; B: \NegPct[study-b]{s}{A}; $\MeanRsq[study-b]{s}{A}$.
Unqualified: \NegPct{s}{A}.
"""
    done, text = compile_tex(tmp_path, body)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "A: 11.0; B: 22.0; −0.750." in text, text
    # With two studies, a number without its study is ambiguous: ?? and a warning.
    assert "Unqualified: ??." in text
    log = done.stdout.replace("\n", "")
    assert "No number `NegPct@s@A' in study `several studies input: name one'" in log
    # Naming a default study makes the short form mean that study.
    done, text = compile_tex(tmp_path, body.replace("BEGIN", "\\NegrDefaultStudy{study-a}BEGIN"))
    assert "Unqualified: 11.0." in text, done.stdout[-3000:]


@pytest.mark.e2e
def test_one_study_documents_need_no_study_name(tmp_path):
    (tmp_path / "numbers.tex").write_text(numbers_tex(summary_table(), "demo"))
    done, text = compile_tex(tmp_path, "\\input{numbers.tex}\nBEGIN\nShare \\NegPct{s}{A}.")
    assert "Share 12.5." in text, done.stdout[-3000:]


@pytest.mark.e2e
def test_claims_and_published_tables_compile_with_their_macros(tmp_path):
    claims = pd.DataFrame(
        {
            "id": ["a-beats-b", "a-matches-c"],
            "text": ["A beats B (R²) & more", "A matches C"],
            "scenario": ["s", "s"],
            "better": ["A", "A"],
            "than": ["B", "C"],
            "metric": ["r2", "r2"],
            "n_pairs": [8, 8],
            "mean_diff": [0.125, 0.02],
            "diff_lo": [0.05, -0.01],
            "diff_hi": [0.2, 0.05],
            "wilcoxon_p": [0.01, 0.2],
            "margin": [float("nan"), 0.01],
            "tost_p": [float("nan"), 0.4],
            "verdict": ["supported", "not shown equivalent"],
        }
    )
    published = {"scenario": "s", "n_trials": 100, "models": {"A": {"negative_r2_pct": 10.0,
                 "mean_r2": -0.2, "median_r2": -0.1}}}  # fmt: skip
    reference = compare(summary_table(), published)
    (tmp_path / "claims.tex").write_text(claims_tex(claims, "Claims.", "tab:c"))
    (tmp_path / "reference.tex").write_text(reference_tex(reference, "Published.", "tab:r"))
    (tmp_path / "numbers.tex").write_text(
        numbers_tex(summary_table(), "demo", claims=claims, reference=reference)
    )
    body = r"""\usepackage{booktabs}
\input{numbers.tex}
BEGIN
\input{claims.tex}
\input{reference.tex}
V[\ClaimVerdict{a-beats-b}] D[\ClaimDiff{a-beats-b}] P[\PubNegPct{A}] G[\RefAgrees{A}]
E[\ClaimVerdict{a-matches-c}] IF[A \NegrIf{a-beats-b}{beats}{does not beat} B]
ELSE[A \NegrIf[demo]{a-matches-c}{matches}{is not shown to match} C]
GONE[\NegrIf{no-such-claim}{yes}{no}]
"""
    done, text = compile_tex(tmp_path, body)
    assert done.returncode == 0, done.stdout[-3000:]
    # 12.5 % against 10 %, −0.25 against −0.2 (sd 0.1): both differences cover 0
    assert "V[supported] D[0.125] P[10.0] G[yes]" in text, text
    assert "E[not shown equivalent] IF[A beats B]" in text, text
    assert "ELSE[A is not shown to match C]" in text
    assert "GONE[??]" in text  # an unknown claim id is a missing number
    assert "No number `ClaimHolds@no-such-claim' in study `demo'" in done.stdout
    assert "A beats B (R²) & more" in text and "[0.050, 0.200]" in text


@pytest.mark.parametrize("switch", ["document", "build"])
@pytest.mark.e2e
def test_strict_mode_fails_naming_every_missing_number(tmp_path, switch):
    (tmp_path / "numbers.tex").write_text(numbers_tex(summary_table(), "demo"))
    body = "\\input{numbers.tex}\n"
    body += "\\negrstricttrue\n" if switch == "document" else ""
    body += "BEGIN\nFine: \\NegPct{s}{A}. Missing: \\NegPct{s}{B}, \\MeanRsq[other]{t}{A}, "
    body += "\\NegrIf{no-such-claim}{yes}{no}."
    pretex = "\\def\\negrstrictbuild{}" if switch == "build" else ""
    done, _ = compile_tex(tmp_path, body, pretex=pretex)
    assert done.returncode != 0
    log = done.stdout.replace("\n", "")
    assert (
        "Package negr2 Error: Missing numbers: NegPct@s@B (study demo) MeanRsq@t@A (study other)"
        " ClaimHolds@no-such-claim (study demo)" in log
    )
    # Without strict mode the same document compiles, with its ?? and warnings.
    done, text = compile_tex(tmp_path, body.replace("\\negrstricttrue", ""))
    assert done.returncode == 0 and "Missing: ??, ??, ??." in text


@pytest.mark.e2e
def test_manuscript_compiles_with_the_current_numbers(tiny_run, tmp_path):
    need("pdflatex")
    need("pdftotext")
    paper = tiny_run / "results" / "tiny" / "paper"
    captions = json.loads((paper / "figures" / "captions.json").read_text())
    for stem in captions:
        for ext in ("pdf", "svg", "png"):
            assert (paper / "figures" / f"{stem}.{ext}").stat().st_size > 0
    shutil.copytree(paper, tmp_path / "paper")
    tex = MANUSCRIPT.replace("FIGURE", next(iter(captions)))
    (tmp_path / "paper" / "main.tex").write_text(tex)
    done = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "main.tex"],
        cwd=tmp_path / "paper",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert "No number `NegPct@noise@NoSuchModel'" in done.stdout.replace("\n", "")
    text = subprocess.run(
        ["pdftotext", "main.pdf", "-"],
        cwd=tmp_path / "paper",
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    summary = pd.read_csv(tiny_run / "results" / "tiny" / "summary.csv")
    ols = summary[(summary["model_id"] == "LinearRegression") & (summary["ablation"] == "full")]
    ols = ols.iloc[0]
    assert f"negative in {ols['negative_r2_pct']:.1f}" in text
    mean = f"{abs(ols['mean_r2']):.3f}"
    assert re.search(rf"[-−]{re.escape(mean)}", text), text[:500]
    assert f"{ols['theory_r2']:.4f}".lstrip("-") in text
    assert "??" in text  # the missing number shows, like a broken \ref
    assert "LinearRegression" in text and "MeanBaseline" in text  # the table


@pytest.mark.e2e
def test_models_table_lists_the_configs_models_and_compiles(tmp_path):
    import yaml

    from negr2.paper_tables import models_tex

    config = yaml.safe_load(
        "preprocessing: standard_scaler\n"
        "models:\n"
        "  KNN: {estimator: sklearn.neighbors.KNeighborsRegressor,"
        " params: {n_neighbors: [1, 5, 80]}}\n"
        "  Forest: {estimator: sklearn.ensemble.RandomForestRegressor,"
        " params: {max_depth: [2, null], random_state: 42}, preprocessing: none}\n"
        "  Mean_0: {estimator: sklearn.dummy.DummyRegressor}\n"
    )
    (tmp_path / "models.tex").write_text(models_tex(config, "The models.", "tab:m"))
    done, text = compile_tex(tmp_path, "\\usepackage{booktabs}\nBEGIN\\input{models.tex}")
    assert done.returncode == 0, done.stdout[-1500:]
    # pdftotext reads the cells column by column and shows an underscore as a space.
    for shown in [
        "KNeighborsRegressor", "RandomForestRegressor", "DummyRegressor", "Mean 0",
        "n neighbors = {1, 5,", "80}", "max depth", "{2,", "None}", "random state = 42",
        "defaults", "standard scaler", "none",
    ]:  # fmt: skip
        assert shown in text, shown
