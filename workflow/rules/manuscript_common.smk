# Input functions of the manuscript workflow (workflow/manuscript.smk).


def study_config(study, config_file):
    """The study's config, checked as the main workflow checks it, with errors that
    name the study and its file (the module's own would not say which study)."""
    from negr2.config import check_config
    from negr2.schema import describe_schema_errors

    loaded = load_configfile(str(config_file))
    schema = NEGR2_ROOT / "workflow" / "schemas" / "config.schema.yaml"
    where = f"manuscript: study {study} ({config_file}), invalid config"
    try:
        validate(loaded, str(schema))
    except WorkflowError:
        raise WorkflowError(
            f"{where}:\n{describe_schema_errors(loaded, str(schema))}"
        ) from None
    try:
        check_config(loaded)
    except ValueError as error:
        raise WorkflowError(f"{where}: {error}") from None
    return loaded


def study_papers():
    """Every cited study's paper outputs, by study."""
    return {study: f"results/{study}/paper" for study in STUDIES}


def bundle_results():
    """The files of every cited study that its results bundle carries."""
    paper = [f"paper/{name}" for name in bundle.PAPER_FILES] + ["paper/figures"]
    return [
        f"results/{study}/{name}"
        for study in STUDIES
        for name in [*bundle.STUDY_FILES, *paper]
    ]
