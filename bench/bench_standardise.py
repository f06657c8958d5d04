#!/usr/bin/env python3
"""Time a trial's standardisation: one StandardScaler per fold, as negr2.trials does,
against a Pipeline(StandardScaler, the variant's columns, estimator) per variant.

    python bench/bench_standardise.py        # 160 training and 40 test rows, 8 features

Each way fits and predicts (test and training rows) every variant of one trial, for the
full model alone and with drop-one ablations (9 variants). Prints milliseconds a trial.
"""

from __future__ import annotations

import timeit
from collections.abc import Sequence

import numpy as np
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

RNG = np.random.default_rng(0)
X, Y = RNG.normal(size=(200, 8)), RNG.normal(size=200)
TRAIN, TEST = slice(0, 160), slice(160, 200)


def _pick(X: np.ndarray, cols: np.ndarray) -> np.ndarray:
    return X[:, cols]


def scaler_per_fold(estimator: type, variants: Sequence[np.ndarray]) -> None:
    """negr2.trials: scale every column once, then each variant picks its own."""
    scaler = StandardScaler().fit(X[TRAIN])
    train, test = scaler.transform(X[TRAIN]), scaler.transform(X[TEST])
    for cols in variants:
        model = estimator().fit(train[:, cols], Y[TRAIN])
        model.predict(test[:, cols]), model.predict(train[:, cols])


def pipeline_per_variant(estimator: type, variants: Sequence[np.ndarray]) -> None:
    """The same numbers through one Pipeline per variant."""
    for cols in variants:
        columns = FunctionTransformer(_pick, kw_args={"cols": cols})
        model = make_pipeline(StandardScaler(), columns, estimator()).fit(X[TRAIN], Y[TRAIN])
        model.predict(X[TEST]), model.predict(X[TRAIN])


def milliseconds(func, estimator: type, variants: Sequence[np.ndarray]) -> float:
    """The fastest of three runs of 200 trials, per trial."""
    runs = timeit.repeat(lambda: func(estimator, variants), number=200, repeat=3)
    return min(runs) / 200 * 1000


def main() -> None:
    every = np.arange(X.shape[1])
    cases = {
        "full model": [every],
        "drop-one (9 variants)": [every] + [np.delete(every, j) for j in every],
    }
    for estimator in (LinearRegression, DummyRegressor):
        for name, variants in cases.items():
            a = milliseconds(scaler_per_fold, estimator, variants)
            b = milliseconds(pipeline_per_variant, estimator, variants)
            print(
                f"{estimator.__name__:16} {name:21}: scaler per fold {a:.2f} ms, "
                f"Pipeline per variant {b:.2f} ms ({b / a:.1f}x)"
            )


if __name__ == "__main__":
    main()
