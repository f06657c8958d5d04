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


# ------------------------------------------------------------------ the other generators

KERAS_COEF = [2.0, -1.5, 0.5, 0.2, -0.7]

SPECS = {
    "gaussian_noise": SPEC,
    "linear": {
        "generator": "linear",
        "n_train": 16,
        "n_test": 8,
        "n_features": 4,
        "n_informative": 2,
        "snr": 1.0,
    },
    "correlated": {
        "generator": "correlated",
        "n_train": 16,
        "n_test": 8,
        "n_features": 4,
        "rho": 0.5,
        "coef": [1.0, 0.0, -2.0, 0.5],
    },
    "friedman1": {
        "generator": "friedman1",
        "n_train": 16,
        "n_test": 8,
        "n_features": 6,
        "noise": 0.5,
    },
    "diabetes": {"generator": "diabetes", "n_train": 16, "n_test": 8},
}


def draw(spec, trials=1, master_seed=0, name="s"):
    return generators.generate_scenario(name, spec, master_seed=master_seed, trials=trials)


def ols(X, y):
    """Intercept and coefficients of least squares with an intercept."""
    design = np.column_stack([np.ones(len(y)), X])
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    return beta[0], beta[1:]


def test_the_registry_finds_each_family_in_its_own_module():
    found = generators.builtins()
    assert set(found) == set(SPECS) | {"table"}
    for name, generator in found.items():
        assert generator.name == name
        assert type(generator).__module__ == f"negr2.generators.{name}"
        assert generators.builtin(name) is generator
    assert generators.builtin("mylab.data.waves") is None  # not imported, not built in


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_informed_says_whether_the_draws_name_informative_features(kind):
    informative = draw(SPECS[kind])["informative"]
    assert generators.builtins()[kind].informed == (informative.size > 0)


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_every_key_of_an_example_is_declared(kind):
    declared = set(generators.builtins()[kind].params) | generators.COMMON_KEYS
    assert set(SPECS[kind]) <= declared


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_shapes_dtypes_and_names(kind):
    data = draw(SPECS[kind], trials=3)
    p = data["X"].shape[2]
    assert data["X"].shape == (3, 24, p) and data["y"].shape == (3, 24)
    assert data["X"].dtype == np.float64 and data["y"].dtype == np.float64
    assert data["seed"].dtype == np.int64 and int(data["n_train"]) == 16
    assert data["feature_names"].shape == (p,) and data["feature_names"].dtype.kind == "U"
    assert data["informative"].dtype == np.int64
    assert np.all((data["informative"] >= 0) & (data["informative"] < p))


def test_gaussian_noise_names_and_no_informative():
    data = draw(SPEC)
    assert data["feature_names"].tolist() == ["x0", "x1", "x2"]
    assert data["informative"].shape == (0,)


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_every_generator_is_chunk_invariant_and_deterministic(kind):
    ten = draw(SPECS[kind], trials=10, master_seed=5)
    three = draw(SPECS[kind], trials=3, master_seed=5)
    again = draw(SPECS[kind], trials=3, master_seed=5)
    for key in ("X", "y", "seed"):
        np.testing.assert_array_equal(three[key], ten[key][:3])
        np.testing.assert_array_equal(three[key], again[key])
    assert not np.array_equal(ten["y"][0], ten["y"][1])


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_seed_name_shares_trial_seeds(kind):
    spec = SPECS[kind]
    base = generators.generate_scenario("base", spec, master_seed=2, trials=4)
    point = generators.generate_scenario("base_p1", spec, 2, 4, seed_name="base")
    own = generators.generate_scenario("base_p1", spec, 2, 4)
    np.testing.assert_array_equal(point["seed"], base["seed"])
    np.testing.assert_array_equal(point["X"], base["X"])
    assert point["seed"].tolist() == [trial_seed(2, "base", t) for t in range(4)]
    assert not np.array_equal(own["seed"], base["seed"])


def test_dataset_rejects_inconsistent_parts():
    with pytest.raises(ValueError, match="feature names"):
        generators.Dataset(np.zeros((4, 2)), np.zeros(4), ("a",), ())
    with pytest.raises(ValueError, match="do not match"):
        generators.Dataset(np.zeros((4, 2)), np.zeros(3), ("a", "b"), ())
    with pytest.raises(ValueError, match="out of range"):
        generators.Dataset(np.zeros((4, 2)), np.zeros(4), ("a", "b"), (2,))


def test_keras_seed_data_recovers_coef_by_ols():
    spec = {
        "generator": "linear",
        "n_train": 199_000,
        "n_test": 1_000,
        "n_features": 5,
        "features": "uniform",
        "coef": KERAS_COEF,
        "noise_sd": 1.0,
    }
    data = draw(spec)
    X, y = data["X"][0], data["y"][0]
    assert X.min() >= 0 and X.max() < 1
    np.testing.assert_allclose(X.var(axis=0), 1 / 12, rtol=0.02)
    intercept, coef = ols(X, y)
    # Standard error of each coefficient: sqrt(12 / n) ≈ 0.008; allow 5 of them.
    np.testing.assert_allclose(coef, KERAS_COEF, atol=0.04)
    assert abs(intercept) < 0.05
    assert np.std(y - X @ np.asarray(KERAS_COEF)) == pytest.approx(1.0, abs=0.01)
    assert data["informative"].tolist() == [0, 1, 4, 2, 3]  # by |coef|
    assert data["feature_names"].tolist() == ["x0", "x1", "x2", "x3", "x4"]


def test_linear_with_zero_noise_is_exact():
    spec = {
        "generator": "linear",
        "n_train": 10,
        "n_test": 5,
        "n_features": 3,
        "coef": [1.0, 0.0, -3.0],
        "noise_sd": 0,
    }
    data = draw(spec)
    np.testing.assert_allclose(data["y"][0], data["X"][0] @ [1.0, 0.0, -3.0])
    assert data["informative"].tolist() == [2, 0]


def test_informative_ties_go_to_the_lower_index():
    spec = {
        "generator": "linear",
        "n_train": 4,
        "n_test": 2,
        "n_features": 5,
        "coef": [0, 1, -1, 0, 2],
    }
    assert draw(spec)["informative"].tolist() == [4, 1, 2]


@pytest.mark.parametrize(("features", "variance"), [("normal", 1.0), ("uniform", 1 / 12)])
def test_linear_snr_sets_equal_leading_coefficients(features, variance):
    k, snr, noise_sd = 3, 2.0, 0.5
    spec = {
        "generator": "linear",
        "n_train": 100_000,
        "n_test": 100,
        "n_features": 6,
        "features": features,
        "n_informative": k,
        "snr": snr,
        "noise_sd": noise_sd,
    }
    data = draw(spec)
    X, y = data["X"][0], data["y"][0]
    c = np.sqrt(snr * noise_sd**2 / (k * variance))  # k c² variance = snr noise_sd²
    _, coef = ols(X, y)
    se = noise_sd / np.sqrt(variance * len(y))
    np.testing.assert_allclose(coef, [c, c, c, 0, 0, 0], atol=5 * se)
    signal = X @ np.array([c, c, c, 0, 0, 0])
    assert np.var(signal) / np.var(y - signal) == pytest.approx(snr, rel=0.03)
    assert data["informative"].tolist() == [0, 1, 2]


def toeplitz(p, rho):
    return np.array([[rho ** abs(i - j) for j in range(p)] for i in range(p)])


@pytest.mark.parametrize("rho", [0.6, -0.4])
def test_correlated_features_have_toeplitz_correlation(rho):
    coef = [1.0, 0.0, -2.0, 0.5]
    spec = {
        "generator": "correlated",
        "n_train": 100_000,
        "n_test": 100,
        "n_features": 4,
        "rho": rho,
        "coef": coef,
    }
    data = draw(spec)
    X, y = data["X"][0], data["y"][0]
    np.testing.assert_allclose(np.corrcoef(X, rowvar=False), toeplitz(4, rho), atol=0.015)
    np.testing.assert_allclose(X.std(axis=0), 1.0, atol=0.01)
    _, fitted = ols(X, y)
    np.testing.assert_allclose(fitted, coef, atol=0.03)
    assert data["informative"].tolist() == [2, 0, 3]


def test_correlated_snr_accounts_for_the_covariance():
    rho, k, snr = 0.5, 2, 1.5
    spec = {
        "generator": "correlated",
        "n_train": 100_000,
        "n_test": 100,
        "n_features": 4,
        "rho": rho,
        "n_informative": k,
        "snr": snr,
    }
    data = draw(spec)
    X, y = data["X"][0], data["y"][0]
    pattern = np.array([1.0, 1.0, 0.0, 0.0])
    c = np.sqrt(snr / (pattern @ toeplitz(4, rho) @ pattern))  # noise_sd = 1
    coef = c * pattern
    assert coef @ toeplitz(4, rho) @ coef == pytest.approx(snr)
    _, fitted = ols(X, y)
    np.testing.assert_allclose(fitted, coef, atol=0.03)
    assert np.var(X @ coef) / np.var(y - X @ coef) == pytest.approx(snr, rel=0.03)


def test_friedman1_is_make_friedman1_with_a_drawn_random_state():
    from sklearn.datasets import make_friedman1

    spec = SPECS["friedman1"]
    data = draw(spec, trials=2, master_seed=4)
    for trial in range(2):
        rng = np.random.default_rng(trial_seed_sequence(4, "s", trial))
        state = int(rng.integers(2**32))
        X, y = make_friedman1(n_samples=24, n_features=6, noise=0.5, random_state=state)
        np.testing.assert_array_equal(data["X"][trial], X)
        np.testing.assert_array_equal(data["y"][trial], y)
    assert data["informative"].tolist() == [0, 1, 2, 3, 4]
    assert data["feature_names"].tolist() == [f"x{j}" for j in range(6)]


def rows_of(sample, table):
    """Index in ``table`` of each row of ``sample`` (each must occur exactly once)."""
    matches = [np.flatnonzero(np.all(table == row, axis=1)) for row in sample]
    assert all(len(m) == 1 for m in matches)
    return np.array([m[0] for m in matches])


def test_diabetes_trials_are_random_splits_of_the_dataset():
    from sklearn.datasets import load_diabetes

    full = load_diabetes(scaled=False)
    data = draw(SPECS["diabetes"], trials=3)
    assert data["feature_names"].tolist() == list(full.feature_names)
    assert data["feature_names"][:3].tolist() == ["age", "sex", "bmi"]
    assert data["informative"].shape == (0,)
    subsets = []
    for trial in range(3):
        rows = rows_of(data["X"][trial], full.data)
        assert len(set(rows)) == 24  # distinct rows
        np.testing.assert_array_equal(data["y"][trial], full.target[rows])
        subsets.append(rows)
    assert not np.array_equal(subsets[0], subsets[1])


def test_diabetes_can_use_every_row():
    from sklearn.datasets import load_diabetes

    full = load_diabetes(scaled=False)
    data = draw({"generator": "diabetes", "n_train": 400, "n_test": 42})
    rows = rows_of(data["X"][0], full.data)
    assert sorted(rows) == list(range(442))
    assert not np.array_equal(rows, np.arange(442))  # shuffled


# ------------------------------------------------------------------------------- tables


def write_table(tmp_path, name="data.csv", frame=None):
    import pandas as pd

    if frame is None:
        rng = np.random.default_rng(0)
        frame = pd.DataFrame(
            {
                "a": rng.normal(size=30),
                "b": rng.integers(0, 9, 30),
                "y": rng.normal(size=30),
                "c": rng.normal(size=30),
            }
        )
    path = tmp_path / name
    if name.endswith(".csv"):
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path)
    return path


def table_spec(path, **extra):
    return {
        "generator": "table",
        "n_train": 12,
        "n_test": 6,
        "path": str(path),
        "target": "y",
        **extra,
    }


@pytest.mark.parametrize(
    ("name", "features", "expected"),
    [
        ("data.csv", None, ["a", "b", "c"]),
        ("data.parquet", ["c", "a"], ["c", "a"]),
        ("data.pq", ["b"], ["b"]),
    ],
)
def test_table_trials_are_random_splits_of_the_file(tmp_path, name, features, expected):
    import pandas as pd

    path = write_table(tmp_path, name)
    extra = {} if features is None else {"columns": features}
    data = draw(table_spec(path, **extra), trials=3)
    frame = pd.read_csv(path) if name.endswith(".csv") else pd.read_parquet(path)
    assert data["feature_names"].tolist() == expected
    assert data["informative"].shape == (0,)
    assert data["X"].shape == (3, 18, len(expected))
    whole = frame[expected + ["y"]].to_numpy(dtype=float)
    for trial in range(3):
        rows = rows_of(np.column_stack([data["X"][trial], data["y"][trial]]), whole)
        assert len(set(rows)) == 18
    assert not np.array_equal(data["y"][0], data["y"][1])


def test_table_path_is_relative_to_the_working_directory(tmp_path, monkeypatch):
    write_table(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert draw(table_spec("data.csv"))["X"].shape == (1, 18, 3)


def test_table_is_read_again_when_the_file_changes(tmp_path):
    import os

    import pandas as pd

    path = write_table(tmp_path, frame=pd.DataFrame({"x": np.arange(20.0), "y": 0.0}))
    assert set(draw(table_spec(path))["y"][0]) == {0.0}
    pd.DataFrame({"x": np.arange(20.0), "y": 1.0}).to_csv(path, index=False)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # a visibly newer file
    assert set(draw(table_spec(path))["y"][0]) == {1.0}


def test_only_a_table_reads_a_file_that_its_trials_depend_on(tmp_path):
    path = write_table(tmp_path)
    assert generators.builtins()["table"].input_files(table_spec(path)) == [str(path)]
    for kind, spec in SPECS.items():
        assert generators.builtins()[kind].input_files(spec) == []


def test_table_with_too_few_rows_says_how_many(tmp_path):
    path = write_table(tmp_path)
    spec = {**table_spec(path), "n_train": 25, "n_test": 6}
    with pytest.raises(ValueError, match=r"^scenarios\.t: n_train \+ n_test = 31 .* only 30 rows"):
        generators.check_scenario("t", spec)


def test_table_errors_name_the_problem(tmp_path):
    import pandas as pd

    check = generators.check_scenario
    path = write_table(tmp_path)
    missing = tmp_path / "nope.csv"
    with pytest.raises(ValueError, match=rf"^scenarios\.t\.path: no such file: {missing}"):
        check("t", table_spec(missing))
    (tmp_path / "data.txt").write_text("a,y\n1,2\n")
    with pytest.raises(ValueError, match=r"^scenarios\.t\.path: .*unsupported file type '\.txt'"):
        check("t", table_spec(tmp_path / "data.txt"))
    (tmp_path / "bad.parquet").write_text("not parquet")
    with pytest.raises(ValueError, match=r"^scenarios\.t\.path: cannot read .*bad\.parquet"):
        check("t", table_spec(tmp_path / "bad.parquet"))
    with pytest.raises(ValueError, match=r"^scenarios\.t\.target: no column 'z' .*: a, b, y, c"):
        check("t", {**table_spec(path), "target": "z"})
    with pytest.raises(ValueError, match=r"^scenarios\.t\.columns: no column 'd'"):
        check("t", table_spec(path, columns=["a", "d"]))
    with pytest.raises(ValueError, match=r"^scenarios\.t\.columns: lists the target 'y'"):
        check("t", table_spec(path, columns=["a", "y"]))
    with pytest.raises(ValueError, match=r"^scenarios\.t\.columns: must be a non-empty list"):
        check("t", table_spec(path, columns="a"))
    spec = table_spec(path)
    for key in ("path", "target"):
        reduced = {k: v for k, v in spec.items() if k != key}
        with pytest.raises(ValueError, match=rf"^scenarios\.t\.{key}: required"):
            check("t", reduced)

    frame = pd.DataFrame(
        {
            "a": [1.0, np.nan, 3.0, np.nan] * 5,
            "city": ["x"] * 20,
            "y": np.arange(20.0),
            "s": ["1"] * 20,
            "ok": 1.0,
        }
    )
    path = write_table(tmp_path, "mixed.csv", frame)
    with pytest.raises(ValueError, match=r"^scenarios\.t\.columns: column 'city' .*not numeric"):
        check("t", table_spec(path, columns=["ok", "city"]))
    with pytest.raises(ValueError, match=r"^scenarios\.t\.columns: column 'a' .*10 missing"):
        check("t", table_spec(path))  # default features: every other column
    with pytest.raises(ValueError, match=r"^scenarios\.t\.columns: column 'a' .*10 missing"):
        check("t", table_spec(path, columns=["ok", "a"]))
    with pytest.raises(ValueError, match=r"^scenarios\.t\.target: column 'city' .*not numeric"):
        check("t", {**table_spec(path, columns=["ok"]), "target": "city"})
    with pytest.raises(ValueError, match=r"^scenarios\.t\.target: column 'a' .*10 missing"):
        check("t", {**table_spec(path, columns=["ok"]), "target": "a"})
    check("t", table_spec(path, columns=["ok"]))  # the unused bad columns do not matter


# ------------------------------------------------------------------------- spec checks

LINEAR = {"generator": "linear", "n_train": 10, "n_test": 5, "n_features": 3}
CORRELATED = {**LINEAR, "generator": "correlated", "rho": 0.3}


def without(spec, key):
    return {k: v for k, v in spec.items() if k != key}


@pytest.mark.parametrize(
    ("spec", "pattern"),
    [
        (
            {**SPEC, "coef": [1, 2, 3]},
            r"^scenarios\.s: 'coef' does not apply to generator gaussian_noise "
            r"\(it takes: n_features\)$",
        ),
        ({**SPEC, "rho": 0.1, "snr": 1}, r"^scenarios\.s: 'rho', 'snr' do not apply"),
        (
            {**SPECS["diabetes"], "n_features": 10},
            r"^scenarios\.s: 'n_features' does not apply to generator diabetes .*from the data",
        ),
        ({**LINEAR, "coef": [1, 2, 3], "path": "x.csv"}, r"^scenarios\.s: 'path' does not apply"),
        ({**SPEC, "generator": "nope"}, r"^scenarios\.s\.generator: unknown generator 'nope'"),
        (without(SPEC, "generator"), r"^scenarios\.s\.generator: unknown generator None"),
        (without(SPEC, "n_features"), r"^scenarios\.s\.n_features: required"),
        ({**SPEC, "n_features": 2.5}, r"^scenarios\.s\.n_features: must be an integer, got 2\.5"),
        ({**SPEC, "n_features": True}, r"^scenarios\.s\.n_features: must be an integer"),
        ({**SPEC, "n_features": 0}, r"^scenarios\.s\.n_features: must be >= 1"),
        (without({**LINEAR, "coef": [1, 2, 3]}, "n_features"), r"^scenarios\.s\.n_features: req"),
        (
            {**LINEAR, "coef": [1, 2, 3], "n_informative": 1, "snr": 1},
            r"^scenarios\.s: give either 'coef' or 'n_informative' with 'snr', not both",
        ),
        (LINEAR, r"^scenarios\.s: generator linear needs 'coef' .* or 'n_informative' and 'snr'"),
        ({**LINEAR, "snr": 1}, r"^scenarios\.s\.snr: goes with 'n_informative'"),
        ({**LINEAR, "coef": [1, 2, 3], "snr": 1}, r"^scenarios\.s\.snr: goes with"),
        ({**LINEAR, "n_informative": 2}, r"^scenarios\.s\.n_informative: needs 'snr'"),
        ({**LINEAR, "coef": [1, 2]}, r"^scenarios\.s\.coef: has 2 entries but n_features is 3"),
        ({**LINEAR, "coef": "1 2 3"}, r"^scenarios\.s\.coef: must be a list of numbers"),
        ({**LINEAR, "coef": [1, "a", 3]}, r"^scenarios\.s\.coef: must be a finite number, got 'a'"),
        ({**LINEAR, "coef": [1, float("nan"), 3]}, r"^scenarios\.s\.coef: must be a finite"),
        (
            {**LINEAR, "n_informative": 4, "snr": 1},
            r"^scenarios\.s\.n_informative: must be between 1 and 3, got 4",
        ),
        ({**LINEAR, "n_informative": 0, "snr": 1}, r"^scenarios\.s\.n_informative: must be betw"),
        ({**LINEAR, "n_informative": 1, "snr": 0}, r"^scenarios\.s\.snr: must be > 0, got 0"),
        ({**LINEAR, "n_informative": 1, "snr": "high"}, r"^scenarios\.s\.snr: must be a finite"),
        (
            {**LINEAR, "n_informative": 1, "snr": 1, "noise_sd": 0},
            r"^scenarios\.s\.noise_sd: must be > 0 with 'snr'",
        ),
        ({**LINEAR, "coef": [1, 2, 3], "noise_sd": -1}, r"^scenarios\.s\.noise_sd: must be >= 0"),
        (
            {**LINEAR, "coef": [1, 2, 3], "features": "laplace"},
            r"^scenarios\.s\.features: must be one of normal, uniform, got 'laplace'",
        ),
        ({**without(CORRELATED, "rho"), "coef": [1, 2, 3]}, r"^scenarios\.s\.rho: required"),
        (
            {**CORRELATED, "rho": 1, "coef": [1, 2, 3]},
            r"^scenarios\.s\.rho: must be strictly between -1 and 1, got 1",
        ),
        ({**CORRELATED, "rho": -1.5, "coef": [1, 2, 3]}, r"^scenarios\.s\.rho: must be strictly"),
        ({**CORRELATED, "rho": "0.5", "coef": [1, 2, 3]}, r"^scenarios\.s\.rho: must be a finite"),
        (
            {**CORRELATED, "coef": [1, 2, 3], "features": "uniform"},
            r"^scenarios\.s: 'features' does not apply to generator correlated",
        ),
        (CORRELATED, r"^scenarios\.s: generator correlated needs 'coef'"),
        ({**SPECS["friedman1"], "n_features": 4}, r"^scenarios\.s\.n_features: must be >= 5"),
        ({**SPECS["friedman1"], "noise": -0.1}, r"^scenarios\.s\.noise: must be >= 0"),
        (without(SPECS["friedman1"], "n_features"), r"^scenarios\.s\.n_features: required"),
        (
            {**SPECS["diabetes"], "n_train": 400, "n_test": 43},
            r"^scenarios\.s: n_train \+ n_test = 443 but the diabetes data has only 442 rows",
        ),
    ],
)
def test_check_scenario_errors(spec, pattern):
    with pytest.raises(ValueError, match=pattern):
        generators.check_scenario("s", spec)
    with pytest.raises(ValueError, match=pattern):  # generate_scenario checks first
        generators.generate_scenario("s", spec, master_seed=1, trials=1)


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_check_scenario_accepts_the_examples(kind):
    generators.check_scenario("s", SPECS[kind])


def test_split_is_a_scenario_key_the_generators_ignore():
    # A scenario's split override is read by the trials, not by its generator.
    spec = {**SPECS["diabetes"], "split": {"method": "kfold", "folds": 5}}
    generators.check_scenario("s", spec)
    np.testing.assert_array_equal(draw(spec)["X"], draw(SPECS["diabetes"])["X"])


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_draws_on_demand_equal_the_stacked_trials(kind):
    """A trial job draws trial t alone, out of order: it must be exactly the t-th
    table of the stacked draw, and its seed the trial seed."""
    stacked = draw(SPECS[kind], trials=6, master_seed=4, name="base")
    draws = generators.ScenarioDraws("point", SPECS[kind], master_seed=4, seed_name="base")
    for t in (5, 0, 3):
        X, y, seed = draws.trial(t)
        np.testing.assert_array_equal(X, stacked["X"][t])
        np.testing.assert_array_equal(y, stacked["y"][t])
        assert seed == stacked["seed"][t] == trial_seed(4, "base", t)
    assert list(draws.feature_names) == list(stacked["feature_names"])
    assert list(draws.informative) == list(stacked["informative"])
    assert draws.n_train == SPECS[kind]["n_train"]


def test_draws_check_the_spec_first():
    with pytest.raises(ValueError, match="n_features"):
        generators.ScenarioDraws("s", {**SPEC, "n_features": 0}, master_seed=1)
