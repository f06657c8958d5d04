"""negr2.aggregate and negr2.storage: the study's tables from real trials, against
independent pandas and SciPy computations, and the closed form in the pipeline."""

from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from negr2 import aggregate, chunking, claims, generators, storage, study, theory, trials
from negr2 import config as negr2_config
from negr2.study import Study

OLS = {"estimator": "sklearn.linear_model.LinearRegression"}
RIDGE = {"estimator": "sklearn.linear_model.Ridge", "params": {"alpha": 1.0}}
DUMMY = {"estimator": "sklearn.dummy.DummyRegressor"}
NOISE = {"generator": "gaussian_noise", "n_train": 20, "n_test": 10, "n_features": 3}
CONFIG = {
    "study": "tiny",
    "seed": 3,
    "trials": 8,
    "scenarios": {"noise": NOISE},
    "models": {"LinearRegression": OLS, "Ridge": RIDGE},
    "ablations": {"drop_one": True},
}
STUDY = Study.from_config(CONFIG)
VARIANTS = ["full", "drop:x0", "drop:x1", "drop:x2"]


def _chunks(config):
    """Every chunk of every cell, run as the workflow's trial jobs run them."""
    out = []
    for sp in study.scenario_points(config):
        data = generators.generate_scenario(
            sp.name, sp.spec, config["seed"], config["trials"], seed_name=sp.name
        )
        for mp in study.model_points(config):
            job = trials.CellJob(
                sp.name,
                sp.id,
                mp.name,
                mp.id,
                mp.spec,
                mp.spec.get("preprocessing", config.get("preprocessing", "standard_scaler")),
                config.get("ablations"),
                sp.spec.get("split", config.get("split")),
            )
            for chunk in chunking.model_chunks(config, mp.name):
                out.append(trials.run_cell(data, job, range(chunk.start, chunk.stop)))
    return out


def _run(config):
    return pd.concat(_chunks(config), ignore_index=True)


@pytest.fixture(scope="module")
def tiny_trials():
    return _run(CONFIG)


# --- independent references ------------------------------------------------------------


def _t_interval(d):
    d = np.asarray(d, dtype=float)
    return scipy.stats.t.interval(0.95, d.size - 1, loc=d.mean(), scale=scipy.stats.sem(d))


def _deltas_by_hand(frame):
    """(scenario_id, model_id, ablation) -> (mean, lo, hi) of r2(variant) − r2(full), over
    the trials where both are ok."""
    ok = frame[frame["status"] == "ok"]
    out = {}
    for key, group in ok.groupby(["scenario_id", "model_id", "ablation"]):
        scenario_id, model_id, variant = key
        full = ok[
            (ok["scenario_id"] == scenario_id)
            & (ok["model_id"] == model_id)
            & (ok["ablation"] == "full")
        ]
        pairs = group[["trial", "r2"]].merge(
            full[["trial", "r2"]], on="trial", suffixes=("", "_full")
        )
        d = (pairs["r2"] - pairs["r2_full"]).to_numpy()
        out[key] = (d.mean(), *_t_interval(d)) if variant != "full" else None
    return out


def _ols_closed_form(n, m, p):
    """E[test R²] of OLS on pure noise, written out here (see negr2.theory's docstring)."""
    return -(1 + m * (1 / n + (1 + 1 / n) * p / (n - p - 2))) / (m - 3)


# --- summary_table ---------------------------------------------------------------------


def test_summary_rows_columns_and_means(tiny_trials):
    summary = aggregate.summary_table(tiny_trials, STUDY)
    assert list(summary.columns[:5]) == ["scenario", "model", "ablation", "scenario_id", "model_id"]
    for column in (
        "delta_r2_mean",
        "delta_r2_lo",
        "delta_r2_hi",
        "theory_r2",
        "mean_r2",
        "negative_r2_pct",
        "mean_oos_r2",
        "mean_msle",
        "n_msle_undefined",
    ):
        assert column in summary.columns, column
    keys = list(zip(summary["model_id"], summary["ablation"], strict=True))
    assert keys == [(m, v) for m in ("LinearRegression", "Ridge") for v in VARIANTS]
    assert (summary["n_trials"] == 8).all() and (summary["n_ok"] == 8).all()
    means = tiny_trials.groupby(["model_id", "ablation"])["r2"].mean()
    for _, row in summary.iterrows():
        assert row["mean_r2"] == pytest.approx(means[row["model_id"], row["ablation"]])


def _check_deltas(summary, frame):
    expected = _deltas_by_hand(frame)
    for _, row in summary.iterrows():
        key = (row["scenario_id"], row["model_id"], row["ablation"])
        got = (row["delta_r2_mean"], row["delta_r2_lo"], row["delta_r2_hi"])
        if row["ablation"] == "full":
            assert got == (0.0, 0.0, 0.0), key  # a variant against itself
        else:
            assert got == pytest.approx(expected[key], rel=1e-9, abs=1e-12), key


def test_summary_deltas_equal_paired_differences(tiny_trials):
    summary = aggregate.summary_table(tiny_trials, STUDY)
    _check_deltas(summary, tiny_trials)
    assert summary["delta_r2_mean"].abs().max() > 0  # not all trivially zero


def test_summary_deltas_pair_only_trials_where_both_are_ok(tiny_trials):
    frame = tiny_trials.copy()
    scores = ["r2", "oos_r2", "rmse", "mae", "msle", "r2_train"]

    def fail(model, variant, trial):
        where = (frame["model"] == model) & (frame["ablation"] == variant)
        where &= frame["trial"] == trial
        assert where.sum() == 1
        frame.loc[where, scores] = np.nan
        frame.loc[where, ["status", "error"]] = ["failed", "RuntimeError: x"]

    fail("LinearRegression", "full", 2)
    fail("LinearRegression", "drop:x1", 5)
    fail("Ridge", "drop:x2", 0)
    summary = aggregate.summary_table(frame, STUDY)
    _check_deltas(summary, frame)
    n_ok = summary.set_index(["model_id", "ablation"])["n_ok"]
    assert n_ok["LinearRegression", "full"] == 7 and n_ok["Ridge", "drop:x2"] == 7
    # The delta without trial 2 differs from the one with it.
    lr = summary.set_index(["model_id", "ablation"]).loc["LinearRegression", "drop:x0"]
    full = aggregate.summary_table(tiny_trials, STUDY).set_index(["model_id", "ablation"])
    assert lr["delta_r2_mean"] != full.loc[("LinearRegression", "drop:x0"), "delta_r2_mean"]


def test_summary_theory_per_variant(tiny_trials):
    summary = aggregate.summary_table(tiny_trials, STUDY).set_index(["model_id", "ablation"])
    assert summary.loc[("LinearRegression", "full"), "theory_r2"] == pytest.approx(
        _ols_closed_form(20, 10, 3)
    )
    for variant in VARIANTS[1:]:
        assert summary.loc[("LinearRegression", variant), "theory_r2"] == pytest.approx(
            _ols_closed_form(20, 10, 2)
        )
        assert math.isnan(summary.loc[("Ridge", variant), "theory_r2"])  # a model with params


def test_summary_when_every_full_row_failed(tiny_trials):
    frame = tiny_trials.copy()
    full = frame["ablation"] == "full"
    frame.loc[full, ["r2", "oos_r2", "rmse", "mae", "msle", "r2_train"]] = np.nan
    frame.loc[full, ["status", "error"]] = ["failed", "RuntimeError: x"]
    summary = aggregate.summary_table(frame, STUDY)
    assert len(summary) == 8
    assert summary[["delta_r2_mean", "delta_r2_lo", "delta_r2_hi"]].isna().all().all()


def test_summary_scenario_and_model_with_the_same_name():
    config = {"seed": 1, "trials": 3, "scenarios": {"same": NOISE}, "models": {"same": OLS}}
    negr2_config.check_config(config)  # nothing forbids it
    summary = aggregate.summary_table(_run(config), Study.from_config(config))
    assert summary["theory_r2"].tolist() == pytest.approx([_ols_closed_form(20, 10, 3)])


# --- theory_r2 -------------------------------------------------------------------------

ABLATIONS = {"drop_one": True, "drop_random": {"k": 2}, "keep": {"two": ["x0", "x4"]}}
NOISE5 = {"generator": "gaussian_noise", "n_train": 40, "n_test": 12, "n_features": 5}


@pytest.mark.parametrize(
    ("variant", "p"),
    [("full", 5), ("drop:x0", 4), ("drop:x4", 4), ("drop_random:k=2", 3), ("keep:two", 2)],
)
def test_theory_r2_ols_with_p_reduced_by_the_ablation(variant, p):
    config = {"ablations": ABLATIONS}
    got = aggregate.theory_r2(NOISE5, OLS, variant, config)
    assert got == pytest.approx(theory.ols_expected_r2(40, 12, p), rel=1e-12)
    assert got == pytest.approx(_ols_closed_form(40, 12, p), rel=1e-12)


@pytest.mark.parametrize("variant", ["full", "drop:x0", "keep:two"])
def test_theory_r2_mean_baseline_ignores_the_features(variant):
    got = aggregate.theory_r2(NOISE5, DUMMY, variant, {"ablations": ABLATIONS})
    assert got == pytest.approx(-(1 + 12 / 40) / (12 - 3), rel=1e-12)


KFOLD = {"method": "kfold", "folds": 5}
HOLDOUT = {"method": "holdout"}


@pytest.mark.parametrize(
    ("scenario", "model", "config"),
    [
        ({**NOISE5, "split": KFOLD}, OLS, {}),
        (NOISE5, OLS, {"split": KFOLD}),
        ({**NOISE5, "split": KFOLD}, DUMMY, {"split": HOLDOUT}),
        (
            {"generator": "linear", "n_train": 40, "n_test": 12, "n_features": 2, "coef": [0, 0]},
            OLS,
            {},
        ),
        ({"generator": "friedman1", "n_train": 40, "n_test": 12, "n_features": 5}, DUMMY, {}),
        (NOISE5, {**OLS, "params": {"fit_intercept": True}}, {}),
        (NOISE5, RIDGE, {}),
        (NOISE5, {"estimator": "sklearn.neighbors.KNeighborsRegressor"}, {}),
        ({**NOISE5, "n_train": 7}, OLS, {}),  # n - p - 2 = 0: the mean is infinite
        ({**NOISE5, "n_test": 3}, OLS, {}),  # m - 3 = 0
        ({**NOISE5, "n_test": 3}, DUMMY, {}),
    ],
    ids=[
        "scenario-kfold",
        "study-kfold",
        "scenario-kfold-wins",
        "linear",
        "friedman1",
        "params",
        "ridge",
        "knn",
        "n-too-small",
        "m-too-small",
        "m-too-small-mean",
    ],
)
def test_theory_r2_is_nan_where_no_closed_form_applies(scenario, model, config):
    assert math.isnan(aggregate.theory_r2(scenario, model, "full", config))


def test_theory_r2_scenario_holdout_overrides_study_kfold():
    got = aggregate.theory_r2({**NOISE5, "split": HOLDOUT}, OLS, "full", {"split": KFOLD})
    assert got == pytest.approx(_ols_closed_form(40, 12, 5))


def test_theory_r2_smallest_valid_sizes():
    # n - p - 2 = 1 and m = 4: the closed form still applies.
    got = aggregate.theory_r2({**NOISE5, "n_train": 8, "n_test": 4}, OLS, "full", {})
    assert got == pytest.approx(_ols_closed_form(8, 4, 5))


# --- comparisons_table -----------------------------------------------------------------

COMPARISON_COLUMNS = [
    "scenario",
    "scenario_id",
    "ablation",
    "model",
    "model_id",
    "reference",
    "n_pairs",
    "mean_diff",
    "diff_lo",
    "diff_hi",
    "wilcoxon_p",
]


def _comparison_by_hand(frame, model, reference, variant):
    ok = frame[frame["status"] == "ok"]
    a = ok[(ok["model"] == model) & (ok["ablation"] == variant)][["trial", "r2"]]
    b = ok[(ok["model"] == reference) & (ok["ablation"] == variant)][["trial", "r2"]]
    pairs = a.merge(b, on="trial", suffixes=("", "_ref"))
    x, y = pairs["r2"].to_numpy(), pairs["r2_ref"].to_numpy()
    ci = scipy.stats.ttest_rel(x, y).confidence_interval(confidence_level=0.95)
    return len(pairs), np.mean(x - y), ci.low, ci.high, scipy.stats.wilcoxon(x - y).pvalue


@pytest.mark.parametrize(
    ("reference", "other"),
    [(None, "Ridge"), ("LinearRegression", "Ridge"), ("Ridge", "LinearRegression")],
)
def test_comparisons_equal_paired_tests(tiny_trials, reference, other):
    config = copy.deepcopy(CONFIG)
    if reference is not None:
        config["comparisons"] = {"reference": reference}
    frame = tiny_trials.copy()
    where = (frame["model"] == other) & (frame["trial"] == 4) & (frame["ablation"] == "full")
    frame.loc[where, ["r2", "status"]] = [np.nan, "failed"]  # one trial fewer to pair
    table = aggregate.comparisons_table(frame, Study.from_config(config))
    expected_reference = reference or "LinearRegression"
    assert list(table.columns) == COMPARISON_COLUMNS
    assert table["ablation"].tolist() == VARIANTS
    assert set(table["model"]) == {other} and set(table["model_id"]) == {other}
    assert set(table["reference"]) == {expected_reference}
    assert set(table["scenario"]) == {"noise"} and set(table["scenario_id"]) == {"noise"}
    for _, row in table.iterrows():
        n, mean, lo, hi, p = _comparison_by_hand(frame, other, expected_reference, row["ablation"])
        assert row["n_pairs"] == n == (7 if row["ablation"] == "full" else 8)
        assert row["mean_diff"] == pytest.approx(mean, rel=1e-9)
        assert (row["diff_lo"], row["diff_hi"]) == pytest.approx((lo, hi), rel=1e-9)
        assert row["wilcoxon_p"] == pytest.approx(p, rel=1e-9)


def test_comparisons_empty_without_a_reference(tiny_trials):
    config = {**CONFIG, "models": {"Ridge": RIDGE, "Other": RIDGE}}
    assert study.comparison_reference(config) is None
    table = aggregate.comparisons_table(tiny_trials, Study.from_config(config))
    assert list(table.columns) == COMPARISON_COLUMNS and len(table) == 0


def test_comparison_reference():
    assert study.comparison_reference(CONFIG) == "LinearRegression"
    assert study.comparison_reference({**CONFIG, "comparisons": {"reference": "Ridge"}}) == (
        "Ridge"
    )
    assert study.comparison_reference({**CONFIG, "comparisons": None}) == "LinearRegression"
    assert study.comparison_reference({"models": {"Ridge": RIDGE}}) is None


# --- combine_trials with sweeps --------------------------------------------------------

SWEPT = {
    "seed": 4,
    "trials": 4,
    "scenarios": {"noise": {**NOISE, "n_train": [20, 30]}},
    "models": {
        "LinearRegression": OLS,
        "Ridge": {
            "estimator": "sklearn.linear_model.Ridge",
            "params": {"alpha": [0.1, 10.0]},
            "chunks": 2,
        },
    },
    "ablations": {"drop_one": True},
}
SWEPT_STUDY = Study.from_config(SWEPT)


@pytest.fixture(scope="module")
def swept_chunks(tmp_path_factory):
    folder = tmp_path_factory.mktemp("chunks")
    paths = []
    for i, chunk in enumerate(_chunks(SWEPT)):
        path = folder / f"{i}.parquet"
        chunk.to_parquet(path, index=False)
        paths.append(str(path))
    return paths


def test_combine_trials_order_and_swept_columns(swept_chunks):
    assert len(swept_chunks) == 2 * (1 + 2 * 2)  # scenario points × (OLS + 2 Ridge × 2 chunks)
    combined = storage.combine_trials(swept_chunks[::-1], SWEPT_STUDY)
    assert list(combined.columns) == [*trials.COLUMNS, "n_train", "alpha"]
    scenario_ids = ["noise@n_train=20", "noise@n_train=30"]
    model_ids = ["LinearRegression", "Ridge@alpha=0.1", "Ridge@alpha=10.0"]
    expected = [
        (s, m, t, v) for s in scenario_ids for m in model_ids for t in range(4) for v in VARIANTS
    ]
    got = list(
        zip(
            combined["scenario_id"],
            combined["model_id"],
            combined["trial"],
            combined["ablation"],
            strict=True,
        )
    )
    assert got == expected
    assert combined["n_train"].tolist() == [20] * 48 + [30] * 48
    alpha = combined["alpha"].to_numpy(dtype=float)
    by_model = {"LinearRegression": np.nan, "Ridge@alpha=0.1": 0.1, "Ridge@alpha=10.0": 10.0}
    np.testing.assert_array_equal(alpha, combined["model_id"].map(by_model).to_numpy(float))
    # The same table whatever order the chunks are read in.
    shuffled = [swept_chunks[i] for i in np.random.default_rng(0).permutation(len(swept_chunks))]
    timing = ["fit_seconds", "predict_seconds"]
    pd.testing.assert_frame_equal(
        storage.combine_trials(shuffled, SWEPT_STUDY).drop(columns=timing),
        combined.drop(columns=timing),
    )


def test_combine_trials_missing_chunk_raises(swept_chunks):
    with pytest.raises(ValueError, match=r"expected 6 cells of 4 trials each"):
        storage.combine_trials(swept_chunks[:-1], SWEPT_STUDY)


def test_combine_trials_duplicate_chunk_raises(swept_chunks):
    with pytest.raises(ValueError, match=r"a trial appears twice"):
        storage.combine_trials([*swept_chunks, swept_chunks[2]], SWEPT_STUDY)


def swept_cells(paths):
    """Every cell of SWEPT in config order, each told every file (a pack's way)."""
    from negr2.study import model_points, scenario_points

    return [(s.id, m.id, paths) for s in scenario_points(SWEPT) for m in model_points(SWEPT)]


def test_streamed_trials_equal_the_table_written_whole(swept_chunks, tmp_path):
    path = tmp_path / "trials.parquet"
    summary = aggregate.write_and_summarise(swept_cells(swept_chunks[::-1]), SWEPT_STUDY, str(path))
    whole = storage.combine_trials(swept_chunks, SWEPT_STUDY)
    pd.testing.assert_frame_equal(pd.read_parquet(path), whole, check_exact=True)
    pd.testing.assert_frame_equal(
        summary, aggregate.summary_table(whole, SWEPT_STUDY), check_exact=True
    )


def test_cells_read_one_at_a_time_equal_the_whole_table_grouped(swept_chunks, tmp_path):
    path = tmp_path / "trials.parquet"
    aggregate.write_and_summarise(swept_cells(swept_chunks), SWEPT_STUDY, str(path))
    whole = pd.read_parquet(path)
    groups = whole.groupby(["scenario_id", "model_id"], sort=False)
    read = list(storage.read_cells(str(path)))
    assert [key for key, _ in read] == list(groups.groups)
    assert len(read) == 6
    for (_, rows), (_, expected) in zip(read, groups, strict=True):
        pd.testing.assert_frame_equal(rows, expected.reset_index(drop=True), check_exact=True)
    # Text as categories (the track step's way): the same values.
    categorical = list(storage.read_cells(str(path), text_as_categories=True))
    for (_, rows), (_, expected) in zip(categorical, read, strict=True):
        assert isinstance(rows["model_id"].dtype, pd.CategoricalDtype)
        pd.testing.assert_frame_equal(rows.astype(expected.dtypes.to_dict()), expected)


def test_a_table_not_written_cell_by_cell_is_refused(swept_chunks, tmp_path):
    path = tmp_path / "trials.parquet"
    storage.combine_trials(swept_chunks, SWEPT_STUDY).to_parquet(path, index=False)
    with pytest.raises(ValueError, match="written whole, by an older negr2"):
        list(storage.read_cells(str(path)))


def test_columns_read_as_categories_hold_the_same_values(swept_chunks, tmp_path):
    path = tmp_path / "trials.parquet"
    aggregate.write_and_summarise(swept_cells(swept_chunks), SWEPT_STUDY, str(path))
    columns = ["scenario_id", "model_id", "status", "error", "r2"]
    read = storage.read_columns(str(path), columns)
    assert isinstance(read["model_id"].dtype, pd.CategoricalDtype)
    whole = pd.read_parquet(path, columns=columns)
    pd.testing.assert_frame_equal(read.astype(whole.dtypes.to_dict()), whole, check_exact=True)


def test_streaming_refuses_a_missing_or_a_repeated_chunk(swept_chunks, tmp_path):
    path = tmp_path / "trials.parquet"
    with pytest.raises(ValueError, match=r"expected 4 trials"):
        aggregate.write_and_summarise(swept_cells(swept_chunks[:-1]), SWEPT_STUDY, str(path))
    with pytest.raises(ValueError, match=r"a trial appears twice"):
        aggregate.write_and_summarise(
            swept_cells([*swept_chunks, swept_chunks[2]]), SWEPT_STUDY, str(path)
        )
    assert not path.exists()  # nothing half-written


# The first cell sweeps nothing; later cells sweep a list-valued and a bool parameter.
LIST_AND_BOOL_SWEEPS = {
    "seed": 5,
    "trials": 3,
    "scenarios": {"noise": NOISE},
    "models": {
        "Ridge": RIDGE,
        "MLP": {
            "estimator": "sklearn.neural_network.MLPRegressor",
            "params": {"hidden_layer_sizes": [[2], [3, 2]], "max_iter": 5},
        },
        "LinearRegression": {**OLS, "params": {"fit_intercept": [True, False]}},
    },
}


def test_list_and_bool_sweeps_stream_like_the_table_written_whole(tmp_path):
    config = LIST_AND_BOOL_SWEEPS
    sweeps = Study.from_config(config)
    paths = []
    for i, chunk in enumerate(_chunks(config)):
        paths.append(str(tmp_path / f"{i}.parquet"))
        chunk.to_parquet(paths[-1], index=False)
    cells = [
        (s.id, m.id, paths)
        for s in study.scenario_points(config)
        for m in study.model_points(config)
    ]
    summary = aggregate.write_and_summarise(cells, sweeps, str(tmp_path / "trials.parquet"))
    whole = storage.combine_trials(paths, sweeps)
    whole.to_parquet(tmp_path / "whole.parquet", index=False)
    written, expected = (pd.read_parquet(tmp_path / f) for f in ("trials.parquet", "whole.parquet"))
    assert written["fit_intercept"].tolist() == [None] * 9 + [True] * 3 + [False] * 3
    # A list reads back as an array: compared as a tuple, every other value as it is.
    column = "hidden_layer_sizes"
    layers = {column: lambda t: [None if v is None else tuple(v) for v in t[column]]}
    pd.testing.assert_frame_equal(
        written.assign(**layers), expected.assign(**layers), check_exact=True
    )
    pd.testing.assert_frame_equal(summary, aggregate.summary_table(whole, sweeps), check_exact=True)
    assert "[3, 2]" in summary.to_csv(index=False)  # as the study file writes it


SWEPT_CLAIMS = [
    {
        "id": "ridge-matches-ols",
        "text": "Ridge matches OLS",
        "scenario": "noise@n_train=20",
        "better": "Ridge@alpha=10.0",
        "than": "LinearRegression",
        "metric": "r2",
    },
    {
        "id": "ols-errs-less",
        "text": "OLS errs less",
        "scenario": "noise@n_train=30",
        "better": "LinearRegression",
        "than": "Ridge@alpha=0.1",
        "metric": "rmse",
    },
]


def test_comparisons_and_claims_read_by_pairs_of_cells_equal_the_whole_table(
    swept_chunks, tmp_path
):
    # One failed trial, so that the pairs differ between variants.
    first = pd.read_parquet(swept_chunks[0])
    where = (first["trial"] == 1) & (first["ablation"] == "full")
    first.loc[where, ["r2", "rmse", "status"]] = [np.nan, np.nan, "failed"]
    first.to_parquet(tmp_path / "failed.parquet", index=False)
    chunks = [str(tmp_path / "failed.parquet"), *swept_chunks[1:]]
    path = str(tmp_path / "trials.parquet")
    aggregate.write_and_summarise(swept_cells(chunks), SWEPT_STUDY, path)
    whole, table = pd.read_parquet(path), storage.CellTable(path)
    assert (whole["status"] == "failed").sum() == 1

    by_cell = aggregate.comparisons_by_cell(table, SWEPT_STUDY)
    expected = aggregate.comparisons_table(whole, SWEPT_STUDY)
    assert len(expected) == 2 * 2 * len(VARIANTS)  # scenario points × Ridge points × variants
    pd.testing.assert_frame_equal(by_cell, expected, check_exact=True)

    config = {"claims": SWEPT_CLAIMS}
    columns = aggregate.paired_columns(Study.from_config({**SWEPT, **config}))

    def claim_cells(claim):
        cells = [(claim["scenario"], claim[k]) for k in ("better", "than")]
        return table.read(cells, columns, text_as_categories=True)

    pd.testing.assert_frame_equal(
        claims.claims_table(config, claim_cells),
        claims.evaluate_claims(whole, config),
        check_exact=True,
    )
    assert claims.evaluate_claims(whole, config)["n_pairs"].tolist() == [3, 4]


def test_summary_of_a_swept_study(swept_chunks):
    combined = storage.combine_trials(swept_chunks, SWEPT_STUDY)
    summary = aggregate.summary_table(combined, SWEPT_STUDY)
    assert list(summary.columns[:7]) == [
        "scenario",
        "model",
        "ablation",
        "n_train",
        "alpha",
        "scenario_id",
        "model_id",
    ]
    assert len(summary) == 2 * 3 * 4
    assert set(summary["scenario"]) == {"noise"}
    ols = summary[summary["model"] == "LinearRegression"].set_index(["n_train", "ablation"])
    for n in (20, 30):
        assert ols.loc[(n, "full"), "theory_r2"] == pytest.approx(_ols_closed_form(n, 10, 3))
        assert ols.loc[(n, "drop:x1"), "theory_r2"] == pytest.approx(_ols_closed_form(n, 10, 2))
    assert summary.loc[summary["model"] == "Ridge", "theory_r2"].isna().all()
    assert sorted(summary.loc[summary["model"] == "Ridge", "alpha"].unique()) == [0.1, 10.0]
    _check_deltas(summary, combined)


# --- acceptance tests ------------------------------------------------------------------


ACCEPTANCE = {
    "seed": 2025,
    "trials": 40,
    "preprocessing": "standard_scaler",
    "scenarios": {
        "signal": {
            "generator": "linear",
            "n_train": 100,
            "n_test": 50,
            "n_features": 5,
            "coef": [3, 0, 0, 0, 0],
            "noise_sd": 1,
        }
    },
    "models": {"LinearRegression": OLS},
    "ablations": {"drop_one": True},
}


@pytest.fixture(scope="module")
def acceptance_summary():
    negr2_config.check_config(ACCEPTANCE)
    summary = aggregate.summary_table(_run(ACCEPTANCE), Study.from_config(ACCEPTANCE)).set_index(
        "ablation"
    )
    assert (summary["n_ok"] == 40).all()
    return summary


def _noise_feature_gain(n, m, p, var_y):
    """Expected rise of OLS test R² when one zero-coefficient feature of p is dropped
    (independent standard normal features, noise variance 1): the estimation-variance
    term (1 + 1/n)·p/(n − p − 2) of the prediction error, per test row, falls to its value
    at p − 1; times m rows and E[1/SST] = 1/(Var(y)·(m − 3))."""
    return (1 + 1 / n) * (p / (n - p - 2) - (p - 1) / (n - p - 1)) * m / (var_y * (m - 3))


def test_acceptance_dropping_the_signal_lowers_r2(acceptance_summary):
    """The issue's test, first half: dropping the only informative feature gives a Δr2
    interval entirely below 0."""
    x0 = acceptance_summary.loc["drop:x0"]
    assert x0["delta_r2_lo"] < x0["delta_r2_mean"] < x0["delta_r2_hi"] < 0
    assert x0["delta_r2_mean"] < -0.5  # clearly: R² goes from ≈ 0.9 to ≈ 0


def test_acceptance_dropping_a_noise_feature_is_negligible(acceptance_summary):
    """The issue's test, second half, stated so that it holds: dropping a zero-coefficient
    feature changes R² by a negligible amount, and the change is the small gain OLS makes
    by estimating one coefficient fewer (≈ +0.0012 here), which the interval covers."""
    x3 = acceptance_summary.loc["drop:x3"]
    x0 = acceptance_summary.loc["drop:x0"]
    assert -0.01 < x3["delta_r2_lo"] <= x3["delta_r2_mean"] <= x3["delta_r2_hi"] < 0.01
    assert x3["delta_r2_hi"] - x3["delta_r2_lo"] < 0.01  # a precise interval, not a vague one
    assert abs(x3["delta_r2_mean"]) < abs(x0["delta_r2_mean"]) / 100
    gain = _noise_feature_gain(100, 50, 5, var_y=3**2 + 1)
    assert gain == pytest.approx(0.0012, abs=1e-4)
    assert x3["delta_r2_lo"] <= gain <= x3["delta_r2_hi"]


def test_acceptance_simulated_ols_mean_within_its_interval_of_the_closed_form():
    """400 pure-noise trials: the mean test R² of OLS (and of the training mean) lies
    within its 95 % t interval of aggregate.theory_r2, for the full model and for a
    variant that keeps 2 of the 3 features (the closed form with p = 2)."""
    config = {
        "seed": 20250226,
        "trials": 400,
        "scenarios": {
            "noise": {"generator": "gaussian_noise", "n_train": 30, "n_test": 10, "n_features": 3}
        },
        "models": {"LinearRegression": OLS, "MeanBaseline": DUMMY},
        "ablations": {"keep": {"x1x2": ["x1", "x2"]}},  # p = 2,
    }
    frame = _run(config)
    summary = aggregate.summary_table(frame, Study.from_config(config)).set_index(
        ["model", "ablation"]
    )
    expected = {
        ("LinearRegression", "full"): _ols_closed_form(30, 10, 3),
        ("LinearRegression", "keep:x1x2"): _ols_closed_form(30, 10, 2),
        ("MeanBaseline", "full"): -(1 + 10 / 30) / 7,
    }
    for key, closed_form in expected.items():
        row = summary.loc[key]
        assert row["theory_r2"] == pytest.approx(closed_form, rel=1e-12), key
        r2 = frame[(frame["model"] == key[0]) & (frame["ablation"] == key[1])]["r2"]
        assert len(r2) == 400 and r2.notna().all()
        half = 2.6 * r2.std(ddof=1) / math.sqrt(len(r2))
        assert abs(r2.mean() - row["theory_r2"]) <= half, (key, r2.mean(), closed_form, half)
        assert row["mean_r2"] == pytest.approx(r2.mean())
