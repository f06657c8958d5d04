"""The study config: checks beyond its schema, and the part of it that shapes results.

The JSON schema in ``workflow/schemas/config.schema.yaml`` checks the shape of the
config; this module adds what a schema cannot say (an estimator path that does
not exist, a sweep that shadows a column). It imports only the standard library,
because the Snakefile loads it on every ``snakemake`` call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from negr2.import_paths import check_import_path, check_keras_extra

if TYPE_CHECKING:
    from negr2.splits import Split
    from negr2.study import Point, Study

#: Config keys that change where results are tracked, how a run ends or what they are
#: compared with, and models' keys that change how jobs are scheduled, never what the
#: jobs compute: editing them reruns none of the jobs that compute.
NON_RESULT_KEYS = ("mlflow", "max_failed_share", "compare_with")
SCHEDULING_MODEL_KEYS = ("chunks", "priority", "seconds_per_trial")


def results_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """The config without what cannot change results (:data:`NON_RESULT_KEYS`,
    :data:`SCHEDULING_MODEL_KEYS`)."""
    models = {
        name: {k: v for k, v in spec.items() if k not in SCHEDULING_MODEL_KEYS}
        for name, spec in config["models"].items()
    }
    kept = {k: v for k, v in config.items() if k not in NON_RESULT_KEYS}
    return {**kept, "models": models}


def check_config(config: Mapping[str, Any]) -> Study:
    """Checks beyond the schema; raises ``ValueError`` naming the offending key.

    Returns the checked config's :class:`~negr2.study.Study`, which the checks build
    anyway: the Snakefile then expands the sweeps once.
    """
    from negr2.claims import check_claims
    from negr2.generators import check_scenario
    from negr2.study import Study, check_sweeps

    for section in ("scenarios", "models"):
        for name in config[section]:
            if not isinstance(name, str):
                raise ValueError(
                    f"{section}.{name}: names must be text; quote it in the YAML ('{name}')"
                )
    for name, model in config["models"].items():
        check_import_path(model["estimator"], f"models.{name}.estimator")
        check_keras_extra(model["estimator"], f"models.{name}.estimator")
    study = Study.from_config(config)
    check_sweeps(study)
    for point in [*study.scenarios.values(), *study.models.values()]:
        if "/" in point.id or any(c.isspace() for c in point.id):
            raise ValueError(f"{point.name}: swept values must not contain '/' or spaces")
    for point in study.scenarios.values():
        check_scenario(point.name, point.spec)
        _check_split(point, study.splits[point.id])
    if (config.get("ablations") or {}).get("drop_informative"):
        _check_informed(study)
    _check_ablations(study)
    _check_reference_model(study)
    reference = config.get("reference") or {}
    scenario = reference.get("scenario")
    if scenario is not None and scenario not in study.scenarios:
        raise ValueError(
            f"reference.scenario: {scenario!r} is not one of the study's scenario points "
            f"({', '.join(study.scenarios)})"
        )
    check_claims(config, list(study.scenarios), list(study.models))
    return study


def _check_split(point: Point, split: Split) -> None:
    """k folds need at least two rows each (one-row folds give a meaningless R²)."""
    rows = point.spec["n_train"] + point.spec["n_test"]
    if split.kfold and rows < 2 * split.folds:
        raise ValueError(
            f"scenarios.{point.name}: {split.folds} folds need at least "
            f"{2 * split.folds} rows (n_train + n_test is {rows})"
        )


def _check_informed(study: Study) -> None:
    """``drop_informative`` needs every scenario's generator to know its informative
    features (a user's generator tells by a test draw)."""
    from negr2.generators import builtins, family

    for point in study.scenarios.values():
        generator = family(point.name, point.spec["generator"])
        if not generator.knows_informative(point.spec):
            informed = [name for name, known in builtins().items() if known.informed]
            raise ValueError(
                f"ablations.drop_informative: scenario {point.name!r} uses {generator.name}, "
                f"which does not know its informative features; use one of: "
                f"{', '.join(informed)}, or a generator of your own that returns "
                "(X, y, informative)"
            )


def _check_ablations(study: Study) -> None:
    """Build every scenario's ablation variants on one trial's data, so that a feature
    named in ``keep`` or a ``drop_random.k`` that does not fit fails now, not in a job."""
    ablations = study.config.get("ablations") or {}
    if not any(ablations.values()):
        return
    from negr2.ablation import variants
    from negr2.generators import generate_scenario

    seed = study.config["seed"]
    for point in study.scenarios.values():
        data = generate_scenario(point.id, point.spec, seed, 1, seed_name=point.name)
        variants(ablations, data["feature_names"], data["informative"], 0)


def _check_reference_model(study: Study) -> None:
    reference, models = study.reference, study.config["models"]
    if reference is None:
        return
    if reference not in models:
        raise ValueError(
            f"comparisons.reference: {reference!r} is not one of the study's models "
            f"({', '.join(models)})"
        )
    params = models[reference].get("params") or {}
    if any(isinstance(v, list) for v in params.values()):
        raise ValueError(
            f"comparisons.reference: {reference!r} is swept; name an unswept model "
            "to compare with (or reference: null for no comparisons)"
        )
