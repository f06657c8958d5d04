rule mlflow_store:
    """Create the MLflow store, experiment and study run, once and alone.

    Runs first, inside Snakemake's process (a thread: it takes no core from the trial
    jobs, which never import MLflow), so that MLflow is imported by the time the
    trials are done. Parallel first opens of a SQLite store would corrupt it.
    """
    input:
        marker=ancient(rules.results_format.output.marker),
    output:
        store=f"{RESULTS}/mlflow-store.json",
    log:
        f"{RESULTS}/logs/mlflow_store.log",
    priority: TRACK_CELL_PRIORITY
    localrule: True
    threads: 0
    resources:
        mlflow_writers=MLFLOW_WRITES,
    params:
        study=STUDY.name,
        tracking_uri=TRACKING_URI,
        code=step_code("store"),
        artifact_root=ARTIFACT_ROOT,
        generation=store_generation(),
    run:
        from negr2.steps import run_step, store

        run_step(store.run, log[0], input, output, params, config)


rule track_cell:
    """Log one cell into MLflow as soon as its trials are done, beside the trials still
    running (cells of long history; see negr2.plan.logged_early). Inside Snakemake's
    process, in a thread that takes no core: its CPU would otherwise be spent after
    the last trial, one core idle."""
    input:
        store=rules.mlflow_store.output.store if SQLITE_STORE else [],
        trials=cell_trial_files,
    output:
        run=f"{RESULTS}/mlflow/{{scenario}}/{{model}}.json",
    log:
        f"{RESULTS}/logs/track/{{scenario}}/{{model}}.log",
    # No benchmark: a run: step's would measure Snakemake's process and the trial jobs
    # running beside it.
    priority: TRACK_CELL_PRIORITY
    localrule: True
    threads: 0
    resources:
        mlflow_writers=MLFLOW_WRITES,
    params:
        job=cell_job,
        draws=scenario_draws,
        trials=config["trials"],
        code=step_code("track_cell"),
        tracking_uri=TRACKING_URI,
        artifact_root=ARTIFACT_ROOT,
        source=workflow.main_snakefile,
        history=config["mlflow"]["history"],
        generation=store_generation(),
        lock=f"{RESULTS}/mlflow.lock",
    run:
        from negr2.steps import run_step, track_cell

        run_step(track_cell.run, log[0], input, output, params, config)


rule track:
    """Log the study into MLflow, reconciling runs with the result files: the study run,
    its files, and every cell not logged early by track_cell."""
    input:
        store=rules.mlflow_store.output.store if SQLITE_STORE else [],
        early=early_cell_runs(),
        trials=rules.aggregate.output.trials,
        summary=rules.aggregate.output.summary,
        report=rules.report.output.html,
        compare=compare_files("table", "markdown", "figure", "html"),
    output:
        runs=f"{RESULTS}/mlflow-runs.json",
    log:
        f"{RESULTS}/logs/track.log",
    benchmark:
        f"{RESULTS}/benchmarks/track.tsv"
    localrule: True
    resources:
        mlflow_writers=MLFLOW_WRITES,
    params:
        study=study_params(),
        code=step_code("track"),
        tracking_uri=TRACKING_URI,
        artifact_root=ARTIFACT_ROOT,
        source=workflow.main_snakefile,
        history=config["mlflow"]["history"],
    run:
        from negr2.steps import run_step, track

        run_step(track.run, log[0], input, output, params, config)
