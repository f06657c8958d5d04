rule report:
    """The self-contained HTML report."""
    input:
        trials=rules.aggregate.output.trials,
        summary=rules.aggregate.output.summary,
    output:
        html=report(
            f"{RESULTS}/report.html",
            caption="../report/report.rst",
            category="Report",
        ),
    log:
        f"{RESULTS}/logs/report.log",
    conda:
        "../../envs/negr2.yaml"
    params:
        config=config,
        tracking_uri=TRACKING_URI,
        workdir=workflow.basedir,
    script:
        "../scripts/report.py"
