rule trials:
    """Fit and score one model on a chunk of one scenario's trials.

    The job draws each of its trials from the trial's seed (no stored data), so its
    memory does not grow with the number of trials.
    """
    input:
        table=scenario_table,
        marker=rules.results_format.output.marker,
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
    priority: trial_priority
    conda:
        "../../envs/negr2.yaml"
    resources:
        runtime=trial_runtime,
        mem_mb=trial_mem_mb,
    params:
        job=cell_job,
        draws=scenario_draws,
        code=code_fingerprint("trials"),
        trials=config["trials"],
    script:
        "../scripts/run_trials.py"
