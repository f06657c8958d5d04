"""negr2.theory: the design value and a Monte-Carlo check of both closed forms."""

from __future__ import annotations

import numpy as np
import pytest

from negr2 import theory

N_SIM = 20_000
# Small test sets pin the 1/(m - 3) factor; few spare training rows (n - p - 2 = 8)
# pin the inverse-Wishart term p/(n - p - 2) and its (1 + 1/n).
SIZES = [(30, 12, 3), (16, 40, 6)]


def test_ols_design_value():
    # The published design: 160 training rows, 40 test rows, 9 features.
    assert theory.ols_expected_r2(160, 40, 9) == pytest.approx(-0.0995, abs=5e-4)


def test_mean_baseline_design_value_by_hand():
    # -(1 + 40/160) / 37
    assert theory.mean_baseline_expected_r2(160, 40) == pytest.approx(-1.25 / 37, rel=1e-12)


def _test_r2(y_test: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """R² of each row against that row's own test mean (scikit-learn's definition)."""
    sse = np.sum((y_test - y_pred) ** 2, axis=1)
    sst = np.sum((y_test - y_test.mean(axis=1, keepdims=True)) ** 2, axis=1)
    return 1 - sse / sst


def _noise(n: int, m: int, p: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng([n, m, p])
    return rng.normal(size=(N_SIM, n + m, p)), rng.normal(size=(N_SIM, n + m))


@pytest.mark.parametrize(("n", "m", "p"), SIZES)
def test_ols_closed_form_matches_monte_carlo(n, m, p):
    X, y = _noise(n, m, p)
    design = np.concatenate([np.ones((N_SIM, n + m, 1)), X], axis=2)  # intercept column
    A, b = design[:, :n], y[:, :n]
    # Least squares per trial (batched normal equations), spot-checked against lstsq.
    At = A.transpose(0, 2, 1)
    coef = np.linalg.solve(At @ A, At @ b[..., None])[..., 0]
    for t in (0, 1, N_SIM - 1):
        ref = np.linalg.lstsq(A[t], b[t], rcond=None)[0]
        np.testing.assert_allclose(coef[t], ref, rtol=1e-8, atol=1e-10)
    y_pred = np.einsum("tij,tj->ti", design[:, n:], coef)
    r2 = _test_r2(y[:, n:], y_pred)
    expected = theory.ols_expected_r2(n, m, p)
    se = r2.std(ddof=1) / np.sqrt(N_SIM)
    assert abs(r2.mean() - expected) < 4 * se, (r2.mean(), expected, se)


@pytest.mark.parametrize(("n", "m", "p"), SIZES)
def test_mean_baseline_closed_form_matches_monte_carlo(n, m, p):
    _, y = _noise(n, m, p)
    y_pred = np.broadcast_to(y[:, :n].mean(axis=1, keepdims=True), (N_SIM, m))
    r2 = _test_r2(y[:, n:], y_pred)
    assert np.all(r2 <= 0)  # a constant can never beat the test mean
    expected = theory.mean_baseline_expected_r2(n, m)
    se = r2.std(ddof=1) / np.sqrt(N_SIM)
    assert abs(r2.mean() - expected) < 4 * se, (r2.mean(), expected, se)


def test_ols_closed_form_by_hand():
    # n=30, m=12, p=3: -(1 + 12 * (1/30 + (31/30) * 3/25)) / 9
    assert theory.ols_expected_r2(30, 12, 3) == pytest.approx(-2.888 / 9, rel=1e-12)


def test_ols_closed_form_separates_from_baseline():
    # OLS pays for its p slopes: strictly worse than the mean baseline in expectation.
    for n, m, p in [(30, 12, 3), (160, 40, 9), (20, 100, 1)]:
        assert theory.ols_expected_r2(n, m, p) < theory.mean_baseline_expected_r2(n, m) < 0


@pytest.mark.parametrize(("n", "m", "p"), [(30, 3, 2), (30, 0, 2), (10, 12, 8), (5, 12, 4)])
def test_ols_invalid_sizes_raise(n, m, p):
    with pytest.raises(ValueError, match="closed form needs"):
        theory.ols_expected_r2(n, m, p)


def test_ols_smallest_valid_sizes_do_not_raise():
    assert np.isfinite(theory.ols_expected_r2(11, 4, 8))


@pytest.mark.parametrize("m", [3, 2, 0])
def test_mean_baseline_invalid_test_size_raises(m):
    with pytest.raises(ValueError, match="n_test > 3"):
        theory.mean_baseline_expected_r2(30, m)
