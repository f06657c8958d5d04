rule aggregate:
    """The study's tables: every trial, the summary, the paired model comparisons and the
    config's claims with their verdicts."""
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
        claims=f"{RESULTS}/claims.csv",
    log:
        f"{RESULTS}/logs/aggregate.log",
    benchmark:
        f"{RESULTS}/benchmarks/aggregate.tsv"
    localrule: True
    conda:
        "../../envs/negr2.yaml"
    params:
        study=study_params(),
        code=code_fingerprint("aggregate.py"),
        cells=study_cells(),
    script:
        "../scripts/aggregate.py"
