"""Data generators: one dataset per trial, drawn from the trial's own seed.

Every generator returns the full table of one trial as a :class:`Dataset`, rows
``[0, n_train)`` for training and the rest for testing, so that every model of a trial
sees exactly the same split (a paired design).

A scenario's spec (its config entry) names a ``generator``, ``n_train`` and ``n_test``,
plus the keys of :data:`GENERATOR_PARAMS` that generator takes:

``gaussian_noise``
    ``n_features`` independent standard normal features and target: no signal at all.
``linear``
    ``y = X·coef + N(0, noise_sd²)`` with independent ``normal`` or ``uniform`` features;
    ``coef`` is given, or made of ``n_informative`` equal leading coefficients scaled to
    a population signal-to-noise ratio ``snr = Var(X·coef) / noise_sd²``.
    Optionally the target is shifted and right-skewed: ``target_shift`` and
    ``target_skew`` (see :func:`shape_target`), to make mostly positive targets with a
    minority of negatives.
``correlated``
    As ``linear`` with normal features of Toeplitz covariance ``Σ_ij = rho^|i-j|``.
``friedman1``
    scikit-learn's :func:`~sklearn.datasets.make_friedman1`.
``diabetes``
    A fresh random split of scikit-learn's bundled diabetes data (442 × 10) per trial.
``table``
    A fresh random split of a user's CSV or Parquet file per trial.

:func:`check_scenario` checks a spec before any job runs. :class:`ScenarioDraws` draws
one trial at a time, inside the trial job, so that no job holds more than one trial's
data and nothing is stored; :func:`generate_scenario` stacks a scenario's trials (for
tests and notebooks). Trial ``t`` is a pure function of ``(master_seed, seed_name, t)``,
whatever the number of trials drawn.
"""

from __future__ import annotations

import functools
import math
import numbers
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from negr2.seeding import trial_seed, trial_seed_sequence

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Dataset:
    """One trial's table: rows ``[0, n_train)`` train, the rest test.

    Attributes
    ----------
    X : ndarray of shape (n_train + n_test, n_features), float64
    y : ndarray of shape (n_train + n_test,), float64
    feature_names : tuple of n_features str
    informative : indices of the informative features, most important first; ``()`` if
        unknown.
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...]
    informative: tuple[int, ...]

    def __post_init__(self) -> None:
        if self.X.ndim != 2 or self.y.shape != (self.X.shape[0],):
            raise ValueError(f"Dataset: X {self.X.shape} and y {self.y.shape} do not match")
        if len(self.feature_names) != self.X.shape[1]:
            raise ValueError(
                f"Dataset: {len(self.feature_names)} feature names for {self.X.shape[1]} columns"
            )
        if any(not 0 <= i < self.X.shape[1] for i in self.informative):
            raise ValueError(f"Dataset: informative {self.informative} out of range")


Generator = Callable[[np.random.Generator, Mapping[str, Any]], Dataset]

#: Keys any scenario may have, whatever its generator. ``split`` (the scenario's
#: holdout / k-fold override) is read by the trials, not by the generators, and is
#: checked by the config schema, not here.
COMMON_KEYS = frozenset({"generator", "n_train", "n_test", "split"})

_LINEAR_KEYS = frozenset({"n_features", "noise_sd", "coef", "n_informative", "snr"})

#: The scenario keys each generator accepts, besides :data:`COMMON_KEYS`.
GENERATOR_PARAMS: dict[str, frozenset[str]] = {
    "gaussian_noise": frozenset({"n_features"}),
    "linear": _LINEAR_KEYS | {"features", "target_shift", "target_skew"},
    "correlated": _LINEAR_KEYS | {"rho"},
    "friedman1": frozenset({"n_features", "noise"}),
    "diabetes": frozenset(),
    "table": frozenset({"path", "target", "columns"}),
}

_LINEAR_FEATURES = ("normal", "uniform")
_UNIFORM_VARIANCE = 1.0 / 12.0  # variance of U(0, 1)
_MAX_EXPONENT = 700.0  # exp(709.8) overflows float64
_FRIEDMAN_MIN_FEATURES = 5
_TABLE_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


# --------------------------------------------------------------------------- generators


def _numbered_names(n_features: int) -> tuple[str, ...]:
    return tuple(f"x{j}" for j in range(n_features))


def _n_rows(spec: Mapping[str, Any]) -> int:
    return int(spec["n_train"]) + int(spec["n_test"])


def gaussian_noise(rng: np.random.Generator, spec: Mapping[str, Any]) -> Dataset:
    """Features and target independent standard normals: the post's data.

    As in the post, one ``(n_train + n_test) × (n_features + 1)`` normal table is drawn
    and its last column is the target, so there is no signal to learn.

    Parameters
    ----------
    rng : the trial's generator.
    spec : a scenario spec that passed :func:`check_scenario` (``n_features``).

    Returns
    -------
    Dataset with X of shape (n_train + n_test, n_features), features ``x0, x1, ...``
    and no informative feature.
    """
    n_features = int(spec["n_features"])
    table = rng.normal(size=(_n_rows(spec), n_features + 1))
    return Dataset(table[:, :-1], table[:, -1], _numbered_names(n_features), ())


def _coefficients(spec: Mapping[str, Any], block_variance: Callable[[int], float]) -> np.ndarray:
    """The spec's ``coef``, or its ``n_informative`` equal leading coefficients ``c``.

    ``c`` makes the population signal-to-noise ratio exact: ``c² · block_variance(k) =
    snr · noise_sd²``, where ``block_variance(k) = 1ᵀ Σ_kk 1`` is the variance of the sum
    of the first ``k`` features.

    Returns
    -------
    ndarray of shape (n_features,)
    """
    if "coef" in spec:
        return np.asarray(spec["coef"], dtype=np.float64)
    n_informative = int(spec["n_informative"])
    noise_sd = float(spec.get("noise_sd", 1.0))
    c = noise_sd * math.sqrt(float(spec["snr"]) / block_variance(n_informative))
    coef = np.zeros(int(spec["n_features"]))
    coef[:n_informative] = c
    return coef


def _by_importance(coef: np.ndarray) -> tuple[int, ...]:
    """Indices of the nonzero coefficients by decreasing ``|coef|`` (ties: lower first)."""
    nonzero = np.flatnonzero(coef)
    order = np.argsort(-np.abs(coef[nonzero]), kind="stable")
    return tuple(int(i) for i in nonzero[order])


def _linear_dataset(
    rng: np.random.Generator, X: np.ndarray, coef: np.ndarray, spec: Mapping[str, Any]
) -> Dataset:
    """``y = X·coef + N(0, noise_sd²)``, the noise drawn after the features."""
    noise = float(spec.get("noise_sd", 1.0)) * rng.standard_normal(X.shape[0])
    y = X @ coef + noise
    return Dataset(X, y, _numbered_names(X.shape[1]), _by_importance(coef))


def linear(rng: np.random.Generator, spec: Mapping[str, Any]) -> Dataset:
    """A linear model with independent features: ``y = X·coef + N(0, noise_sd²)``.

    Features are standard normal (``features: normal``, the default) or U(0, 1)
    (``features: uniform``); ``coef`` is given, or ``n_informative`` leading coefficients
    equal to ``c`` and the rest 0, with ``c`` such that ``Var(X·coef) / noise_sd² = snr``
    in population. The features ``(n_rows, n_features)`` are drawn first, then the noise.
    Then, if ``target_shift`` or ``target_skew`` is given (both default to 0), the target
    is transformed by :func:`shape_target` (no draw is added).

    Parameters
    ----------
    rng : the trial's generator.
    spec : a scenario spec that passed :func:`check_scenario`.

    Returns
    -------
    Dataset with X of shape (n_train + n_test, n_features), features ``x0, x1, ...`` and
    informative the nonzero coefficients by decreasing ``|coef|``.
    """
    shape = (_n_rows(spec), int(spec["n_features"]))
    if spec.get("features", "normal") == "uniform":
        X = rng.random(shape)
        coef = _coefficients(spec, lambda k: k * _UNIFORM_VARIANCE)
    else:
        X = rng.standard_normal(shape)
        coef = _coefficients(spec, float)
    data = _linear_dataset(rng, X, coef, spec)
    shift, skew = float(spec.get("target_shift", 0.0)), float(spec.get("target_skew", 0.0))
    if shift == 0.0 and skew == 0.0:
        return data
    y = shape_target(data.y, shift, skew)
    return Dataset(data.X, y, data.feature_names, data.informative)


def shape_target(y: np.ndarray, shift: float = 0.0, skew: float = 0.0) -> np.ndarray:
    """Shift a target, then skew it to the right: ``t = y + shift``, and
    ``(exp(skew · t) − 1) / skew`` for ``skew > 0`` (``t`` itself for ``skew = 0``, the
    limit).

    The transform is strictly increasing, so it keeps the order of the targets (and so
    which features matter, and in which direction), and it keeps the sign of ``t``: the
    share of negative targets is ``P(y < −shift)``, whatever ``skew``. Positive targets
    are stretched (a long right tail), negative ones squeezed into ``(−1/skew, 0)``:
    mostly positive quantities with a minority of small negatives, like sales net of
    returns. The relation to the features is no longer linear when ``skew > 0``.

    Parameters
    ----------
    y : ndarray of shape (n_rows,)
    shift : a finite number.
    skew : a finite number >= 0.

    Returns
    -------
    ndarray of shape (n_rows,), float64

    Raises
    ------
    ValueError
        For a bad ``shift`` or ``skew``, or when ``skew · t`` is so large that ``exp``
        would overflow.
    """
    if not math.isfinite(shift) or not math.isfinite(skew) or skew < 0:
        raise ValueError(f"need a finite shift and a finite skew >= 0, got {shift} and {skew}")
    t = np.asarray(y, dtype=np.float64) + shift
    if skew == 0.0:
        return t
    largest = float(skew * t.max()) if t.size else 0.0
    if largest > _MAX_EXPONENT:
        raise ValueError(
            f"target_skew {skew} overflows: exp({largest:.0f}) is too large; lower target_skew"
        )
    return np.expm1(skew * t) / skew


def _toeplitz(n_features: int, rho: float) -> np.ndarray:
    """``Σ_ij = rho^|i-j|``, of shape (n_features, n_features)."""
    index = np.arange(n_features)
    return float(rho) ** np.abs(np.subtract.outer(index, index)).astype(np.float64)


@functools.lru_cache(maxsize=32)
def _toeplitz_cholesky(n_features: int, rho: float) -> np.ndarray:
    """Lower Cholesky factor ``L`` of :func:`_toeplitz` (read-only, ``L Lᵀ = Σ``)."""
    lower = np.linalg.cholesky(_toeplitz(n_features, rho))
    lower.flags.writeable = False
    return lower


def correlated(rng: np.random.Generator, spec: Mapping[str, Any]) -> Dataset:
    """A linear model with correlated normal features: ``y = X·coef + N(0, noise_sd²)``.

    Each row of X is ``N(0, Σ)`` with ``Σ_ij = rho^|i-j|``, drawn as ``Z Lᵀ`` from standard
    normals ``Z`` of shape (n_rows, n_features) and the Cholesky factor ``L`` of ``Σ``;
    then the noise is drawn. With ``n_informative`` and ``snr``, the leading coefficients
    equal ``c`` such that ``coefᵀ Σ coef / noise_sd² = snr``.

    Parameters
    ----------
    rng : the trial's generator.
    spec : a scenario spec that passed :func:`check_scenario`.

    Returns
    -------
    Dataset with X of shape (n_train + n_test, n_features), features ``x0, x1, ...`` and
    informative the nonzero coefficients by decreasing ``|coef|``.
    """
    n_features, rho = int(spec["n_features"]), float(spec["rho"])
    Z = rng.standard_normal((_n_rows(spec), n_features))
    X = Z @ _toeplitz_cholesky(n_features, rho).T
    coef = _coefficients(spec, lambda k: float(_toeplitz(k, rho).sum()))
    return _linear_dataset(rng, X, coef, spec)


def friedman1(rng: np.random.Generator, spec: Mapping[str, Any]) -> Dataset:
    """scikit-learn's Friedman #1 problem (:func:`~sklearn.datasets.make_friedman1`).

    ``y = 10 sin(π x0 x1) + 20 (x2 - 0.5)² + 10 x3 + 5 x4 + N(0, noise²)`` with U(0, 1)
    features; features from ``x5`` on are noise. ``random_state`` is an integer in
    ``[0, 2³²)`` drawn from the trial's generator.

    Parameters
    ----------
    rng : the trial's generator.
    spec : a scenario spec that passed :func:`check_scenario` (``n_features`` >= 5,
        optional ``noise``, default 0).

    Returns
    -------
    Dataset with X of shape (n_train + n_test, n_features), features ``x0, x1, ...`` and
    informative ``(0, 1, 2, 3, 4)`` -- in index order, not by importance.
    """
    from sklearn.datasets import make_friedman1

    n_features = int(spec["n_features"])
    X, y = make_friedman1(
        n_samples=_n_rows(spec),
        n_features=n_features,
        noise=float(spec.get("noise", 0.0)),
        random_state=int(rng.integers(2**32)),
    )
    informative = tuple(range(_FRIEDMAN_MIN_FEATURES))
    return Dataset(
        np.asarray(X, np.float64),
        np.asarray(y, np.float64),
        _numbered_names(n_features),
        informative,
    )


def _random_rows(rng: np.random.Generator, n_available: int, n_rows: int) -> np.ndarray:
    """``n_rows`` distinct row indices out of ``n_available``, in random order."""
    if n_rows > n_available:
        raise ValueError(f"need {n_rows} rows (n_train + n_test) but only {n_available} exist")
    return rng.permutation(n_available)[:n_rows]


def _read_only(array: np.ndarray) -> np.ndarray:
    array = np.ascontiguousarray(array, dtype=np.float64)
    array.flags.writeable = False
    return array


@functools.cache
def _diabetes() -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """scikit-learn's bundled diabetes data: X (442, 10), y (442,), feature names."""
    from sklearn.datasets import load_diabetes

    bunch = load_diabetes(scaled=False)  # raw: scaling is the study's, fit on training rows
    return _read_only(bunch.data), _read_only(bunch.target), tuple(bunch.feature_names)


def diabetes(rng: np.random.Generator, spec: Mapping[str, Any]) -> Dataset:
    """A fresh random split of scikit-learn's bundled diabetes data (442 rows, 10 features).

    The data is :func:`~sklearn.datasets.load_diabetes` unscaled (no download): its
    default scaling uses all 442 rows, test rows included.

    Each trial takes ``n_train + n_test`` distinct rows of the 442 in random order
    (``rng.permutation(442)[:n_train + n_test]``); the first ``n_train`` train.

    Parameters
    ----------
    rng : the trial's generator.
    spec : a scenario spec that passed :func:`check_scenario`.

    Returns
    -------
    Dataset with X of shape (n_train + n_test, 10), the dataset's feature names
    (``age, sex, bmi, ...``) and no known informative feature.
    """
    X, y, names = _diabetes()
    rows = _random_rows(rng, X.shape[0], _n_rows(spec))
    return Dataset(X[rows], y[rows], names, ())


# ------------------------------------------------------------------------------- tables


class _TableError(ValueError):
    """A problem with a table scenario's file, to be prefixed with ``scenarios.<name>.<key>``."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key, self.message = key, message


def _table_path(spec: Mapping[str, Any]) -> Path:
    """The resolved ``path`` of a table scenario (relative to the working directory)."""
    if "path" not in spec:
        raise _TableError(
            "path", "required by generator table; add the path of a CSV or Parquet file"
        )
    raw = spec["path"]
    if not isinstance(raw, str | os.PathLike) or not str(raw):
        raise _TableError("path", f"must be the path of a CSV or Parquet file, got {raw!r}")
    path = Path(raw).expanduser().resolve()
    if path.suffix.lower() not in _TABLE_FORMATS:
        raise _TableError(
            "path",
            f"{path}: unsupported file type {path.suffix!r}; "
            f"use one of {', '.join(_TABLE_FORMATS)}",
        )
    if not path.is_file():
        raise _TableError("path", f"no such file: {path} (relative paths start from {Path.cwd()})")
    return path


@functools.lru_cache(maxsize=8)
def _read_table(path: str, mtime_ns: int) -> pd.DataFrame:
    """The table at ``path`` (cached per path and modification time; do not mutate)."""
    import pandas as pd

    del mtime_ns  # part of the cache key only: an edited file is read again
    try:
        if _TABLE_FORMATS[Path(path).suffix.lower()] == "csv":
            return pd.read_csv(path)
        return pd.read_parquet(path)
    except (OSError, ValueError, ImportError) as error:
        raise _TableError("path", f"cannot read {path}: {error}") from None


def _table_columns(
    frame: pd.DataFrame, path: str, target: str, columns: tuple[str, ...] | None
) -> tuple[str, ...]:
    """The feature columns: ``columns`` checked against the table, or all but the target."""
    available = [str(c) for c in frame.columns]
    listing = ", ".join(available)
    if target not in available:
        raise _TableError("target", f"no column {target!r} in {path}; its columns are: {listing}")
    if columns is None:
        columns = tuple(c for c in available if c != target)
        if not columns:
            raise _TableError("columns", f"{path} has no column besides the target {target!r}")
    for name in columns:
        if name not in available:
            raise _TableError(
                "columns", f"no column {name!r} in {path}; its columns are: {listing}"
            )
    if target in columns:
        raise _TableError("columns", f"lists the target {target!r}; leave it out")
    return columns


def _check_column(frame: pd.DataFrame, path: str, column: str, key: str) -> None:
    """A used column must be real-valued (or boolean) with no missing or infinite values."""
    import pandas as pd

    values = frame[column]
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_complex_dtype(values):
        raise _TableError(
            key,
            f"column {column!r} of {path} is not numeric (dtype {values.dtype}); "
            f"{'pick another target' if key == 'target' else 'leave it out of columns'} "
            "or encode it as numbers",
        )
    missing = int(values.isna().sum())
    if missing:
        raise _TableError(
            key,
            f"column {column!r} of {path} has {missing} missing value(s) (NaN); "
            "fill or drop them first",
        )
    infinite = int(np.isinf(values.to_numpy(dtype=np.float64)).sum())
    if infinite:
        raise _TableError(key, f"column {column!r} of {path} has {infinite} infinite value(s)")


@functools.lru_cache(maxsize=8)
def _table_arrays(
    path: str, mtime_ns: int, target: str, columns: tuple[str, ...] | None
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Checked, read-only X (n_rows, n_features), y (n_rows,) and feature names of a table."""
    frame = _read_table(path, mtime_ns)
    frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
    names = _table_columns(frame, path, target, columns)
    _check_column(frame, path, target, "target")
    for name in names:
        _check_column(frame, path, name, "columns")
    X = frame[list(names)].to_numpy(dtype=np.float64)
    return _read_only(X), _read_only(frame[target].to_numpy(dtype=np.float64)), names


def _load_table(spec: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """X, y and feature names of a table scenario; raises :class:`_TableError`."""
    path = _table_path(spec)
    if "target" not in spec:
        raise _TableError("target", "required by generator table; add the target column's name")
    target, columns = spec["target"], spec.get("columns")
    if not isinstance(target, str) or not target:
        raise _TableError("target", f"must be the name of the target column, got {target!r}")
    if columns is not None:
        if (
            isinstance(columns, str)
            or not isinstance(columns, Sequence)
            or not columns
            or not all(isinstance(name, str) for name in columns)
            or len(set(columns)) != len(columns)
        ):
            raise _TableError(
                "columns", f"must be a non-empty list of distinct column names, got {columns!r}"
            )
        columns = tuple(columns)
    return _table_arrays(str(path), path.stat().st_mtime_ns, target, columns)


def table(rng: np.random.Generator, spec: Mapping[str, Any]) -> Dataset:
    """A fresh random split of a user's CSV or Parquet table.

    The file (``path``, ``.csv``, ``.parquet`` or ``.pq``; relative to the working
    directory) is read once per process. Each trial takes ``n_train + n_test`` distinct
    rows in random order, like :func:`diabetes`. The target is the ``target`` column; the
    features the ``columns`` (default: every other column, in file order).

    Parameters
    ----------
    rng : the trial's generator.
    spec : a scenario spec that passed :func:`check_scenario`.

    Returns
    -------
    Dataset with X of shape (n_train + n_test, n_features), the column names as feature
    names and no known informative feature.
    """
    X, y, names = _load_table(spec)
    rows = _random_rows(rng, X.shape[0], _n_rows(spec))
    return Dataset(X[rows], y[rows], names, ())


GENERATORS: dict[str, Generator] = {
    "gaussian_noise": gaussian_noise,
    "linear": linear,
    "correlated": correlated,
    "friedman1": friedman1,
    "diabetes": diabetes,
    "table": table,
}


# ------------------------------------------------------------------------------- checks


def _error(name: str, key: str | None, message: str) -> ValueError:
    return ValueError(f"scenarios.{name}{'' if key is None else '.' + key}: {message}")


def _integer(
    name: str, spec: Mapping[str, Any], key: str, minimum: int, maximum: int | None = None
) -> int:
    """``spec[key]``, required, an integer in ``[minimum, maximum]``."""
    if key not in spec:
        raise _error(name, key, f"required by generator {spec['generator']}; add an integer")
    value = spec[key]
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise _error(name, key, f"must be an integer, got {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise _error(name, key, f"must be {bounds}, got {value}")
    return int(value)


def _real(name: str, key: str, value: Any) -> float:
    """A finite real number (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise _error(name, key, f"must be a finite number, got {value!r}")
    return float(value)


def _non_negative(name: str, spec: Mapping[str, Any], key: str, default: float) -> float:
    value = _real(name, key, spec.get(key, default))
    if value < 0:
        raise _error(name, key, f"must be >= 0, got {value}")
    return value


def _check_unknown_keys(name: str, generator: str, spec: Mapping[str, Any]) -> None:
    accepted = GENERATOR_PARAMS[generator]
    unknown = sorted((key for key in spec if key not in accepted | COMMON_KEYS), key=str)
    if not unknown:
        return
    quoted = ", ".join(repr(key) for key in unknown)
    verb = "does" if len(unknown) == 1 else "do"
    takes = ", ".join(sorted(accepted)) or "nothing besides " + ", ".join(sorted(COMMON_KEYS))
    hint = ""
    if "n_features" in unknown:
        hint = "; its features come from the data"
        if "columns" in accepted:
            hint += " (choose them with 'columns')"
    raise _error(
        name, None, f"{quoted} {verb} not apply to generator {generator} (it takes: {takes}){hint}"
    )


def _check_coefficients(name: str, spec: Mapping[str, Any], n_features: int) -> None:
    """Either ``coef`` (n_features numbers) or ``n_informative`` with ``snr``."""
    given = {key for key in ("coef", "n_informative", "snr") if key in spec}
    if {"coef", "n_informative"} <= given:
        raise _error(name, None, "give either 'coef' or 'n_informative' with 'snr', not both")
    if "snr" in given and "n_informative" not in given:
        raise _error(
            name,
            "snr",
            "goes with 'n_informative' (how many leading features carry "
            "the signal); with 'coef', drop 'snr'",
        )
    if not given:
        raise _error(
            name,
            None,
            f"generator {spec['generator']} needs 'coef' (a list of "
            "n_features numbers) or 'n_informative' and 'snr'",
        )
    if "coef" in given:
        coef = spec["coef"]
        if isinstance(coef, str | bytes | Mapping) or not isinstance(coef, Sequence | np.ndarray):
            raise _error(name, "coef", f"must be a list of numbers, got {coef!r}")
        if len(coef) != n_features:
            raise _error(
                name,
                "coef",
                f"has {len(coef)} entries but n_features is {n_features}; "
                "give one coefficient per feature",
            )
        for value in coef:
            _real(name, "coef", value)
        return
    if "snr" not in given:
        raise _error(name, "n_informative", "needs 'snr' (signal variance / noise variance)")
    _integer(name, spec, "n_informative", 1, n_features)
    snr = _real(name, "snr", spec["snr"])
    if snr <= 0:
        raise _error(name, "snr", f"must be > 0, got {snr}")
    if spec.get("noise_sd", 1.0) == 0:
        raise _error(
            name,
            "noise_sd",
            "must be > 0 with 'snr' (snr = signal variance / "
            "noise_sd²); give a positive noise_sd, or explicit 'coef'",
        )


def _check_gaussian_noise(name: str, spec: Mapping[str, Any]) -> None:
    _integer(name, spec, "n_features", 1)


def _check_linear(name: str, spec: Mapping[str, Any]) -> None:
    n_features = _integer(name, spec, "n_features", 1)
    if "features" in spec and spec["features"] not in _LINEAR_FEATURES:
        raise _error(
            name,
            "features",
            f"must be one of {', '.join(_LINEAR_FEATURES)}, got {spec['features']!r}",
        )
    _non_negative(name, spec, "noise_sd", 1.0)
    _check_coefficients(name, spec, n_features)
    _real(name, "target_shift", spec.get("target_shift", 0.0))
    _non_negative(name, spec, "target_skew", 0.0)


def _check_correlated(name: str, spec: Mapping[str, Any]) -> None:
    n_features = _integer(name, spec, "n_features", 1)
    if "rho" not in spec:
        raise _error(name, "rho", "required by generator correlated; add a number in (-1, 1)")
    rho = _real(name, "rho", spec["rho"])
    if not -1 < rho < 1:
        raise _error(name, "rho", f"must be strictly between -1 and 1, got {rho}")
    try:
        _toeplitz_cholesky(n_features, rho)
    except np.linalg.LinAlgError:
        raise _error(
            name,
            "rho",
            f"{rho} is too close to ±1: the covariance of "
            f"{n_features} features is numerically singular",
        ) from None
    _non_negative(name, spec, "noise_sd", 1.0)
    _check_coefficients(name, spec, n_features)


def _check_friedman1(name: str, spec: Mapping[str, Any]) -> None:
    _integer(name, spec, "n_features", _FRIEDMAN_MIN_FEATURES)
    _non_negative(name, spec, "noise", 0.0)


def _check_rows(name: str, spec: Mapping[str, Any], n_available: int, source: str) -> None:
    n_rows = _n_rows(spec)
    if n_rows > n_available:
        raise _error(
            name,
            None,
            f"n_train + n_test = {n_rows} but {source} has only "
            f"{n_available} rows; lower n_train or n_test",
        )


def _check_diabetes(name: str, spec: Mapping[str, Any]) -> None:
    _check_rows(name, spec, _diabetes()[0].shape[0], "the diabetes data")


def _check_table(name: str, spec: Mapping[str, Any]) -> None:
    try:
        X, _, _ = _load_table(spec)
    except _TableError as error:
        raise _error(name, error.key, error.message) from None
    _check_rows(name, spec, X.shape[0], str(_table_path(spec)))


_CHECKS: dict[str, Callable[[str, Mapping[str, Any]], None]] = {
    "gaussian_noise": _check_gaussian_noise,
    "linear": _check_linear,
    "correlated": _check_correlated,
    "friedman1": _check_friedman1,
    "diabetes": _check_diabetes,
    "table": _check_table,
}


def check_scenario(name: str, spec: Mapping[str, Any]) -> None:
    """Check a scenario's spec before any job runs.

    Parameters
    ----------
    name : the scenario's name (for messages).
    spec : the scenario's config entry: ``generator``, ``n_train``, ``n_test`` and the
        keys :data:`GENERATOR_PARAMS` lists for the generator.

    Raises
    ------
    ValueError
        Whose message starts with ``scenarios.<name>.<key>: `` (or ``scenarios.<name>: ``)
        and says what is wrong and what to do. A ``table`` scenario's file is read (and
        cached) here, so a bad file fails before any job runs.
    """
    generator = spec.get("generator")
    if not isinstance(generator, str) or generator not in GENERATORS:
        known = ", ".join(sorted(GENERATORS))
        raise _error(name, "generator", f"unknown generator {generator!r}; use one of: {known}")
    for key in ("n_train", "n_test"):
        _integer(name, spec, key, 1)
    _check_unknown_keys(name, generator, spec)
    _CHECKS[generator](name, spec)


# ----------------------------------------------------------------------------- scenarios


class ScenarioDraws:
    """Each trial's dataset of one scenario point, drawn on demand from its seed.

    A trial job draws its own trials one by one, so memory does not grow with the
    number of trials and no data is stored; ``draws.trial(t)`` is exactly trial ``t``
    of :func:`generate_scenario`.

    Parameters
    ----------
    scenario : the scenario's name (for messages; the default ``seed_name``).
    spec : the scenario's config entry, checked with :func:`check_scenario` here.
    master_seed : the study's seed.
    seed_name : the name fed to the seeding functions (default: ``scenario``); the sweep
        points of one scenario pass the base scenario's name to share its trial seeds.
    """

    def __init__(
        self,
        scenario: str,
        spec: Mapping[str, Any],
        master_seed: int,
        seed_name: str | None = None,
    ) -> None:
        check_scenario(scenario, spec)
        self.spec = spec
        self.master_seed = master_seed
        self.seed_name = scenario if seed_name is None else seed_name
        self.n_train = int(spec["n_train"])
        self._generator = GENERATORS[spec["generator"]]
        first = self.dataset(0)
        self.feature_names = first.feature_names
        self.informative = first.informative

    def dataset(self, trial: int) -> Dataset:
        """Trial ``trial``'s table."""
        sequence = trial_seed_sequence(self.master_seed, self.seed_name, trial)
        return self._generator(np.random.default_rng(sequence), self.spec)

    def seed(self, trial: int) -> int:
        """The trial's integer seed (recorded, and given to unseeded estimators)."""
        return trial_seed(self.master_seed, self.seed_name, trial)

    def trial(self, trial: int) -> tuple[np.ndarray, np.ndarray, int]:
        """``(X, y, seed)`` of one trial."""
        dataset = self.dataset(trial)
        return dataset.X, dataset.y, self.seed(trial)


def generate_scenario(
    scenario: str,
    spec: Mapping[str, Any],
    master_seed: int,
    trials: int,
    seed_name: str | None = None,
) -> dict[str, np.ndarray]:
    """Draw the datasets of every trial of one scenario, stacked.

    Trial ``t`` is drawn from ``trial_seed_sequence(master_seed, seed_name, t)`` alone, so
    it does not depend on how many trials are drawn. (The workflow does not store these:
    each trial job draws its own trials with :class:`ScenarioDraws`.)

    Parameters
    ----------
    scenario, spec, master_seed, seed_name : as for :class:`ScenarioDraws`.
    trials : number of trials.

    Returns
    -------
    dict with ``X`` of shape (trials, n_rows, n_features), ``y`` of shape (trials, n_rows),
    ``seed`` of shape (trials,) int64, the scalar ``n_train``, ``feature_names`` (str) of
    shape (n_features,) and ``informative`` (int64) of shape (n_informative,), possibly
    empty.
    """
    if trials < 1:
        raise ValueError(f"trials must be >= 1, got {trials}")
    draws = ScenarioDraws(scenario, spec, master_seed, seed_name)
    datasets = [draws.dataset(t) for t in range(trials)]
    return {
        "X": np.stack([d.X for d in datasets]),
        "y": np.stack([d.y for d in datasets]),
        "seed": np.asarray([draws.seed(t) for t in range(trials)], dtype=np.int64),
        "n_train": np.asarray(spec["n_train"]),
        "feature_names": np.asarray(draws.feature_names, dtype=np.str_),
        "informative": np.asarray(draws.informative, dtype=np.int64),
    }
