rule trials:
    """Fit and score one model on a chunk of one scenario's trials.

    The job draws each of its trials from the trial's seed (no stored data), so its
    memory does not grow with the number of trials.
    """
    input:
        data=scenario_files,
        # ancient: the folder's format matters, not when it was marked (remarking it
        # must rerun no trial)
        marker=ancient(rules.results_format.output.marker),
    output:
        trials=report(
            f"{RESULTS}/trials/{{scenario}}/{{model}}/{{chunk}}.parquet",
            caption="../report/trials.rst",
            category="Trials",
            subcategory="{scenario}",
            labels={"model": "{model}", "trials": "{chunk}"},
        ),
    log:
        f"{RESULTS}/logs/trials/{{scenario}}/{{model}}/{{chunk}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/trials/{{scenario}}/{{model}}/{{chunk}}.tsv"
    wildcard_constraints:
        model="|".join(map(re.escape, PLAN.alone)) or "^$",
    priority: trial_priority
    conda:
        "../../envs/negr2.yaml"
    resources:
        runtime=trial_runtime,
        mem_mb=trial_mem_mb,
    params:
        job=cell_job,
        draws=scenario_draws,
        code=code_fingerprint("run_trials.py"),
        trials=config["trials"],
    script:
        "../scripts/run_trials.py"


rule trials_pack:
    """Fit and score several cheap cells of one scenario point in one job (a pack).

    Saves the start-up and imports of one job per cell; results are those of one job per
    cell, bit for bit. The pack's log names each cell.
    """
    input:
        data=scenario_files,
        marker=ancient(rules.results_format.output.marker),
    output:
        trials=f"{RESULTS}/trials/{{scenario}}/{{pack}}.parquet",
    log:
        f"{RESULTS}/logs/trials/{{scenario}}/{{pack}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/trials/{{scenario}}/{{pack}}.tsv"
    priority: trial_priority
    conda:
        "../../envs/negr2.yaml"
    resources:
        runtime=trial_runtime,
        mem_mb=trial_mem_mb,
    params:
        jobs=pack_jobs,
        draws=scenario_draws,
        code=code_fingerprint("run_pack.py"),
        trials=config["trials"],
    script:
        "../scripts/run_pack.py"
