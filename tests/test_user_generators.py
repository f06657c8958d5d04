"""A generator of the user's own, named by import path: seeding, checks, and a study."""

from __future__ import annotations

import re
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
from conftest import REPO, planned_jobs, run_snakemake, write_config

from negr2 import config, generators, study
from negr2.generators.imported import _resolve
from negr2.seeding import trial_seed, trial_seed_sequence

EXAMPLE = REPO / "docs" / "examples" / "waves.py"

# Each function draws from the given rng only; the bad ones break one rule each.
MODULE = """
import numpy as np

CALLS = []


def ramp(rng, n_rows, n_features, slope=1.0):
    X = rng.normal(size=(n_rows, n_features))
    return X, slope * X[:, -1] + rng.normal(size=n_rows)


def ranked(rng, n_rows, n_features):
    X = rng.normal(size=(n_rows, n_features))
    return X, X[:, 1] + 0.5 * X[:, 0], np.array([1, 0])


def varying(rng, n_rows, n_features):
    X = rng.normal(size=(n_rows, n_features))
    return X, X[:, 0], [int(rng.integers(n_features))]


def counted(rng, n_rows, n_features, **params):
    CALLS.append(params)
    return np.zeros((n_rows, n_features)), np.zeros(n_rows)


def wide(rng, n_rows, n_features):
    return rng.normal(size=(n_rows, n_features + 1)), rng.normal(size=n_rows)


def column(rng, n_rows, n_features):
    return rng.normal(size=(n_rows, n_features)), rng.normal(size=(n_rows, 1))


def gaps(rng, n_rows, n_features):
    y = rng.normal(size=n_rows)
    y[:2] = np.nan
    return rng.normal(size=(n_rows, n_features)), y


def lone(rng, n_rows, n_features):
    return rng.normal(size=(n_rows, n_features))


def words(rng, n_rows, n_features):
    return [["a"] * n_features] * n_rows, rng.normal(size=n_rows)


def beyond(rng, n_rows, n_features):
    return rng.normal(size=(n_rows, n_features)), rng.normal(size=n_rows), [n_features]


def twice(rng, n_rows, n_features):
    return rng.normal(size=(n_rows, n_features)), rng.normal(size=n_rows), [0, 0]


def failing(rng, n_rows, n_features):
    raise RuntimeError("no data today")


def fixed(rng, n_rows, n_features, *, freq):
    return rng.normal(size=(n_rows, n_features)), rng.normal(size=n_rows)


NOT_A_FUNCTION = 3
"""


@pytest.fixture
def lab(tmp_path, monkeypatch):
    """A module ``lab`` in a temporary folder on the import path; forgotten afterwards."""
    (tmp_path / "lab.py").write_text(MODULE)
    (tmp_path / "broken.py").write_text("import numpy as np\n1 / 0\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    _resolve.cache_clear()
    yield tmp_path
    for name in ("lab", "broken"):
        sys.modules.pop(name, None)
    _resolve.cache_clear()


def spec(function: str, **extra) -> dict:
    return {"generator": f"lab.{function}", "n_train": 12, "n_test": 6, "n_features": 3, **extra}


def reference(function, master_seed: int, name: str, trial: int, **params):
    """The function called directly with the trial's generator: the seeding contract."""
    rng = np.random.default_rng(trial_seed_sequence(master_seed, name, trial))
    return function(rng, 18, 3, **params)


def test_each_trial_is_the_function_on_the_trials_own_generator(lab):
    import lab as module

    data = generators.generate_scenario("w", spec("ramp", slope=2.5), master_seed=3, trials=4)
    for trial in range(4):
        X, y = reference(module.ramp, 3, "w", trial, slope=2.5)
        np.testing.assert_array_equal(data["X"][trial], X)
        np.testing.assert_array_equal(data["y"][trial], y)
    assert data["seed"].tolist() == [trial_seed(3, "w", t) for t in range(4)]
    assert data["feature_names"].tolist() == ["x0", "x1", "x2"]
    assert data["informative"].shape == (0,)
    assert not np.array_equal(data["y"][0], data["y"][1])


def test_draws_on_demand_equal_the_stacked_trials(lab):
    stacked = generators.generate_scenario("p", spec("ranked"), 4, 6, seed_name="base")
    draws = generators.ScenarioDraws("p", spec("ranked"), master_seed=4, seed_name="base")
    for trial in (5, 0, 2):
        X, y, seed = draws.trial(trial)
        np.testing.assert_array_equal(X, stacked["X"][trial])
        np.testing.assert_array_equal(y, stacked["y"][trial])
        assert seed == trial_seed(4, "base", trial)
    assert draws.informative == (1, 0) and stacked["informative"].tolist() == [1, 0]


def test_the_scenarios_own_keys_reach_the_function_and_a_list_sweeps(lab):
    import lab as module

    cfg = {
        "study": "u",
        "seed": 1,
        "trials": 2,
        "scenarios": {"c": spec("counted", freq=[1.0, 2.0], shape=[[1, 2]])},
        "models": {"OLS": {"estimator": "sklearn.linear_model.LinearRegression"}},
    }
    config.check_config(cfg)
    points = study.scenario_points(cfg)
    assert [p.id for p in points] == ["c@freq=1.0,shape=[1,2]", "c@freq=2.0,shape=[1,2]"]
    module.CALLS.clear()
    generators.generate_scenario(points[1].id, points[1].spec, 1, 1, seed_name="c")
    assert module.CALLS and all(call == {"freq": 2.0, "shape": [1, 2]} for call in module.CALLS)


def test_informative_features_enable_drop_informative(lab):
    def study_of(function: str) -> dict:
        return {
            "study": "u",
            "seed": 1,
            "trials": 2,
            "ablations": {"drop_informative": True},
            "scenarios": {"w": spec(function)},
            "models": {"OLS": {"estimator": "sklearn.linear_model.LinearRegression"}},
        }

    config.check_config(study_of("ranked"))  # returns (X, y, informative): fine
    with pytest.raises(
        ValueError,
        match=r"^ablations\.drop_informative: scenario 'w' uses lab\.ramp, which does not know "
        r"its informative features; use one of: correlated, friedman1, linear, or a "
        r"generator of your own that returns \(X, y, informative\)$",
    ):
        config.check_config(study_of("ramp"))


def test_informative_features_must_not_change_between_trials(lab):
    draws = generators.ScenarioDraws("w", spec("varying"), master_seed=0)
    changed = [t for t in range(1, 30) if reference_informative(t) != draws.informative]
    assert changed, "the test needs a trial whose informative feature differs"
    with pytest.raises(ValueError, match=r"^scenarios\.w\.generator: lab\.varying named other"):
        draws.trial(changed[0])


def reference_informative(trial: int) -> tuple[int, ...]:
    import lab as module

    return tuple(reference(module.varying, 0, "w", trial)[2])


def test_the_functions_source_file_is_an_input_of_the_trials(lab):
    generator = generators.family("w", "lab.ramp")
    assert generator.input_files(spec("ramp")) == [str(lab / "lab.py")]


@pytest.mark.parametrize(
    ("generator", "pattern"),
    [
        ("nolab.waves", r"generator: cannot import 'nolab\.waves': no module named 'nolab' \(put"),
        ("lab.nothing", r"generator: module 'lab' has no attribute 'nothing'"),
        ("lab.NOT_A_FUNCTION", r"generator: 'lab\.NOT_A_FUNCTION' is an int, not a function"),
        ("broken.f", r"generator: importing 'broken' failed: ZeroDivisionError: division by"),
        ("lab.wide", r"generator: lab\.wide returned X of shape \(18, 4\); it must be "),
        ("lab.column", r"generator: lab\.column returned y of shape \(18, 1\); it must be "),
        ("lab.gaps", r"generator: lab\.gaps returned y with 2 NaN or infinite value\(s\); "),
        (
            "lab.lone",
            r"generator: lab\.lone returned a numpy\.ndarray; return a tuple \(X, y\) or ",
        ),
        ("lab.words", r"generator: lab\.words returned a non-numeric X \(a list\); return num"),
        (
            "lab.twice",
            r"generator: lab\.twice returned informative \[0, 0\]; name each feature once",
        ),
        ("lab.beyond", r"generator: lab\.beyond returned informative \[3\]; give feature "),
        ("lab.failing", r"generator: lab\.failing raised RuntimeError on a test draw: no data"),
        ("nodots", r"generator: unknown generator 'nodots'; use one of: correlated, diabetes, "),
    ],
)
def test_a_bad_generator_is_named_before_any_draw(lab, generator, pattern):
    bad = {**spec("ramp"), "generator": generator}
    with pytest.raises(ValueError, match=r"^scenarios\.w\." + pattern):
        generators.check_scenario("w", bad)


@pytest.mark.parametrize(
    ("changes", "pattern"),
    [
        (
            {"slop": 2.0},
            r"^scenarios\.w: its keys do not fit lab\.ramp\(rng, n_rows, n_features, "
            r"slope=1\.0\): got an unexpected keyword argument 'slop'",
        ),
        ({"n_features": 0}, r"^scenarios\.w\.n_features: must be >= 1, got 0$"),
        ({"n_features": None}, r"^scenarios\.w\.n_features: must be an integer, got None$"),
    ],
)
def test_keys_that_do_not_fit_the_function_are_named(lab, changes, pattern):
    with pytest.raises(ValueError, match=pattern):
        generators.check_scenario("w", {**spec("ramp"), **changes})


def test_a_required_parameter_must_be_given(lab):
    with pytest.raises(ValueError, match=r"^scenarios\.w: its keys do not fit lab\.fixed.*freq"):
        generators.check_scenario("w", spec("fixed"))
    generators.check_scenario("w", spec("fixed", freq=1.0))  # no exception
    without = {k: v for k, v in spec("ramp").items() if k != "n_features"}
    with pytest.raises(ValueError, match=r"^scenarios\.w\.n_features: required by generator lab"):
        generators.check_scenario("w", without)


# --------------------------------------------------------------------- through the workflow


def example_study(trials: int = 4) -> dict:
    """The docs' example study (docs/examples/waves.yaml), shrunk to a few trials."""
    import yaml

    cfg = yaml.safe_load((REPO / "docs" / "examples" / "waves.yaml").read_text())
    cfg["trials"] = trials
    cfg["models"]["RandomForest"]["params"]["n_estimators"] = 5
    return cfg


def test_the_docs_show_the_example_module_as_shipped():
    readme = (REPO / "docs" / "extending.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert EXAMPLE.read_text() in blocks
    study_file = (REPO / "docs" / "examples" / "waves.yaml").read_text()
    assert study_file in re.findall(r"```yaml\n(.*?)```", readme, flags=re.S)


@pytest.mark.e2e
def test_a_study_of_the_example_generator_runs_on_the_functions_data(tmp_path):
    from sklearn.linear_model import LinearRegression
    from sklearn.metrics import r2_score
    from sklearn.preprocessing import StandardScaler

    (tmp_path / "waves.py").write_text(EXAMPLE.read_text())
    path = write_config(tmp_path, example_study())
    run_snakemake(tmp_path, "--cores", "2", "--configfile", str(path))
    results = tmp_path / "results" / "waves"
    trials = pd.read_parquet(results / "trials.parquet")
    assert (trials["status"] == "ok").all()
    assert set(trials["scenario_id"]) == {"waves@freq=0.5", "waves@freq=2.0"}
    assert set(trials["ablation"]) == {"full", "drop_informative:1"}
    # Independent of the workflow: call the function with each trial's generator.
    sys.path.insert(0, str(tmp_path))
    try:
        from waves import sine_waves
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("waves", None)
    ols = trials[(trials["model"] == "LinearRegression") & (trials["ablation"] == "full")]
    for row in ols.itertuples():
        freq = 0.5 if row.scenario_id.endswith("0.5") else 2.0
        rng = np.random.default_rng(trial_seed_sequence(1, "waves", row.trial))
        X, y, _ = sine_waves(rng, 150, 4, freq=freq)
        scaler = StandardScaler().fit(X[:100])
        fit = LinearRegression().fit(scaler.transform(X[:100]), y[:100])
        expected = r2_score(y[100:], fit.predict(scaler.transform(X[100:])))
        assert row.r2 == pytest.approx(expected, rel=1e-9, abs=1e-12)
        assert row.seed == trial_seed(1, "waves", row.trial)
    assert (results / "report.html").is_file()
    # Nothing is left to do; editing the generator's file redraws its trials.
    dry = run_snakemake(tmp_path, "-n", "--cores", "1", "--configfile", str(path))
    assert planned_jobs(dry.stdout) == {}
    (tmp_path / "waves.py").write_text(EXAMPLE.read_text() + "\n# edited\n")
    dry = run_snakemake(tmp_path, "-n", "--cores", "1", "--configfile", str(path))
    assert (
        planned_jobs(dry.stdout).get("trials_pack", 0) + planned_jobs(dry.stdout).get("trials", 0)
        == 2
    )  # one job per scenario point


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("module", "message"),
    [
        (None, "scenarios.waves.generator: cannot import 'waves.sine_waves': no module named"),
        (
            "def sine_waves(rng, n_rows, n_features, freq):\n    return rng.normal(size=n_rows)\n",
            "scenarios.waves.generator: waves.sine_waves returned a numpy.ndarray; return a tuple",
        ),
    ],
    ids=["not-importable", "wrong-return"],
)
def test_a_bad_generator_stops_the_study_before_any_job(tmp_path, module, message):
    if module is not None:
        (tmp_path / "waves.py").write_text(textwrap.dedent(module))
    path = write_config(tmp_path, example_study())
    done = run_snakemake(tmp_path, "--cores", "1", "--configfile", str(path), check=False)
    assert done.returncode != 0
    assert message in done.stdout + done.stderr
    assert not (tmp_path / "results").exists()
