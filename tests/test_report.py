"""negr2.report and negr2.figures: the figures each study design calls for, their
captions, and a self-contained report that holds them and the tables' values.

Each design is a tiny study run in-process (negr2.trials.run_cell on data from
negr2.generators.generate_scenario, then negr2.aggregate), so the tables have the
real columns and dtypes, read back from Parquet and CSV as the workflow does.
"""

from __future__ import annotations

import base64
import importlib
import io
import re
import struct

import pandas as pd
import pytest

from negr2 import figures
from negr2.aggregate import comparisons_table, summary_table
from negr2.figures import registry
from negr2.generators import generate_scenario
from negr2.report import render_report
from negr2.storage import combine_trials
from negr2.study import Study, model_points, scenario_points
from negr2.trials import CellJob, run_cell

# The report looks up the git commit for its provenance: a process (make test-fast skips it).
pytestmark = pytest.mark.e2e

OLS = {"estimator": "sklearn.linear_model.LinearRegression"}
RIDGE = {"estimator": "sklearn.linear_model.Ridge", "params": {"alpha": 1.0}}
MEAN = {"estimator": "sklearn.dummy.DummyRegressor"}
NOISE = {"generator": "gaussian_noise", "n_train": 30, "n_test": 10, "n_features": 3}
LINEAR = {
    "generator": "linear",
    "n_train": 40,
    "n_test": 20,
    "n_features": 3,
    "coef": [2.0, 1.0, 0.0],
    "noise_sd": 1.0,
}
TREE = "sklearn.tree.DecisionTreeRegressor"
KNN = "sklearn.neighbors.KNeighborsRegressor"

DESIGNS = {
    "plain": {
        "scenarios": {"noise": NOISE},
        "models": {"LinearRegression": OLS, "Ridge": RIDGE, "MeanBaseline": MEAN},
        "reference": {
            "source": "a made-up table",
            "scenario": "noise",
            "n_trials": 100,
            "models": {
                "LinearRegression": {"negative_r2_pct": 90.0, "mean_r2": -0.1, "median_r2": -0.08},
                "Ridge": {"negative_r2_pct": 90.0, "mean_r2": -0.1, "median_r2": -0.08},
            },
        },
    },
    "scenario-sweep": {
        "scenarios": {"noise": {**NOISE, "n_train": [10, 40, 400]}},
        "models": {"LinearRegression": OLS, "MeanBaseline": MEAN},
    },
    "model-sweep": {
        "scenarios": {"noise": NOISE},
        "models": {
            "LinearRegression": OLS,
            "Tree": {"estimator": TREE, "params": {"max_depth": [1, 3, None]}},
            "KNN": {"estimator": KNN, "params": {"n_neighbors": [1, 3]}},
            "MeanBaseline": MEAN,
        },
    },
    "ablation": {
        "scenarios": {"lin": LINEAR},
        "models": {"LinearRegression": OLS, "Ridge": RIDGE},
        "ablations": {"drop_one": True, "drop_informative": True},
    },
    "swept-ablation": {
        "scenarios": {"lin": {**LINEAR, "n_train": [30, 60]}},
        "models": {"LinearRegression": OLS, "MeanBaseline": MEAN},
        "ablations": {"drop_one": True},
    },
    "keep-only": {
        "scenarios": {"lin": LINEAR},
        "models": {"LinearRegression": OLS},
        "ablations": {"keep": {"first": ["x0"]}},
    },
    "kfold": {
        "scenarios": {
            "holdout": NOISE,
            "kfold": {**NOISE, "split": {"method": "kfold", "folds": 4}},
        },
        "models": {"LinearRegression": OLS, "MeanBaseline": MEAN},
    },
}

EXPECTED_STEMS = {
    "plain": ["r2-distribution-noise", "negative-share-noise"],
    "scenario-sweep": ["sweep-n_train-noise", "baselines-sweep-n_train"],
    "model-sweep": ["hyperparameters-noise", "baselines-by-model"],
    "ablation": ["ablation-heatmap-lin", "ablation-informative-lin"],
    "swept-ablation": [
        "sweep-n_train-lin",
        "ablation-heatmap-lin-n_train-30",
        "ablation-heatmap-lin-n_train-60",
        "baselines-sweep-n_train",
    ],
    "keep-only": ["r2-distribution-lin", "negative-share-lin"],  # no figure of its own
    "kfold": [
        "r2-distribution-holdout",
        "negative-share-holdout",
        "r2-distribution-kfold",
        "negative-share-kfold",
        "baselines-by-model",
    ],
}


def study_config(design: str) -> dict:
    """A 5-trial study of the design, with the defaults the schema fills in."""
    return {
        "study": design,
        "seed": 11,
        "trials": 5,
        "preprocessing": "standard_scaler",
        "split": {},
        "ablations": {},
        "comparisons": {},
        "mlflow": {"tracking_uri": "sqlite:///results/mlflow.db"},
        **DESIGNS[design],
    }


def run_study(config: dict, folder) -> dict[str, pd.DataFrame]:
    """Every cell of the study, then the three tables, as the workflow writes them."""
    paths = []
    for scenario in scenario_points(config):
        data = generate_scenario(
            scenario.id, scenario.spec, config["seed"], config["trials"], seed_name=scenario.name
        )
        for model in model_points(config):
            job = CellJob(
                scenario.name,
                scenario.id,
                model.name,
                model.id,
                model.spec,
                ablations=config["ablations"],
                split=scenario.spec.get("split", config["split"]),
            )
            path = folder / f"{len(paths)}.parquet"
            run_cell(data, job, range(config["trials"])).to_parquet(path, index=False)
            paths.append(str(path))
    study = Study.from_config(config)
    trials = combine_trials(paths, study)
    trials.to_parquet(folder / "trials.parquet", index=False)
    summary_table(trials, study).to_csv(folder / "summary.csv", index=False)
    comparisons_table(trials, study).to_csv(folder / "comparisons.csv", index=False)
    return {
        name: pd.read_parquet(folder / f"{name}.parquet")
        if name == "trials"
        else pd.read_csv(folder / f"{name}.csv")
        for name in ("trials", "summary", "comparisons")
    }


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    """A function of a design's name giving (design, config, tables, figures, html),
    each design built once per module."""
    built = {}

    def get(design: str):
        if design not in built:
            config = study_config(design)
            tables = run_study(config, tmp_path_factory.mktemp(design))
            trials, summary, comparisons = (
                tables["trials"],
                tables["summary"],
                tables["comparisons"],
            )
            study = Study.from_config(config)
            figs = figures.study_figures(trials, summary, study, comparisons)
            html = render_report(study, trials, summary, "sqlite:///x.db", comparisons=comparisons)
            built[design] = (design, config, tables, figs, html)
        return built[design]

    return get


@pytest.fixture(params=list(DESIGNS))
def study(request, build):
    """(design, config, tables, figures, html) of each design."""
    return build(request.param)


def test_each_design_gets_its_figures(study):
    design, _, _, figs, _ = study
    assert list(figs) == EXPECTED_STEMS[design]


def test_every_figure_has_its_kinds_caption_section_and_a_safe_stem(study):
    _, _, _, figs, html = study
    html = html.replace("&#39;", "'")
    for stem, drawn in figs.items():
        assert re.fullmatch(r"[A-Za-z0-9._-]+", stem)
        assert drawn.kind in registry.KINDS
        assert stem == drawn.kind.name or stem.startswith(drawn.kind.name + "-")
        assert drawn.caption.endswith(".") and len(drawn.caption) > 40
        figure = html[html.index(f'<figure id="fig-{stem}">') :]
        assert figure.index(f"<figcaption>{drawn.caption}</figcaption>") < figure.index("</figure>")
        heading = html[: html.index(f'<figure id="fig-{stem}">')].rindex("<h3>")
        assert html[heading:].startswith(f"<h3>{drawn.section}</h3>")


def test_report_embeds_one_decodable_png_per_figure(study):
    _, _, _, figs, html = study
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]+)"', html)
    assert [alt for _, alt in images] == list(figs)
    assert html.count("<img") == len(figs)
    for data, _ in images:
        png = base64.b64decode(data, validate=True)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert png[12:16] == b"IHDR"
        width, height = struct.unpack(">II", png[16:24])
        assert width > 100 and height > 100


def test_report_is_self_contained(study):
    html = study[4]
    assert "<script" not in html.lower()
    assert not re.search(r"https?://", html)
    assert "<link" not in html and "@import" not in html and "url(" not in html


def test_summary_values_and_design_columns_appear(study):
    design, config, tables, _, html = study
    summary_html = html[
        html.index('id="summary"') : html.index("</table>", html.index('id="summary"'))
    ]
    for row in tables["summary"].itertuples():
        assert f"{row.negative_r2_pct:.1f} <span" in summary_html
        assert f"{row.mean_r2:.3f} <span" in summary_html
    headers = re.findall(r"<th[^>]*>([^<]+)</th>", summary_html)
    assert ("ablation" in headers) == bool(config["ablations"])
    for column in {k for p in scenario_points(config) + model_points(config) for k in p.swept}:
        assert column in headers


def test_model_sweep_shows_none_at_the_right_end(build):
    _, _, _, figs, html = build("model-sweep")
    fig = figs["hyperparameters-noise"].figure
    tree_axes = [ax for ax in fig.axes if ax.get_title() == "Tree: max_depth"]
    (ax,) = tree_axes
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["1", "3", "None"]
    assert ax.get_xticks()[-1] > ax.get_xticks()[-2]
    assert "<td>None</td>" in html  # max_depth=None in the summary table


def test_scenario_sweep_uses_a_log_axis_over_a_wide_span(build):
    _, _, _, figs, _ = build("scenario-sweep")
    axes = figs["sweep-n_train-noise"].figure.axes
    assert [ax.get_xscale() for ax in axes[:2]] == ["log", "log"]
    assert [t.get_text() for t in axes[0].get_xticklabels()] == ["10", "40", "400"]


def test_paired_comparisons_table(study):
    design, _, tables, _, html = study
    full = tables["comparisons"][tables["comparisons"]["ablation"] == "full"]
    if full.empty:
        assert 'id="paired"' not in html
        return
    table = html[html.index('id="paired"') :]
    for row in full.itertuples():
        assert f"{row.mean_diff:.4f} <span" in table
        p = "&lt;0.001" if row.wilcoxon_p < 0.001 else f"{row.wilcoxon_p:.3f}"
        assert f"<td>{p}</td>" in table or pd.isna(row.wilcoxon_p)
    assert "by\nchance alone" in html or "by chance alone" in html


def test_published_comparison_counts_the_expected_chance_disagreements(study):
    design, *_, html = study
    if design != "plain":
        assert 'id="comparison"' not in html
        return
    assert 'id="comparison"' in html
    assert "These are 4 comparisons at 95%" in html
    assert "about 0.2" in html


def test_figures_are_deterministic(build):
    _, config, tables, figs, _ = build("plain")
    again = figures.study_figures(tables["trials"], tables["summary"], Study.from_config(config))
    for stem, drawn in figs.items():
        assert _png(drawn.figure) == _png(again[stem].figure), stem


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=60, metadata={"Software": None})
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("text", "stem"),
    [
        ("noise@n_train=20", "noise-n_train-20"),
        ("KNN@n_neighbors=5,weights=distance", "KNN-n_neighbors-5-weights-distance"),
        ("x@coef=[1,0.5]", "x-coef-1-0.5"),
        ("plain-name_1", "plain-name_1"),
    ],
)
def test_safe_stem(text, stem):
    assert figures.safe_stem(text) == stem


def test_every_registered_kind_is_drawn_by_some_design(build):
    drawn = {fig.kind.name for design in DESIGNS for fig in build(design)[3].values()}
    assert drawn == {kind.name for kind in registry.KINDS}


def test_a_sections_kinds_are_consecutive_in_the_registry():
    sections = [kind.section for kind in registry.KINDS]
    runs = [s for i, s in enumerate(sections) if i == 0 or s != sections[i - 1]]
    assert len(runs) == len(set(runs)), runs


NEW_KIND = """
from matplotlib.figure import Figure

from negr2.figures.registry import FigureKind


def draw(data):
    for sid in data.summary["scenario_id"].unique():
        fig = Figure(figsize=(3, 2))
        fig.add_subplot().plot([0, 1], [0, 1])
        yield sid, fig


KIND = FigureKind(
    name="new-kind",
    section="A new section",
    caption="A kind of figure registered by a module that the test wrote.",
    applies=lambda design: design.plain,
    draw=draw,
)
"""


def test_a_kind_registered_in_its_own_module_shows_in_the_report(build, tmp_path, monkeypatch):
    _, config, tables, _, _ = build("plain")
    (tmp_path / "new_figure.py").write_text(NEW_KIND)
    monkeypatch.syspath_prepend(tmp_path)
    new_figure = importlib.import_module("new_figure")
    monkeypatch.setattr(registry, "KINDS", (*registry.KINDS, new_figure.KIND))
    html = render_report(
        Study.from_config(config), tables["trials"], tables["summary"], "sqlite:///x.db"
    )
    stems = re.findall(r'<figure id="fig-([^"]+)">', html)
    assert stems == [*EXPECTED_STEMS["plain"], "new-kind-noise"]
    assert html.rindex("<h3>A new section</h3>") < html.index('<figure id="fig-new-kind-noise">')
    assert f"<figcaption>{new_figure.KIND.caption}</figcaption>" in html


def test_claims_are_stated_with_their_verdicts(build):
    from negr2.claims import evaluate_claims

    _, config, tables, _, _ = build("plain")
    scenario = tables["summary"]["scenario_id"].iloc[0]
    config = {
        **config,
        "claims": [
            {
                "id": "ols-beats-mean",
                "text": "OLS beats the training mean",
                "scenario": scenario,
                "better": "LinearRegression",
                "than": "MeanBaseline",
                "metric": "r2",
            },
        ],
    }
    claims = evaluate_claims(tables["trials"], config)
    html = render_report(
        Study.from_config(config),
        tables["trials"],
        tables["summary"],
        "sqlite:///x.db",
        comparisons=tables["comparisons"],
        claims=claims,
    )
    assert '<table id="claims">' in html
    assert "OLS beats the training mean" in html
    assert f"<strong>{claims['verdict'].iloc[0]}</strong>" in html
    assert f"{claims['mean_diff'].iloc[0]:.4f}" in html


def test_a_far_wider_model_gets_a_panel_of_its_own():
    import numpy as np

    from negr2.figures.distributions import r2_distribution

    rng = np.random.default_rng(1)
    spread = {"A": 0.05, "B": 0.1, "C": 0.08, "Wide": 1.5}  # Wide: 15-30x the others
    rows = [
        {"scenario_id": "s", "model_id": m, "ablation": "full", "status": "ok", "r2": v}
        for m, sd in spread.items()
        for v in rng.normal(-0.1, sd, 200)
    ]
    trials = pd.DataFrame(rows)
    summary = trials.groupby("model_id", sort=False)["r2"].agg(["mean", "sem"]).reset_index()
    summary = summary.assign(
        scenario_id="s",
        ablation="full",
        mean_r2=summary["mean"],
        mean_r2_lo=summary["mean"] - 2 * summary["sem"],
        mean_r2_hi=summary["mean"] + 2 * summary["sem"],
        theory_r2=float("nan"),
    )
    fig = r2_distribution(trials, summary, "s")
    main, own = fig.axes
    assert [t.get_text() for t in main.get_yticklabels()] == ["A", "B", "C"]
    assert [t.get_text() for t in own.get_yticklabels()] == ["Wide"]
    # The others' panel shows every one of their trials, and none of the wide one's tail.
    others = trials[trials["model_id"] != "Wide"]["r2"]
    low, high = main.get_xlim()
    assert low <= others.min() and high >= others.max()
    assert low > trials[trials["model_id"] == "Wide"]["r2"].min()
    # Models of one spread share one panel.
    alike = trials.assign(
        r2=np.where(trials["model_id"] == "Wide", trials["r2"] / 20, trials["r2"])
    )
    assert len(r2_distribution(alike, summary, "s").axes) == 1
