"""Archives of a manuscript: the sources arXiv compiles, as one reproducible tarball.

The manuscript's build (:func:`negr2.manuscript.build_pdf`) compiles in a folder of its
own with LaTeX's recorder on: the ``.fls`` file it leaves lists every file LaTeX read.
The arXiv archive holds exactly those of the build folder (the ``.tex``, ``negr2.sty``,
each study's macro and table files, the figures the text includes) and the ``.bbl``,
nothing else, so that it compiles with plain ``pdflatex`` in an empty folder.

This module imports only the standard library.
"""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from collections.abc import Iterable
from pathlib import Path

#: LaTeX's own by-products: read back by the next run, never shipped.
BY_PRODUCTS = {".aux", ".out", ".toc", ".lof", ".lot", ".nav", ".snm", ".fls", ".log"}


def tex_sources(build: str | os.PathLike[str], tex_name: str) -> list[str]:
    """The files of ``build`` that compiling ``tex_name`` read, relative to ``build``
    and sorted: the ``.fls`` file's ``INPUT`` lines inside the folder, without LaTeX's
    by-products, plus the ``.bbl`` (a bibliography) when there is one.

    Raises
    ------
    FileNotFoundError
        When the compile left no ``.fls`` (LaTeX ran without ``-recorder``).
    """
    build = Path(build).resolve()
    stem = Path(tex_name).stem
    fls = build / f"{stem}.fls"
    if not fls.is_file():
        raise FileNotFoundError(f"no {fls.name} in {build}: compile with latexmk (-recorder)")
    found: set[str] = set()
    for line in fls.read_text(errors="replace").splitlines():
        if not line.startswith("INPUT "):
            continue
        path = Path(line[len("INPUT ") :].strip())
        path = (build / path).resolve() if not path.is_absolute() else path.resolve()
        if path.is_relative_to(build) and path.suffix not in BY_PRODUCTS and path.is_file():
            found.add(path.relative_to(build).as_posix())
    if (build / f"{stem}.bbl").is_file():
        found.add(f"{stem}.bbl")
    return sorted(found)


def write_tar(
    root: str | os.PathLike[str], members: Iterable[str], output: str | os.PathLike[str]
) -> None:
    """Write ``members`` (paths relative to ``root``) as a gzipped tarball at
    ``output``, atomically. The same files give the same bytes: sorted members, no
    dates, owners or permissions of this machine."""
    from negr2.files import atomic_path

    root = Path(root)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(set(members)):
            data = (root / name).read_bytes()
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tar.addfile(info, io.BytesIO(data))
    with (
        atomic_path(output) as tmp,
        open(tmp, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz,
    ):
        gz.write(buffer.getvalue())
