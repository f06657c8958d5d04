"""The study config: cells, chunks and checks that need no heavy import.

The JSON schema in ``workflow/schemas/config.schema.yaml`` checks the shape of the
config; this module adds what a schema cannot say (an estimator path that does
not exist) and derives the workflow's cells and chunks. It imports only the
standard library, because the Snakefile loads it on every ``snakemake`` call.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.machinery
import importlib.util
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Chunk:
    """Trials ``[start, stop)`` of one (scenario, model) cell, run by one job."""

    index: int
    count: int
    start: int
    stop: int

    @property
    def label(self) -> str:
        """The chunk's part of a file name, e.g. ``2of4``."""
        return f"{self.index + 1}of{self.count}"


def chunks(trials: int, count: int) -> list[Chunk]:
    """Split ``trials`` into ``count`` contiguous, near-equal chunks (fewer when
    there are fewer trials than chunks)."""
    if trials < 1 or count < 1:
        raise ValueError(f"need trials >= 1 and count >= 1, got {trials} and {count}")
    count = min(count, trials)
    bounds = [round(i * trials / count) for i in range(count + 1)]
    return [Chunk(i, count, bounds[i], bounds[i + 1]) for i in range(count)]


def chunk_from_label(trials: int, label: str) -> Chunk:
    """Inverse of :attr:`Chunk.label` for a study with ``trials`` trials."""
    index, count = (int(part) for part in label.split("of"))
    return chunks(trials, count)[index - 1]


# A trial job keeps its rows in memory until it writes them: at most this many trials
# per job, so that a job's peak memory does not grow with the study's trials.
MAX_TRIALS_PER_JOB = 20_000


def model_chunks(config: Mapping[str, Any], model: str) -> list[Chunk]:
    """The chunks of one model's cells (the same in every scenario and sweep point):
    the model's ``chunks``, or more when a chunk would exceed MAX_TRIALS_PER_JOB."""
    trials = config["trials"]
    needed = -(-trials // MAX_TRIALS_PER_JOB)  # ceiling division
    return chunks(trials, max(config["models"][model].get("chunks", 1), needed))


def fingerprint(obj: Any) -> str:
    """A short, stable hash of a JSON-serialisable object (key order ignored)."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def canonical(obj: Any) -> Any:
    """``obj`` with the keys of every nested mapping sorted.

    Snakemake compares a rule's params by their ``repr``, in which a dict keeps its key
    order: params built from a reordered but otherwise equal study file would rerun
    every job. Params passed through this function change only when their content does.
    """
    if isinstance(obj, Mapping):
        return {key: canonical(obj[key]) for key in sorted(obj, key=str)}
    if isinstance(obj, list | tuple):
        return [canonical(value) for value in obj]
    return obj


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


def coerce_overrides(config: dict[str, Any], overrides: Mapping[str, Any]) -> None:
    """Give the values of ``snakemake --config`` the meaning they have in a study file.

    Snakemake parses a nested ``--config`` value with YAML's *base* loader, which keeps
    every scalar as text (``alpha: 10.0`` arrives as ``'10.0'``). Each text leaf of
    ``overrides`` is parsed again with YAML's usual rules (``'10.0'`` → 10.0, ``'null'``
    → None, ``'true'`` → True) and written back at the same place in ``config``, which
    already holds the overrides merged in.
    """
    for key, value in overrides.items():
        if key not in config:
            continue
        if isinstance(value, Mapping) and isinstance(config[key], dict):
            coerce_overrides(config[key], value)
        else:
            config[key] = _yaml_value(config[key])


def _yaml_value(value: Any) -> Any:
    import yaml

    if isinstance(value, list):
        return [_yaml_value(item) for item in value]
    if isinstance(value, dict):
        return {key: _yaml_value(item) for key, item in value.items()}
    if not isinstance(value, str):
        return value
    try:
        parsed = yaml.safe_load(value)
    except yaml.YAMLError:
        return value  # not a YAML scalar (e.g. '@x'): keep the text
    # A text that YAML reads as a mapping or list stays text: the base loader already
    # split every nested structure, so this can only be a scalar with a colon in it.
    return parsed if not isinstance(parsed, dict | list) else value


def describe_schema_errors(config: Mapping[str, Any], schema_path: str) -> str:
    """Every way ``config`` breaks the schema, one line each, named by key path
    (``scenarios.noise.n_test: 1 is less than the minimum of 2``)."""
    import jsonschema
    import yaml

    with open(schema_path, encoding="utf-8") as f:
        schema = yaml.safe_load(f)
    validator = jsonschema.Draft202012Validator(schema)
    lines = sorted(_describe(error) for error in validator.iter_errors(config))
    return "\n".join(lines) or "the config does not match the schema"


def _describe(error) -> str:
    """``key.path: message``; for "any of" schemas, the closest alternative's message."""
    from jsonschema.exceptions import best_match

    if error.context:
        # The alternative of the value's own type says what is wrong with it.
        fitting = [e for e in error.context if e.validator != "type"]
        error = best_match(fitting or error.context)
    where = ".".join(str(part) for part in error.absolute_path) or "(top level)"
    return f"{where}: {error.message}"


#: Import paths of the Keras network, which needs the ``keras`` extra.
KERAS_ESTIMATORS = frozenset({"negr2.models.KerasMLP", "negr2.keras_mlp.KerasMLP"})


def check_results_folder(folder: str) -> None:
    """Refuse a results folder written by another results format (see
    :data:`negr2.RESULTS_FORMAT`): its tables would not mix with new ones."""
    from negr2 import RESULTS_FORMAT

    root = Path(folder)
    marker = root / "negr2-format.json"
    if marker.is_file():
        found = json.loads(marker.read_text()).get("results_format")
    elif (root / "trials").is_dir() or (root / "trials.parquet").is_file():
        found = None  # written before folders were marked
    else:
        return
    if found != RESULTS_FORMAT:
        writer = "an older negr2" if found is None else f"negr2 results format {found}"
        raise ValueError(
            f"{folder} was written by {writer}, and this negr2 writes results format "
            f"{RESULTS_FORMAT}: move that folder away or delete it, then run again"
        )


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


def check_keras_extra(path: str, key: str) -> None:
    """A Keras model needs the ``keras`` extra (Keras and JAX); say how to install it.

    Only looks the packages up (``importlib.util.find_spec``), never imports them.
    """
    if path not in KERAS_ESTIMATORS:
        return
    if importlib.util.find_spec("keras") is None or importlib.util.find_spec("jax") is None:
        raise ValueError(f"{key}: KerasMLP needs the keras extra: pip install -e '.[keras]'")


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


def check_import_path(path: str, key: str) -> None:
    """Check that ``module.Name`` can be found, without importing the module.

    Importing scikit-learn costs over a second, which would be paid on every
    ``snakemake`` call (even a no-op rerun), so the module is located on disk and
    its source parsed for a top-level binding of ``Name``. A module that builds its
    names at run time (``__getattr__`` or ``import *``) or is compiled is given the
    benefit of the doubt; the trial job imports it for real.
    """
    module, _, name = path.rpartition(".")
    if not module:
        raise ValueError(f"{key}: {path!r} is not an import path like 'package.module.Class'")
    origin = _find_module_origin(module, path, key)
    if origin is None or not origin.endswith(".py"):
        return
    with open(origin, encoding="utf-8") as f:
        tree = ast.parse(f.read(), filename=origin)
    names, dynamic = _top_level_names(tree.body)
    if name not in names and not dynamic:
        raise ValueError(f"{key}: module {module!r} has no attribute {name!r} (from {path!r})")


def _find_module_origin(module: str, path: str, key: str) -> str | None:
    parts = module.split(".")
    try:
        spec = importlib.util.find_spec(parts[0])
    except (ImportError, ValueError):
        spec = None
    for depth in range(1, len(parts) + 1):
        if spec is None:
            missing = ".".join(parts[:depth])
            raise ValueError(
                f"{key}: cannot import {path!r}: no module named {missing!r} "
                "(is the package installed in this environment?)"
            )
        if depth == len(parts):
            break
        locations = spec.submodule_search_locations
        child = ".".join(parts[: depth + 1])
        spec = importlib.machinery.PathFinder.find_spec(child, locations) if locations else None
    return spec.origin


def _top_level_names(body: list[ast.stmt]) -> tuple[set[str], bool]:
    """Names a module binds at top level, and whether it may bind more at run time."""
    names: set[str] = set()
    dynamic = False
    for node in body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
            dynamic |= node.name == "__getattr__"
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                dynamic |= alias.name == "*"
                names.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, ast.If | ast.Try | ast.With):
            for block in _blocks(node):
                more, more_dynamic = _top_level_names(block)
                names |= more
                dynamic |= more_dynamic
    return names, dynamic


def _blocks(node: ast.If | ast.Try | ast.With) -> list[list[ast.stmt]]:
    if isinstance(node, ast.Try):
        return [node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)]
    if isinstance(node, ast.If):
        return [node.body, node.orelse]
    return [node.body]
