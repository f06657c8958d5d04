"""Write the manuscript's results bundle (:mod:`negr2.bundle`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from negr2.bundle import write_bundle
from negr2.report import git_commit


def run(inputs: Any, outputs: Any, params: Any, checkout: Path) -> None:
    """The rule's files and params (``params.studies``: each study's results folder;
    ``params.config_files``: its config file), and the workflow's git checkout."""
    write_bundle(
        outputs.bundle,
        inputs.tex,
        inputs.pdf,
        params.studies,
        params.config_files,
        list(inputs.lock),
        git_commit(str(checkout)),
    )
