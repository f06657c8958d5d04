rule report:
    """The self-contained HTML report."""
    input:
        trials=rules.aggregate.output.trials,
        summary=rules.aggregate.output.summary,
        comparisons=rules.aggregate.output.comparisons,
        claims=rules.aggregate.output.claims,
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
    conda:
        "../../envs/negr2.yaml"
    params:
        study=study_params(),
        code=code_fingerprint("report.py"),
        tracking_uri=TRACKING_URI,
    script:
        "../scripts/report.py"


rule paper:
    """Manuscript outputs beside the figures: booktabs tables (the summary, the claims,
    the published table beside ours), number macros, Markdown."""
    input:
        summary=rules.aggregate.output.summary,
        comparisons=rules.aggregate.output.comparisons,
        claims=rules.aggregate.output.claims,
        figures=rules.report.output.figures,
    output:
        table=f"{RESULTS}/paper/table.tex",
        claims=f"{RESULTS}/paper/claims.tex",
        reference=f"{RESULTS}/paper/reference.tex",
        numbers=f"{RESULTS}/paper/numbers.tex",
        markdown=f"{RESULTS}/paper/report.md",
    log:
        f"{RESULTS}/logs/paper.log",
    benchmark:
        f"{RESULTS}/benchmarks/paper.tsv"
    localrule: True
    conda:
        "../../envs/negr2.yaml"
    params:
        study=study_params(),
        code=code_fingerprint("paper.py"),
    script:
        "../scripts/paper.py"
