"""negr2.sources: the package files a script runs, against hand-made packages and
against what Python itself imports."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import REPO, planned_jobs, run_snakemake, tiny_config, write_config

from negr2.sources import PACKAGE_DIR, package_files

SCRIPTS = Path(__file__).resolve().parents[1] / "workflow" / "scripts"


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A package laid out like negr2 (it must be called negr2: the name is matched)."""
    root = tmp_path / "negr2"
    _write(
        root,
        {
            "__init__.py": "VERSION = 1\n",
            "a.py": "from negr2 import b\nfrom negr2.c import helper\n",
            "b.py": "import math\n",
            "c.py": "def helper():\n    from negr2 import d  # deferred: still run\n",
            "d.py": "import negr2.e\n",
            "e.py": "from negr2 import a  # a cycle back to a\n",
            "unused.py": "",
            "sub/__init__.py": "from .one import ONE\n",
            "sub/one.py": "from . import two\nfrom ..b import math\nONE = 1\n",
            "sub/two.py": "",
            "sub/three.py": "# loaded by name, never imported\n",
            "render.py": "LOADER = ('negr2', 'templates')\nOTHER = 'no such file'\n",
            "templates/page.html": "<p>{{ x }}</p>\n",
            "templates/parts/row.html": "<tr></tr>\n",
        },
    )
    return root


def _script(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "script.py"
    path.write_text(textwrap.dedent(text))
    return path


def test_follows_imports_transitively_through_cycles_and_deferred_imports(tmp_path, package):
    script = _script(tmp_path, "from negr2 import a\n")
    assert package_files(script, package) == [
        "__init__.py",
        "a.py",
        "b.py",
        "c.py",
        "d.py",
        "e.py",
    ]


def test_a_name_imported_from_the_package_is_its_init(tmp_path, package):
    script = _script(tmp_path, "from negr2 import VERSION\nimport os\n")
    assert package_files(script, package) == ["__init__.py"]


def test_a_subpackage_counts_whole_and_relative_imports_resolve(tmp_path, package):
    script = _script(tmp_path, "from negr2.sub.one import ONE\n")
    # sub/one.py reads "..b" (negr2/b.py); three.py is no import of anyone's, but sits
    # in an imported subpackage, where a registry may load it by name.
    assert package_files(script, package) == [
        "__init__.py",
        "b.py",
        "sub/__init__.py",
        "sub/one.py",
        "sub/three.py",
        "sub/two.py",
    ]


def test_data_a_module_names_is_counted(tmp_path, package):
    script = _script(tmp_path, "import negr2.render\n")
    assert package_files(script, package) == [
        "__init__.py",
        "render.py",
        "templates/page.html",
        "templates/parts/row.html",
    ]


def test_a_module_of_the_package_runs_itself_and_the_packages_above_it(package):
    # A workflow step is a module of the package: importing it runs negr2/__init__.py,
    # sub/__init__.py (which imports one.py, whose "from . import two" names the whole
    # subpackage, three.py too) and itself.
    assert package_files(package / "sub" / "two.py", package) == [
        "__init__.py",
        "b.py",
        "sub/__init__.py",
        "sub/one.py",
        "sub/three.py",
        "sub/two.py",
    ]
    assert package_files(package / "b.py", package) == ["__init__.py", "b.py"]


def test_a_script_without_package_imports_runs_no_package_file(tmp_path, package):
    script = _script(tmp_path, "import numpy\nfrom . import sibling\n")
    assert package_files(script, package) == []


STEPS = PACKAGE_DIR / "steps"


@pytest.mark.parametrize(
    ("source", "module"),
    [
        (SCRIPTS / "run_trials.py", "negr2.trials"),
        (SCRIPTS / "run_pack.py", "negr2.trials"),
        (STEPS / "aggregate.py", "negr2.steps.aggregate"),
        (STEPS / "report.py", "negr2.steps.report"),
        (STEPS / "paper.py", "negr2.steps.paper"),
        (STEPS / "track.py", "negr2.steps.track"),
        (STEPS / "track_cell.py", "negr2.steps.track_cell"),
        (STEPS / "store.py", "negr2.steps.store"),
        (STEPS / "failures.py", "negr2.steps.failures"),
    ],
)
@pytest.mark.e2e
def test_every_module_python_loads_is_found(source, module):
    # Python's own import system is the reference: every package module loaded by
    # importing the job's main module must be among the files found for its script or
    # step (which also holds modules imported later, inside functions).
    code = (
        f"import sys, {module}\n"
        "print('\\n'.join(m.__file__ for n, m in sys.modules.items()"
        " if n.split('.')[0] == 'negr2' and getattr(m, '__file__', None)))"
    )
    env_path = str(PACKAGE_DIR.parent)
    loaded = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": env_path, "MLFLOW_DISABLE_TELEMETRY": "true"},
    ).stdout.split()
    expected = {str(Path(f).resolve().relative_to(PACKAGE_DIR)) for f in loaded}
    found = set(package_files(source))
    assert expected <= found
    assert module.removeprefix("negr2.").replace(".", "/") + ".py" in found


def test_the_trials_jobs_run_the_chunking_module():
    # run_trials.py reads chunk labels with negr2.chunking; a hand-kept list would miss it.
    assert "chunking.py" in package_files(SCRIPTS / "run_trials.py")
    assert "templates/report.html.j2" in package_files(STEPS / "report.py")
    assert "tracking.py" not in package_files(SCRIPTS / "run_trials.py")


@pytest.mark.parametrize("step", ["report", "track"])
def test_steps_that_only_read_the_trials_table_do_not_run_the_statistics(step):
    # They read the table through negr2.storage: a change to the summary's statistics
    # (negr2.aggregate) must not change their code fingerprint, nor rerun them.
    found = package_files(STEPS / f"{step}.py")
    assert "storage.py" in found
    assert "aggregate.py" not in found


def _rules_with_code() -> list[tuple[str, str, str]]:
    """(rule, the script or step its code fingerprint names, the script its job runs or
    the step its run block calls) for every rule of workflow/rules that fingerprints
    package code."""
    out = []
    for smk in sorted((SCRIPTS.parent / "rules").glob("*.smk")):
        for block in re.split(r"(?m)^(?=rule )", smk.read_text()):
            named = re.search(r'code=(?:code_fingerprint|step_code)\("([^"]+)"\)', block)
            if named:
                rule = block.split(":", 1)[0].removeprefix("rule ")
                script = re.search(r'script:\s*\n\s*"\.\./scripts/([^"]+)"', block)
                step = re.search(r"run_step\(\s*(\w+)\.run,", block)
                out.append((rule, named.group(1), (script or step).group(1)))
    return out


def test_rules_fingerprint_the_code_of_their_own_script():
    rules = _rules_with_code()
    assert {"trials", "trials_pack", "aggregate", "report", "paper", "track", "track_cell"} <= {
        rule for rule, _, _ in rules
    }
    for rule, named, runs in rules:
        assert named == runs, rule


@pytest.mark.e2e
def test_editing_package_code_reruns_the_steps_that_run_it(tmp_path):
    # A copy of the workflow and its package: its Snakefile runs its own src/negr2.
    copy = tmp_path / "negr2"
    copy.mkdir()
    for part in ("Snakefile", "workflow", "src", "config", "envs"):
        (shutil.copytree if (REPO / part).is_dir() else shutil.copy)(REPO / part, copy / part)
    study = tmp_path / "study"
    config = write_config(study, tiny_config())
    snakefile = ["-s", str(copy / "Snakefile"), "--configfile", str(config)]
    run_snakemake(study, *snakefile, "--cores", "2")

    def planned_after_editing(module: str) -> dict[str, int]:
        path = copy / "src" / "negr2" / module
        original = path.read_text()
        path.write_text(original + "\n# edited\n")
        try:
            return planned_jobs(run_snakemake(study, *snakefile, "-n").stdout)
        finally:
            path.write_text(original)

    # A step's own module (Snakemake cannot see it), then a module two steps import.
    assert planned_after_editing("steps/paper.py") == {"paper": 1, "failures": 1}
    assert planned_after_editing("figures/base.py") == {
        "report": 1,
        "paper": 1,
        "track": 1,
        "failures": 1,
    }
