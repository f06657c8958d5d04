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
