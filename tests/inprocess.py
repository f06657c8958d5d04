"""Studies run inside the test's process, without Snakemake: each cell's trials from the
package's own trial code, and the study's trials table as aggregate writes it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from negr2.aggregate import write_and_summarise
from negr2.generators import ScenarioDraws
from negr2.study import Study
from negr2.trials import CellJob, run_cells


def study_config(models: dict[str, Any], scenario: dict[str, Any], **top: Any) -> dict[str, Any]:
    """A study of one scenario point ``noise`` (its defaults as the schema fills them)."""
    config = {
        "study": "versions",
        "seed": 11,
        "trials": 30,
        "preprocessing": "standard_scaler",
        "split": {},
        "ablations": {},
        "scenarios": {"noise": scenario},
        "models": {
            name: {"estimator": estimator, "params": params}
            for name, (estimator, params) in models.items()
        },
    }
    return config | top


NOISE = {"generator": "gaussian_noise", "n_train": 40, "n_test": 30, "n_features": 5}
SIGNAL = {"generator": "linear", "n_train": 40, "n_test": 40, "n_features": 9,
          "n_informative": 3, "snr": 0.5}  # fmt: skip
OLS = ("sklearn.linear_model.LinearRegression", {})


def ridge(alpha: float) -> tuple[str, dict[str, float]]:
    return "sklearn.linear_model.Ridge", {"alpha": alpha}


def run_study(config: dict[str, Any]) -> tuple[Study, pd.DataFrame]:
    """Every cell's trials, in the study's order (as the trial jobs compute them)."""
    study = Study.from_config(config)
    tables = []
    for scenario in study.scenarios.values():
        draws = ScenarioDraws(scenario.id, scenario.spec, config["seed"], seed_name=scenario.name)
        jobs = [
            CellJob(
                scenario.name,
                scenario.id,
                model.name,
                model.id,
                {key: model.spec[key] for key in ("estimator", "params")},
                model.spec.get("preprocessing", config["preprocessing"]),
                config["ablations"],
                study.raw_split(scenario.id),
            )  # fmt: skip
            for model in study.models.values()
        ]
        tables.append(run_cells(draws, jobs, range(config["trials"])))
    return study, pd.concat(tables, ignore_index=True)


def write_table(study: Study, trials: pd.DataFrame, path: Path) -> pd.DataFrame:
    """The study's trials.parquet at ``path``, written by aggregate's writer from a file
    per cell; returns the study's summary."""
    folder = path.parent / f".{path.name}.cells"
    folder.mkdir(parents=True, exist_ok=True)
    cells = []
    for (scenario_id, model_id), rows in trials.groupby(["scenario_id", "model_id"], sort=False):
        cell_file = folder / f"{scenario_id}--{model_id}.parquet"
        rows.to_parquet(cell_file, index=False)
        cells.append((scenario_id, model_id, [str(cell_file)]))
    return write_and_summarise(cells, study, str(path))
