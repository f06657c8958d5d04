rule generate:
    """Draw every trial's dataset of one scenario (shared by all its models)."""
    input:
        table=scenario_table,
    output:
        data=f"{RESULTS}/data/{{scenario}}.npz",
    log:
        f"{RESULTS}/logs/generate/{{scenario}}.log",
    conda:
        "../../envs/negr2.yaml"
    params:
        spec=lambda wildcards: SCENARIOS[wildcards.scenario].spec,
        seed_name=lambda wildcards: SCENARIOS[wildcards.scenario].name,
        seed=config["seed"],
        trials=config["trials"],
        code=code_fingerprint("generators.py", "seeding.py"),
    script:
        "../scripts/generate.py"
