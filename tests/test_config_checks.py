"""The config's checks and their neighbours: chunks, fingerprints, import-path checks
and schema messages."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from negr2 import chunking, config, fingerprints, import_paths, schema

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "workflow" / "schemas" / "config.schema.yaml"
CONFIG = ROOT / "config" / "config.yaml"


# --- chunks ---------------------------------------------------------------------------


@pytest.mark.parametrize("trials", [1, 2, 3, 7, 10, 50, 99, 100, 101, 1000])
@pytest.mark.parametrize("count", [1, 2, 3, 4, 6, 7, 16, 200])
def test_chunks_partition_trials(trials, count):
    parts = chunking.chunks(trials, count)
    expected_count = min(count, trials)
    assert len(parts) == expected_count
    # Contiguous, starting at 0 and ending at trials: every trial exactly once.
    assert parts[0].start == 0
    assert parts[-1].stop == trials
    for a, b in zip(parts, parts[1:], strict=False):
        assert a.stop == b.start
    covered = [t for c in parts for t in range(c.start, c.stop)]
    assert covered == list(range(trials))
    sizes = [c.stop - c.start for c in parts]
    assert min(sizes) >= 1
    assert max(sizes) - min(sizes) <= 1
    assert sum(sizes) == trials
    assert [c.index for c in parts] == list(range(expected_count))
    assert all(c.count == expected_count for c in parts)


def test_chunks_exhaustive_small():
    for trials in range(1, 80):
        for count in range(1, 90):
            sizes = [c.stop - c.start for c in chunking.chunks(trials, count)]
            assert sum(sizes) == trials
            assert max(sizes) - min(sizes) <= 1, (trials, count, sizes)


def test_chunks_example():
    parts = chunking.chunks(10, 4)
    assert sorted(c.stop - c.start for c in parts) == [2, 2, 3, 3]
    assert [c.label for c in parts] == ["1of4", "2of4", "3of4", "4of4"]
    assert [c.label for c in chunking.chunks(2, 5)] == ["1of2", "2of2"]


@pytest.mark.parametrize(("trials", "count"), [(0, 1), (1, 0), (-3, 2), (5, -1)])
def test_chunks_bad_arguments(trials, count):
    with pytest.raises(ValueError):
        chunking.chunks(trials, count)


@pytest.mark.parametrize(("trials", "count"), [(100, 1), (100, 2), (100, 7), (5, 5), (3, 8)])
def test_chunk_from_label_inverts_label(trials, count):
    for chunk in chunking.chunks(trials, count):
        assert chunking.chunk_from_label(trials, chunk.label) == chunk


def test_model_chunks_reads_config():
    cfg = {"trials": 10, "models": {"A": {"chunks": 3}, "B": {}}}
    assert len(chunking.model_chunks(cfg, "A")) == 3
    assert [(c.start, c.stop) for c in chunking.model_chunks(cfg, "B")] == [(0, 10)]


# --- fingerprint ----------------------------------------------------------------------


def test_fingerprint_ignores_key_order():
    a = {"models": {"A": {"alpha": 1.0, "max_iter": 5}}, "seed": 1, "trials": [1, 2]}
    b = {"trials": [1, 2], "seed": 1, "models": {"A": {"max_iter": 5, "alpha": 1.0}}}
    assert fingerprints.fingerprint(a) == fingerprints.fingerprint(b)
    assert len(fingerprints.fingerprint(a)) == 16
    int(fingerprints.fingerprint(a), 16)  # hexadecimal


def test_fingerprint_changes_with_content():
    a = {"seed": 1, "params": {"alpha": 1.0}}
    assert fingerprints.fingerprint(a) != fingerprints.fingerprint(
        {"seed": 2, "params": {"alpha": 1.0}}
    )
    assert fingerprints.fingerprint(a) != fingerprints.fingerprint(
        {"seed": 1, "params": {"alpha": 0.5}}
    )
    assert fingerprints.fingerprint([1, 2]) != fingerprints.fingerprint([2, 1])  # lists keep order


# --- check_import_path ----------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "sklearn.linear_model.Ridge",
        "sklearn.dummy.DummyRegressor",
        "sklearn.ensemble.RandomForestRegressor",
        "sklearn.linear_model.RANSACRegressor",
        "sklearn.neighbors.KNeighborsRegressor",
        "negr2.metrics.r2",
    ],
)
def test_check_import_path_accepts_real_paths(path):
    import_paths.check_import_path(path, "models.X.estimator")  # no exception


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        ("sklearn.linear_model.Ridgee", "has no attribute 'Ridgee'"),
        ("sklearn.linear_modle.Ridge", "no module named 'sklearn.linear_modle'"),
        ("no_such_package_negr2.Model", "no module named 'no_such_package_negr2'"),
        ("Ridge", "not an import path"),
    ],
    ids=["typo-class", "typo-module", "missing-package", "bare-name"],
)
def test_check_import_path_rejects(path, detail):
    key = "models.MyModel.estimator"
    with pytest.raises(ValueError) as info:
        import_paths.check_import_path(path, key)
    message = str(info.value)
    assert key in message
    assert detail in message


@pytest.mark.e2e
def test_check_import_path_does_not_import_the_module():
    code = (
        "import sys\n"
        "from negr2.import_paths import check_import_path\n"
        "check_import_path('sklearn.linear_model.Ridge', 'k')\n"
        "check_import_path('sklearn.ensemble.RandomForestRegressor', 'k')\n"
        "try:\n"
        "    check_import_path('sklearn.linear_model.Ridgee', 'k')\n"
        "except ValueError:\n"
        "    pass\n"
        "else:\n"
        "    raise SystemExit('typo accepted')\n"
        "heavy = ('sklearn', 'numpy', 'scipy')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_check_config_names_bad_estimator():
    cfg = yaml.safe_load(CONFIG.read_text())
    config.check_config(cfg)  # the shipped config passes
    cfg["models"]["Ridge"]["estimator"] = "sklearn.linear_model.Ridgee"
    with pytest.raises(ValueError, match=r"models\.Ridge\.estimator"):
        config.check_config(cfg)


def test_check_config_names_bad_reference_scenario():
    cfg = yaml.safe_load(CONFIG.read_text())
    cfg["reference"]["scenario"] = "nosie"
    with pytest.raises(ValueError, match=r"reference\.scenario: 'nosie'"):
        config.check_config(cfg)


# --- describe_schema_errors -----------------------------------------------------------


@pytest.fixture
def shipped_config():
    return yaml.safe_load(CONFIG.read_text())


def test_shipped_config_matches_schema(shipped_config):
    import jsonschema

    schema = yaml.safe_load(SCHEMA.read_text())
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(shipped_config)) == []


def test_describe_schema_errors_names_key_paths(shipped_config):
    cfg = copy.deepcopy(shipped_config)
    cfg["trials"] = 0
    noise = cfg["scenarios"]["noise"]
    noise["n_tset"] = noise.pop("n_test")
    message = schema.describe_schema_errors(cfg, str(SCHEMA))
    lines = message.splitlines()
    assert len(lines) == 2, message
    assert any(line.startswith("trials: ") and "minimum of 1" in line for line in lines)
    assert any(
        line.startswith("scenarios.noise:") and "'n_test' is a required property" in line
        for line in lines
    )


def test_a_misspelt_generator_key_is_named_with_the_closest_one(shipped_config):
    # A scenario's keys beyond generator, n_train, n_test and split are its generator's
    # to check: the schema lets them through, the generator names the stray one.
    cfg = copy.deepcopy(shipped_config)
    cfg["scenarios"]["noise"]["n_featrues"] = 3
    assert schema.describe_schema_errors(cfg, str(SCHEMA)) == (
        "the config does not match the schema"
    )
    with pytest.raises(
        ValueError,
        match=r"^scenarios\.noise: 'n_featrues' does not apply to generator gaussian_noise "
        r"\(it takes: n_features\); did you mean 'n_features'\?$",
    ):
        config.check_config(cfg)


def test_describe_schema_errors_nested_and_top_level(shipped_config):
    cfg = copy.deepcopy(shipped_config)
    cfg["models"]["Ridge"]["chunks"] = 0
    cfg["colour"] = "blue"
    message = schema.describe_schema_errors(cfg, str(SCHEMA))
    assert "models.Ridge.chunks: 0 is less than the minimum of 1" in message.splitlines()
    assert any(
        line.startswith("(top level): ") and "'colour' was unexpected" in line
        for line in message.splitlines()
    )


def test_describe_schema_errors_valid_config_has_fallback_text(shipped_config):
    assert schema.describe_schema_errors(shipped_config, str(SCHEMA)) == (
        "the config does not match the schema"
    )


def test_describe_schema_errors_with_non_string_key(shipped_config):
    cfg = copy.deepcopy(shipped_config)
    cfg["scenarios"][2025] = dict(cfg["scenarios"]["noise"], n_test=1)
    cfg["scenarios"]["noise"]["n_test"] = 1
    message = schema.describe_schema_errors(cfg, str(SCHEMA))
    assert "scenarios.noise.n_test: 1 is less than the minimum of 2" in message
    assert "scenarios.2025.n_test: 1 is less than the minimum of 2" in message


def test_check_config_rejects_a_name_that_is_not_text(shipped_config):
    cfg = copy.deepcopy(shipped_config)
    cfg["scenarios"][2025] = cfg["scenarios"]["noise"]
    with pytest.raises(ValueError, match=r"scenarios\.2025: names must be text"):
        config.check_config(cfg)


# --- check_config: sweeps, scenarios, ablations, comparisons ----------------------------

OLS = {"estimator": "sklearn.linear_model.LinearRegression"}
NOISE = {"generator": "gaussian_noise", "n_train": 20, "n_test": 10, "n_features": 3}
LINEAR = {
    "generator": "linear",
    "n_train": 50,
    "n_test": 20,
    "n_features": 2,
    "coef": [1.0, 0.0],
    "noise_sd": 1.0,
}


def _study(scenarios=None, models=None, **more) -> dict:
    cfg = {
        "study": "checks",
        "seed": 1,
        "trials": 3,
        "scenarios": scenarios or {"noise": NOISE},
        "models": models or {"LinearRegression": OLS},
    }
    return cfg | more


def test_check_config_accepts_a_study_with_every_feature():
    cfg = _study(
        {"noise": {**NOISE, "n_train": [20, 40]}, "lin": {**LINEAR, "coef": [[1, 0], [0, 2]]}},
        {
            "LinearRegression": OLS,
            "KNN": {
                "estimator": "sklearn.neighbors.KNeighborsRegressor",
                "params": {"n_neighbors": [1, 5], "weights": "distance"},
            },
        },
        ablations={"drop_one": True, "drop_random": {"k": 1}, "keep": {"a": ["x0"]}},
        comparisons={"reference": "LinearRegression"},
        split={"method": "kfold", "folds": 5},
    )
    config.check_config(cfg)  # no exception
    schema = yaml.safe_load(SCHEMA.read_text())
    import jsonschema

    assert list(jsonschema.Draft202012Validator(schema).iter_errors(cfg)) == []


def test_check_config_checks_sweeps():
    models = {
        "KNN": {"estimator": "sklearn.neighbors.KNeighborsRegressor", "params": {"seed": [1, 2]}}
    }
    with pytest.raises(ValueError, match=r"seed: cannot be swept"):
        config.check_config(_study(models=models))


@pytest.mark.parametrize("value", ["a/b", "a b", "tab\there"])
def test_check_config_rejects_swept_values_that_cannot_name_a_file(value):
    models = {
        "KNN": {
            "estimator": "sklearn.neighbors.KNeighborsRegressor",
            "params": {"metric": ["euclidean", value]},
        }
    }
    with pytest.raises(ValueError, match=r"KNN: swept values must not contain '/' or spaces"):
        config.check_config(_study(models=models))


def test_check_config_checks_each_scenario():
    bad = {k: v for k, v in LINEAR.items() if k != "coef"}
    with pytest.raises(ValueError, match=r"^scenarios\.lin: generator linear needs 'coef'"):
        config.check_config(_study({"noise": NOISE, "lin": bad}))


def test_check_config_checks_each_sweep_point_of_a_scenario():
    # coef has 2 entries: right for n_features 2, wrong for the point n_features 3.
    lin = {**LINEAR, "n_features": [2, 3]}
    with pytest.raises(ValueError, match=r"^scenarios\.lin\.coef: has 2 entries but n_features"):
        config.check_config(_study({"lin": lin}))
    config.check_config(_study({"lin": {**LINEAR, "n_features": [2]}}))  # no exception


@pytest.mark.parametrize("generator", ["gaussian_noise", "diabetes"])
def test_check_config_drop_informative_needs_an_informed_generator(generator):
    spec = (
        NOISE
        if generator == "gaussian_noise"
        else {"generator": generator, "n_train": 100, "n_test": 50}
    )
    cfg = _study({"lin": LINEAR, "other": spec}, ablations={"drop_informative": True})
    with pytest.raises(
        ValueError, match=rf"^ablations\.drop_informative: scenario 'other' uses {generator}"
    ):
        config.check_config(cfg)
    config.check_config(_study({"lin": LINEAR}, ablations={"drop_informative": True}))


def test_check_config_comparison_reference_must_be_a_model():
    cfg = _study(comparisons={"reference": "Rigde"})
    with pytest.raises(ValueError, match=r"^comparisons\.reference: 'Rigde' is not one of"):
        config.check_config(cfg)
    config.check_config(_study(comparisons={"reference": None}))  # null: no comparisons


def test_check_config_comparison_reference_must_not_be_swept():
    models = {
        "LinearRegression": OLS,
        "Ridge": {"estimator": "sklearn.linear_model.Ridge", "params": {"alpha": [0.1, 1.0]}},
    }
    cfg = _study(models=models, comparisons={"reference": "Ridge"})
    with pytest.raises(ValueError, match=r"^comparisons\.reference: 'Ridge' is swept"):
        config.check_config(cfg)
    config.check_config(_study(models=models))  # LinearRegression by default: fine


def test_describe_schema_errors_for_sweeps_and_ablations():
    cfg = _study(
        {"noise": {**NOISE, "n_train": [20, 1]}},
        ablations={"drop_one": True, "drop_evrything": True},
    )
    lines = schema.describe_schema_errors(cfg, str(SCHEMA)).splitlines()
    assert any(line.startswith("ablations: ") and "'drop_evrything'" in line for line in lines)
    assert "scenarios.noise.n_train.1: 1 is less than the minimum of 2" in lines
    assert len(lines) == 2, lines
    empty = _study({"noise": {**NOISE, "n_train": []}})
    assert schema.describe_schema_errors(empty, str(SCHEMA)) == (
        "scenarios.noise.n_train: [] should be non-empty"
    )


@pytest.mark.parametrize(
    ("trials", "chunks", "expected"),
    [(100, 1, 1), (100, 2, 2), (20_000, 1, 1), (20_001, 1, 2), (1_000_000, 1, 50), (45_000, 5, 5)],
)
def test_model_chunks_cap_the_trials_per_job(trials, chunks, expected):
    study = {"trials": trials, "models": {"M": {"chunks": chunks}}}
    parts = chunking.model_chunks(study, "M")
    assert len(parts) == expected
    assert max(c.stop - c.start for c in parts) <= chunking.MAX_TRIALS_PER_JOB
    assert sum(c.stop - c.start for c in parts) == trials
