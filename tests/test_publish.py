"""What leaves the machine with a manuscript, from one real build of a small one: the
arXiv archive compiles alone into the same text as ms.pdf; the results bundle
verifies, names the file and the numbers a tampered trial changes, and rebuilds the
PDF from its trials."""

from __future__ import annotations

import re
import subprocess
import tarfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import SNAKEMAKE
from test_manuscript import bracketed, mean_r2, pdf_text, run_manuscript, small_copy
from test_paper import need

from negr2.unbundle import extract_all

pytestmark = pytest.mark.e2e
NEGR2 = str(Path(SNAKEMAKE).with_name("negr2"))

# One study, a figure, a table, a claim and a citation (so that the archive needs a .bbl).
MANUSCRIPT = r"""\documentclass{article}
\usepackage{negr2}
\NegrStudy{ablation}
\begin{document}
ABL[$\MeanRsq[ablation]{correlated}{Lasso}$]
OLS[$\MeanRsq[ablation]{independent}{LinearRegression}$] as in~\cite{post}.
CLAIM[\ClaimVerdict[ablation]{ols-beats-lasso}]
\NegrFigure[0.6\linewidth]{ablation}{ablation-heatmap-correlated}{The heatmap.}
\NegrTable{ablation}
\NegrModels{ablation}
\bibliographystyle{plain}
\bibliography{refs}
\end{document}
"""
BIB = "@misc{post, title = {Exploring Negative r2 in Ablation Studies}, year = {2025}}\n"
CLAIM = {
    "id": "ols-beats-lasso",
    "text": "OLS beats Lasso",
    "scenario": "independent",
    "better": "LinearRegression",
    "than": "Lasso",
    "metric": "r2",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A folder where the small manuscript, its archive and its bundle were built."""
    need("latexmk")
    need("pdftotext")
    work = tmp_path_factory.mktemp("publish")
    small_copy(work, "ablation", claims=[CLAIM])
    (work / "manuscript").mkdir()
    (work / "manuscript" / "ms.tex").write_text(MANUSCRIPT)
    (work / "manuscript" / "refs.bib").write_text(BIB)
    run_manuscript(work, "--cores", "2", "results/manuscript/ms-bundle.tar.gz")
    return work


def test_the_arxiv_archive_compiles_alone_into_the_same_numbers(built, tmp_path):
    with tarfile.open(built / "results" / "manuscript" / "arxiv.tar.gz") as tar:
        assert sorted(tar.getnames()) == [
            "ms.bbl",
            "ms.tex",
            "negr2.sty",
            "studies/ablation/figures/ablation-heatmap-correlated.pdf",
            "studies/ablation/models.tex",
            "studies/ablation/numbers.tex",
            "studies/ablation/source.tex",
            "studies/ablation/table.tex",
        ]
        extract_all(tar, tmp_path, "arxiv.tar.gz")
    # Plain pdflatex, twice (citations and labels), with no negr2 and no workflow.
    for _ in range(2):
        done = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "ms.tex"],
            cwd=tmp_path,
            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout[-2000:]
    text = pdf_text(tmp_path / "ms.pdf")
    assert text == pdf_text(built / "results" / "manuscript" / "ms.pdf")
    assert bracketed(text, "ABL") == f"{mean_r2(built, 'ablation', 'correlated', 'Lasso'):.3f}"
    assert "[1]" in text and "??" not in text  # the citation resolved from the .bbl


def unpacked_bundle(built: Path, into: Path) -> Path:
    with tarfile.open(built / "results" / "manuscript" / "ms-bundle.tar.gz") as tar:
        extract_all(tar, into, "ms-bundle.tar.gz")
    return into / "ms-bundle"


def verify(bundle: Path) -> subprocess.CompletedProcess:
    return subprocess.run([NEGR2, "verify", str(bundle)], capture_output=True, text=True)


def test_the_bundle_holds_the_studies_and_verifies(built, tmp_path):
    bundle = unpacked_bundle(built, tmp_path)
    study = bundle / "studies" / "ablation"
    for name in ["trials.parquet", "summary.csv", "paper/config.yaml", "paper/numbers.tex"]:
        assert (study / name).is_file(), name
    assert (bundle / "manuscript" / "ms.pdf").is_file()
    assert (bundle / "requirements" / "negr2.txt").is_file()
    assert re.search(r"^numpy==\S+$", (bundle / "packages.txt").read_text(), re.MULTILINE)
    # The manifest lists every file, in sha256sum's format (checked by sha256sum itself).
    done = subprocess.run(["sha256sum", "-c", "--quiet", "MANIFEST.sha256"], cwd=bundle)
    assert done.returncode == 0
    # The config as it ran, defaults filled in (e.g. the reference model's default).
    assert "mlflow:" in (study / "paper" / "config.yaml").read_text()

    done = verify(built / "results" / "manuscript" / "ms-bundle.tar.gz")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "negr2 verify: OK" in done.stdout


def tamper(trials: Path, scenario: str, model: str, shift: float) -> None:
    """Add ``shift`` to one trial's test R² (trial 0 of the full model), keeping the
    file's row groups (one per cell)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = pq.ParquetFile(trials)
    groups = [source.read_row_group(i).to_pandas() for i in range(source.num_row_groups)]
    with pq.ParquetWriter(str(trials) + ".new", source.schema_arrow) as writer:
        for rows in groups:
            hit = (
                (rows["scenario_id"] == scenario)
                & (rows["model_id"] == model)
                & (rows["ablation"] == "full")
                & (rows["trial"] == 0)
            )
            rows.loc[hit, "r2"] += shift
            writer.write_table(pa.Table.from_pandas(rows, schema=source.schema_arrow))
    Path(str(trials) + ".new").replace(trials)


def test_a_tampered_trial_is_named_with_the_numbers_it_changes(built, tmp_path):
    bundle = unpacked_bundle(built, tmp_path)
    trials = bundle / "studies" / "ablation" / "trials.parquet"
    tamper(trials, "independent", "LinearRegression", 0.5)
    done = verify(bundle)
    assert done.returncode == 1
    out = done.stdout
    assert "studies/ablation/trials.parquet: its SHA-256 is not the one" in out
    # The mean R² it changes, with the value the tampered trials give (from pandas).
    line = re.search(
        r"studies/ablation/paper/numbers\.tex: MeanRsq@independent@LinearRegression is (\S+) "
        r"in the bundle; the trials give (\S+)",
        out,
    )
    assert line, out
    table = pd.read_parquet(trials)
    cell = table[
        (table["scenario_id"] == "independent")
        & (table["model_id"] == "LinearRegression")
        & (table["ablation"] == "full")
    ]
    given = float(re.sub(r"\\ensuremath\{(.*)\}", r"\1", line.group(2)))
    assert given == pytest.approx(cell["r2"].mean(), abs=5e-4)
    assert given != pytest.approx(float(re.sub(r"\\ensuremath\{(.*)\}", r"\1", line.group(1))))
    assert "studies/ablation/summary.csv: mean_r2 of independent / LinearRegression / full" in out
    # The untouched study files are not accused.
    assert "correlated@Lasso" not in out


def test_the_pdf_rebuilds_from_the_bundle(built, tmp_path):
    pdf = tmp_path / "again.pdf"
    bundle = built / "results" / "manuscript" / "ms-bundle.tar.gz"
    done = subprocess.run(
        [NEGR2, "rebuild", str(bundle), "--output", str(pdf)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    text = pdf_text(pdf)
    assert text == pdf_text(built / "results" / "manuscript" / "ms.pdf")
    ols = mean_r2(built, "ablation", "independent", "LinearRegression")
    assert bracketed(text, "OLS") == f"{ols:.3f}"


def test_a_missing_bundle_is_one_line(tmp_path):
    done = verify(tmp_path / "nope.tar.gz")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "no bundle at" in done.stderr and "make paper-bundle" in done.stderr
