rule results_format:
    """Mark the results folder with its format before any job writes into it."""
    output:
        marker=f"{RESULTS}/negr2-format.json",
    log:
        f"{RESULTS}/logs/results_format.log",
    localrule: True
    params:
        results_format=RESULTS_FORMAT,
    run:
        from negr2.steps import results_format, run_step

        run_step(results_format.run, log[0], input, output, params, config)
