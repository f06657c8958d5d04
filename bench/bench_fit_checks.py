#!/usr/bin/env python3
"""Time each default model's 100 trials with scikit-learn's per-fit parameter checks on
and off (negr2.trials skips them after checking each model once), in one process, and
check that the trials are the same, bit for bit.

    python bench/bench_fit_checks.py            # prints a Markdown table
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import sklearn
import yaml

from negr2 import trials
from negr2.generators import ScenarioDraws
from negr2.trials import CellJob, run_cells

REPO = Path(__file__).resolve().parents[1]
TIMES = ["fit_seconds", "predict_seconds"]


def run(model: str, spec: dict, draws: ScenarioDraws, skip: bool) -> tuple[float, pd.DataFrame]:
    """Seconds and trials of one model; ``skip`` False turns the checks back on."""
    job = CellJob("noise", "noise", model, model, {k: spec.get(k) for k in ("estimator", "params")})
    original = trials.config_context
    if not skip:  # run_cell asks for the skip: make its request a no-op
        trials.config_context = lambda **_: sklearn.config_context()
    try:
        start = time.perf_counter()
        table = run_cells(draws, [job], range(100))
        return time.perf_counter() - start, table.drop(columns=TIMES)
    finally:
        trials.config_context = original


def main() -> None:
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    draws = ScenarioDraws("noise", config["scenarios"]["noise"], config["seed"], "noise")
    print("| model | checks in every fit (s) | once per cell (s) | change |")
    print("|---|---|---|---|")
    totals = [0.0, 0.0]
    for model, spec in config["models"].items():
        (on, with_checks), (off, without) = (run(model, spec, draws, s) for s in (False, True))
        pd.testing.assert_frame_equal(with_checks, without, check_exact=True)
        totals = [totals[0] + on, totals[1] + off]
        print(f"| {model} | {on:.2f} | {off:.2f} | {off / on - 1:+.0%} |")
    print(f"| all | {totals[0]:.2f} | {totals[1]:.2f} | {totals[1] / totals[0] - 1:+.0%} |")


if __name__ == "__main__":
    main()
