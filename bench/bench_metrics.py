#!/usr/bin/env python3
"""Time negr2.metrics' r2, rmse, mae and medae against scikit-learn's, on trial-sized splits.

    python bench/bench_metrics.py            # 10,000 calls each, best of 3

Every trial scores each fold and variant with these, so their cost is per trial;
negr2.metrics keeps its own versions while scikit-learn's are slower (see its
docstring). Prints one line per metric and split size.
"""

from __future__ import annotations

import argparse
import timeit

import numpy as np
from sklearn.metrics import (
    mean_absolute_error,
    median_absolute_error,
    r2_score,
    root_mean_squared_error,
)

from negr2 import metrics

PAIRS = {
    "r2": (metrics.r2, r2_score),
    "rmse": (metrics.rmse, root_mean_squared_error),
    "mae": (metrics.mae, mean_absolute_error),
    "medae": (metrics.medae, median_absolute_error),
}


def best_seconds(func, y_true: np.ndarray, y_pred: np.ndarray, calls: int) -> float:
    """The fastest of three runs of ``calls`` calls, in seconds."""
    return min(timeit.repeat(lambda: func(y_true, y_pred), number=calls, repeat=3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10_000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    for rows in (40, 200):  # the default study's test split, and a larger one
        y_true, y_pred = rng.normal(size=rows), rng.normal(size=rows)
        for name, (ours, sklearn) in PAIRS.items():
            a = best_seconds(ours, y_true, y_pred, args.calls)
            b = best_seconds(sklearn, y_true, y_pred, args.calls)
            print(
                f"{rows:>4} rows, {name:<5}: negr2 {a:.3f} s, scikit-learn {b:.3f} s "
                f"per {args.calls:,} calls ({b / a:.0f}x)"
            )


if __name__ == "__main__":
    main()
