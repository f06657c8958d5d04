"""A results bundle read back (see :mod:`negr2.bundle`): unpacked, its numbers parsed,
and each study's tables and paper files computed again from its trials alone."""

from __future__ import annotations

import json
import re
import tarfile
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from negr2.bundle import MANIFEST
from negr2.errors import InputError

# A number's line of numbers.tex: \expandafter\gdef\csname negrtwo@<study>@<key>\endcsname{<text>}
_NUMBER = re.compile(
    r"^\\expandafter\\gdef\\csname negrtwo@(?P<study>[^@]+)@(?P<key>.*?)\\endcsname"
    r"\{(?P<text>.*)\}$"
)


@contextmanager
def opened_bundle(path: str | Path) -> Iterator[Path]:
    """The bundle's root folder: ``path`` itself (or its only subfolder) when it is an
    unpacked bundle, else a temporary folder ``path`` (a ``.tar.gz``) is unpacked into.

    Raises
    ------
    InputError
        When ``path`` is neither.
    """
    path = Path(path)
    if path.is_dir():
        yield _root(path, path)
    elif path.is_file() and tarfile.is_tarfile(path):
        with tempfile.TemporaryDirectory(prefix="negr2-bundle-") as tmp:
            with tarfile.open(path) as tar:
                extract_all(tar, Path(tmp), path)
            yield _root(Path(tmp), path)
    else:
        raise InputError(
            f"no bundle at {path}: give a <manuscript>-bundle.tar.gz (make paper-bundle) "
            "or the folder it unpacks to"
        )


def extract_all(tar: tarfile.TarFile, folder: Path, given: str | Path) -> None:
    """Unpack ``tar`` into ``folder``, refusing what a bundle never holds: a device, or a
    path or link that leads outside ``folder``.

    Python 3.11.4 added ``extractall(filter="data")``, which does this; Debian 12's Python
    is 3.11.2, so where that filter is missing the members are checked here, more strictly
    (any link is refused: a bundle holds only files and folders).
    """
    if hasattr(tarfile, "data_filter"):
        try:
            tar.extractall(folder, filter="data")
        except tarfile.FilterError as error:
            raise InputError(f"{given} is not a results bundle: {error}") from None
        return
    inside = folder.resolve()
    for member in tar.getmembers():
        target = (inside / member.name).resolve()
        if not (member.isfile() or member.isdir()) or not target.is_relative_to(inside):
            raise InputError(
                f"{given} is not a results bundle: it holds {member.name!r}, "
                "a link or a path outside the folder it unpacks to"
            )
    tar.extractall(folder)


def _root(folder: Path, given: Path) -> Path:
    if (folder / MANIFEST).is_file() or (folder / "studies").is_dir():
        return folder
    inside = [child for child in folder.iterdir() if child.is_dir()]
    if len(inside) == 1 and (inside[0] / "studies").is_dir():
        return inside[0]
    raise InputError(f"{given} is not a results bundle: it has no studies/ folder")


def parse_numbers(tex: str) -> dict[str, str]:
    """Each number of a ``numbers.tex`` by its key (``MeanRsq@noise@Ridge``), as text."""
    found = {}
    for line in tex.splitlines():
        match = _NUMBER.match(line)
        if match:
            found[match.group("key")] = match.group("text")
    return found


def provenance(numbers: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """The commit and package versions a ``numbers.tex`` records (LaTeX text)."""
    versions = {
        key.removeprefix("NegrInfo@version-"): text
        for key, text in numbers.items()
        if key.startswith("NegrInfo@version-")
    }
    return _unescape(numbers.get("NegrInfo@commit", "unknown")), {
        name: _unescape(text) for name, text in versions.items()
    }


def _unescape(text: str) -> str:
    """Undo :func:`negr2.paper_tables.escape_latex` for the text of a commit or version."""
    return re.sub(r"\\([_&%$#{}])", r"\1", text)


def bundled_study(folder: Path) -> Any:
    """The :class:`negr2.study.Study` of a bundled study, from its ``paper/config.yaml``."""
    import yaml

    from negr2.config import results_config
    from negr2.study import Study

    config = yaml.safe_load((folder / "paper" / "config.yaml").read_text())
    return Study.from_config(results_config(config))


def recomputed_study(
    folder: Path, bundled_numbers: Mapping[str, str], captions: Mapping[str, str] | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """A bundled study's ``summary``, ``comparisons`` and ``claims`` tables (as written
    and read back) and its paper files' texts, computed from its ``trials.parquet``;
    the provenance is that of ``bundled_numbers``, the captions the bundled ones unless
    given."""
    from negr2.recompute import study_tables
    from negr2.steps.paper import paper_texts
    from negr2.storage import as_written

    study = bundled_study(folder)
    tables = {
        name: as_written(table)
        for name, table in study_tables(str(folder / "trials.parquet"), study).items()
    }
    if captions is None:
        captions = json.loads((folder / "paper" / "figures" / "captions.json").read_text())
    commit, versions = provenance(bundled_numbers)
    return tables, paper_texts(study, tables, captions, commit, versions)
