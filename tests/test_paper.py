"""Manuscript outputs: number macros and table compile in real LaTeX and show the
current numbers; figures exist in every format."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pandas as pd
import pytest

from negr2.paper import escape_latex, latex_number, numbers_tex

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


def need(program: str) -> None:
    if shutil.which(program) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{program} missing: .ci/run should have installed it")
        pytest.skip(f"{program} missing: apt-get install texlive-latex-recommended poppler-utils")


def test_latex_number_uses_a_true_minus_and_fixed_decimals():
    assert latex_number(-0.10849, 3) == r"\ensuremath{-0.108}"
    assert latex_number(95, 1) == "95.0"
    assert latex_number(-0.0001, 3) == "0.000"  # no "-0.000"


def test_escape_latex():
    assert escape_latex("a_b&c%d$e#f{g}") == r"a\_b\&c\%d\$e\#f\{g\}"


def test_numbers_define_every_full_cell():
    summary = pd.DataFrame(
        {
            "scenario_id": ["s", "s"],
            "model_id": ["A", "A"],
            "ablation": ["full", "drop:x0"],
            "neg_pct": [12.5, 20.0],
            "neg_pct_lo": [5.0, 9.0],
            "neg_pct_hi": [25.0, 30.0],
            "mean_r2": [-0.25, -0.5],
            "mean_r2_lo": [-0.3, -0.6],
            "mean_r2_hi": [-0.2, -0.4],
            "median_r2": [-0.1, -0.2],
            "theory_r2": [float("nan"), float("nan")],
            "n_ok": [8, 8],
            "delta_r2_mean": [0.0, -0.25],
            "delta_r2_lo": [0.0, -0.3],
            "delta_r2_hi": [0.0, -0.2],
        }
    )
    tex = numbers_tex(summary, "demo")
    defined = dict(re.findall(r"\\csname negrtwo@(\S+)\\endcsname\{(.*)\}$", tex, flags=re.M))
    assert defined["NegPct@s@A"] == "12.5"
    assert defined["MeanRsq@s@A"] == r"\ensuremath{-0.250}"
    assert defined["DeltaRsq@s@A@drop:x0"] == r"\ensuremath{-0.250}"
    assert "NegPct@s@A@drop:x0" not in defined  # headline numbers: full feature set only
    assert not any(k.startswith("TheoryRsq") for k in defined)  # no closed form, no macro


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
    assert f"negative in {ols['neg_pct']:.1f}" in text
    mean = f"{abs(ols['mean_r2']):.3f}"
    assert re.search(rf"[-−]{re.escape(mean)}", text), text[:500]
    assert f"{ols['theory_r2']:.4f}".lstrip("-") in text
    assert "??" in text  # the missing number shows, like a broken \ref
    assert "LinearRegression" in text and "MeanBaseline" in text  # the table
