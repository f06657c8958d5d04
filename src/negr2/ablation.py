"""Feature ablations: which columns each variant of a trial keeps.

Every trial fits the full model and each ablated variant on the same split, so
the difference in test R² to ``full`` is a paired comparison. Variant labels:
``full``, ``drop:<feature>`` (drop_one), ``drop_random:k=<k>``,
``drop_informative:<i>`` (the i most informative features removed, largest |coef|
first) and ``keep:<name>`` (a named subset).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from negr2.columns import FULL


def variants(
    ablations: Mapping[str, Any] | None,
    feature_names: Sequence[str],
    informative: Sequence[int],
    seed: int,
) -> list[tuple[str, np.ndarray]]:
    """The (label, kept column indices) of every variant of one trial, ``full`` first.

    Parameters
    ----------
    ablations : the study's ``ablations`` block (``drop_one``, ``drop_random``,
        ``drop_informative``, ``keep``), or None for the full model only.
    feature_names : names of the p features.
    informative : indices of the informative features, most important first.
    seed : the trial's seed; ``drop_random`` draws its features from it, so every
        model of a trial drops the same ones.
    """
    feature_names = [str(f) for f in feature_names]
    p = len(feature_names)
    every = np.arange(p)
    out = [(FULL, every)]
    ablations = ablations or {}
    if ablations.get("drop_one"):
        out += [(f"drop:{name}", np.delete(every, j)) for j, name in enumerate(feature_names)]
    for k in _as_list(ablations.get("drop_random", {}).get("k", [])):
        if not 1 <= k < p:
            raise ValueError(f"ablations.drop_random.k: {k} must be between 1 and {p - 1}")
        rng = np.random.default_rng([seed, k, 0xAB1A7E])
        dropped = rng.choice(p, size=k, replace=False)
        out.append((f"drop_random:k={k}", np.setdiff1d(every, dropped)))
    if ablations.get("drop_informative"):
        if len(informative) == 0:
            raise ValueError(
                "ablations.drop_informative: this scenario's generator does not know its "
                "informative features (see the README's generators)"
            )
        for i in range(1, len(informative) + (len(informative) < p)):
            out.append((f"drop_informative:{i}", np.setdiff1d(every, list(informative[:i]))))
    for name, subset in (ablations.get("keep") or {}).items():
        out.append((f"keep:{name}", _indices(subset, feature_names, f"ablations.keep.{name}")))
    return out


def _indices(subset: Sequence[str], feature_names: Sequence[str], key: str) -> np.ndarray:
    missing = [f for f in subset if f not in feature_names]
    if missing:
        raise ValueError(
            f"{key}: no feature named {missing[0]!r}; features: {', '.join(feature_names)}"
        )
    if not subset:
        raise ValueError(f"{key}: keep at least one feature")
    return np.array(sorted(feature_names.index(f) for f in subset))


def _as_list(value: Any) -> list[int]:
    return value if isinstance(value, list) else [value]


def n_kept(label: str, n_features: int, ablations: Mapping[str, Any] | None) -> int:
    """How many features the variant ``label`` keeps out of ``n_features``."""
    kind, _, arg = label.partition(":")
    if kind == FULL:
        return n_features
    if kind == "drop":
        return n_features - 1
    if kind == "drop_random":
        return n_features - int(arg.removeprefix("k="))
    if kind == "drop_informative":
        return n_features - int(arg)
    if kind == "keep":
        return len((ablations or {})["keep"][arg])
    raise ValueError(f"unknown ablation variant {label!r}")
