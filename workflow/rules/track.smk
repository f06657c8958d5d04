rule mlflow_store:
    """Create the MLflow store, experiment and study run, once and alone.

    Runs early, beside the trial jobs (which never import MLflow): parallel first
    opens of a SQLite store would corrupt it.
    """
    output:
        store=f"{RESULTS}/mlflow-store.json",
    log:
        f"{RESULTS}/logs/mlflow_store.log",
    localrule: True
    conda:
        "../../envs/negr2.yaml"
    params:
        study=STUDY,
        tracking_uri=TRACKING_URI,
        code=code_fingerprint("track"),
        artifact_root=ARTIFACT_ROOT,
        generation=store_generation(),
    script:
        "../scripts/mlflow_store.py"


rule track:
    """Log the study into MLflow, reconciling runs with the result files."""
    input:
        store=rules.mlflow_store.output.store if SQLITE_STORE else [],
        trials=rules.aggregate.output.trials,
        summary=rules.aggregate.output.summary,
        report=rules.report.output.html,
    output:
        runs=f"{RESULTS}/mlflow-runs.json",
    log:
        f"{RESULTS}/logs/track.log",
    benchmark:
        f"{RESULTS}/benchmarks/track.tsv"
    localrule: True
    conda:
        "../../envs/negr2.yaml"
    params:
        study=study_params(),
        code=code_fingerprint("track"),
        tracking_uri=TRACKING_URI,
        artifact_root=ARTIFACT_ROOT,
        source=workflow.main_snakefile,
        history=config["mlflow"]["history"],
    script:
        "../scripts/track.py"
