"""A one-hidden-layer Keras network as a scikit-learn regressor.

:class:`KerasMLP` is the network of *How can I predict negative values accurately in
Keras regression models?* (2025-01-30): ``Input(p) → Dense(hidden_units, activation) →
Dense(1)``, trained with Adam on mean squared error or Huber loss. It runs on Keras 3
with the JAX backend on the CPU, and is deterministic given ``random_state``.

Keras and JAX come with the optional ``keras`` extra (``pip install -e '.[keras]'``).
Importing this module imports neither: they are imported on the first ``fit``, with
``KERAS_BACKEND=jax`` and ``JAX_PLATFORMS=cpu`` unless the environment sets them.

With ``activation="linear"`` the network has no nonlinearity: it computes
``(X W1 + b1) W2 + b2 = X (W1 W2) + (b1 W2 + b2)``, a linear function of the inputs,
so it can do no better than a linear regression fit with the same loss.
"""

from __future__ import annotations

import functools
import math
import numbers
import os
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils import check_scalar
from sklearn.utils.validation import check_is_fitted, validate_data

ACTIVATIONS = ("relu", "linear")
LOSSES = ("mse", "huber")
_MAX_SEED = 2**32 - 1


class KerasMLP(RegressorMixin, BaseEstimator):
    """Keras network ``Input(p) → Dense(hidden_units, activation) → Dense(1)``.

    Parameters
    ----------
    hidden_units : int, default 32
        Width of the hidden layer.
    activation : {"relu", "linear"}, default "relu"
        The hidden layer's activation; the output layer is always linear.
    loss : {"mse", "huber"}, default "mse"
        Mean squared error, or Keras' Huber loss with ``delta = 1``.
    epochs : int, default 50
    batch_size : int, default 32
    learning_rate : float, default 0.001
        Adam's step size (Keras' other Adam defaults).
    random_state : int in [0, 2**32) or None, default None
        Seeds the weight initialisers and the per-epoch shuffling of the minibatches,
        through seeds of their own (no global generator is touched). ``None`` draws a
        fresh seed from the operating system at each fit (not reproducible).

    Attributes
    ----------
    model_ : keras.Sequential
        The fitted network.
    loss_curve_ : list of float
        The training loss after each epoch.
    n_features_in_ : int

    Notes
    -----
    A fit whose training loss becomes NaN or infinite raises ``FloatingPointError``
    rather than leave a network that predicts NaN.
    """

    def __init__(
        self,
        hidden_units: int = 32,
        activation: str = "relu",
        loss: str = "mse",
        epochs: int = 50,
        batch_size: int = 32,
        learning_rate: float = 0.001,
        random_state: int | None = None,
    ) -> None:
        self.hidden_units = hidden_units
        self.activation = activation
        self.loss = loss
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> KerasMLP:
        """Train a fresh network on ``X`` (n_samples, n_features) and ``y`` (n_samples,).

        Raises
        ------
        TypeError
            For a parameter of the wrong type.
        ValueError
            For a parameter out of range or non-finite input.
        FloatingPointError
            When the training loss becomes NaN or infinite (the fit diverged).
        """
        self._check_params()
        X, y = validate_data(self, X, y, dtype=np.float32, y_numeric=True, reset=True)
        keras = _import_keras()
        init_seed_1, init_seed_2, shuffle_seed = _seeds(self.random_state)
        # check_scalar passes NumPy integers (Integral) and ints as rates (Real); Keras
        # takes neither: give it Python ints and floats.
        units, epochs, batch_size = int(self.hidden_units), int(self.epochs), int(self.batch_size)
        rate = float(self.learning_rate)
        model = keras.Sequential(
            [
                keras.Input((X.shape[1],)),
                keras.layers.Dense(
                    units,
                    activation=self.activation,
                    kernel_initializer=keras.initializers.GlorotUniform(seed=init_seed_1),
                ),
                keras.layers.Dense(
                    1, kernel_initializer=keras.initializers.GlorotUniform(seed=init_seed_2)
                ),
            ]
        )
        loss = keras.losses.Huber(delta=1.0) if self.loss == "huber" else "mse"
        model.compile(optimizer=keras.optimizers.Adam(rate), loss=loss)
        batches = _shuffled_batches(keras)(
            X, np.asarray(y, dtype=np.float32).reshape(-1, 1), batch_size, shuffle_seed
        )
        history = model.fit(batches, epochs=epochs, shuffle=False, verbose=0)
        curve = [float(value) for value in history.history["loss"]]
        _check_finite(curve, [keras.ops.convert_to_numpy(v.value) for v in model.weights])
        self.model_, self.loss_curve_ = model, curve
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predictions of shape (n_samples,), float64, for ``X`` (n_samples, n_features)."""
        check_is_fitted(self, "model_")
        X = validate_data(self, X, dtype=np.float32, reset=False)
        keras = _import_keras()
        out = keras.ops.convert_to_numpy(self.model_(X, training=False))
        return np.asarray(out, dtype=np.float64).reshape(-1)

    def _check_params(self) -> None:
        """Raise ``TypeError`` (wrong type) or ``ValueError`` (out of range) naming the
        first bad parameter, with scikit-learn's ``check_scalar``."""
        for name in ("hidden_units", "epochs", "batch_size"):
            _check_number(name, getattr(self, name), numbers.Integral, min_val=1)
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}, got {self.activation!r}")
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {self.loss!r}")
        _check_number(
            "learning_rate",
            self.learning_rate,
            numbers.Real,
            min_val=0,
            max_val=math.inf,
            include_boundaries="neither",
        )
        if math.isnan(self.learning_rate):  # NaN fails no comparison in check_scalar
            raise ValueError("learning_rate == nan, must be > 0.")
        if self.random_state is not None:
            _check_number(
                "random_state", self.random_state, numbers.Integral, min_val=0, max_val=_MAX_SEED
            )


def _check_number(name: str, value: Any, kind: type, **bounds: Any) -> None:
    """``check_scalar``, which takes ``True`` for the integer 1 and the number 1.0
    (``bool`` is ``Integral``): a flag where a count or rate belongs is a mistake."""
    if isinstance(value, bool):
        expected = "int" if kind is numbers.Integral else "float"  # check_scalar's words
        raise TypeError(f"{name} must be an instance of {expected}, not bool.")
    check_scalar(value, name, kind, **bounds)


def _seeds(random_state: int | None) -> tuple[int, int, int]:
    """Three independent seeds (two initialisers, the shuffling) from ``random_state``;
    from the operating system's entropy when it is ``None``."""
    sequence = np.random.SeedSequence(random_state)
    first, second, third = (int(s) for s in sequence.generate_state(3, dtype=np.uint32))
    return first, second, third


def _import_keras() -> Any:
    """Keras 3 on the JAX backend (CPU unless ``JAX_PLATFORMS`` says otherwise).

    Raises
    ------
    ImportError
        Without the ``keras`` extra, saying how to install it.
    RuntimeError
        When Keras was already loaded with another backend.
    """
    os.environ.setdefault("KERAS_BACKEND", "jax")
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    try:
        import keras
    except ImportError as error:
        raise ImportError(
            f"KerasMLP needs the keras extra: pip install -e '.[keras]' ({error})"
        ) from error
    backend = keras.backend.backend()
    if backend != "jax":
        raise RuntimeError(f"KerasMLP runs on the jax backend, but Keras uses {backend!r}")
    return keras


@functools.cache
def _shuffled_batches(keras: Any) -> type:
    """A ``keras.utils.PyDataset`` of minibatches in an order reshuffled every epoch by
    its own seeded generator. (Keras' ``shuffle=True`` draws from NumPy's global
    generator, which would have to be reseeded with ``keras.utils.set_random_seed``.)"""

    class ShuffledBatches(keras.utils.PyDataset):
        """Batches of ``X`` (n, p) and ``y`` (n, 1), like ``fit(shuffle=True)``."""

        def __init__(self, X: np.ndarray, y: np.ndarray, batch_size: int, seed: int) -> None:
            super().__init__()
            self.X, self.y, self.batch_size = X, y, batch_size
            self.rng = np.random.default_rng(seed)
            self.order = self.rng.permutation(len(X))

        def __len__(self) -> int:
            return -(-len(self.X) // self.batch_size)

        def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
            rows = self.order[index * self.batch_size : (index + 1) * self.batch_size]
            return self.X[rows], self.y[rows]

        def on_epoch_end(self) -> None:
            self.order = self.rng.permutation(len(self.X))

    return ShuffledBatches


def _check_finite(curve: list[float], weights: list[np.ndarray]) -> None:
    """Raise ``FloatingPointError`` if a loss of ``curve`` (one per epoch) or a weight is
    NaN or infinite."""
    bad = next((epoch for epoch, loss in enumerate(curve, 1) if not math.isfinite(loss)), None)
    if bad is not None:
        raise FloatingPointError(
            f"training diverged: loss {curve[bad - 1]} at epoch {bad}; "
            "lower learning_rate or scale the target"
        )
    if not all(np.isfinite(w).all() for w in weights):
        raise FloatingPointError("training diverged: a weight is not finite")
