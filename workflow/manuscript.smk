# negr2's manuscript: one PDF built from every study it cites, in one DAG.
#
#   snakemake -s workflow/manuscript.smk --cores all      # results/manuscript/ms.pdf
#   make paper                                            # the same, checking TeX first
#
# The manuscript (--config manuscript=<file>, default manuscript/ms.tex) declares its
# studies with \NegrStudy{<study>} lines; each study's config file is found by its
# `study:` name in config/config.yaml or config/studies/*.yaml. The main workflow is
# imported once per study with that config, so a study missing or stale is built first,
# and a changed study config reruns that study's jobs and the PDF only. Results go where
# a plain `snakemake --configfile <study file>` puts them (results/<study>/): the two
# commands share their work. MLflow tracking stays with the studies' own runs (see
# README.md, "Writing your paper").

import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.common.configfile import load_configfile
from snakemake.utils import min_version, validate

min_version("9.0")

NEGR2_ROOT = Path(workflow.current_basedir.get_path_or_uri(secret_free=True)).parent
sys.path.insert(0, str(NEGR2_ROOT / "src"))

from negr2 import bundle, manuscript
from negr2.prompt_exit import exit_promptly

MANUSCRIPT = Path(config.get("manuscript", "manuscript/ms.tex"))
PDF = f"results/manuscript/{MANUSCRIPT.stem}.pdf"
ARCHIVE = f"results/manuscript/{manuscript.archive_name(MANUSCRIPT)}"
BUNDLE = f"results/manuscript/{bundle.bundle_name(MANUSCRIPT)}"
STRICT = str(config.get("strict", True)).lower() not in ("false", "0", "no")


include: "rules/manuscript_common.smk"


# Bad input stops here, before any job: no manuscript, no cited study, an unknown one.
try:
    STUDIES = manuscript.resolve_studies(MANUSCRIPT, "config")
except ValueError as error:
    raise WorkflowError(f"manuscript: {error}") from None


for study, config_file in STUDIES.items():
    negr2_study = manuscript.module_name(study)

    module:
        name: negr2_study
        snakefile:
            "../Snakefile"
        config:
            study_config(study, config_file)

    # Each study's results, report and paper outputs; its MLflow tracking and failure
    # gate stay with the study's own runs.
    use rule * from negr2_study exclude all, mlflow_store, track, failures as negr2_study*


rule manuscript:
    """The manuscript's PDF, compiled once every cited study's paper outputs are current,
    and the arXiv archive of the sources that compile it."""
    default_target: True
    input:
        tex=MANUSCRIPT,
        files=manuscript.manuscript_inputs(MANUSCRIPT),
        sty=manuscript.STY,
        numbers=[f"results/{study}/paper/numbers.tex" for study in STUDIES],
        tables=[f"results/{study}/paper/table.tex" for study in STUDIES],
        claims=[f"results/{study}/paper/claims.tex" for study in STUDIES],
        reference=[f"results/{study}/paper/reference.tex" for study in STUDIES],
        models=[f"results/{study}/paper/models.tex" for study in STUDIES],
        figures=[f"results/{study}/paper/figures" for study in STUDIES],
    output:
        pdf=PDF,
        archive=ARCHIVE,
    log:
        f"results/manuscript/logs/{MANUSCRIPT.stem}.log",
    localrule: True
    # TeX (latexmk, pdflatex) comes from the system: see README.md, "Writing your paper".
    conda:
        "../envs/negr2.yaml"
    params:
        papers=study_papers(),
        config_files={study: str(path) for study, path in STUDIES.items()},
        strict=STRICT,
    script:
        "scripts/manuscript.py"


rule paper_bundle:
    """The manuscript's results bundle, for a data repository: each cited study's trials,
    tables, config and paper files, the manuscript and its PDF, the lock, the commit and
    installed packages, and a SHA-256 manifest (make paper-bundle)."""
    input:
        tex=MANUSCRIPT,
        pdf=rules.manuscript.output.pdf,
        results=bundle_results(),
        lock=sorted((NEGR2_ROOT / "requirements").glob("*.txt")),
    output:
        bundle=BUNDLE,
    log:
        f"results/manuscript/logs/{MANUSCRIPT.stem}-bundle.log",
    localrule: True
    params:
        studies={study: f"results/{study}" for study in STUDIES},
        config_files={study: str(path) for study, path in STUDIES.items()},
    run:
        from negr2.steps import bundle as bundle_step, run_step

        run_step(
            bundle_step.run, log[0], input, output, params, checkout=NEGR2_ROOT
        )


onstart:
    # The main workflow's start-up check, per study: a module runs no onstart of its own.
    if manuscript.tex_missing() and any(
        job.rule.name == "manuscript" for job in workflow.dag.needrun_jobs()
    ):
        raise WorkflowError(manuscript.tex_missing())
    for study, config_file in STUDIES.items():
        try:
            globals()[manuscript.module_name(study)].check_model_params()
        except WorkflowError as error:
            raise WorkflowError(
                f"manuscript: study {study} ({config_file}): {error}"
            ) from None


onsuccess:
    exit_promptly()


onerror:
    exit_promptly()
