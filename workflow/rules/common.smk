import functools
import json
import os
import re
from pathlib import Path

from negr2 import RESULTS_FORMAT
from negr2.generators import family
from negr2.config import check_config, results_config
from negr2.fingerprints import canonical, fingerprint
from negr2.costs import TableCosts
from negr2.learned_costs import learned_costs
from negr2.plan import JobPlan
from negr2.prompt_exit import exit_promptly
from negr2.results_folder import check_results_folder, compared_table
from negr2.sources import package_files

# The checked study (negr2.study.Study): its sweeps expand into points, and each
# (scenario point, model point) is a cell.
try:
    STUDY = check_config(config)
except ValueError as error:
    raise WorkflowError(f"invalid config: {error}") from None

RESULTS = f"results/{STUDY.name}"
try:
    check_results_folder(RESULTS)
except ValueError as error:
    raise WorkflowError(str(error)) from None
# An earlier version of the study to compare with (the compare rule), or None.
COMPARE_WITH = config.get("compare_with")
try:
    COMPARE_BASE_TABLE = compared_table(COMPARE_WITH, RESULTS) if COMPARE_WITH else None
except ValueError as error:
    raise WorkflowError(str(error)) from None
SCENARIOS = STUDY.scenarios
MODELS = STUDY.models
NEGR2_PACKAGE = NEGR2_ROOT / "src" / "negr2"
# Every trial job (a pack of cheap cells, or a chunk of a cell that runs alone), its
# cells, priority, time and memory, and which cells are logged early: negr2.plan.
# Estimates learned from the study's last run where it measured them (negr2.learned_costs),
# else the table's; the packs are always the table's.
PLAN = JobPlan.from_study(
    STUDY, learned_costs(Path(RESULTS), STUDY, TableCosts(STUDY.config))
)
TRACKING_URI = os.environ.get("MLFLOW_TRACKING_URI") or config["mlflow"]["tracking_uri"]
# A SQLite store is made by one early job (mlflow_store) and keeps artifacts in a local
# folder; a tracking server (http://…) makes and keeps its own.
SQLITE_STORE = TRACKING_URI.startswith("sqlite:")
ARTIFACT_ROOT = "results/mlartifacts" if SQLITE_STORE else None
# A SQLite store takes one writer at a time: every job that writes it holds the one
# mlflow_writers unit (raise it with --resources mlflow_writers=N only for a server).
MLFLOW_WRITES = 1 if SQLITE_STORE else 0
if "mlflow_writers" not in workflow.global_resources:
    workflow.register_resource("mlflow_writers", 1)
# MLflow's usage telemetry would try the network from every job that logs.
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
# Bounded retries with backoff against a tracking server (MLflow's defaults retry for
# about four minutes): 4 retries, 1 + 2 + 4 + 8 s. Retried calls make no duplicates: a
# cell's run counts only once fully logged (negr2.tracking).
os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "4")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "1")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "60")


wildcard_constraints:
    scenario="|".join(map(re.escape, SCENARIOS)),
    model="|".join(map(re.escape, MODELS)),
    chunk=r"\d+of\d+",
    pack=r"pack\d+",


def code_fingerprint(script):
    """A params function: a hash of the package files a rule's job script runs
    (``script``, its file name in workflow/scripts).

    Snakemake reruns a job when its script changes, but not when the package code it
    calls does. The files are found from the script's imports (negr2.sources), once per
    script and only when a job's params are asked for: on parse, reading the package
    would cost every call (a no-op too) ~0.2 s.
    """
    script = NEGR2_ROOT / "workflow" / "scripts" / script
    return lambda wildcards: _code_fingerprint(script)


def step_code(step):
    """A params function: a hash of the package code an in-process step runs, its
    module ``negr2.steps.<step>`` and the files it imports (see code_fingerprint)."""
    step_module = NEGR2_PACKAGE / "steps" / f"{step}.py"
    return lambda wildcards: _code_fingerprint(step_module)


@functools.cache
def _code_fingerprint(path):
    files = package_files(path, NEGR2_PACKAGE)
    return fingerprint({name: (NEGR2_PACKAGE / name).read_text() for name in files})


def study_params():
    """What reruns the study-wide jobs: the config minus scheduling and the MLflow
    store, with its keys sorted, so that reordering a study file reruns nothing.
    The jobs' scripts read the config itself (in file order) with results_config."""
    return canonical(results_config(config))


def store_generation():
    """Which SQLite store the markers (mlflow-store.json, mlflow-runs.json) describe.

    The count recorded in mlflow-store.json while the store exists; one more when the
    store was deleted since, so that the changed param remakes it and relogs every
    cell. Read only: a dry run changes nothing on disk.
    """
    marker = Path(RESULTS, "mlflow-store.json")
    try:
        generation = json.loads(marker.read_text()).get("generation", 0)
    except (OSError, ValueError):
        return 0  # no marker: the store job runs anyway
    if TRACKING_URI.startswith("sqlite:///"):
        if not Path(TRACKING_URI.removeprefix("sqlite:///")).exists():
            return generation + 1
    return generation


def trial_priority(wildcards):
    """The job's priority (negr2.plan): its models' highest, the longest first."""
    return _trial_job(wildcards).priority


def trial_runtime(wildcards, attempt):
    """The job's time limit in minutes (SLURM), longer on each attempt."""
    return _trial_job(wildcards).runtime(attempt)


def trial_mem_mb(wildcards, attempt):
    """The job's memory limit in MB (SLURM), larger on each attempt."""
    return _trial_job(wildcards).mem_mb(attempt)


def _trial_job(wildcards):
    """The plan's job of a trials or trials_pack job."""
    if "pack" in wildcards.keys():
        return PLAN.pack_job(wildcards.scenario, wildcards.pack)
    return PLAN.chunk_job(wildcards.scenario, wildcards.model, wildcards.chunk)


def scenario_files(wildcards):
    """The files a scenario's data is read from (a table's file), so that editing one
    redraws the scenario's trials."""
    point = SCENARIOS[wildcards.scenario]
    return family(point.name, point.spec["generator"]).input_files(point.spec)


def scenario_draws(wildcards):
    """What draws a scenario point's trials (negr2.generators.ScenarioDraws), keys
    sorted (see study_params): sweep points share their base scenario's seeds."""
    return canonical(PLAN.draws(wildcards.scenario))


def cell_job(wildcards):
    """What a trials job runs (the fields of negr2.trials.CellJob), keys sorted."""
    return canonical(PLAN.cell(wildcards.scenario, wildcards.model))


def pack_jobs(wildcards):
    """The cells a pack job runs, in order (negr2.trials.CellJob fields), keys sorted."""
    return canonical(
        [PLAN.cell(wildcards.scenario, model) for model in PLAN.packs[wildcards.pack]]
    )


def trial_chunk_files(wildcards=None):
    """Every trials file: each chunk of each cell that runs alone, each pack (once)."""
    return [f"{RESULTS}/{job.path}" for job in PLAN.jobs]


def cell_trial_files(wildcards):
    """The trials files holding one cell: its chunks, or the pack it shares."""
    return _cell_files(wildcards.scenario, wildcards.model)


def study_cells():
    """Every cell's trials files, by "scenario/model" (what aggregate streams), keys
    sorted (see study_params): aggregate takes the cells in the config's order."""
    return canonical(
        {
            f"{scenario}/{model}": _cell_files(scenario, model)
            for scenario, model in STUDY.cells
        }
    )


def _cell_files(scenario, model):
    return [f"{RESULTS}/{job.path}" for job in PLAN.cell_jobs(scenario, model)]


def compare_files(*names):
    """The compare rule's files of these names (the report takes its section, track its
    table and figure); none without the compare_with key, which leaves the DAG as it is
    without the rule."""
    return [rules.compare.output[name] for name in names] if COMPARE_WITH else []


def early_cell_runs(wildcards=None):
    """The run files of the cells logged early, each by its own track_cell job."""
    return [
        f"{RESULTS}/mlflow/{scenario}/{model}.json"
        for scenario, model in PLAN.early_cells
    ]


# Above every trial job: a finished cell is logged while the others run.
TRACK_CELL_PRIORITY = PLAN.track_cell_priority


def check_model_params():
    """Stop before any job when an estimator rejects a parameter.

    scikit-learn validates parameters only in fit, so a bad value would otherwise fail
    every trial. Runs at the start of a run that has trial jobs to do, not on parse:
    importing scikit-learn would slow every no-op and dry run by a second.
    """
    # The rules whose jobs fit models, by their names in this DAG: the manuscript
    # workflow imports them renamed (sample_size_trials).
    fitting = {rules.trials.rule.name, rules.trials_pack.rule.name}
    if not any(job.rule.name in fitting for job in workflow.dag.needrun_jobs()):
        return
    from negr2.models import check_params

    for point in MODELS.values():
        try:
            check_params(point.spec, f"models.{point.name}")
        except ValueError as error:
            raise WorkflowError(f"invalid config: {error}") from None


def print_failed_trials():
    """List the cells with failed trials, if the study got as far as its summary."""
    from negr2.failures import closing_lines, failed_cells

    summary, trials = Path(RESULTS, "summary.csv"), Path(RESULTS, "trials.parquet")
    if summary.is_file() and trials.is_file():
        cells = failed_cells(summary, trials)
        for line in closing_lines(cells, config["max_failed_share"]):
            print(line)


def print_next_steps():
    """What to open once the study has run, and which cells had failed trials."""
    if SQLITE_STORE:
        ui = (
            f"mlflow ui --backend-store-uri {TRACKING_URI} --host 127.0.0.1 --port 5000\n"
            f"             then open http://127.0.0.1:5000 (experiment '{STUDY.name}')"
        )
    else:
        ui = f"open {TRACKING_URI} (experiment '{STUDY.name}')"
    print(
        f"\nnegr2: study '{STUDY.name}' is done.\n"
        f"  report:    {Path(RESULTS, 'report.html').resolve()}\n"
        f"  summary:   {Path(RESULTS, 'summary.csv').resolve()}\n"
        f"  MLflow UI: {ui}\n"
    )
    print_failed_trials()


def print_unreachable_server():
    """One line when the tracking server did not answer: every file is written, only
    MLflow is behind, and a rerun once the server is back logs what is missing."""
    if SQLITE_STORE:
        return  # spares importing MLflow
    from negr2.tracking import server_unreachable

    if server_unreachable(TRACKING_URI):
        print(
            f"negr2: the MLflow tracking server {TRACKING_URI} did not answer. Every result "
            "file is written; start the server (make tracking-server) or point "
            "MLFLOW_TRACKING_URI at one that runs, then rerun: only tracking will run."
        )


def write_run_plan():
    """Write results/<study>/plan.json, which ``negr2 status`` reads: every trial job's
    file, log, cells and estimated seconds, and when this run started."""
    from negr2.plan import START_SECONDS
    from negr2.progress import PlannedJob, write_plan

    jobs = [
        PlannedJob(
            file=f"{RESULTS}/{job.path}",
            log=f"{RESULTS}/logs/{Path(job.path).with_suffix('.log')}",
            cells=tuple(f"{job.scenario}/{model}" for model in job.models),
            trials=len(job.trials),
            # As the plan ranks jobs: scaled with the scenario point's training rows.
            seconds=START_SECONDS
            + PLAN.costs.ranking(job.seconds, SCENARIOS[job.scenario].spec),
        )
        for job in PLAN.jobs
    ]
    workers = workflow.nodes or workflow.cores
    write_plan(Path(RESULTS, "plan.json"), STUDY.name, jobs, workers)


def check_cluster_limits():
    """Stop before the first SLURM submission when a trial job (or a group of them)
    asks for more time, CPUs or memory than its partition allows (negr2.partition).
    Local runs skip the check."""
    plugin = workflow.executor_plugin
    if plugin is None or plugin.cli_prefix != "slurm":
        return
    from negr2.partition import misfits, read_limits

    requests = [
        _slurm_request(job)
        for job in workflow.dag.get_jobs_or_groups()
        if not job.is_local and any(workflow.dag.needrun(j) for j in _members(job))
    ]
    try:
        limits = {p: read_limits(p) for p in {r.partition for r in requests}}
    except RuntimeError as error:
        raise WorkflowError(f"negr2: cannot read SLURM's partitions: {error}") from None
    lines = misfits(requests, limits)
    if lines:
        more = f"\n(and {len(lines) - 5} more)" if len(lines) > 5 else ""
        raise WorkflowError("\n".join(lines[:5]) + more)


def _members(job):
    return job.jobs if job.is_group() else [job]


def _slurm_request(job):
    """What one SLURM submission asks for, and the study keys that change it."""
    from negr2.partition import Request

    resources = job.resources
    if job.is_group():
        name = f"group job '{job.groupid}' ({len(job.jobs)} trial jobs)"
        key = "fewer trial jobs per group (group-components) or no group"
        keys = {"time": key, "cpus": key, "memory": key}
    else:
        wildcards = ", ".join(f"{k}={v}" for k, v in job.wildcards.items())
        name = f"trial job {job.rule.name} ({wildcards})"
        keys = _trial_job_keys(job)
    return Request(
        job=name,
        minutes=float(resources.get("runtime") or 0),
        cpus=int(resources.get("cpus_per_task") or job.threads),
        mem_mb=int(resources.get("mem_mb") or 0),
        partition=str(resources.get("slurm_partition") or ""),
        keys=keys,
    )


def _trial_job_keys(job):
    """The study keys that shorten a trial job, or make it ask for less."""
    from negr2.plan import MIN_RUNTIME_MINUTES, PACK_SECONDS

    elsewhere = (
        "or another partition (slurm_partition in the profile's default-resources)"
    )
    if "pack" in job.wildcards.keys():
        models = PLAN.packs[job.wildcards.pack]
        time = (
            f"models.<model>.chunks of 2 or more takes a model out of the pack "
            f"({', '.join(models)}; a pack holds up to {PACK_SECONDS:g} s of estimates "
            f"and asks at least {MIN_RUNTIME_MINUTES} min), {elsewhere}"
        )
    else:
        model = job.wildcards.model
        count = len(PLAN.chunks(model))
        time = (
            f"raise models.{model}.chunks (now {count}) for shorter jobs, or set "
            f"models.{model}.seconds_per_trial if its estimate is too high, {elsewhere}"
        )
    return {
        "time": time,
        "cpus": f"cpus_per_task in the profile's default-resources, {elsewhere}",
        "memory": f"set-resources {job.rule.name}:mem_mb=... in the profile, {elsewhere}",
    }
