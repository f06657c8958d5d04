"""Compare two versions of a study, cell by cell, and judge every change.

Cells match on scenario point, model point and ablation variant. Trials pair up by
index when both versions drew the same data: the same data digest for the scenario
point (:mod:`negr2.datasets`), or, for tables that do not record digests, the same
seed in every trial. The versions are read one cell at a time, so two studies of
millions of trials compare in the memory of one cell of each.

A quantity *moved* when its p-value, corrected across every cell compared (Holm or
Benjamini–Hochberg), is below α and its change is larger than a negligible fraction
of its spread across trials (a consistent shift of 1e-12 in R² after a change of
rounding is real, not a result). A cell's verdict rests on its primary metric and its
share of failed trials: ``identical`` when every quantity but the timings is bit-equal,
``moved`` when either moved, else ``within noise``; ``added`` and ``removed`` cells are
in one version only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from negr2.compare.metrics import (
    FAILED_SHARE,
    HIGHER_IS_BETTER,
    METRICS,
    PRIMARY,
    QUANTITIES,
    TIMINGS,
)
from negr2.compare.statistics import CORRECTIONS, correct
from negr2.compare.variants import compare_variant, one_side
from negr2.compare.versions import Cell, Version
from negr2.errors import InputError

#: The verdicts, from most to least alarming.
VERDICTS = ("moved", "removed", "added", "within noise", "identical")
#: The long table's columns: one row per cell, ablation variant and quantity.
COLUMNS = (
    "scenario_id", "model_id", "ablation", "quantity", "pairing", "n_base", "n_new",
    "base", "new", "delta", "delta_lo", "delta_hi", "sd", "test", "p", "p_adjusted",
    "correction", "identical", "verdict", "direction", "cell_verdict",
)  # fmt: skip


@dataclass(frozen=True)
class Options:
    """How changes are judged: the level ``alpha`` of the corrected tests, the
    ``correction`` (``holm`` or ``bh``), the ``metric`` a cell's verdict rests on, and
    ``negligible``: a change at most this many standard deviations (of the quantity
    across trials) is within noise whatever its p-value."""

    alpha: float = 0.05
    correction: str = "holm"
    metric: str = PRIMARY
    negligible: float = 1e-3

    def check(self) -> None:
        """One line naming the option that is wrong."""
        if not 0 < self.alpha < 1:
            raise InputError(f"--alpha must be between 0 and 1, got {self.alpha}")
        if self.correction not in CORRECTIONS:
            raise InputError(
                f"--correction {self.correction!r}: use one of {', '.join(CORRECTIONS)}"
            )
        judged = [m for m in METRICS if m not in TIMINGS]
        if self.metric not in judged:
            raise InputError(f"--metric {self.metric!r}: use one of {', '.join(judged)}")
        if self.negligible < 0:
            raise InputError(f"--negligible must be 0 or more, got {self.negligible}")


@dataclass(frozen=True)
class Comparison:
    """The two versions, the options, the long table (:data:`COLUMNS`) and, by scenario
    point, the lines saying how its cells' trials were paired (one, unless its cells
    were paired differently)."""

    base: Version
    new: Version
    options: Options
    table: pd.DataFrame
    pairing: dict[str, list[str]]

    def cells(self) -> pd.DataFrame:
        """One row per cell and variant: its pairing, its primary metric's row and its
        verdict."""
        primary = self.table[self.table["quantity"] == self.options.metric]
        return primary.reset_index(drop=True)

    def counts(self) -> dict[str, int]:
        """How many cells (and variants) got each verdict, for those that occur."""
        counts = self.cells()["cell_verdict"].value_counts()
        return {v: int(counts[v]) for v in VERDICTS if v in counts}


def compare_versions(base: Version, new: Version, options: Options) -> Comparison:
    """Compare ``new`` with ``base`` (see the module's docstring); raises
    :class:`~negr2.errors.InputError` before reading any trial when the two cannot be
    compared."""
    options.check()
    check_comparable(base, new)
    pairing: dict[str, list[str]] = {}
    sides = set(base.cells), set(new.cells)
    rows = [
        row
        for cell in _all_cells(base, new)
        for row in _cell_rows(base, new, cell, (cell in sides[0], cell in sides[1]), pairing)
    ]
    table = pd.DataFrame(rows, columns=[c for c in COLUMNS if c not in _JUDGED])
    return Comparison(base, new, options, judge(table, options), pairing)


def check_comparable(base: Version, new: Version) -> None:
    """Two versions of one study share a scenario point and a cell."""
    scenarios_base = {s for s, _ in base.cells}
    scenarios_new = {s for s, _ in new.cells}
    if not scenarios_base & scenarios_new:
        raise InputError(
            "BASE and NEW are two different studies: no scenario point in common (BASE: "
            f"{', '.join(sorted(scenarios_base))}; NEW: {', '.join(sorted(scenarios_new))})"
        )
    if not set(base.cells) & set(new.cells):
        raise InputError(
            "BASE and NEW have no cell in common (no model point ran in both on a scenario "
            "point of both): nothing to compare"
        )


def _all_cells(base: Version, new: Version) -> list[Cell]:
    """BASE's cells in its order, then those only NEW has."""
    in_base = set(base.cells)
    return [*base.cells, *(c for c in new.cells if c not in in_base)]


def _cell_rows(
    base: Version,
    new: Version,
    cell: Cell,
    present: tuple[bool, bool],
    pairing: dict[str, list[str]],
) -> list[dict]:
    """The rows of one cell: each variant's quantities, or those of the one version
    it is ``present`` in."""
    from negr2.storage import release_memory

    in_base, in_new = present
    if not (in_base and in_new):
        rows = (base if in_base else new).read(cell)
        return _one_sided_rows(cell, rows, "removed" if in_base else "added")
    base_rows, new_rows = base.read(cell), new.read(cell)
    mode, note = _pairing(base.digests.get(cell), new.digests.get(cell), base_rows, new_rows)
    notes = pairing.setdefault(cell[0], [])
    if note not in notes:
        notes.append(note)
    out = []
    for variant, b, n in _variants(base_rows, new_rows):
        if b is None or n is None:
            out += _one_sided_rows(cell, b if n is None else n, "removed" if n is None else "added")
            continue
        for measured in compare_variant(b, n, paired=mode != "unpaired"):
            out.append(_row(cell, variant, mode, measured.quantity, measured.change) | {
                "identical": measured.identical})  # fmt: skip
    del base_rows, new_rows
    release_memory()
    return out


def _variants(
    base: pd.DataFrame, new: pd.DataFrame
) -> Iterator[tuple[str, pd.DataFrame | None, pd.DataFrame | None]]:
    """Each ablation variant with its rows in each version (None where it is absent),
    BASE's variants first; a cell of one variant is not copied."""
    labels = [[str(label) for label in rows["ablation"].unique()] for rows in (base, new)]
    if labels[0] == labels[1] and len(labels[0]) == 1:
        yield labels[0][0], base, new
        return
    for variant in dict.fromkeys([*labels[0], *labels[1]]):
        parts = [rows[rows["ablation"] == variant] for rows in (base, new)]
        yield variant, *(part if len(part) else None for part in parts)


def _pairing(
    digest_base: str | None, digest_new: str | None, base_rows: pd.DataFrame, new_rows: pd.DataFrame
) -> tuple[str, str]:
    """How a cell's trials pair up (``paired``, ``paired by seed`` or ``unpaired``), from
    the data digests of its two versions (or their seeds), and a line saying why."""
    if digest_base is not None and digest_new is not None:
        if digest_base == digest_new:
            return "paired", f"paired: both versions drew the same data (digest {digest_base})"
        return "unpaired", (
            f"unpaired: the versions drew different data (digest {digest_base} against "
            f"{digest_new}: another seed, trial count or generator setting)"
        )
    if _same_seeds(base_rows, new_rows):
        return "paired by seed", (
            "paired by seed: a version does not record its data digest, and every trial's "
            "seed is the same in both (generator settings unchecked)"
        )
    return "unpaired", "unpaired: a version does not record its data digest, and the seeds differ"


def _same_seeds(base: pd.DataFrame, new: pd.DataFrame) -> bool:
    """Both versions hold the same trials, each with the same seed."""
    if "seed" not in base or "seed" not in new:
        return False
    seeds = [rows[["trial", "seed"]].drop_duplicates().sort_values("trial") for rows in (base, new)]
    return len(seeds[0]) == len(seeds[1]) and all(
        np.array_equal(seeds[0][c].to_numpy(), seeds[1][c].to_numpy()) for c in ("trial", "seed")
    )


def _row(cell: Cell, variant: str, pairing: str, quantity: str, change) -> dict:
    return {
        "direction": _direction(quantity, change.delta),
        "scenario_id": cell[0], "model_id": cell[1], "ablation": variant,
        "quantity": quantity, "pairing": pairing, "n_base": change.n_base,
        "n_new": change.n_new, "base": change.base, "new": change.new,
        "delta": change.delta, "delta_lo": change.lo, "delta_hi": change.hi,
        "sd": change.spread, "test": change.test, "p": change.p,
    }  # fmt: skip


def _direction(quantity: str, delta: float) -> str:
    """``better`` or ``worse`` by the quantity's direction; empty without a change or a
    direction."""
    higher = HIGHER_IS_BETTER.get(quantity)
    if higher is None or not delta or np.isnan(delta):
        return ""
    return "better" if (delta > 0) == higher else "worse"


def _one_sided_rows(cell: Cell, rows: pd.DataFrame, verdict: str) -> list[dict]:
    """The rows of a cell's variants present in one version only: their values there."""
    out = []
    side, n_side = ("base", "n_base") if verdict == "removed" else ("new", "n_new")
    for variant, part in rows.groupby("ablation", sort=False, observed=True):
        values = one_side(part)
        for quantity in QUANTITIES:
            out.append({
                "scenario_id": cell[0], "model_id": cell[1], "ablation": str(variant),
                "quantity": quantity, "pairing": "", side: values[quantity],
                n_side: len(part), "identical": False, "verdict": verdict, "direction": "",
            })  # fmt: skip
    return out


#: Columns filled by :func:`judge`.
_JUDGED = ("p_adjusted", "correction", "cell_verdict")


def judge(table: pd.DataFrame, options: Options) -> pd.DataFrame:
    """Correct each quantity's p-values across the cells compared, then give every row
    its verdict and every cell (and variant) the verdict of :func:`cell_verdict`."""
    table = table.copy()
    compared = ~table["verdict"].isin(["added", "removed"])
    table["p_adjusted"] = np.nan
    table["correction"] = np.where(compared, options.correction, "")
    for _quantity, rows in table[compared].groupby("quantity", sort=False):
        table.loc[rows.index, "p_adjusted"] = correct(rows["p"].to_numpy(), options.correction)
    moved = (table["p_adjusted"] < options.alpha) & (
        table["delta"].abs() > options.negligible * table["sd"].fillna(0)
    )
    judged = np.where(
        table["identical"].astype(bool), "identical", np.where(moved, "moved", "within noise")
    )
    table["verdict"] = np.where(compared, judged, table["verdict"].astype(object))
    keys = ["scenario_id", "model_id", "ablation"]
    verdicts = {key: cell_verdict(rows, options) for key, rows in table.groupby(keys, sort=False)}
    table["cell_verdict"] = [verdicts[tuple(k)] for k in table[keys].itertuples(index=False)]
    return table[list(COLUMNS)]


def cell_verdict(rows: pd.DataFrame, options: Options) -> str:
    """A cell's verdict from its rows: ``added``/``removed``; ``identical`` when every
    quantity but the timings is; ``moved`` when its primary metric or its share of failed
    trials moved; else ``within noise``."""
    verdict = rows["verdict"].iloc[0]
    if verdict in ("added", "removed"):
        return verdict
    judged = rows[~rows["quantity"].isin(TIMINGS)]
    if judged["identical"].astype(bool).all():
        return "identical"
    deciding = judged[judged["quantity"].isin([options.metric, FAILED_SHARE])]
    return "moved" if (deciding["verdict"] == "moved").any() else "within noise"
