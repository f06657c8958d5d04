"""Stable hashes and key orders of params, so that only a change of content reruns jobs.

Standard library only: the Snakefile loads it on every ``snakemake`` call.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any


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
