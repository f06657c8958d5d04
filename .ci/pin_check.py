#!/usr/bin/env python3
"""Try the newest Snakemake, MLflow and scikit-learn before bumping their pins.

    make pin-check                  # or: python3 .ci/pin_check.py [--keep]

In a scratch virtual environment: the pins of pyproject.toml (every extra included), but
for each of the three the newest release pip can install beside the other pins; negr2
itself without its dependencies. There it runs the quick study (config/studies/quick.yaml,
in a scratch folder), then the fast tests (``pytest -m "not e2e"``) and every test of
tests/test_internals.py, which checks each undocumented behaviour negr2 relies on
(src/negr2/internals.py). Prints what it installed and what passed, and exits 1 if
anything failed. The checkout is left as it was, but for the egg-info an editable install
writes.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NEWEST = ("snakemake", "mlflow", "scikit-learn")


def requirements() -> list[str]:
    """pyproject.toml's dependencies and every extra (what ``make test`` installs), the
    three unpinned."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"].values()
    wanted = [*project["dependencies"], *(spec for extra in extras for spec in extra)]
    names = [re.split(r"[=<>!~\[; ]", spec, maxsplit=1)[0].lower() for spec in wanted]
    return [name if name in NEWEST else spec for name, spec in zip(names, wanted, strict=True)]


def step(title: str, command: list[str], **kwargs) -> tuple[bool, str]:
    """Run one step; its success and the last lines of its output."""
    print(f"pin-check: {title} ...", flush=True)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    seconds = time.perf_counter() - start
    tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
    print(f"pin-check: {title}: {'ok' if done.returncode == 0 else 'FAILED'} ({seconds:.0f} s)")
    return done.returncode == 0, tail


def install(venv: Path) -> list[tuple[str, bool, str]]:
    """The scratch environment: the requirements, then negr2 without dependencies."""
    python = str(venv / "bin" / "python")
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    results = [("install", *step("install", [*pip, *requirements()]))]
    if results[-1][1]:
        subprocess.run([*pip, "--no-deps", "-e", str(REPO)], check=True, capture_output=True)
        frozen = subprocess.run(
            [python, "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True
        ).stdout
        picked = dict(line.lower().split("==") for line in frozen.splitlines() if "==" in line)
        for name in NEWEST:
            note = why_older(python, name, picked[name])
            print(f"pin-check: installed {name}=={picked[name]}{note}")
        results.append(("pip check", *step("pip check", [python, "-m", "pip", "check"])))
    return results


def why_older(python: str, name: str, installed: str) -> str:
    """A note for the report: whether ``installed`` is the index's newest release, or
    which is and the last line of pip's answer to installing it beside the other pins."""
    pip = [python, "-m", "pip", "--disable-pip-version-check"]
    listed = subprocess.run([*pip, "index", "versions", name], capture_output=True, text=True)
    found = re.search(rf"^{re.escape(name)} \(([^)]+)\)", listed.stdout, flags=re.M | re.I)
    if found is None or found.group(1) == installed:
        return " (the newest)"
    others = [spec for spec in requirements() if not spec.lower().startswith(name)]
    attempt = subprocess.run(
        [*pip, "install", "--dry-run", "--quiet", f"{name}=={found.group(1)}", *others],
        capture_output=True,
        text=True,
    )
    errors = [line for line in attempt.stderr.splitlines() if line.startswith("ERROR")]
    reason = errors[-1] if errors else "pip's resolver chose the older one"
    return f" (the newest, {found.group(1)}, does not install: {reason})"


def checks(venv: Path, workdir: Path) -> list[tuple[str, bool, str]]:
    """The quick study, the fast tests and the internals tests, in the scratch venv."""
    bin_ = venv / "bin"
    study = [str(bin_ / "snakemake"), "--snakefile", str(REPO / "Snakefile"), "--cores", "2"]
    study += ["--directory", str(workdir), "--configfile", str(REPO / "config/studies/quick.yaml")]
    tests = [str(bin_ / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    return [
        ("quick study", *step("quick study", study)),
        ("fast tests", *step("fast tests", [*tests, "-m", "not e2e"], cwd=REPO)),
        (
            "internals tests",
            *step("internals tests", [*tests, "tests/test_internals.py"], cwd=REPO),
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="negr2-pin-check-"))
    try:
        results = install(scratch / "venv")
        if results[0][1]:
            results += checks(scratch / "venv", scratch / "study")
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    for title, passed, tail in results:
        if not passed or title.endswith("tests"):
            print(f"\n--- {title} ({'ok' if passed else 'FAILED'}) ---\n{tail}")
    return 0 if all(passed for _, passed, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
