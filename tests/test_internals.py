"""negr2.internals: each undocumented behaviour negr2 relies on still behaves so in the
pinned Snakemake, scikit-learn and MLflow. A test here failing after a pin bump names
the use that moved; the module's docstrings say what breaks with it."""

from __future__ import annotations

import ast
import gc
import importlib.util
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from conftest import REPO, SNAKEMAKE, run_snakemake, tiny_config, write_config
from sklearn.linear_model import Ridge
from sklearn.utils._param_validation import InvalidParameterError
from snakemake.scheduling.job_scheduler import JobScheduler

from negr2 import internals
from negr2.internals import exit_promptly

# --- Snakemake: exit_promptly -------------------------------------------------------------


@pytest.fixture
def unfreeze():
    yield
    gc.unfreeze()


def _timers() -> list[threading.Timer]:
    return [t for t in threading.enumerate() if isinstance(t, threading.Timer)]


def test_cancels_the_schedulers_timer_and_leaves_others(unfreeze):
    # The timer Snakemake's own scheduler arms after a pass (rate limit on).
    scheduler = SimpleNamespace(_open_jobs=threading.Semaphore(0))
    before = set(_timers())
    JobScheduler._schedule_reevalutation(scheduler, 60)
    (snakemake_timer,) = set(_timers()) - before
    fired = threading.Event()
    other = threading.Timer(0.2, fired.set)
    other.start()

    exit_promptly()

    snakemake_timer.join(timeout=10)
    assert not snakemake_timer.is_alive()
    assert not scheduler._open_jobs.acquire(blocking=False)  # cancelled, never fired
    assert fired.wait(timeout=10)  # another library's timer still runs


def test_freezes_the_objects_alive(unfreeze):
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    exit_promptly()
    assert gc.get_freeze_count() > 0


@pytest.mark.e2e
@pytest.mark.parametrize("snakefile", ["Snakefile", "workflow/manuscript.smk"])
def test_both_workflows_exit_promptly_on_success_and_on_error(snakefile):
    # Snakemake's own compilation of the workflow: each handler calls it.
    done = subprocess.run(
        [SNAKEMAKE, "--snakefile", str(REPO / snakefile), "--print-compilation"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=True,
    )
    for handler in ("onsuccess", "onerror"):
        handler_code = rf"@workflow\.{handler}\ndef __{handler}\(.*?\):\n((?:[ \t]+.*\n)+)"
        body = re.search(handler_code, done.stdout)
        assert body is not None, f"no {handler} handler in {snakefile}"
        calls = re.search(r"\bexit_promptly\s*\(\s*\)", body.group(1))
        assert calls, f"{snakefile}: {handler} does not exit promptly"


# --- Snakemake: the workflow object, force-use-threads -------------------------------------

MAIN = """
import json, os, sys
sys.path.insert(0, {src!r})
from negr2 import internals

if not internals.configfiles_given(workflow):

    configfile: "default.yaml"


module other:
    snakefile:
        "../other/Snakefile"


use rule * from other as other_*

internals.limit_writers(workflow, "writers")

SEEN = {{
    "basedir": str(workflow.current_basedir),
    "module_basedir": other.BASEDIR,
    "main": internals.main_snakefile(workflow),
    "given": internals.configfiles_given(workflow),
    "command_line": dict(internals.command_line_config(workflow)),
    "config": dict(config),
}}


rule all:
    input:
        "step.json",


rule step:
    output:
        "step.json",
    resources:
        writers=1,
    run:
        with open(output[0], "w") as f:
            json.dump(os.getpid(), f)


onstart:
    SEEN["to_run"] = sorted(internals.rules_to_run(workflow))


onsuccess:
    SEEN["pid"] = os.getpid()
    with open("seen.json", "w") as f:
        json.dump(SEEN, f)
"""


def _mini_workflow(tmp_path: Path, *args: str) -> tuple[dict, int]:
    """Run a two-rule workflow that imports a module and reports what negr2.internals
    sees (and Snakemake's output); return that and the process id its run: step ran in."""
    main, other = tmp_path / "main", tmp_path / "other"
    main.mkdir(exist_ok=True)
    other.mkdir(exist_ok=True)
    (main / "Snakefile").write_text(MAIN.format(src=str(REPO / "src")))
    (other / "Snakefile").write_text("BASEDIR = str(workflow.current_basedir)\n")
    (main / "default.yaml").write_text("study: default\n")
    (main / "given.yaml").write_text("study: given\n")
    (main / "step.json").unlink(missing_ok=True)
    done = subprocess.run(
        [SNAKEMAKE, "--cores", "1", *args],
        cwd=main,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    seen = json.loads((main / "seen.json").read_text())
    seen["output"] = done.stdout + done.stderr
    return seen, json.loads((main / "step.json").read_text())


@pytest.mark.e2e
def test_what_the_workflow_object_tells(tmp_path):
    profile = str(REPO / "profiles" / "default")
    seen, step_pid = _mini_workflow(
        tmp_path,
        *("--workflow-profile", profile, "--configfile", "given.yaml"),
        *("--config", "trials=5", "models={'M': {'alpha': 10.0}}"),
    )
    # The folder of each Snakefile, the module's its own.
    assert seen["basedir"] == str(tmp_path / "main")
    assert seen["module_basedir"] == str(tmp_path / "other")
    # The Snakefile snakemake was run with, named as the MLflow runs' source.
    assert Path(seen["main"]).resolve() == tmp_path / "main" / "Snakefile"
    # A study file given: the default one is not read.
    assert seen["given"] is True
    assert seen["config"]["study"] == "given"
    # --config as parsed, a nested value as text (what negr2.schema.coerce_overrides fixes).
    assert seen["command_line"] == {"trials": 5, "models": {"M": {"alpha": "10.0"}}}
    assert seen["to_run"] == ["all", "step"]
    # force-use-threads (profiles/default): the run: step ran in Snakemake's process.
    assert step_pid == seen["pid"]

    # One writer at a time, unless the command line says otherwise.
    assert 'Provided resources: writers=Resource("writers", 1)' in seen["output"]

    seen, step_pid = _mini_workflow(
        tmp_path, "--workflow-profile", "none", "--resources", "writers=3"
    )
    assert seen["given"] is False and seen["config"] == {"study": "default"}
    assert seen["command_line"] == {}
    assert step_pid != seen["pid"]  # without the profile, a process of its own
    assert 'Provided resources: writers=Resource("writers", 3)' in seen["output"]


@pytest.mark.e2e
def test_without_the_workflow_profile_the_results_are_the_same(tiny_run, tmp_path):
    # Steps as processes of their own (the mlflow_writers limit holds without the
    # profile): every table equal but for timings, every text file the same.
    config = write_config(tmp_path, tiny_config())
    run_snakemake(
        tmp_path, "--cores", "2", "--configfile", str(config), "--workflow-profile", "none"
    )
    default, plain = tiny_run / "results" / "tiny", tmp_path / "results" / "tiny"
    timing = ["fit_seconds", "predict_seconds", "mean_fit_seconds", "mean_predict_seconds"]
    for name in ("trials.parquet", "summary.csv", "comparisons.csv", "claims.csv"):
        read = pd.read_parquet if name.endswith(".parquet") else pd.read_csv
        a, b = read(default / name), read(plain / name)
        pd.testing.assert_frame_equal(
            a.drop(columns=timing, errors="ignore"), b.drop(columns=timing, errors="ignore")
        )
    texts = sorted(p.name for p in (default / "paper").glob("*.*"))
    assert set(texts) >= {"table.tex", "claims.tex", "numbers.tex", "report.md"}
    for name in texts:
        assert (default / "paper" / name).read_bytes() == (plain / "paper" / name).read_bytes()


# --- Snakemake: the version floor ------------------------------------------------------

#: The release just below the Snakefile's min_version, with the modules it needs that this
#: environment (made for the pinned Snakemake) lacks.
BELOW_FLOOR = ("snakemake==9.16.3", "appdirs", "reretry")


@pytest.fixture(scope="module")
def older_snakemake(tmp_path_factory) -> Path:
    """A folder holding the Snakemake release just below the floor, for PYTHONPATH."""
    folder = tmp_path_factory.mktemp("older-snakemake")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        + ["--no-deps", "--target", str(folder), *BELOW_FLOOR],
        check=True,
        capture_output=True,
        timeout=900,
    )
    return folder


@pytest.mark.e2e
@pytest.mark.parametrize("snakefile", ["Snakefile", "workflow/manuscript.smk"])
def test_an_older_snakemake_stops_with_the_min_version_line(older_snakemake, tmp_path, snakefile):
    floor = re.search(r'min_version\("([\d.]+)"\)', (REPO / snakefile).read_text()).group(1)
    older = BELOW_FLOOR[0].split("==")[1]
    assert floor == "9.17.0"
    done = subprocess.run(
        [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / snakefile), "-n"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=os.environ | {"PYTHONPATH": str(older_snakemake)},
        timeout=300,
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0
    message = f"Expecting Snakemake version {floor} or higher (you are currently using {older})."
    assert message in output, output
    assert "Traceback" not in output and "TypeError" not in output


# --- scikit-learn --------------------------------------------------------------------------


def test_constructor_params_are_those_get_params_lists():
    assert internals.constructor_params(Ridge) == set(Ridge().get_params())


def test_validate_params_checks_an_unfitted_estimator():
    internals.validate_params(Ridge(alpha=1.0))
    with pytest.raises(InvalidParameterError, match="alpha"):
        internals.validate_params(Ridge(alpha=-1.0))


# --- MLflow --------------------------------------------------------------------------------


def test_the_system_tags_are_mlflows():
    # MLflow's own constants, read from its source (importing MLflow starts a process).
    origin = Path(importlib.util.find_spec("mlflow").origin).parent / "utils" / "mlflow_tags.py"
    constants = {
        node.targets[0].id: node.value.value
        for node in ast.parse(origin.read_text()).body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
    }
    for constant, name in internals.MLFLOW_TAGS.items():
        assert constants[constant] == name
