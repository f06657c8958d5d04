"""The study a config describes: its sweep points, cells and splits.

:class:`Study` is built once from the validated config and handed to every part that
needs the points (the Snakefile, aggregate, figures, report, tracking, paper), so that
the sweeps are expanded once.

Any scalar of a scenario, or of a model's ``params``, may be given as a list; the
study then runs the grid of all combinations, each combination a *point* with its
own id (``noise@n_train=20``, ``KNN@n_neighbors=5``), its own jobs and its own
results. Keys whose value is itself a list (a generator's ``list_valued`` keys, such as
``coef`` or ``columns``) sweep when given a list of lists; so does a model parameter that
takes a list, or a key of a user's generator: write
``hidden_layer_sizes: [[64, 32]]`` for one value, ``[[64], [64, 32]]`` for two.
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from negr2.columns import COLUMNS
from negr2.splits import Split, resolve_split, split_of

#: Scenario keys that are never swept, besides the generator's ``fixed`` keys.
UNSWEPT_SCENARIO_KEYS = frozenset({"generator", "split"})
#: Columns of the trials table, which a swept parameter must not shadow.
RESERVED_COLUMNS = frozenset(COLUMNS)


@dataclass(frozen=True)
class Point:
    """One point of a (possibly swept) scenario or model.

    ``id`` names its files and jobs; ``name`` is the config's name; ``spec`` is the
    entry with every swept key set to this point's value; ``swept`` holds just those.
    """

    id: str
    name: str
    spec: dict[str, Any] = field(hash=False)
    swept: dict[str, Any] = field(hash=False)


def scenario_points(config: Mapping[str, Any]) -> list[Point]:
    """Every point of every scenario, in config order."""
    points = []
    for name, spec in config["scenarios"].items():
        grid = _sweeps(spec, _scenario_sweep_test(spec), f"scenarios.{name}")
        for swept in grid:
            points.append(Point(point_id(name, swept), name, {**spec, **swept}, swept))
    return points


def model_points(config: Mapping[str, Any]) -> list[Point]:
    """Every point of every model (sweeping its ``params``), in config order."""
    points = []
    for name, spec in config["models"].items():
        params = spec.get("params") or {}
        for swept in _sweeps(params, _is_param_sweep, f"models.{name}.params"):
            spec_point = {**spec, "params": {**params, **swept}}
            points.append(Point(point_id(name, swept), name, spec_point, swept))
    return points


def check_sweeps(study: Study) -> None:
    """A swept key must not shadow a column of the tables, nor be swept by both a
    scenario and a model (one column could not hold both)."""
    scenario_keys = {k for p in study.scenarios.values() for k in p.swept}
    model_keys = {k for p in study.models.values() for k in p.swept}
    for key in sorted(scenario_keys | model_keys):
        if key in RESERVED_COLUMNS:
            raise ValueError(f"{key}: cannot be swept, it would shadow the column {key!r}")
    clash = scenario_keys & model_keys
    if clash:
        raise ValueError(f"{sorted(clash)[0]}: swept by both a scenario and a model; sweep it once")


def point_id(name: str, swept: Mapping[str, Any]) -> str:
    """``name`` alone, or ``name@key=value,key=value`` for a sweep point."""
    if not swept:
        return name
    return name + "@" + ",".join(f"{k}={_text(v)}" for k, v in swept.items())


def _is_param_sweep(_key: str, value: Any) -> bool:
    return isinstance(value, list)


def _scenario_sweep_test(spec: Mapping[str, Any]) -> Callable[[str, Any], bool]:
    """Which keys of a scenario sweep: lists, but not the generator's fixed keys, and only
    lists of lists for its list-valued keys (a user's generator has neither)."""
    from negr2.generators import builtin

    generator = builtin(spec.get("generator"))
    fixed = UNSWEPT_SCENARIO_KEYS | (generator.fixed if generator else frozenset())
    list_valued = generator.list_valued if generator else frozenset()

    def is_sweep(key: str, value: Any) -> bool:
        if key in fixed or not isinstance(value, list):
            return False
        return all(isinstance(v, list) for v in value) if key in list_valued else True

    return is_sweep


def _sweeps(entry: Mapping[str, Any], is_sweep, where: str) -> list[dict[str, Any]]:
    """The grid of an entry's swept keys: one dict of key -> value per point."""
    keys = [k for k, v in entry.items() if is_sweep(k, v)]
    for key in keys:
        if not entry[key]:
            raise ValueError(
                f"{where}.{key}: an empty list sweeps nothing; give at least one value"
            )
        texts = [_text(v) for v in entry[key]]
        if len(set(texts)) != len(texts):
            raise ValueError(
                f"{where}.{key}: the sweep {entry[key]} repeats a value; give each once"
            )
    return [
        dict(zip(keys, values, strict=True))
        for values in itertools.product(*(entry[k] for k in keys))
    ]


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


def comparison_reference(config: Mapping[str, Any]) -> str | None:
    """The model every other is compared with: the config's, else LinearRegression
    when the study has it."""
    comparisons = config.get("comparisons") or {}
    if "reference" in comparisons:
        return comparisons["reference"]
    return "LinearRegression" if "LinearRegression" in config["models"] else None


@dataclass(frozen=True, eq=False)
class Study:
    """The study of a validated config, its sweeps expanded once.

    ``scenarios`` and ``models`` map point ids to points in config order. Which jobs
    run them is the job plan's (:class:`negr2.plan.JobPlan`). Built on every
    ``snakemake`` call, so it needs nothing beyond the standard library.
    """

    config: Mapping[str, Any] = field(repr=False)
    scenarios: Mapping[str, Point]
    models: Mapping[str, Point]

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Study:
        """The study of ``config`` (checked: see :func:`negr2.config.check_config`)."""
        scenarios = {point.id: point for point in scenario_points(config)}
        models = {point.id: point for point in model_points(config)}
        return cls(config, MappingProxyType(scenarios), MappingProxyType(models))

    @property
    def name(self) -> str:
        return self.config["study"]

    @functools.cached_property
    def cells(self) -> list[tuple[str, str]]:
        """Every (scenario point id, model point id), in config order."""
        return [(s, m) for s in self.scenarios for m in self.models]

    @functools.cached_property
    def swept_columns(self) -> list[str]:
        """Names of every swept key, scenario keys first: the extra columns of the tables."""
        points = [*self.scenarios.values(), *self.models.values()]
        return list(dict.fromkeys(key for point in points for key in point.swept))

    @functools.cached_property
    def splits(self) -> dict[str, Split]:
        """Each scenario point's split, defaults resolved."""
        return {id_: resolve_split(self.config, p.spec) for id_, p in self.scenarios.items()}

    def raw_split(self, scenario_id: str) -> dict[str, Any]:
        """A scenario point's split as written (:func:`split_of`): what its jobs are
        given, so that their params stay those of earlier results."""
        return split_of(self.config, self.scenarios[scenario_id].spec)

    @functools.cached_property
    def reference(self) -> str | None:
        """The model point every other is compared with (:func:`comparison_reference`)."""
        return comparison_reference(self.config)
