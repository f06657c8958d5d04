"""The study config: checks beyond its schema, and the part of it that shapes results.

The JSON schema in ``workflow/schemas/config.schema.yaml`` checks the shape of the
config; this module adds what a schema cannot say (an estimator path that does
not exist, a sweep that shadows a column). It imports only the standard library,
because the Snakefile loads it on every ``snakemake`` call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from negr2.import_paths import check_import_path, check_keras_extra

#: Config keys that change where results are tracked or how a run ends, and models'
#: keys that change how jobs are scheduled, never what the jobs compute: editing them
#: reruns none of the jobs that compute.
NON_RESULT_KEYS = ("mlflow", "max_failed_share")
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


def check_config(config: Mapping[str, Any]) -> None:
    """Checks beyond the schema; raises ``ValueError`` naming the offending key."""
    from negr2 import study
    from negr2.claims import check_claims
    from negr2.generators import check_scenario

    for section in ("scenarios", "models"):
        for name in config[section]:
            if not isinstance(name, str):
                raise ValueError(
                    f"{section}.{name}: names must be text; quote it in the YAML ('{name}')"
                )
    for name, model in config["models"].items():
        check_import_path(model["estimator"], f"models.{name}.estimator")
        check_keras_extra(model["estimator"], f"models.{name}.estimator")
    study.check_sweeps(config)
    for point in study.scenario_points(config) + study.model_points(config):
        if "/" in point.id or any(c.isspace() for c in point.id):
            raise ValueError(f"{point.name}: swept values must not contain '/' or spaces")
    for point in study.scenario_points(config):
        check_scenario(point.name, point.spec)
        _check_split(config, point)
    if (config.get("ablations") or {}).get("drop_informative"):
        _check_informed(config)
    _check_ablations(config)
    _check_reference_model(config)
    reference = config.get("reference") or {}
    scenario = reference.get("scenario")
    points = [p.id for p in study.scenario_points(config)]
    if scenario is not None and scenario not in points:
        raise ValueError(
            f"reference.scenario: {scenario!r} is not one of the study's scenario points "
            f"({', '.join(points)})"
        )
    check_claims(config, points, [p.id for p in study.model_points(config)])


def _check_split(config: Mapping[str, Any], point: Any) -> None:
    """k folds need at least two rows each (one-row folds give a meaningless R²)."""
    from negr2.study import split_of

    split = split_of(config, point.spec)
    rows = point.spec["n_train"] + point.spec["n_test"]
    if split.get("method") == "kfold" and rows < 2 * split.get("folds", 5):
        raise ValueError(
            f"scenarios.{point.name}: {split.get('folds', 5)} folds need at least "
            f"{2 * split.get('folds', 5)} rows (n_train + n_test is {rows})"
        )


def _check_informed(config: Mapping[str, Any]) -> None:
    """``drop_informative`` needs every scenario's generator to know its informative
    features (a user's generator tells by a test draw)."""
    from negr2.generators import builtins, family
    from negr2.study import scenario_points

    for point in scenario_points(config):
        generator = family(point.name, point.spec["generator"])
        if not generator.knows_informative(point.spec):
            informed = [name for name, known in builtins().items() if known.informed]
            raise ValueError(
                f"ablations.drop_informative: scenario {point.name!r} uses {generator.name}, "
                f"which does not know its informative features; use one of: "
                f"{', '.join(informed)}, or a generator of your own that returns "
                "(X, y, informative)"
            )


def _check_ablations(config: Mapping[str, Any]) -> None:
    """Build every scenario's ablation variants on one trial's data, so that a feature
    named in ``keep`` or a ``drop_random.k`` that does not fit fails now, not in a job."""
    if not any((config.get("ablations") or {}).values()):
        return
    from negr2.ablation import variants
    from negr2.generators import generate_scenario
    from negr2.study import scenario_points

    for point in scenario_points(config):
        data = generate_scenario(point.id, point.spec, config["seed"], 1, seed_name=point.name)
        variants(config["ablations"], data["feature_names"], data["informative"], 0)


def _check_reference_model(config: Mapping[str, Any]) -> None:
    from negr2.study import comparison_reference

    reference = comparison_reference(config)
    if reference is None:
        return
    if reference not in config["models"]:
        raise ValueError(
            f"comparisons.reference: {reference!r} is not one of the study's models "
            f"({', '.join(config['models'])})"
        )
    params = config["models"][reference].get("params") or {}
    if any(isinstance(v, list) for v in params.values()):
        raise ValueError(
            f"comparisons.reference: {reference!r} is swept; name an unswept model "
            "to compare with (or reference: null for no comparisons)"
        )
