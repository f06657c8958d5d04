# With the study key compare_with: the study against an earlier version of it.
if COMPARE_WITH:

    rule compare:
        """Every cell against the version compare_with names: the table, the forest
        plot, the page and the report's section (negr2 compare)."""
        input:
            trials=rules.aggregate.output.trials,
            base=COMPARE_BASE_TABLE,
        output:
            table=f"{RESULTS}/compare/compare.csv",
            markdown=f"{RESULTS}/compare/compare.md",
            description=f"{RESULTS}/compare/compare.json",
            figure=f"{RESULTS}/compare/forest.png",
            html=f"{RESULTS}/compare/compare.html",
            section=f"{RESULTS}/compare/section.html",
        log:
            f"{RESULTS}/logs/compare.log",
        localrule: True
        params:
            code=step_code("compare"),
        run:
            from negr2.steps import compare, run_step

            run_step(compare.run, log[0], input, output, params, config)
