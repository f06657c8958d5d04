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
    params:
        study=study_params(),
        code=step_code("aggregate"),
        cells=study_cells(),
    run:
        from negr2.steps import aggregate, run_step

        run_step(aggregate.run, log[0], input, output, params, config)
