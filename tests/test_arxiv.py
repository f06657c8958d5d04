"""The arXiv archive holds what LaTeX read in the build folder, as a reproducible
tarball (the archive of a real build: tests/test_publish.py)."""

from __future__ import annotations

import os
import tarfile

import pytest

from negr2.archive import tex_sources, write_tar


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
