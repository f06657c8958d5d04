"""Make a results bundle's PDF again from its trials, without refitting a model.

  negr2 rebuild results/manuscript/ms-bundle.tar.gz --output ms.pdf

For each study of the bundle, the summary, comparisons and claims are computed from
its trials.parquet, the figures drawn, and numbers.tex and the tables written, as the
workflow's steps do; then the bundled manuscript is compiled from them, in strict mode
(a number the studies do not have stops it). Run `negr2 verify` first to know that the
recomputed numbers are the bundled ones. Needs TeX (pdflatex, latexmk).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from negr2.errors import InputError

HELP = "compile a results bundle's manuscript again from its trials (no refit)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("bundle", help="a <manuscript>-bundle.tar.gz, or its unpacked folder")
    parser.add_argument(
        "--output", "-o", help="the PDF to write (default: <manuscript>.pdf in this folder)"
    )


def run(args: argparse.Namespace) -> int:
    from negr2.manuscript import tex_missing
    from negr2.unbundle import opened_bundle

    if tex_missing():
        raise InputError(tex_missing())
    with opened_bundle(args.bundle) as root:
        manuscript = json.loads((root / "provenance.json").read_text())["manuscript"]
        output = Path(args.output or f"{Path(manuscript).stem}.pdf").resolve()
        rebuild_pdf(root, output)
    print(f"negr2 rebuild: {output} (LaTeX's output: {output.with_suffix('.log')})")
    return 0


def rebuild_pdf(root: Path, output: Path) -> None:
    """Compile the bundle's manuscript (unpacked at ``root``) into ``output`` from
    paper folders written anew from each study's trials."""
    from negr2.manuscript import build_pdf

    provenance = json.loads((root / "provenance.json").read_text())
    config_files = provenance["studies"]
    with tempfile.TemporaryDirectory(prefix="negr2-rebuild-") as tmp:
        papers = {
            study: write_paper(root / "studies" / study, Path(tmp) / study)
            for study in config_files
        }
        # The bundled ms.pdf is no input: the build copies no PDF of the folder.
        tex = root / provenance["manuscript"]
        build_pdf(tex, papers, config_files, output, output.with_suffix(".log"), strict=True)


def write_paper(folder: Path, paper: Path) -> Path:
    """A study's paper folder (figures, numbers.tex, the tables) at ``paper``, written
    from the bundled study at ``folder``; returns ``paper``."""
    from negr2 import files
    from negr2.figures import study_figures
    from negr2.paper import save_figures
    from negr2.report import TRIALS_COLUMNS
    from negr2.storage import read_columns
    from negr2.unbundle import bundled_study, parse_numbers, recomputed_study

    numbers = parse_numbers((folder / "paper" / "numbers.tex").read_text())
    tables, texts = recomputed_study(folder, numbers, captions={})
    trials = read_columns(str(folder / "trials.parquet"), TRIALS_COLUMNS)
    figs = study_figures(trials, tables["summary"], bundled_study(folder), tables["comparisons"])
    captions = {stem: fig.caption for stem, fig in figs.items()}
    save_figures({stem: fig.figure for stem, fig in figs.items()}, captions, paper / "figures")
    for name in ("numbers", "table", "claims", "reference", "models"):
        files.write_text(paper / f"{name}.tex", texts[name])
    return paper
