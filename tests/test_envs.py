"""The conda environment in envs/ pins the same versions as pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
# conda-forge/bioconda names of packages that PyPI names otherwise.
CONDA_TO_PYPI = {"snakemake-minimal": "snakemake", "matplotlib-base": "matplotlib"}


def pyproject_pins() -> dict[str, str]:
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = {}
    for dep in deps:
        name, version = re.fullmatch(r"([A-Za-z0-9_.-]+)==([^\s;]+)", dep.strip()).groups()
        pins[name.lower()] = version
    return pins


def conda_pins(path: Path) -> dict[str, str]:
    pins = {}
    for dep in yaml.safe_load(path.read_text())["dependencies"]:
        name, version = dep.split("=", 1)
        pins[CONDA_TO_PYPI.get(name, name).lower()] = version
    return pins


def test_every_dependency_is_pinned_exactly():
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    assert all("==" in d for d in deps), [d for d in deps if "==" not in d]


def test_envs_agree_with_pyproject():
    expected = pyproject_pins()
    envs = sorted((REPO / "envs").glob("*.yaml"))
    assert envs, "no conda environment in envs/"
    for env in envs:
        pins = conda_pins(env)
        assert pins.pop("python").startswith("3.11")
        assert pins == expected, env.name


def test_every_rule_that_starts_a_process_names_an_environment():
    # A script's job is a process of its own, which --software-deployment-method conda
    # starts in the environment; a run: step executes inside Snakemake's process, where a
    # conda directive would be ignored: it must not claim one.
    for rules in (REPO / "workflow" / "rules").glob("*.smk"):
        blocks = re.split(r"(?m)^(?=rule \w+:)", rules.read_text())[1:]
        for block in blocks:
            name = block.split(":", 1)[0].removeprefix("rule ")
            if "    script:" in block:
                assert "    conda:" in block, f"{rules.name}: {name}"
            else:
                assert "    run:" in block and "    conda:" not in block, f"{rules.name}: {name}"
        for env in re.findall(r'conda:\n\s+"([^"]+)"', rules.read_text()):
            assert (rules.parent / env).resolve().is_file(), env
