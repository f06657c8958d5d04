"""negr2.models.KerasMLP: the Keras network as a scikit-learn regressor.

These tests fit real networks (a few epochs on tiny data). They need the ``keras``
extra: without it they are skipped locally and fail in CI (``CI=true``), where
``make test`` installs ``.[dev,keras]``.
"""

from __future__ import annotations

import importlib.util
import random

import numpy as np
import pytest
from conftest import in_ci
from sklearn.base import clone, is_regressor
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

from negr2 import columns, generators, models, trials
from negr2.models import KerasMLP

# Each test trains networks for seconds: out of the fast lane.
pytestmark = pytest.mark.slow

HAVE_KERAS = all(importlib.util.find_spec(name) is not None for name in ("keras", "jax"))
if not HAVE_KERAS:
    if in_ci():
        pytest.fail(
            "the keras extra is missing in CI: make test installs '.[dev,keras]'", pytrace=False
        )
    pytest.skip("needs the keras extra: pip install -e '.[keras]'", allow_module_level=True)

# The study's three networks (preprocessing aside), trained for 3 epochs only.
VARIANTS = {
    "naive": {"activation": "relu", "loss": "mse"},
    "improved": {"activation": "linear", "loss": "mse"},
    "final": {"activation": "linear", "loss": "huber"},
}
PARAMS = (
    "activation",
    "batch_size",
    "epochs",
    "hidden_units",
    "learning_rate",
    "loss",
    "random_state",
)


@pytest.fixture(scope="module")
def tiny():
    """A seeded linear dataset, 48 training and 12 test rows of 5 features:
    X_train (48, 5), y_train (48,), X_test (12, 5)."""
    rng = np.random.default_rng(20250130)
    X = rng.random((60, 5))
    y = X @ np.array([2, -1.5, 0.5, 0.2, -0.7]) + rng.standard_normal(60)
    return X[:48], y[:48], X[48:]


def _fit(tiny, **params):
    X_train, y_train, _ = tiny
    return KerasMLP(epochs=3, batch_size=16, random_state=7, **params).fit(X_train, y_train)


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_two_fits_with_one_seed_predict_the_same(tiny, variant):
    _, _, X_test = tiny
    first = _fit(tiny, **VARIANTS[variant]).predict(X_test)
    second = _fit(tiny, **VARIANTS[variant]).predict(X_test)
    np.testing.assert_array_equal(first, second)
    assert first.shape == (12,) and first.dtype == np.float64
    assert np.isfinite(first).all()


def test_another_seed_gives_another_network(tiny):
    _, _, X_test = tiny
    a = _fit(tiny).predict(X_test)
    b = KerasMLP(epochs=3, batch_size=16, random_state=8).fit(*tiny[:2]).predict(X_test)
    assert not np.array_equal(a, b)


def test_fit_records_the_loss_of_every_epoch(tiny):
    fitted = _fit(tiny, activation="linear")
    assert len(fitted.loss_curve_) == 3
    assert all(np.isfinite(fitted.loss_curve_))
    assert fitted.n_features_in_ == 5


def test_sklearn_contract(tiny):
    X_train, y_train, X_test = tiny
    estimator = KerasMLP(hidden_units=8, activation="linear", loss="huber", epochs=2)
    assert is_regressor(estimator)
    params = estimator.get_params()
    assert sorted(params) == sorted(PARAMS)
    assert params["hidden_units"] == 8 and params["random_state"] is None
    twin = clone(estimator)
    assert twin is not estimator and twin.get_params() == params
    round_trip = KerasMLP().set_params(**params)
    assert round_trip.get_params() == params
    with pytest.raises(NotFittedError):
        estimator.predict(X_test)
    assert estimator.set_params(random_state=3).fit(X_train, y_train) is estimator
    assert estimator.predict(X_test).shape == (len(X_test),)
    assert estimator.predict(X_train[:1]).shape == (1,)
    assert isinstance(estimator.score(X_test, estimator.predict(X_test)), float)
    # A clone of a fitted estimator is unfitted, with the same parameters.
    with pytest.raises(NotFittedError):
        clone(estimator).predict(X_test)


def test_defaults_are_the_posts_network():
    assert KerasMLP().get_params() == {
        "hidden_units": 32,
        "activation": "relu",
        "loss": "mse",
        "epochs": 50,
        "batch_size": 32,
        "learning_rate": 0.001,
        "random_state": None,
    }


def test_network_layers_loss_and_optimiser(tiny):
    import keras

    fitted = _fit(tiny, hidden_units=4, activation="relu", loss="huber", learning_rate=0.01)
    hidden, output = fitted.model_.layers
    assert hidden.units == 4 and hidden.activation is keras.activations.relu
    assert output.units == 1 and output.activation is keras.activations.linear
    assert isinstance(fitted.model_.loss, keras.losses.Huber)
    # delta = 1: 0.5 e² for |e| <= 1, |e| - 0.5 beyond; errors 0.5 and 3.
    value = fitted.model_.loss(np.zeros((2, 1)), np.array([[0.5], [3.0]]))
    assert float(value) == pytest.approx((0.125 + 2.5) / 2)
    assert isinstance(fitted.model_.optimizer, keras.optimizers.Adam)
    assert float(fitted.model_.optimizer.learning_rate) == pytest.approx(0.01)
    assert keras.backend.backend() == "jax"


def test_linear_network_computes_a_linear_function(tiny):
    """No nonlinearity: the prediction is X (W1 W2) + (b1 W2 + b2)."""
    _, _, X_test = tiny
    fitted = _fit(tiny, activation="linear")
    W1, b1, W2, b2 = (np.asarray(w.value, dtype=np.float64) for w in fitted.model_.weights)
    expected = X_test @ (W1 @ W2).ravel() + float(b1 @ W2.ravel() + b2[0])
    np.testing.assert_allclose(fitted.predict(X_test), expected, rtol=1e-5, atol=1e-5)


def test_build_estimator_injects_the_trial_seed():
    estimator = models.build_estimator({"estimator": "negr2.models.KerasMLP"}, seed=4242)
    assert isinstance(estimator, KerasMLP) and estimator.random_state == 4242
    kept = models.build_estimator(
        {"estimator": "negr2.models.KerasMLP", "params": {"random_state": 1}}, seed=4242
    )
    assert kept.random_state == 1


def test_fit_leaves_pythons_global_generator_alone(tiny):
    state = random.getstate()
    _fit(tiny)
    assert random.getstate() == state


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"hidden_units": 0}, ValueError, "hidden_units == 0, must be >= 1."),
        ({"hidden_units": 2.5}, TypeError, "hidden_units must be an instance of int, not float."),
        ({"epochs": True}, TypeError, "epochs must be an instance of int, not bool."),
        ({"batch_size": -1}, ValueError, "batch_size == -1, must be >= 1."),
        ({"activation": "tanh"}, ValueError, "activation must be one of ('relu', 'linear'), "),
        ({"loss": "mae"}, ValueError, "loss must be one of ('mse', 'huber'), got 'mae'"),
        ({"learning_rate": 0}, ValueError, "learning_rate == 0, must be > 0."),
        ({"learning_rate": -1e-3}, ValueError, "learning_rate == -0.001, must be > 0."),
        ({"learning_rate": float("nan")}, ValueError, "learning_rate == nan, must be > 0."),
        ({"learning_rate": float("inf")}, ValueError, "learning_rate == inf, must be < inf."),
        ({"learning_rate": True}, TypeError, "learning_rate must be an instance of float, not"),
        ({"learning_rate": "0.1"}, TypeError, "learning_rate must be an instance of float, not"),
        ({"random_state": -1}, ValueError, "random_state == -1, must be >= 0."),
        ({"random_state": 2**32}, ValueError, "random_state == 4294967296, must be <= 4294967295."),
        ({"random_state": 1.0}, TypeError, "random_state must be an instance of int, not float."),
    ],
)
def test_bad_parameters_raise_before_fitting(tiny, params, error, message):
    with pytest.raises(error) as info:
        KerasMLP(**params).fit(*tiny[:2])
    assert str(info.value).startswith(message)


@pytest.mark.parametrize(
    "params",
    [
        {"hidden_units": np.int64(3), "epochs": 1, "batch_size": 8},  # NumPy integers
        {"learning_rate": np.float32(0.01), "epochs": 1, "random_state": 2**32 - 1},
        {"learning_rate": 1, "epochs": 1, "random_state": 0},  # an int is a number
    ],
)
def test_good_parameters_at_their_bounds_fit(tiny, params):
    assert KerasMLP(**params).fit(*tiny[:2]).predict(tiny[2]).shape == (12,)


# Predictions are float32, the network's precision: the rows of a batch, a subset or a
# reordering are summed in other orders and differ by ~2e-7 relative, more than these
# checks' tolerance of 1e-7 (a float64 estimator's).
FLOAT32_ROUNDING = "float32 predictions: rows predicted in another batch differ by ~2e-7"


@parametrize_with_checks(
    # Enough training (20 epochs at rate 0.01) to learn check_regressors_train's data.
    [KerasMLP(hidden_units=8, epochs=20, learning_rate=0.01, random_state=0)],
    expected_failed_checks=lambda _: {
        "check_methods_subset_invariance": FLOAT32_ROUNDING,
        "check_methods_sample_order_invariance": FLOAT32_ROUNDING,
    },
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_bad_input_raises(tiny):
    X_train, y_train, X_test = tiny
    with pytest.raises(ValueError, match="infinity"):
        KerasMLP(epochs=1).fit(X_train, np.where(np.arange(48) == 3, np.inf, y_train))
    fitted = _fit(tiny)
    with pytest.raises(ValueError, match="features"):
        fitted.predict(X_test[:, :4])


def test_divergence_raises(tiny):
    with pytest.raises(FloatingPointError, match="training diverged"):
        KerasMLP(epochs=5, batch_size=4, learning_rate=1e30, random_state=1).fit(*tiny[:2])


def test_diverging_fit_is_a_failed_trial_not_a_crash():
    spec = {"generator": "linear", "n_train": 16, "n_test": 8, "n_features": 2}
    spec |= {"coef": [1e4, -1e4]}
    data = generators.generate_scenario("tiny", spec, master_seed=1, trials=2)
    model = {"estimator": "negr2.models.KerasMLP", "params": {"epochs": 3, "batch_size": 4}}
    diverging = {**model, "params": {**model["params"], "learning_rate": 1e30}}
    for spec_, status in ((diverging, "failed"), (model, "ok")):
        job = trials.CellJob("tiny", "tiny", "Net", "Net", spec_, "none")
        out = trials.run_cell(data, job, range(2))
        assert out["status"].tolist() == [status, status]
    failed = trials.run_cell(data, trials.CellJob("t", "t", "N", "N", diverging), range(1))
    assert failed["error"].iloc[0].startswith("FloatingPointError: training diverged")
    assert failed[list(columns.SCORES)].isna().all().all()
