"""A manuscript built from the studies it cites.

The manuscript (``manuscript/ms.tex`` by default) declares each study it cites with a
``\\NegrStudy{<study>}`` line. The manuscript workflow (``workflow/manuscript.smk``)
reads those lines, finds each study's config file by its ``study:`` name, imports the
main workflow once per study with that config (Snakemake's ``module``), and compiles
the PDF once every cited study's ``results/<study>/paper/`` is current.

The compile runs in a fresh build folder: a copy of the manuscript's folder, the
``negr2.sty`` package (unless the folder has its own), and per study
``studies/<study>/`` holding a copy of its ``paper/`` folder and a ``source.tex`` with
the study's config file. The PDF replaces the output only once LaTeX has succeeded.

This module imports only the standard library at load time: the manuscript workflow
calls :func:`cited_studies` and :func:`study_files` on every ``snakemake`` call.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from negr2.archive import tex_sources, write_tar

#: The LaTeX package of the manuscript commands (\NegrStudy, \NegrFigure, ...).
STY = Path(__file__).parent / "templates" / "negr2.sty"
#: What to install when TeX is missing (Debian, Ubuntu).
TEX_PACKAGES = "texlive-latex-recommended latexmk"
#: The manuscript's own results folder: no study may take its name.
RESERVED = "manuscript"

_STUDY = re.compile(r"\\NegrStudy\s*\{([^{}]*)\}")


def uncommented(tex: str) -> str:
    """``tex`` without its comments (from an unescaped ``%`` to the end of the line)."""
    return "\n".join(re.split(r"(?<!\\)%", line, maxsplit=1)[0] for line in tex.splitlines())


def cited_studies(tex: str) -> list[str]:
    """The studies a manuscript declares with ``\\NegrStudy{<study>}``, in order,
    each once; commented-out lines (``%``) do not count."""
    studies: list[str] = []
    for name in _STUDY.findall(uncommented(tex)):
        if name.strip() and name.strip() not in studies:
            studies.append(name.strip())
    return studies


def study_files(config_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """Each study's config file, by its ``study:`` name: ``config.yaml`` and
    ``studies/*.yaml`` in ``config_dir``.

    Raises
    ------
    ValueError
        When two files declare the same study (a manuscript could not say which).
    """
    import yaml

    folder = Path(config_dir)
    found: dict[str, Path] = {}
    for path in [folder / "config.yaml", *sorted(folder.glob("studies/*.yaml"))]:
        if not path.is_file():
            continue
        try:
            name = (yaml.safe_load(path.read_text()) or {}).get("study")
        except (yaml.YAMLError, AttributeError):
            continue  # not a study file; the study itself reports its own errors
        if not isinstance(name, str):
            continue
        if name in found:
            raise ValueError(f"study {name!r} is declared by both {found[name]} and {path}")
        found[name] = path
    return found


def resolve_studies(
    tex_path: str | os.PathLike[str], config_dir: str | os.PathLike[str]
) -> dict[str, Path]:
    """The config file of every study the manuscript cites, in citation order.

    Raises
    ------
    ValueError
        With what is wrong and what to do: no manuscript, no ``\\NegrStudy`` line, a
        cited study without a config file, or one named like the manuscript folder.
    """
    tex_path = Path(tex_path)
    if not tex_path.is_file():
        raise ValueError(
            f"no manuscript {tex_path}: write one, or name yours with --config manuscript=<file>"
        )
    if tex_path.resolve().parent == Path.cwd().resolve():
        raise ValueError(
            f"put {tex_path} in a folder of its own (like manuscript/): a build copies "
            "the manuscript's whole folder"
        )
    cited = cited_studies(tex_path.read_text())
    if not cited:
        raise ValueError(
            f"{tex_path} cites no study: add a \\NegrStudy{{<study>}} line to its preamble"
        )
    files = study_files(config_dir)
    missing = [name for name in cited if name not in files]
    if missing:
        known = ", ".join(sorted(files)) or "none"
        raise ValueError(
            f"{tex_path} cites {', '.join(map(repr, missing))}, but no file in "
            f"{config_dir}/config.yaml or {config_dir}/studies/*.yaml declares that study "
            f"(study: <name>). Known studies: {known}"
        )
    if RESERVED in cited:
        raise ValueError(f"a study may not be named {RESERVED!r}: results/{RESERVED}/ is the PDF's")
    return {name: files[name] for name in cited}


def archive_name(tex_path: str | os.PathLike[str]) -> str:
    """The arXiv archive's file name: ``arxiv.tar.gz`` for ``ms.tex``, else
    ``<stem>-arxiv.tar.gz`` (several manuscripts share ``results/manuscript/``)."""
    stem = Path(tex_path).stem
    return "arxiv.tar.gz" if stem == "ms" else f"{stem}-arxiv.tar.gz"


def module_name(study: str) -> str:
    """A Python identifier for the study's imported workflow; its rules are named
    ``<module_name><rule>`` (``sample_size_trials``)."""
    return re.sub(r"\W", "_", study) + "_"


def source_tex(study: str, config_file: str) -> str:
    """The study's config file as ``\\NegrInfo[<study>]{config}``."""
    from negr2.paper_tables import escape_latex

    name = f"negrtwo@{study}@NegrInfo@config"
    return f"\\expandafter\\gdef\\csname {name}\\endcsname{{{escape_latex(config_file)}}}\n"


def manuscript_inputs(tex_path: str | os.PathLike[str]) -> list[Path]:
    """The files of the manuscript's folder a build copies (not LaTeX's by-products):
    editing any of them rebuilds the PDF."""
    skip = {".aux", ".log", ".out", ".bbl", ".blg", ".fls", ".fdb_latexmk", ".pdf", ".toc"}
    folder = Path(tex_path).parent
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file()
        and path.suffix not in skip
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


def tex_missing() -> str | None:
    """What to do when latexmk or pdflatex is missing; None when both are there."""
    absent = [tool for tool in ("latexmk", "pdflatex") if shutil.which(tool) is None]
    if not absent:
        return None
    return (
        f"negr2: {' and '.join(absent)} not found: the manuscript needs TeX. On Debian or "
        f"Ubuntu: sudo apt-get install {TEX_PACKAGES}"
    )


def build_pdf(
    tex_path: str | os.PathLike[str],
    papers: Mapping[str, str | os.PathLike[str]],
    config_files: Mapping[str, str],
    output: str | os.PathLike[str],
    log: str | os.PathLike[str],
    strict: bool = True,
    archive: str | os.PathLike[str] | None = None,
) -> None:
    """Compile the manuscript with latexmk and write the PDF to ``output``.

    ``papers`` maps each cited study to its ``results/<study>/paper`` folder and
    ``config_files`` to its config file. ``strict`` makes any missing number an error
    (``\\negrstrictbuild``). LaTeX's output goes to ``log``. ``archive``, if given,
    gets the sources arXiv compiles (:func:`negr2.archive.tex_sources`) as a tarball.

    Raises
    ------
    RuntimeError
        When LaTeX fails, with its error lines.
    """
    tex_path, output = Path(tex_path), Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=".build-", dir=output.parent))
    try:
        _stage(tex_path, papers, config_files, build)
        done = _latexmk(build, tex_path.name, strict)
        Path(log).write_text(done.stdout + done.stderr)
        pdf = build / tex_path.with_suffix(".pdf").name
        if done.returncode != 0 or not pdf.is_file():
            raise RuntimeError(
                f"LaTeX failed on {tex_path} (whole output in {log}):\n" + _errors(build, tex_path)
            )
        if archive is not None:
            write_tar(build, tex_sources(build, tex_path.name), archive)
        os.replace(pdf, output)  # same folder: an atomic rename
    finally:
        shutil.rmtree(build, ignore_errors=True)


def _stage(
    tex_path: Path,
    papers: Mapping[str, str | os.PathLike[str]],
    config_files: Mapping[str, str],
    build: Path,
) -> None:
    """Fill the build folder: the manuscript's files, negr2.sty, the studies' papers."""
    for path in manuscript_inputs(tex_path):
        target = build / path.relative_to(tex_path.parent)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    if not (build / STY.name).exists():
        shutil.copy2(STY, build / STY.name)
    for study, paper in papers.items():
        folder = build / "studies" / study
        shutil.copytree(paper, folder)
        (folder / "source.tex").write_text(source_tex(study, config_files[study]))


def _latexmk(build: Path, tex_name: str, strict: bool) -> subprocess.CompletedProcess[str]:
    pretex = r"\def\negrstrictbuild{}" if strict else ""
    cmd = ["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error"]
    if pretex:
        cmd.append(f"-usepretex={pretex}")
    # SOURCE_DATE_EPOCH fixes the PDF's dates: an unchanged manuscript gives the same PDF.
    # max_print_line keeps TeX from wrapping log lines (an error naming a macro) at 79.
    env = os.environ | {
        "SOURCE_DATE_EPOCH": "0",
        "FORCE_SOURCE_DATE": "1",
        "max_print_line": "10000",
    }
    return subprocess.run(
        [*cmd, tex_name], cwd=build, capture_output=True, text=True, env=env, timeout=600
    )


def _errors(build: Path, tex_path: Path) -> str:
    """LaTeX's error lines (``!`` or ``file:line:``) and the lines after each."""
    log = build / tex_path.with_suffix(".log").name
    lines = log.read_text(errors="replace").splitlines() if log.is_file() else []
    shown: list[str] = []
    for i, line in enumerate(lines):
        if line.startswith("!") or re.match(r"^\S+\.tex:\d+:", line):
            shown += lines[i : i + 4]
    return "\n".join(shown[:40]) or "(no error line in LaTeX's log)"
