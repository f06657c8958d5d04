# negr2: when, and why, does a regression model score a negative test R²?
#
#   snakemake --cores all                                    # the published study
#   snakemake --cores all --configfile config/studies/X.yaml # another study
#
# trial jobs (a slow cell alone or in chunks, the cheap cells of a scenario point together in a
# pack; each draws its own trials' data from the seeds) -> aggregate -> report, paper -> track
# (MLflow; long cells logged early by track_cell) -> failures. See docs/architecture.md.


import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import min_version, validate

# This file's folder, also when the manuscript workflow imports it as a module (where
# workflow.basedir is the manuscript's folder).
NEGR2_ROOT = Path(workflow.current_basedir.get_path_or_uri(secret_free=True))
# The package lives in src/ beside this file: importable here even without an install.
sys.path.insert(0, str(NEGR2_ROOT / "src"))

min_version("9.0")


# A --configfile is the whole study: without this guard Snakemake would merge it
# into the default study and the default's models and scenarios would leak in.
if not workflow.overwrite_configfiles:

    configfile: f"{NEGR2_ROOT}/config/config.yaml"


# A nested --config value arrives as text ('10.0'): give it its study-file meaning.
from negr2.schema import coerce_overrides

coerce_overrides(config, workflow.config_settings.config)


# Check the config before any job runs; report each problem as "key.path: what".
try:
    validate(config, "workflow/schemas/config.schema.yaml")
except WorkflowError:
    from negr2.schema import describe_schema_errors

    raise WorkflowError(
        "invalid config:\n"
        + describe_schema_errors(
            config, f"{NEGR2_ROOT}/workflow/schemas/config.schema.yaml"
        )
    ) from None


include: "workflow/rules/common.smk"
include: "workflow/rules/results_format.smk"
include: "workflow/rules/trials.smk"
include: "workflow/rules/aggregate.smk"
include: "workflow/rules/compare.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/track.smk"
include: "workflow/rules/failures.smk"


rule all:
    default_target: True
    input:
        rules.report.output.html,
        rules.paper.output,
        rules.track.output.runs,
        rules.failures.output.record,


onstart:
    check_model_params()
    check_cluster_limits()
    write_run_plan()


onsuccess:
    print_next_steps()
    exit_promptly()


onerror:
    print_failed_trials()
    print_unreachable_server()
    exit_promptly()
