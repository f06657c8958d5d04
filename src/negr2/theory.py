"""Closed forms for the expected test R² on pure-noise data.

For ``gaussian_noise`` data (features and target independent standard normals),
``n`` training rows, ``m`` test rows and ``p`` features, with R² computed as
scikit-learn does (against the test mean):

* OLS with intercept: E[R²] = −(1 + m·(1/n + (1 + 1/n)·p/(n − p − 2))) / (m − 3)
* predicting the training mean: E[R²] = −(1 + m/n) / (m − 3)

Both are exact, not asymptotic. Write SST = Σ(yᵢ − ȳ_test)², which is σ²·χ²(m − 1)
and independent of ȳ_test and of everything fitted on the training split, so
E[1/SST] = 1/(σ²(m − 3)). SSE = SST + Q + (a cross term with zero mean given SST),
where Q = Σ(ȳ_test − ŷᵢ)² has E[Q] = σ²·m·(1/m + 1/n) for the training mean and
σ²·m·(1/m + 1/n + (1 + 1/n)·p/(n − p − 2)) for OLS (the inverse-Wishart mean gives
the last term). Hence E[R²] = −E[Q]/(σ²(m − 3)). OLS predictions do not change when
features are standardised on the training split, so the form holds with or without
``standard_scaler``.
"""

from __future__ import annotations


def ols_expected_r2(n_train: int, n_test: int, n_features: int) -> float:
    """Expected test R² of OLS with intercept on independent Gaussian noise."""
    n, m, p = n_train, n_test, n_features
    if m <= 3:
        raise ValueError(f"the closed form needs n_test > 3, got {m}")
    if n - p - 2 <= 0:
        raise ValueError(f"the closed form needs n_train > n_features + 2, got {n} and {p}")
    return -(1 + m * (1 / n + (1 + 1 / n) * p / (n - p - 2))) / (m - 3)


def mean_baseline_expected_r2(n_train: int, n_test: int) -> float:
    """Expected test R² of predicting the training mean, on independent Gaussian noise."""
    n, m = n_train, n_test
    if m <= 3:
        raise ValueError(f"the closed form needs n_test > 3, got {m}")
    return -(1 + m / n) / (m - 3)
