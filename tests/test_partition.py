"""A SLURM partition's limits, read from scontrol and sinfo, and the jobs that cannot fit.

The SLURM output below is what Slurm 22.05 prints (services/slurm.sh's cluster); the
check against the real cluster is in test_slurm.py."""

from __future__ import annotations

import pytest

from negr2.partition import PartitionLimits, Request, misfits, parse_minutes, read_limits

SCONTROL = (
    "PartitionName=main AllowGroups=ALL Default=YES MaxTime=UNLIMITED "
    "MaxCPUsPerNode=UNLIMITED Nodes=vm DefMemPerNode=UNLIMITED MaxMemPerNode=UNLIMITED\n"
    "PartitionName=short AllowGroups=ALL Default=NO MaxTime=1-02:30:00 "
    "MaxCPUsPerNode=4 Nodes=vm DefMemPerNode=UNLIMITED MaxMemPerNode=500\n"
)
SINFO = {"main": "2 23081\n", "short": "8 64000\n16+ 128000+\n"}


def fake_slurm(command):
    if command[0] == "scontrol":
        name = command[4:]
        return "".join(
            line + "\n" for line in SCONTROL.splitlines() if not name or f"={name[0]} " in line
        )
    return SINFO[command[command.index("--partition") + 1]]


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("UNLIMITED", None),
        ("INFINITE", None),
        ("30", 30),
        ("5:30", 5.5),
        ("02:00:00", 120),
        ("1-02:30:00", 26 * 60 + 30),
    ],
)
def test_slurm_times_in_minutes(text, minutes):
    assert parse_minutes(text) == minutes


def test_the_default_partition_and_its_largest_node():
    limits = read_limits("", run=fake_slurm)
    assert limits == PartitionLimits("main", minutes=None, cpus=2, mem_mb=23081)


def test_a_partition_limit_below_its_nodes_wins():
    limits = read_limits("short", run=fake_slurm)
    assert limits == PartitionLimits("short", minutes=26 * 60 + 30, cpus=4, mem_mb=500)


def test_a_missing_partition_is_named():
    with pytest.raises(RuntimeError, match="no partition nowhere"):
        read_limits("nowhere", run=lambda command: "")


def request(minutes, cpus, mem_mb):
    keys = {"time": "raise chunks", "cpus": "fewer CPUs", "memory": "less memory"}
    return Request("trial job X", minutes, cpus, mem_mb, "short", keys)


def test_one_line_per_limit_exceeded():
    limits = {"short": PartitionLimits("short", minutes=60, cpus=4, mem_mb=500)}
    assert misfits([request(60, 4, 500)], limits) == []  # at the limit fits
    lines = misfits([request(61, 5, 501)], limits)
    assert lines == [
        "negr2: trial job X asks for 61 min, more than partition 'short' allows "
        "(60 min): raise chunks",
        "negr2: trial job X asks for 5 CPUs, more than partition 'short' allows "
        "(4 CPUs): fewer CPUs",
        "negr2: trial job X asks for 501 MB of memory, more than partition 'short' allows "
        "(500 MB of memory): less memory",
    ]


def test_no_limit_is_never_exceeded():
    limits = {"short": PartitionLimits("short", minutes=None, cpus=None, mem_mb=None)}
    assert misfits([request(10**6, 10**3, 10**7)], limits) == []
