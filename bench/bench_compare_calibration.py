#!/usr/bin/env python3
"""A/A calibration of `negr2 compare`: how often it flags cells that did not change.

    python bench/bench_compare_calibration.py [--studies 400] [--trials 20]

Simulates many small studies with the package's own trial code and compares two versions
of each that differ in nothing that matters:

* unpaired: the quick study's cheap models (``config/studies/quick.yaml`` without
  RandomForest) with two master seeds, so each version draws other data (Welch's test);
* paired: one seed, stochastic gradient descent and extra trees (three trees) on two
  training sizes, whose ``random_state`` alone differs (the paired test; the versions
  are exchangeable).

Prints, for each design, the share of cells flagged ``moved`` before correction (the
cell's p-value below α = 0.05 and its change above the negligible size) against the
binomial 95% interval of α for that many cells, and the share of studies with any cell
flagged after Holm's and after Benjamini–Hochberg's correction (at most α expected),
with their Clopper–Pearson 95% intervals.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.stats
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from negr2.compare.engine import Options, compare_versions, judge  # noqa: E402
from negr2.compare.versions import frame_version  # noqa: E402
from negr2.datasets import data_digest, data_spec  # noqa: E402
from negr2.generators import ScenarioDraws  # noqa: E402
from negr2.study import Study  # noqa: E402
from negr2.trials import CellJob, run_cells  # noqa: E402

ALPHA = 0.05
RANDOMISED = {
    "SGD": {"estimator": "sklearn.linear_model.SGDRegressor", "params": {}},
    "ExtraTrees": {"estimator": "sklearn.ensemble.ExtraTreesRegressor",
                   "params": {"n_estimators": 3, "max_depth": 3}},
}  # fmt: skip


def run_version(config: dict) -> tuple[pd.DataFrame, dict[str, str]]:
    """Every cell's trials, as the trial jobs compute them, and each scenario point's
    data digest."""
    study = Study.from_config(config)
    tables = []
    for point in study.scenarios.values():
        draws = ScenarioDraws(point.id, point.spec, config["seed"], seed_name=point.name)
        jobs = [
            CellJob(point.name, point.id, m.name, m.id,
                    {k: m.spec[k] for k in ("estimator", "params") if k in m.spec},
                    config["preprocessing"], {}, {})
            for m in study.models.values()
        ]  # fmt: skip
        tables.append(run_cells(draws, jobs, range(config["trials"])))
    digests = {s: data_digest(data_spec(study, s)) for s in study.scenarios}
    return pd.concat(tables, ignore_index=True), digests


def unpaired_pair(index: int, trials: int) -> tuple[dict, dict]:
    """The quick study's cheap models under two master seeds."""
    quick = yaml.safe_load((REPO / "config/studies/quick.yaml").read_text())
    models = {k: v for k, v in quick["models"].items() if k != "RandomForest"}
    base = quick | {"models": models, "trials": trials, "preprocessing": "standard_scaler",
                    "seed": 1000 + 2 * index}  # fmt: skip
    return base, base | {"seed": 1001 + 2 * index}


def paired_pair(index: int, trials: int) -> tuple[dict, dict]:
    """Two randomised models on two training sizes, one seed, two random states."""
    scenario = {"generator": "gaussian_noise", "n_train": [40, 160], "n_test": 40, "n_features": 9}

    def version(state: int) -> dict:
        models = {name: spec | {"params": spec["params"] | {"random_state": state}}
                  for name, spec in RANDOMISED.items()}  # fmt: skip
        return {"study": "aa", "seed": 5000 + index, "trials": trials,
                "preprocessing": "standard_scaler", "scenarios": {"noise": scenario},
                "models": models}  # fmt: skip

    return version(1), version(2)


def flags(base: dict, new: dict) -> tuple[np.ndarray, bool, bool, str]:
    """Each cell's raw flag (before correction), whether the study has any cell moved
    after Holm and after Benjamini–Hochberg, and the cells' pairing."""
    (a, da), (b, db) = run_version(base), run_version(new)
    versions = frame_version(a, "A", da), frame_version(b, "B", db)
    holm = compare_versions(*versions, Options(alpha=ALPHA, correction="holm")).table
    bh = judge(holm, Options(alpha=ALPHA, correction="bh"))  # the same tests, corrected by BH
    cells = holm[holm["quantity"] == "r2"]
    negligible = Options().negligible * cells["sd"].fillna(0)
    raw = ((cells["p"] < ALPHA) & (cells["delta"].abs() > negligible)).to_numpy()
    moved = [bool((table["cell_verdict"] == "moved").any()) for table in (holm, bh)]
    return raw, moved[0], moved[1], cells["pairing"].iloc[0]


def report(name: str, raw: np.ndarray, holm: list[bool], bh: list[bool], pairing: str) -> None:
    n, k = raw.size, int(raw.sum())
    lo, hi = scipy.stats.binom.ppf([0.025, 0.975], n, ALPHA) / n
    print(f"\n{name} ({pairing}): {len(holm)} studies, {n} cells")
    verdict = "inside" if lo <= k / n <= hi else "OUTSIDE"
    print(f"  flagged before correction: {k}/{n} = {k / n:.4f}; binomial 95% interval of "
          f"alpha={ALPHA} for {n} cells: [{lo:.4f}, {hi:.4f}] -> {verdict}")  # fmt: skip
    for label, any_flag in (("Holm", holm), ("Benjamini-Hochberg", bh)):
        m, s = sum(any_flag), len(any_flag)
        ci = scipy.stats.binomtest(m, s).proportion_ci(0.95)
        print(f"  studies with any cell moved after {label}: {m}/{s} = {m / s:.4f} "
              f"[{ci.low:.4f}, {ci.high:.4f}]")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=400)
    parser.add_argument("--trials", type=int, default=20)
    args = parser.parse_args()
    for name, make in (("two seeds", unpaired_pair), ("two random states", paired_pair)):
        start = time.perf_counter()
        raw, holm, bh, pairing = [], [], [], ""
        for index in range(args.studies):
            cell_flags, any_holm, any_bh, pairing = flags(*make(index, args.trials))
            raw.append(cell_flags)
            holm.append(any_holm)
            bh.append(any_bh)
            if (index + 1) % 50 == 0:
                print(f"  {name}: {index + 1} studies", flush=True)
        report(name, np.concatenate(raw), holm, bh, pairing)
        print(f"  ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
