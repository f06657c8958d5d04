"""The lock (requirements/*.txt, written by `make lock`) agrees with pyproject.toml:
every install set pins every direct dependency at pyproject's version, with hashes,
and the sets agree with one another."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
LOCK = REPO / "requirements"
# A requirement line of a hashed requirements file: name==version, then markers or "\".
PIN = re.compile(r"^([A-Za-z0-9_.\[\],-]+)==([^\s;\\]+)")


def pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def direct_pins(extras: list[str]) -> dict[str, str]:
    """pyproject.toml's exact pins of the plain install and of ``extras``."""
    project = pyproject()
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    pins = {}
    for text in requirements:
        requirement = Requirement(text)
        (spec,) = requirement.specifier
        assert spec.operator == "==", f"{text}: pin it exactly"
        pins[canonicalize_name(requirement.name)] = spec.version
    return pins


def locked(path: Path) -> dict[str, set[str]]:
    """Each package of a lock file with the versions it pins (several only where
    markers choose by platform or Python version)."""
    pins: dict[str, set[str]] = {}
    lines = path.read_text().splitlines()
    for i, line in enumerate(lines):
        match = PIN.match(line)
        if match:
            name = canonicalize_name(re.sub(r"\[.*\]", "", match.group(1)))
            pins.setdefault(name, set()).add(match.group(2))
            assert "--hash=sha256:" in lines[i + 1], f"{path.name}: {line} has no hash"
    return pins


def lock_sets() -> dict[str, list[str]]:
    """Each lock file and the extras it covers."""
    extras = list(pyproject()["optional-dependencies"])
    sets = {"negr2.txt": [], "negr2-all.txt": extras}
    sets.update({f"negr2-{extra}.txt": [extra] for extra in extras})
    return sets


@pytest.mark.parametrize("name", list(lock_sets()))
def test_each_lock_pins_pyprojects_versions(name):
    path = LOCK / name
    assert path.is_file(), f"no {path.relative_to(REPO)}: run make lock"
    assert "make lock" in path.read_text()[:300], "the header names the command"
    pins = locked(path)
    for package, version in direct_pins(lock_sets()[name]).items():
        assert pins.get(package) == {version}, (
            f"{name}: {package} is {pins.get(package)} in the lock, {version} in "
            "pyproject.toml: run make lock"
        )
    # Transitive dependencies are locked too, not only the direct ones.
    assert len(pins) > 2 * len(direct_pins(lock_sets()[name]))


def test_the_locks_agree_with_one_another():
    every = locked(LOCK / "negr2-all.txt")
    for name in lock_sets():
        for package, versions in locked(LOCK / name).items():
            assert versions <= every[package], f"{name}: {package} {versions}"
    # Each extra's lock holds the plain install's packages and its own extra's.
    plain = set(locked(LOCK / "negr2.txt"))
    for extra in pyproject()["optional-dependencies"]:
        assert plain <= set(locked(LOCK / f"negr2-{extra}.txt")), extra


def test_make_installs_from_the_lock():
    makefile = (REPO / "Makefile").read_text()
    recipes = [line for line in makefile.splitlines() if line.startswith("\t")]
    installs = [line for line in recipes if re.search(r"PIP_INSTALL|pip install", line)]
    assert len(installs) >= 4
    # Every install is either the lock with its hashes, or negr2 itself without deps.
    for line in installs:
        if "-r $(LOCK_DIR)/" in line:
            assert "--require-hashes --no-deps" in line, line
        else:
            assert re.search(r"--no-deps -e \.$|uv==", line), line
    stamps = re.findall(r"^\$\((?:KERAS_|EXTRAS_)?STAMP\):(.*)$", makefile, re.MULTILINE)
    assert [deps.split()[-1] for deps in stamps] == [
        "$(LOCK_DIR)/negr2-dev.txt",
        "$(LOCK_DIR)/negr2-keras.txt",
        "$(LOCK_DIR)/negr2-all.txt",
    ], "make study, make paper and make test rebuild their environment when the lock changes"
