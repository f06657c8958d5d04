"""negr2 compare from the command line: its outputs, its exit status, and one line for
each kind of bad input, with nothing written."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest
from inprocess import NOISE, OLS, ridge, run_study, study_config, write_table

from negr2 import RESULTS_FORMAT, cli

SIGNAL_POINT = {"generator": "linear", "n_train": 30, "n_test": 30, "n_features": 4,
                "n_informative": 2, "snr": 2.0}  # fmt: skip


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    """Trials tables: a study, the same study with Ridge's alpha 1 -> 1000 on a signal,
    a study of another scenario, a study of other models."""
    tmp = tmp_path_factory.mktemp("tables")
    configs = {
        "base": study_config({"OLS": OLS, "Ridge": ridge(1.0)}, SIGNAL_POINT),
        "new": study_config({"OLS": OLS, "Ridge": ridge(1000.0)}, SIGNAL_POINT),
        "elsewhere": study_config({"OLS": OLS}, NOISE) | {"scenarios": {"other": NOISE}},
        "models": study_config({"Lasso": ("sklearn.linear_model.Lasso", {})}, SIGNAL_POINT),
    }
    paths = {}
    for name, config in configs.items():
        study, trials = run_study(config)
        paths[name] = tmp / name / "trials.parquet"
        write_table(study, trials, paths[name])
        (tmp / name / "negr2-format.json").write_text(
            json.dumps({"results_format": RESULTS_FORMAT})
        )
    return paths


def _run(capsys, *args):
    status = cli.main(["compare", *map(str, args)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_the_table_goes_to_stdout_in_markdown_or_csv(tables, capsys):
    status, out, err = _run(capsys, tables["base"].parent, tables["new"])
    assert status == 0 and err == ""
    assert "Holm-corrected p < 0.05" in out and "Verdicts: 1 moved, 1 identical." in out
    assert "| noise | Ridge | full | r2 | paired |" in out
    status, out, _ = _run(capsys, tables["base"], tables["new"], "--format", "csv")
    from io import StringIO

    table = pd.read_csv(StringIO(out))
    assert table.loc[table["quantity"] == "r2", "cell_verdict"].tolist() == ["identical", "moved"]


def test_out_writes_the_table_page_and_figure(tables, tmp_path, capsys):
    out = tmp_path / "out"
    status, printed, _ = _run(capsys, tables["base"], tables["new"], "--out", out)
    assert status == 0 and "Verdicts: 1 moved" in printed
    names = {p.name for p in out.iterdir()}
    assert names == {"compare.csv", "compare.md", "compare.json", "forest.png", "compare.html",
                     "section.html"}  # fmt: skip
    assert (out / "forest.png").read_bytes().startswith(b"\x89PNG")
    html = (out / "compare.html").read_text()
    assert "data:image/png;base64," in html and "<strong>moved</strong>" in html
    description = json.loads((out / "compare.json").read_text())
    assert description["counts"] == {"moved": 1, "identical": 1}
    assert description["correction"] == "holm"


@pytest.mark.parametrize(
    ("fail_on", "status"), [("never", 0), ("moved", 1), ("any-change", 1)]
)  # fmt: skip
def test_the_exit_status_follows_fail_on(tables, capsys, fail_on, status):
    assert _run(capsys, tables["base"], tables["new"], "--fail-on", fail_on)[0] == status


def test_identical_versions_pass_even_any_change(tables, capsys):
    assert _run(capsys, tables["base"], tables["base"], "--fail-on", "any-change")[0] == 0


def _refused(capsys, tmp_path, *args) -> str:
    """The one line of a refused comparison; checks that nothing was written."""
    out = tmp_path / "refused"
    status, printed, err = _run(capsys, *args, "--out", out)
    assert status == 2 and printed == ""
    assert err.count("\n") == 1 and err.startswith("negr2 compare: ")
    assert not out.exists()
    return err


def test_a_missing_path(tables, tmp_path, capsys):
    err = _refused(capsys, tmp_path, tables["base"], tmp_path / "nowhere")
    assert "NEW" in err and "nowhere: no such file or folder" in err


def test_an_unreadable_file(tables, tmp_path, capsys):
    garbage = tmp_path / "trials.parquet"
    garbage.write_bytes(b"not a parquet file")
    err = _refused(capsys, tmp_path, garbage, tables["new"])
    assert "BASE" in err and "not a readable trials table" in err


def test_a_folder_without_trials(tables, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    err = _refused(capsys, tmp_path, tables["base"], tmp_path / "empty")
    assert "no trials.parquet in this folder" in err


def test_a_results_folder_of_an_older_format(tables, tmp_path, capsys):
    old = tmp_path / "old"
    old.mkdir()
    (old / "trials.parquet").write_bytes(tables["base"].read_bytes())
    (old / "negr2-format.json").write_text(json.dumps({"results_format": RESULTS_FORMAT - 1}))
    err = _refused(capsys, tmp_path, old, tables["new"])
    assert f"results format {RESULTS_FORMAT - 1}" in err and "rerun its study" in err


def test_a_table_of_an_older_format(tables, tmp_path, capsys):
    table = pq.read_table(tables["base"])
    described = json.loads(table.schema.metadata[b"negr2"]) | {"results_format": 1}
    older = tmp_path / "older.parquet"
    pq.write_table(table.replace_schema_metadata({b"negr2": json.dumps(described)}), older)
    assert "results format 1" in _refused(capsys, tmp_path, older, tables["new"])
    renamed = tmp_path / "renamed.parquet"
    pq.write_table(table.replace_schema_metadata({}).rename_columns(
        ["old_name" if c == "mae" else c for c in table.column_names]), renamed)  # fmt: skip
    assert "an older negr2" in _refused(capsys, tmp_path, renamed, tables["new"])


def test_two_different_studies(tables, tmp_path, capsys):
    err = _refused(capsys, tmp_path, tables["base"], tables["elsewhere"])
    assert "two different studies: no scenario point in common" in err


def test_no_common_cell(tables, tmp_path, capsys):
    assert "no cell in common" in _refused(capsys, tmp_path, tables["base"], tables["models"])


@pytest.mark.parametrize(
    ("option", "message"),
    [(("--metric", "fit_seconds"), "--metric 'fit_seconds'"),
     (("--correction", "bonferroni"), "--correction 'bonferroni'"),
     (("--alpha", "1.5"), "--alpha must be between 0 and 1")],
)  # fmt: skip
def test_bad_options(tables, tmp_path, capsys, option, message):
    assert message in _refused(capsys, tmp_path, tables["base"], tables["new"], *option)


def test_base_and_new_or_mlflow(tables, tmp_path, capsys):
    assert "name BASE and NEW" in _refused(capsys, tmp_path, tables["base"])
    err = _refused(capsys, tmp_path, tables["base"], tables["new"], "--mlflow", "versions")
    assert "not both" in err


def test_a_table_not_written_a_cell_at_a_time(tables, tmp_path, capsys):
    whole = tmp_path / "whole.parquet"
    pq.write_table(pq.read_table(tables["base"]), whole)  # one row group, every cell
    assert "rerun aggregate" in _refused(capsys, tmp_path, whole, tables["new"])
