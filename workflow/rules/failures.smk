rule failures:
    """Exit non-zero when a cell failed more than max_failed_share of its trials.

    Runs last, once every file, the report and the MLflow mirror are written, so that a
    failing study loses nothing; writes its record only when the study passes.
    """
    input:
        summary=rules.aggregate.output.summary,
        trials=rules.aggregate.output.trials,
        report=rules.report.output.html,
        paper=rules.paper.output,
        tracked=rules.track.output.runs,
    output:
        record=f"{RESULTS}/failures.json",
    log:
        f"{RESULTS}/logs/failures.log",
    localrule: True
    params:
        max_failed_share=config["max_failed_share"],
        code=step_code("failures"),
    run:
        from negr2.steps import failures, run_step

        run_step(failures.run, log[0], input, output, params, config)
