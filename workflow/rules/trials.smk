rule trials:
    """Fit and score one model on a chunk of one scenario's trials."""
    input:
        data=rules.generate.output.data,
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
    priority: trial_priority
    conda:
        "../../envs/negr2.yaml"
    params:
        job=cell_job,
        code=code_fingerprint("trials"),
        trials=config["trials"],
    script:
        "../scripts/run_trials.py"
