"""Chunks: the contiguous runs of trials into which a cell's jobs split its trials.

Standard library only: the Snakefile loads it on every ``snakemake`` call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Chunk:
    """Trials ``[start, stop)`` of one (scenario, model) cell, run by one job."""

    index: int
    count: int
    start: int
    stop: int

    @property
    def label(self) -> str:
        """The chunk's part of a file name, e.g. ``2of4``."""
        return f"{self.index + 1}of{self.count}"


def chunks(trials: int, count: int) -> list[Chunk]:
    """Split ``trials`` into ``count`` contiguous, near-equal chunks (fewer when
    there are fewer trials than chunks)."""
    if trials < 1 or count < 1:
        raise ValueError(f"need trials >= 1 and count >= 1, got {trials} and {count}")
    count = min(count, trials)
    bounds = [round(i * trials / count) for i in range(count + 1)]
    return [Chunk(i, count, bounds[i], bounds[i + 1]) for i in range(count)]


def chunk_from_label(trials: int, label: str) -> Chunk:
    """Inverse of :attr:`Chunk.label` for a study with ``trials`` trials."""
    index, count = (int(part) for part in label.split("of"))
    return chunks(trials, count)[index - 1]


# A trial job keeps its rows in memory until it writes them: at most this many trials
# per job, so that a job's peak memory does not grow with the study's trials.
MAX_TRIALS_PER_JOB = 20_000


def model_chunks(config: Mapping[str, Any], model: str) -> list[Chunk]:
    """The chunks of one model's cells (the same in every scenario and sweep point):
    the model's ``chunks``, or more when a chunk would exceed MAX_TRIALS_PER_JOB."""
    trials = config["trials"]
    needed = -(-trials // MAX_TRIALS_PER_JOB)  # ceiling division
    return chunks(trials, max(config["models"][model].get("chunks", 1), needed))
