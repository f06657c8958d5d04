"""negr2.generators: shapes, reproducibility, chunk invariance and the noise itself."""

from __future__ import annotations

import numpy as np
import pytest

from negr2 import generators
from negr2.seeding import trial_seed, trial_seed_sequence

SPEC = {"generator": "gaussian_noise", "n_train": 16, "n_test": 8, "n_features": 3}


def test_shapes_and_dtypes():
    data = generators.generate_scenario("noise", SPEC, master_seed=1, trials=5)
    assert data["X"].shape == (5, 24, 3)
    assert data["y"].shape == (5, 24)
    assert data["seed"].shape == (5,)
    assert data["seed"].dtype == np.int64
    assert int(data["n_train"]) == 16
    assert data["X"].dtype == np.float64 and data["y"].dtype == np.float64


def test_seeds_are_the_trial_seeds():
    data = generators.generate_scenario("noise", SPEC, master_seed=3, trials=4)
    assert data["seed"].tolist() == [trial_seed(3, "noise", t) for t in range(4)]


def test_same_inputs_same_arrays():
    a = generators.generate_scenario("noise", SPEC, master_seed=7, trials=3)
    b = generators.generate_scenario("noise", SPEC, master_seed=7, trials=3)
    for key in ("X", "y", "seed"):
        np.testing.assert_array_equal(a[key], b[key])


@pytest.mark.parametrize(
    ("scenario", "master"), [("other", 7), ("noise", 8)], ids=["scenario", "master-seed"]
)
def test_different_scenario_or_seed_different_data(scenario, master):
    a = generators.generate_scenario("noise", SPEC, master_seed=7, trials=3)
    b = generators.generate_scenario(scenario, SPEC, master_seed=master, trials=3)
    assert not np.allclose(a["X"], b["X"])
    assert not np.allclose(a["y"], b["y"])


def test_trials_differ_from_each_other():
    data = generators.generate_scenario("noise", SPEC, master_seed=7, trials=3)
    assert not np.allclose(data["X"][0], data["X"][1])
    assert not np.allclose(data["y"][1], data["y"][2])


def test_trial_data_does_not_depend_on_number_of_trials():
    # The chunking / --cores invariance: trial t is the same however many are drawn.
    five = generators.generate_scenario("noise", SPEC, master_seed=11, trials=5)
    ten = generators.generate_scenario("noise", SPEC, master_seed=11, trials=10)
    np.testing.assert_array_equal(five["X"], ten["X"][:5])
    np.testing.assert_array_equal(five["y"], ten["y"][:5])
    np.testing.assert_array_equal(five["seed"], ten["seed"][:5])


def test_target_is_last_column_of_one_normal_table():
    # The post draws one (n, p + 1) table per trial and takes its last column as y.
    data = generators.generate_scenario("noise", SPEC, master_seed=2, trials=2)
    rng = np.random.default_rng(trial_seed_sequence(2, "noise", 1))
    table = rng.normal(size=(24, 4))
    np.testing.assert_array_equal(data["X"][1], table[:, :3])
    np.testing.assert_array_equal(data["y"][1], table[:, 3])


@pytest.fixture(scope="module")
def big():
    spec = {"generator": "gaussian_noise", "n_train": 400, "n_test": 100, "n_features": 8}
    return generators.generate_scenario("big", spec, master_seed=99, trials=40)  # 20 000 rows


def test_data_is_standard_normal(big):
    X = big["X"].reshape(-1, 8)
    y = big["y"].ravel()
    n = y.size
    for column in [*X.T, y]:
        assert abs(column.mean()) < 5 / np.sqrt(n)  # 5 standard errors
        assert column.std() == pytest.approx(1.0, abs=0.03)
    # Tails of a normal, not of a uniform: about 4.55 % beyond 2 sd.
    assert np.mean(np.abs(y) > 2) == pytest.approx(0.0455, abs=0.01)


def test_target_independent_of_features(big):
    X = big["X"].reshape(-1, 8)
    y = big["y"].ravel()
    corr = np.corrcoef(np.column_stack([X, y]), rowvar=False)
    assert np.max(np.abs(corr[-1, :-1])) < 5 / np.sqrt(y.size)
    assert np.max(np.abs(corr[:-1, :-1] - np.eye(8))) < 5 / np.sqrt(y.size)


def test_unknown_generator_raises_naming_it():
    spec = {**SPEC, "generator": "uniform_noise"}
    with pytest.raises(ValueError, match=r"scenarios\.noise\.generator.*'uniform_noise'"):
        generators.generate_scenario("noise", spec, master_seed=1, trials=2)


@pytest.mark.parametrize("trials", [0, -1])
def test_needs_at_least_one_trial(trials):
    with pytest.raises(ValueError, match="trials must be >= 1"):
        generators.generate_scenario("noise", SPEC, master_seed=1, trials=trials)
