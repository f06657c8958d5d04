"""Atomic file output: a killed job never leaves a half-written file behind.

Every writer goes through :func:`atomic_path`, which hands out a temporary path in
the destination's folder and renames it over the destination only once the
writer has finished without error.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(destination: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path that replaces ``destination`` when the block succeeds.

    The temporary file lives in the same folder, so the final ``os.replace`` is an
    atomic rename on POSIX file systems. On error the temporary file is removed and
    ``destination`` is left exactly as it was.
    """
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{destination.name}.", suffix=".tmp", dir=destination.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, 0o666 & ~UMASK)  # mkstemp makes 0600; give the usual permissions
    try:
        yield tmp
        os.replace(tmp, destination)
    finally:
        tmp.unlink(missing_ok=True)


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: The process's umask, read once on import: reading it means setting it for a moment,
#: which threads (the workflow's steps run as threads of Snakemake) must not race on.
UMASK = _read_umask()


def write_text(destination: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``destination`` atomically."""
    with atomic_path(destination) as tmp:
        tmp.write_text(text, encoding="utf-8")
