rule report:
    """The self-contained HTML report."""
    input:
        trials=rules.aggregate.output.trials,
        summary=rules.aggregate.output.summary,
        comparisons=rules.aggregate.output.comparisons,
        claims=rules.aggregate.output.claims,
        compare=compare_files("section"),
    output:
        html=report(
            f"{RESULTS}/report.html",
            caption="../report/report.rst",
            category="Report",
        ),
        figures=report(
            directory(f"{RESULTS}/paper/figures"),
            patterns=["{stem}.png"],
            caption="../report/figures.rst",
            category="Figures",
            labels={"figure": "{stem}"},
        ),
    log:
        f"{RESULTS}/logs/report.log",
    benchmark:
        f"{RESULTS}/benchmarks/report.tsv"
    localrule: True
    params:
        study=study_params(),
        code=step_code("report"),
        tracking_uri=TRACKING_URI,
    run:
        from negr2.steps import report, run_step

        run_step(
            report.run, log[0], input, output, params, config, checkout=NEGR2_ROOT
        )


rule paper:
    """Manuscript outputs beside the figures: booktabs tables (the summary, the claims,
    the published table beside ours, the models), number macros, Markdown, and the config as it
    ran (defaults filled in)."""
    input:
        summary=rules.aggregate.output.summary,
        comparisons=rules.aggregate.output.comparisons,
        claims=rules.aggregate.output.claims,
        figures=rules.report.output.figures,
    output:
        table=f"{RESULTS}/paper/table.tex",
        claims=f"{RESULTS}/paper/claims.tex",
        reference=f"{RESULTS}/paper/reference.tex",
        models=f"{RESULTS}/paper/models.tex",
        numbers=f"{RESULTS}/paper/numbers.tex",
        markdown=f"{RESULTS}/paper/report.md",
        config=f"{RESULTS}/paper/config.yaml",
    log:
        f"{RESULTS}/logs/paper.log",
    benchmark:
        f"{RESULTS}/benchmarks/paper.tsv"
    localrule: True
    params:
        study=study_params(),
        code=step_code("paper"),
    run:
        from negr2.steps import paper, run_step

        run_step(
            paper.run, log[0], input, output, params, config, checkout=NEGR2_ROOT
        )
