# negr2: when, and why, does a regression model score a negative test R²?
#
#   snakemake --cores all                                    # the published study
#   snakemake --cores all --configfile config/studies/X.yaml # another study
#
# generate -> trials (one job per scenario x model cell, or per chunk) -> aggregate
# -> report -> track (MLflow). See README.md.


from snakemake.utils import min_version, validate

min_version("9.0")


# A --configfile is the whole study: without this guard Snakemake would merge it
# into the default study and the default's models and scenarios would leak in.
if not workflow.overwrite_configfiles:

    configfile: "config/config.yaml"


validate(config, "workflow/schemas/config.schema.yaml")


include: "workflow/rules/common.smk"
include: "workflow/rules/generate.smk"
include: "workflow/rules/trials.smk"
include: "workflow/rules/aggregate.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/track.smk"


rule all:
    input:
        rules.report.output.html,
        rules.track.output.runs,
    default_target: True


onsuccess:
    print_next_steps()
