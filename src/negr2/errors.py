"""Errors a command reports as one line, without a traceback."""

from __future__ import annotations


class InputError(Exception):
    """Bad input from the user (a missing path, two sources that cannot be compared, …):
    the ``negr2`` command prints its message as one line and exits with status 2, having
    written nothing. The message names what is wrong and what to do."""
