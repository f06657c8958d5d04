"""CITATION.cff parses, has what the Citation File Format 1.2.0 requires, and agrees
with pyproject.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def test_citation_file_parses_and_agrees_with_pyproject():
    citation = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    # The keys CFF 1.2.0 requires, with their types.
    assert citation["cff-version"] == "1.2.0"
    assert isinstance(citation["message"], str) and citation["message"].strip()
    assert isinstance(citation["title"], str) and citation["title"].startswith("negr2")
    authors = citation["authors"]
    assert authors and all(
        isinstance(a, dict) and (a.get("name") or a.get("family-names")) for a in authors
    )
    assert citation["type"] in {"software", "dataset"}
    assert str(citation["version"]) == project["version"]
    assert citation["license"] == project["license"]["text"]
    assert "CITATION.cff" in (REPO / "README.md").read_text(), "the README says how to cite"
