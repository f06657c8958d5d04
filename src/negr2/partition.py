"""A SLURM partition's limits, and the trial jobs that cannot fit them.

Before a cluster run submits anything, each trial job (or group of jobs) it would
submit is compared with the limits of the partition it targets: time, CPUs per node and
memory per node. A job that cannot fit would wait in the queue for ever or be refused
late (the plugin's issue #456); the run stops instead, with one line naming the job,
what it asks for, the limit, and the study key that changes it.

Standard library only: the Snakefile imports it on cluster runs.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

#: Runs a SLURM command and returns its standard output.
Command = Callable[[Sequence[str]], str]


@dataclass(frozen=True)
class PartitionLimits:
    """The most a job may ask of one partition (None: no limit)."""

    name: str
    minutes: float | None
    cpus: int | None
    mem_mb: int | None


@dataclass(frozen=True)
class Request:
    """What one SLURM submission (a trial job, or a group of them) asks for."""

    job: str
    minutes: float
    cpus: int
    mem_mb: int
    partition: str
    #: The study keys that change its time, CPUs and memory.
    keys: Mapping[str, str]


def slurm_output(command: Sequence[str]) -> str:
    """Standard output of a SLURM command (sinfo, scontrol)."""
    done = subprocess.run(list(command), capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip()}")
    return done.stdout


def read_limits(partition: str, run: Command = slurm_output) -> PartitionLimits:
    """The limits of ``partition`` (the cluster's default partition when empty), from
    ``scontrol show partition`` and the largest of its nodes (``sinfo``)."""
    fields = {}
    command = ["scontrol", "show", "partition", "--oneliner", *([partition] if partition else [])]
    for line in run(command).splitlines():
        candidate = dict(re.findall(r"(\w+)=(\S*)", line))
        if partition or candidate.get("Default") == "YES":
            fields = candidate
            break
    if not fields:
        raise RuntimeError(f"SLURM has no partition {partition or '(default)'}")
    name = fields["PartitionName"]
    nodes = run(["sinfo", "--noheader", "--partition", name, "--format", "%c %m"])
    # One line per kind of node; "16+" where a line spans several sizes.
    sizes = [[int(re.sub(r"\D", "", v) or 0) for v in line.split()] for line in nodes.splitlines()]
    node_cpus = max((c for c, _ in sizes), default=None)
    node_mem = max((m for _, m in sizes), default=None)
    return PartitionLimits(
        name=name,
        minutes=parse_minutes(fields.get("MaxTime", "UNLIMITED")),
        cpus=_smallest(_count(fields.get("MaxCPUsPerNode")), node_cpus),
        mem_mb=_smallest(_count(fields.get("MaxMemPerNode")), node_mem),
    )


def parse_minutes(text: str) -> float | None:
    """SLURM's time (``[days-]hours:minutes:seconds``, ``minutes:seconds``,
    ``minutes``) in minutes; None for ``UNLIMITED`` or ``INFINITE``."""
    if text.upper() in ("UNLIMITED", "INFINITE", ""):
        return None
    days, _, clock = text.rpartition("-")
    parts = [float(p) for p in clock.split(":")]
    if len(parts) == 3:
        hours, minutes, seconds = parts
    elif len(parts) == 2:
        hours, (minutes, seconds) = 0.0, parts
    else:
        hours, minutes, seconds = 0.0, parts[0], 0.0
    return (float(days or 0) * 24 + hours) * 60 + minutes + seconds / 60


def misfits(requests: Sequence[Request], limits: Mapping[str, PartitionLimits]) -> list[str]:
    """One line per request that cannot fit its partition (``limits`` by partition as
    requested, "" for the default), naming the job, its ask, the limit and the key."""
    lines = []
    for request in requests:
        limit = limits[request.partition]
        asks = (
            ("time", request.minutes, limit.minutes, "min"),
            ("cpus", request.cpus, limit.cpus, "CPUs"),
            ("memory", request.mem_mb, limit.mem_mb, "MB of memory"),
        )
        for what, asked, most, unit in asks:
            if most is not None and asked > most:
                lines.append(
                    f"negr2: {request.job} asks for {asked:g} {unit}, more than "
                    f"partition '{limit.name}' allows ({most:g} {unit}): "
                    f"{request.keys[what]}"
                )
    return lines


def _count(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def _smallest(*values: int | None) -> int | None:
    known = [v for v in values if v is not None]
    return min(known) if known else None
