"""A manuscript's results bundle: what a reader needs to check every number it cites.

One tarball per manuscript, for a data repository such as Zenodo, holding under
``<stem>-bundle/``:

* ``studies/<study>/``: ``trials.parquet``, ``summary.csv``, ``comparisons.csv``,
  ``claims.csv``, and ``paper/`` (``config.yaml``, the study's config with its defaults
  filled in; ``numbers.tex`` and the tables the manuscript inputs; the figures);
* ``manuscript/``: the manuscript's folder (its ``.tex`` and ``.bib``) and ``<stem>.pdf``;
* ``requirements/``: the lock the environment was installed from;
* ``provenance.json`` (the commit, Python, each study's config file) and
  ``packages.txt`` (every installed distribution and its version);
* ``README.md``, and ``MANIFEST.sha256``: the SHA-256 of every other file, in
  ``sha256sum -c`` format.

``negr2 verify`` checks a bundle (:mod:`negr2.verify`); ``negr2 rebuild`` makes its
PDF again from its trials (:mod:`negr2.rebuild`).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path

from negr2.archive import write_tar

#: Each study's result files a bundle carries, beside its ``paper/`` folder.
STUDY_FILES = ("trials.parquet", "summary.csv", "comparisons.csv", "claims.csv")
#: The paper files a bundle carries (figures: their PDF only, and captions.json).
PAPER_FILES = (
    "config.yaml",
    "numbers.tex",
    "table.tex",
    "claims.tex",
    "reference.tex",
    "models.tex",
)
MANIFEST = "MANIFEST.sha256"


def bundle_name(tex_path: str | os.PathLike[str]) -> str:
    """The bundle's file name: ``<stem>-bundle.tar.gz``."""
    return f"{Path(tex_path).stem}-bundle.tar.gz"


def write_bundle(
    output: str | os.PathLike[str],
    tex_path: str | os.PathLike[str],
    pdf: str | os.PathLike[str],
    studies: Mapping[str, str | os.PathLike[str]],
    config_files: Mapping[str, str],
    lock_files: Sequence[str | os.PathLike[str]],
    commit: str,
) -> None:
    """Write the bundle of the manuscript ``tex_path`` to ``output``.

    ``studies`` maps each cited study to its results folder (``results/<study>``) and
    ``config_files`` to its config file; ``commit`` names the checkout.
    """
    from negr2.manuscript import manuscript_inputs

    tex_path = Path(tex_path)
    root_name = Path(output).name.removesuffix(".tar.gz")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / root_name
        for path in manuscript_inputs(tex_path):
            _copy(path, root / "manuscript" / path.relative_to(tex_path.parent))
        _copy(pdf, root / "manuscript" / f"{tex_path.stem}.pdf")
        for study, folder in studies.items():
            _copy_study(Path(folder), root / "studies" / study)
        for path in lock_files:
            _copy(path, root / "requirements" / Path(path).name)
        provenance = {
            "commit": commit,
            "python": platform.python_version(),
            "manuscript": f"manuscript/{tex_path.name}",
            "studies": dict(config_files),
        }
        (root / "provenance.json").write_text(json.dumps(provenance, indent=1) + "\n")
        (root / "packages.txt").write_text(installed_packages())
        (root / "README.md").write_text(readme(tex_path.stem, list(studies)))
        (root / MANIFEST).write_text(manifest(root))
        members = [p.relative_to(tmp).as_posix() for p in sorted(root.rglob("*")) if p.is_file()]
        write_tar(tmp, members, output)


def _copy(source: str | os.PathLike[str], target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def _copy_study(results: Path, target: Path) -> None:
    for name in STUDY_FILES:
        _copy(results / name, target / name)
    paper = results / "paper"
    for name in PAPER_FILES:
        _copy(paper / name, target / "paper" / name)
    figures = paper / "figures"
    for path in [figures / "captions.json", *sorted(figures.glob("*.pdf"))]:
        _copy(path, target / "paper" / "figures" / path.name)


def installed_packages() -> str:
    """Every distribution installed in this environment, ``name==version`` a line,
    sorted by name."""
    found = {
        dist.metadata["Name"].lower(): dist.version
        for dist in metadata.distributions()
        if dist.metadata["Name"]
    }
    return "".join(f"{name}=={version}\n" for name, version in sorted(found.items()))


def manifest(root: Path) -> str:
    """``<sha256>  <path>`` of every file under ``root`` but the manifest, sorted."""
    lines = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name != MANIFEST:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            lines.append(f"{digest}  {path.relative_to(root).as_posix()}\n")
    return "".join(lines)


def readme(stem: str, studies: Sequence[str]) -> str:
    """The bundle's README: what is inside and how to check it."""
    listed = "\n".join(f"- `studies/{study}/`" for study in studies)
    return f"""# Results bundle of the manuscript `{stem}`

Every number of `manuscript/{stem}.pdf` is a macro of a study's `paper/numbers.tex`,
computed from that study's trials. This bundle holds, for each cited study:

{listed}

its trials (`trials.parquet`: one row per scenario, model, ablation variant and trial),
the tables computed from them (`summary.csv`, `comparisons.csv`, `claims.csv`), and
`paper/`: its config as it ran (`config.yaml`, defaults filled in), `numbers.tex`, the
LaTeX tables and the figures. `provenance.json` names the commit of negr2 that made
them, `packages.txt` every installed package and its version, and `requirements/`
the lock the environment was installed from. `{MANIFEST}` holds the SHA-256 of every
other file.

## Checking it

```bash
sha256sum -c {MANIFEST}                     # the files are those deposited
pip install --require-hashes --no-deps -r requirements/negr2.txt   # in a new venv,
pip install --no-deps <negr2 at the commit of provenance.json>     # then negr2 itself
negr2 verify .                                   # every cited number, from the trials
negr2 rebuild . --output {stem}.pdf              # the PDF again, from the trials
```

`negr2 verify` recomputes each study's summary, intervals, comparisons and claims from
its trials, writes the numbers again, and names every file and number that differs.
No model is refitted: it takes seconds. `negr2 rebuild` draws the figures and compiles
the manuscript from the recomputed numbers (it needs TeX: pdflatex and latexmk).
"""
