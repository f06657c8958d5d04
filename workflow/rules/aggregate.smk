rule aggregate:
    """One trials table and one summary for the whole study."""
    input:
        chunks=trial_chunk_files(),
    output:
        trials=f"{RESULTS}/trials.parquet",
        summary=report(
            f"{RESULTS}/summary.csv",
            caption="../report/summary.rst",
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
