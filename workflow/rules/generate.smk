rule results_format:
    """Mark the results folder with its format before any job writes into it."""
    output:
        marker=f"{RESULTS}/negr2-format.json",
    log:
        f"{RESULTS}/logs/results_format.log",
    localrule: True
    conda:
        "../../envs/negr2.yaml"
    params:
        results_format=RESULTS_FORMAT,
    script:
        "../scripts/results_format.py"


rule generate:
    """Draw every trial's dataset of one scenario (shared by all its models)."""
    input:
        table=scenario_table,
        marker=rules.results_format.output.marker,
    output:
        data=f"{RESULTS}/data/{{scenario}}.npz",
    log:
        f"{RESULTS}/logs/generate/{{scenario}}.log",
    conda:
        "../../envs/negr2.yaml"
    params:
        spec=scenario_spec,
        seed_name=lambda wildcards: SCENARIOS[wildcards.scenario].name,
        seed=config["seed"],
        trials=config["trials"],
        code=code_fingerprint("generate"),
    script:
        "../scripts/generate.py"
