"""The ``negr2`` console script: subcommands found by module, bad input as one line."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from negr2 import cli

FAKE = textwrap.dedent(
    '''
    """Say hello (a subcommand of the tests)."""

    from negr2.errors import InputError

    HELP = "say hello"


    def add_arguments(parser):
        parser.add_argument("name")


    def run(args):
        if args.name == "nobody":
            raise InputError("no such person 'nobody': name somebody")
        print(f"hello {args.name}")
        return 3
    '''
)


@pytest.fixture
def fake_command(tmp_path, monkeypatch):
    (tmp_path / "fake_hello.py").write_text(FAKE)
    monkeypatch.syspath_prepend(str(tmp_path))
    return {"hello": "fake_hello"}


def test_a_subcommand_runs_and_its_status_is_returned(fake_command, capsys):
    assert cli.main(["hello", "Ada"], fake_command) == 3
    assert capsys.readouterr().out == "hello Ada\n"


def test_bad_input_is_one_line_and_status_2(fake_command, capsys):
    assert cli.main(["hello", "nobody"], fake_command) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "negr2 hello: no such person 'nobody': name somebody\n"


def test_no_subcommand_prints_the_usage(fake_command, capsys):
    assert cli.main([], fake_command) == 2
    assert "hello" in capsys.readouterr().err


def test_every_subcommand_module_has_what_cli_needs():
    for name, module_name in cli.SUBCOMMANDS.items():
        module = __import__(module_name, fromlist=["run"])
        assert isinstance(module.HELP, str) and module.HELP, name
        assert callable(module.add_arguments) and callable(module.run), name


@pytest.mark.e2e
def test_the_console_script_is_installed():
    script = Path(sys.executable).with_name("negr2")
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: negr2")
    for name in cli.SUBCOMMANDS:
        assert name in done.stdout
