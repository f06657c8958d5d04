rule aggregate:
    """The study's tables: every trial, the summary and the paired model comparisons."""
    input:
        chunks=trial_chunk_files(),
    output:
        trials=f"{RESULTS}/trials.parquet",
        summary=report(
            f"{RESULTS}/summary.csv",
            caption="../report/summary.rst",
            category="Tables",
        ),
        comparisons=report(
            f"{RESULTS}/comparisons.csv",
            caption="../report/comparisons.rst",
            category="Tables",
        ),
    log:
        f"{RESULTS}/logs/aggregate.log",
    conda:
        "../../envs/negr2.yaml"
    params:
        config=config,
    script:
        "../scripts/aggregate.py"
