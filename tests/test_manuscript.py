"""The manuscript workflow: studies declared in the tex, built first, cited by name;
narrow rebuilds; clear errors before any job."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import REPO, SNAKEMAKE
from test_paper import need
from test_workflow import planned_jobs

from negr2 import paper_numbers
from negr2.manuscript import cited_studies, resolve_studies, tex_missing, uncommented
from negr2.study import model_points, scenario_points

MANUSCRIPT_SMK = str(REPO / "workflow" / "manuscript.smk")

# Cites two studies; each number sits in brackets so that the test finds it in the text.
TWO_STUDIES = r"""\documentclass{article}
\usepackage{negr2}
\NegrStudy{sample-size}
% \NegrStudy{baselines}   (commented out: not cited)
\NegrStudy{ablation}
\begin{document}
SIZE[$\MeanRsq[sample-size]{noise@n_train=20}{LinearRegression}$]
SIZENEG[\NegPct[sample-size]{noise@n_train=40}{Ridge}]
ABL[$\MeanRsq[ablation]{correlated}{Lasso}$]
ABLDROP[$\DeltaRsq[ablation]{independent}{LinearRegression}{drop:x0}$]
\NegrFigure[0.6\linewidth]{sample-size}{sweep-n_train-noise}{The sweep.}
\end{document}
"""


def run_manuscript(workdir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """The manuscript workflow, with ``workdir`` as working directory."""
    env = os.environ | {"MLFLOW_TRACKING_URI": ""}
    cmd = [SNAKEMAKE, "-s", MANUSCRIPT_SMK, "--directory", str(workdir), *args]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def small_copy(workdir: Path, study: str, **changes) -> None:
    """The study's config file with fewer trials (and ``changes``), under workdir."""
    config = yaml.safe_load((REPO / "config" / "studies" / f"{study}.yaml").read_text())
    config.update({"trials": 4, **changes})
    target = workdir / "config" / "studies" / f"{study}.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(config, sort_keys=False))


def pdf_text(pdf: Path) -> str:
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.replace("−", "-").split())


def bracketed(text: str, tag: str) -> str:
    return re.search(rf"{tag}\[([^\]]*)\]", text).group(1).strip()


def mean_r2(workdir: Path, study: str, scenario: str, model: str, ablation: str = "full") -> float:
    """The mean test R² of a cell, straight from the trials table."""
    trials = pd.read_parquet(workdir / "results" / study / "trials.parquet")
    cell = trials[
        (trials["scenario_id"] == scenario)
        & (trials["model_id"] == model)
        & (trials["ablation"] == ablation)
        & (trials["status"] == "ok")
    ]
    return float(cell["r2"].mean())


def negative_r2_pct(workdir: Path, study: str, scenario: str, model: str) -> float:
    trials = pd.read_parquet(workdir / "results" / study / "trials.parquet")
    cell = trials[
        (trials["scenario_id"] == scenario)
        & (trials["model_id"] == model)
        & (trials["ablation"] == "full")
        & (trials["status"] == "ok")
    ]
    return 100 * float((cell["r2"] < 0).mean())


def paired_delta(workdir: Path, study: str, scenario: str, model: str, ablation: str) -> float:
    """Mean of (variant − full) over the trials, from the trials table."""
    trials = pd.read_parquet(workdir / "results" / study / "trials.parquet")
    cell = trials[(trials["scenario_id"] == scenario) & (trials["model_id"] == model)]
    wide = cell.pivot(index="trial", columns="ablation", values="r2")
    return float((wide[ablation] - wide["full"]).mean())


def test_cited_studies_read_the_preamble_lines_not_comments():
    assert cited_studies(TWO_STUDIES) == ["sample-size", "ablation"]
    assert cited_studies("\\NegrStudy{a} \\NegrStudy{b}\n\\NegrStudy{a}\n% \\NegrStudy{c}") == [
        "a",
        "b",
    ]
    assert cited_studies("50\\% \\NegrStudy{a}") == ["a"]  # an escaped % is no comment


def test_bad_manuscripts_are_refused_with_what_to_do(tmp_path):
    small_copy(tmp_path, "ablation")
    tex = tmp_path / "ms.tex"
    with pytest.raises(ValueError, match="no manuscript"):
        resolve_studies(tex, tmp_path / "config")
    tex.write_text("\\documentclass{article}\\begin{document}x\\end{document}")
    with pytest.raises(ValueError, match=r"cites no study: add a \\NegrStudy"):
        resolve_studies(tex, tmp_path / "config")
    tex.write_text("\\NegrStudy{ablation}\\NegrStudy{nope}")
    with pytest.raises(ValueError, match="cites 'nope'.*Known studies: ablation"):
        resolve_studies(tex, tmp_path / "config")
    tex.write_text("\\NegrStudy{ablation}")
    assert resolve_studies(tex, tmp_path / "config") == {
        "ablation": tmp_path / "config" / "studies" / "ablation.yaml"
    }
    (tmp_path / "config" / "config.yaml").write_text("study: ablation\n")
    with pytest.raises(ValueError, match="declared by both"):
        resolve_studies(tex, tmp_path / "config")


def refusal(tmp_path, tex: str) -> str:
    """The error of a manuscript run that must stop before any job (no results)."""
    (tmp_path / "manuscript").mkdir()
    (tmp_path / "manuscript" / "ms.tex").write_text(tex)
    done = run_manuscript(tmp_path, "--cores", "1", check=False)
    assert done.returncode != 0
    assert not (tmp_path / "results").exists()
    return done.stderr


@pytest.mark.e2e
def test_an_unknown_study_stops_the_workflow_before_any_job(tmp_path):
    small_copy(tmp_path, "ablation")
    error = refusal(tmp_path, "\\NegrStudy{ablation}\n\\NegrStudy{nope}\n")
    assert "manuscript/ms.tex cites 'nope'" in error
    assert "Known studies: ablation" in error


@pytest.mark.e2e
def test_an_invalid_study_config_is_named_before_any_job(tmp_path):
    small_copy(tmp_path, "ablation", trials=0)
    error = refusal(tmp_path, "\\NegrStudy{ablation}\n")
    assert "study ablation (config/studies/ablation.yaml), invalid config" in error
    assert "trials: 0 is less than the minimum of 1" in error


def macro_uses(tex: str) -> list[tuple[str, str | None, list[str]]]:
    """(macro, study or None, arguments) of every numbers.tex macro in ``tex``."""
    uses = []
    for macro, arity in paper_numbers.ARITY.items():
        pattern = rf"\\{macro}(?:\[([^\]]*)\])?" + r"\{([^{}]*)\}" * arity
        found = re.findall(pattern, tex)
        # A use, not a definition's body (\\newcommand{\\cfg}[2]{\\NegrInfo[#1]{config:#2}}).
        uses += [(macro, m[0] or None, list(m[1:])) for m in found if "#" not in "".join(m)]
    return uses


def test_the_example_article_cites_only_cells_its_studies_have():
    """Every number of manuscript/ms.tex names a cited study and, for cell macros, a
    scenario point and model point of that study's config (checked without a run)."""
    tex_path = REPO / "manuscript" / "ms.tex"
    studies = resolve_studies(tex_path, REPO / "config")
    assert len(studies) >= 6
    configs = {name: yaml.safe_load(path.read_text()) for name, path in studies.items()}
    uses = macro_uses(uncommented(tex_path.read_text()))
    assert len(uses) > 50
    for macro, study, args in uses:
        assert study in configs, f"\\{macro}{args} names no cited study"
        if paper_numbers.ARITY[macro] >= 2 and macro in {
            **paper_numbers.MACROS,
            **paper_numbers.DELTA_MACROS,
        }:
            scenarios = [p.id for p in scenario_points(configs[study])]
            models = [p.id for p in model_points(configs[study])]
            assert args[0] in scenarios, f"\\{macro}[{study}]: no scenario {args[0]}"
            assert args[1] in models, f"\\{macro}[{study}]: no model {args[1]}"
    # A claim is cited by an id its study's config has, whatever the macro.
    claim_macros = [*paper_numbers.CLAIM_MACROS, "ClaimVerdict"]
    cited = [(study, args[0]) for macro, study, args in uses if macro in claim_macros]
    cited += re.findall(r"\\NegrIf\[([^\]]*)\]\{([^{}]*)\}", uncommented(tex_path.read_text()))
    assert len(cited) > 20
    for study, claim in cited:
        ids = [c["id"] for c in configs[study].get("claims", [])]
        assert claim in ids, f"{study} has no claim {claim!r}"
    # \cfg{<study>}{<key path>}: a value the study's config has.
    tex = uncommented(tex_path.read_text())
    for study, path in re.findall(r"\\cfg\{([^{}#]*)\}\{([^{}#]*)\}", tex):
        value = configs[study]
        for key in path.split("."):
            value = value[int(key)] if isinstance(value, list) else value[key]
        assert value is not None, f"\\cfg{{{study}}}{{{path}}}"


@pytest.mark.e2e
def test_manuscript_shows_current_numbers_and_rebuilds_narrowly(tmp_path):
    need("latexmk")
    need("pdftotext")
    # The cited studies with 4 trials and two training sizes: seconds, not minutes.
    small_copy(tmp_path, "sample-size", scenarios=_two_sizes(), claims=[])
    small_copy(tmp_path, "ablation")
    (tmp_path / "manuscript").mkdir()
    (tmp_path / "manuscript" / "ms.tex").write_text(TWO_STUDIES)
    run_manuscript(tmp_path, "--cores", "2")
    pdf = tmp_path / "results" / "manuscript" / "ms.pdf"
    text = pdf_text(pdf)

    # The numbers of both studies, as the trials tables give them.
    size = mean_r2(tmp_path, "sample-size", "noise@n_train=20", "LinearRegression")
    assert bracketed(text, "SIZE") == f"{size:.3f}"
    assert (
        bracketed(text, "SIZENEG")
        == f"{negative_r2_pct(tmp_path, 'sample-size', 'noise@n_train=40', 'Ridge'):.1f}"
    )
    ablation = mean_r2(tmp_path, "ablation", "correlated", "Lasso")
    assert bracketed(text, "ABL") == f"{ablation:.3f}"
    drop = paired_delta(tmp_path, "ablation", "independent", "LinearRegression", "drop:x0")
    assert bracketed(text, "ABLDROP") == f"{drop:.3f}"
    assert "Source: study sample-size, config/studies/sample-size.yaml, commit" in text

    # A new seed for sample-size: its jobs and the PDF rerun, ablation's do not.
    small_copy(tmp_path, "sample-size", scenarios=_two_sizes(), claims=[], seed=4242)
    plan = planned_jobs(run_manuscript(tmp_path, "--cores", "2", "-n").stdout)
    assert plan and all(rule.startswith("sample_size_") for rule in plan if rule != "manuscript")
    assert plan["manuscript"] == 1 and plan["sample_size_paper"] == 1
    ablation_numbers = tmp_path / "results" / "ablation" / "paper" / "numbers.tex"
    before = ablation_numbers.stat().st_mtime_ns
    run_manuscript(tmp_path, "--cores", "2")
    text = pdf_text(pdf)
    new_size = mean_r2(tmp_path, "sample-size", "noise@n_train=20", "LinearRegression")
    assert new_size != size
    assert bracketed(text, "SIZE") == f"{new_size:.3f}"
    assert bracketed(text, "ABL") == f"{ablation:.3f}"
    assert bracketed(text, "ABLDROP") == f"{drop:.3f}"
    assert ablation_numbers.stat().st_mtime_ns == before
    assert planned_jobs(run_manuscript(tmp_path, "--cores", "2", "-n").stdout) == {}

    # A number no study has: editing the manuscript recompiles it only, the strict build
    # fails naming the number and leaves no PDF, and a draft build shows ??.
    tex = tmp_path / "manuscript" / "ms.tex"
    tex.write_text(TWO_STUDIES.replace("ABL[", "GONE[\\NegPct[ablation]{nowhere}{Lasso}] ABL["))
    assert planned_jobs(run_manuscript(tmp_path, "--cores", "1", "-n").stdout) == {"manuscript": 1}
    done = run_manuscript(tmp_path, "--cores", "1", check=False)
    assert done.returncode != 0
    assert "Missing numbers: NegPct@nowhere@Lasso (study ablation)" in done.stderr
    assert not pdf.exists()
    run_manuscript(
        tmp_path, "--cores", "1", "--config", "manuscript=manuscript/ms.tex", "strict=false"
    )
    assert bracketed(pdf_text(pdf), "GONE") == "??"


def _two_sizes() -> dict:
    """sample-size's scenarios at n_train 20 and 40 only."""
    config = yaml.safe_load((REPO / "config" / "studies" / "sample-size.yaml").read_text())
    return {name: {**spec, "n_train": [20, 40]} for name, spec in config["scenarios"].items()}


def test_missing_tex_names_the_command_that_installs_it(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    message = tex_missing()
    assert "latexmk and pdflatex not found" in message
    assert message.endswith("sudo apt-get install texlive-latex-recommended latexmk")
    monkeypatch.undo()
    need("latexmk")
    assert tex_missing() is None


FLIP = r"""\documentclass{article}
\usepackage{negr2}
\NegrStudy{flip}
\begin{document}
SENTENCE[OLS \NegrIf[flip]{ols-beats-mean}{beats}{does not beat} the training mean]
VERDICT[\ClaimVerdict[flip]{ols-beats-mean}]
\end{document}
"""


def flip_study(workdir: Path, scenario: dict) -> None:
    """A study whose one claim says that OLS beats the training mean on ``scenario``."""
    config = {
        "study": "flip",
        "seed": 5,
        "trials": 20,
        "scenarios": {"data": scenario},
        "models": {
            "LinearRegression": {"estimator": "sklearn.linear_model.LinearRegression"},
            "MeanBaseline": {"estimator": "sklearn.dummy.DummyRegressor"},
        },
        "claims": [
            {
                "id": "ols-beats-mean",
                "text": "OLS beats the training mean",
                "scenario": "data",
                "better": "LinearRegression",
                "than": "MeanBaseline",
                "metric": "r2",
            }
        ],
    }
    target = workdir / "config" / "studies" / "flip.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(config, sort_keys=False))


def paired_interval(workdir: Path) -> tuple[float, float]:
    """The 95 % t interval of R²(OLS) − R²(mean) over the trials, from SciPy."""
    import scipy.stats

    trials = pd.read_parquet(workdir / "results" / "flip" / "trials.parquet")
    wide = trials.pivot(index="trial", columns="model_id", values="r2")
    d = (wide["LinearRegression"] - wide["MeanBaseline"]).to_numpy()
    return scipy.stats.t.interval(0.95, d.size - 1, loc=d.mean(), scale=scipy.stats.sem(d))


@pytest.mark.e2e
def test_a_flipped_result_flips_the_sentence(tmp_path):
    need("latexmk")
    need("pdftotext")
    (tmp_path / "manuscript").mkdir()
    (tmp_path / "manuscript" / "ms.tex").write_text(FLIP)
    pdf = tmp_path / "results" / "manuscript" / "ms.pdf"
    # A strong linear signal: OLS beats the mean.
    signal = {"generator": "linear", "n_train": 60, "n_test": 40, "n_features": 3,
              "n_informative": 3, "snr": 2.0}  # fmt: skip
    flip_study(tmp_path, signal)
    run_manuscript(tmp_path, "--cores", "2")
    assert paired_interval(tmp_path)[0] > 0
    text = pdf_text(pdf)
    assert bracketed(text, "SENTENCE") == "OLS beats the training mean"
    assert bracketed(text, "VERDICT") == "supported"
    # The opposite effect: pure noise and 9 features for 20 rows, where OLS loses.
    noise = {"generator": "gaussian_noise", "n_train": 20, "n_test": 40, "n_features": 9}
    flip_study(tmp_path, noise)
    run_manuscript(tmp_path, "--cores", "2")
    assert paired_interval(tmp_path)[1] < 0
    text = pdf_text(pdf)
    assert bracketed(text, "SENTENCE") == "OLS does not beat the training mean"
    assert bracketed(text, "VERDICT") == "contradicted"
