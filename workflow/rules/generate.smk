rule generate:
    """Draw every trial's dataset of one scenario (shared by all its models)."""
    output:
        data=f"{RESULTS}/data/{{scenario}}.npz",
    log:
        f"{RESULTS}/logs/generate/{{scenario}}.log",
    conda:
        "../../envs/negr2.yaml"
    params:
        spec=lambda wildcards: config["scenarios"][wildcards.scenario],
        seed=config["seed"],
        trials=config["trials"],
    script:
        "../scripts/generate.py"
