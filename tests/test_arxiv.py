"""The arXiv archive: exactly the sources that compile the manuscript, and they compile
alone, with plain pdflatex in an empty folder, into the same text as ms.pdf."""

from __future__ import annotations

import os
import subprocess
import tarfile

import pytest
from test_manuscript import bracketed, mean_r2, pdf_text, run_manuscript, small_copy
from test_paper import need

from negr2.archive import tex_sources, write_tar

# One study, a figure, a table and a citation (so that the archive needs a .bbl).
MANUSCRIPT = r"""\documentclass{article}
\usepackage{negr2}
\NegrStudy{ablation}
\begin{document}
ABL[$\MeanRsq[ablation]{correlated}{Lasso}$] as in~\cite{post}.
\NegrFigure[0.6\linewidth]{ablation}{ablation-heatmap-correlated}{The heatmap.}
\NegrTable{ablation}
\bibliographystyle{plain}
\bibliography{refs}
\end{document}
"""
BIB = "@misc{post, title = {Exploring Negative r2 in Ablation Studies}, year = {2025}}\n"


@pytest.mark.e2e
def test_the_arxiv_archive_compiles_alone_into_the_same_numbers(tmp_path):
    need("latexmk")
    need("pdftotext")
    work, alone = tmp_path / "work", tmp_path / "alone"
    small_copy(work, "ablation")
    (work / "manuscript").mkdir()
    (work / "manuscript" / "ms.tex").write_text(MANUSCRIPT)
    (work / "manuscript" / "refs.bib").write_text(BIB)
    run_manuscript(work, "--cores", "2")

    with tarfile.open(work / "results" / "manuscript" / "arxiv.tar.gz") as tar:
        assert sorted(tar.getnames()) == [
            "ms.bbl",
            "ms.tex",
            "negr2.sty",
            "studies/ablation/figures/ablation-heatmap-correlated.pdf",
            "studies/ablation/numbers.tex",
            "studies/ablation/source.tex",
            "studies/ablation/table.tex",
        ]
        alone.mkdir()
        tar.extractall(alone, filter="data")

    # Plain pdflatex, twice (citations and labels), with no negr2 and no workflow.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)} | {
        key: os.environ[key] for key in ("LANG",) if key in os.environ
    }
    for _ in range(2):
        done = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "ms.tex"],
            cwd=alone,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout[-2000:]
    text = pdf_text(alone / "ms.pdf")
    assert text == pdf_text(work / "results" / "manuscript" / "ms.pdf")
    assert bracketed(text, "ABL") == f"{mean_r2(work, 'ablation', 'correlated', 'Lasso'):.3f}"
    assert "[1]" in text and "??" not in text  # the citation resolved from the .bbl


@pytest.mark.parametrize("bbl", [True, False])
def test_the_archive_holds_what_latex_read_in_the_build_folder(tmp_path, bbl):
    # A recorder file as pdflatex writes it: the TeX distribution's files (absolute),
    # the folder's own (relative), by-products read back (.aux), a file read twice.
    for name in ["ms.tex", "negr2.sty", "ms.aux", "studies/s/numbers.tex", "figs/a.pdf"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name)
    (tmp_path / "figs" / "unused.pdf").write_text("never read")
    if bbl:
        (tmp_path / "ms.bbl").write_text("bbl")
    (tmp_path / "ms.fls").write_text(
        f"PWD {tmp_path}\nINPUT /usr/share/texlive/texmf-dist/tex/latex/base/article.cls\n"
        "INPUT ms.tex\nINPUT ./ms.tex\nOUTPUT ms.log\nINPUT ms.aux\nINPUT ./negr2.sty\n"
        f"INPUT studies/s/numbers.tex\nINPUT {tmp_path}/figs/a.pdf\nOUTPUT ms.pdf\n"
    )
    expected = ["figs/a.pdf", "ms.tex", "negr2.sty", "studies/s/numbers.tex"]
    assert tex_sources(tmp_path, "ms.tex") == sorted(expected + ["ms.bbl"] * bbl)

    # The same files give the same bytes, whenever and in whatever order they are packed.
    write_tar(tmp_path, expected, tmp_path / "one.tar.gz")
    os.utime(tmp_path / "ms.tex", (0, 0))
    write_tar(tmp_path, expected[::-1], tmp_path / "two.tar.gz")
    assert (tmp_path / "one.tar.gz").read_bytes() == (tmp_path / "two.tar.gz").read_bytes()
    with tarfile.open(tmp_path / "one.tar.gz") as tar:
        assert tar.getnames() == expected
        assert tar.extractfile("negr2.sty").read() == b"negr2.sty"


def test_a_compile_without_recorder_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="no ms.fls"):
        tex_sources(tmp_path, "ms.tex")
