"""What a user's generator must return: checked on every trial it draws."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np


class ContractError(ValueError):
    """A user's generator returned something other than ``(X, y[, informative])``."""


def dataset_of(
    path: str, result: Any, n_rows: int, n_features: int
) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
    """X (n_rows, n_features) and y (n_rows,) as finite float64, and the informative
    feature indices (``()`` when not given), out of what the generator at ``path`` returned.

    Raises
    ------
    ContractError
        Saying what was returned and what was expected.
    """
    if not isinstance(result, tuple) or len(result) not in (2, 3):
        raise ContractError(
            f"{path} returned {describe(result)}; return a tuple (X, y) or (X, y, informative)"
        )
    X = _finite(path, "X", result[0], (n_rows, n_features), "(n_rows, n_features)")
    y = _finite(path, "y", result[1], (n_rows,), "(n_rows,)")
    informative = _informative(path, result[2], n_features) if len(result) == 3 else ()
    return X, y, informative


def describe(value: Any) -> str:
    """``a tuple of 1``, ``a numpy.ndarray``, ``an int``: what a value is, for messages."""
    if isinstance(value, tuple):
        return f"a tuple of {len(value)}"
    kind = type(value)
    name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
    name = name.replace("numpy._core.multiarray", "numpy")  # numpy.ndarray's home
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def _finite(path: str, name: str, value: Any, shape: tuple[int, ...], form: str) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ContractError(
            f"{path} returned a non-numeric {name} ({describe(value)}); return numbers"
        ) from None
    if array.shape != shape:
        raise ContractError(
            f"{path} returned {name} of shape {array.shape}; it must be {form} = {shape}"
        )
    bad = int(np.count_nonzero(~np.isfinite(array)))
    if bad:
        raise ContractError(
            f"{path} returned {name} with {bad} NaN or infinite value(s); return finite numbers"
        )
    return array


def _informative(path: str, value: Any, n_features: int) -> tuple[int, ...]:
    items = list(value) if isinstance(value, list | tuple | np.ndarray) else None
    if items is None or not all(
        isinstance(i, numbers.Integral) and not isinstance(i, bool) and 0 <= i < n_features
        for i in items
    ):
        raise ContractError(
            f"{path} returned informative {value!r}; give feature indices in "
            f"[0, {n_features}), most important first"
        )
    if len(set(items)) != len(items):
        raise ContractError(f"{path} returned informative {value!r}; name each feature once")
    return tuple(int(i) for i in items)
