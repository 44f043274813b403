"""A throw-away PostgreSQL + PostGIS cluster for the tests, on loopback only.

``scripts/test.sh`` installs Debian's ``postgresql-15-postgis-3``; :func:`cluster`
creates a cluster in a temporary folder (``initdb``), starts it on a free
127.0.0.1 port with its socket inside that folder, creates a database with
PostGIS and yields its SQLAlchemy URL. The server is stopped and the folder
removed afterwards, whatever happens. ``initdb`` and ``postgres`` refuse to run
as root: when the tests run as root they run as the ``postgres`` system user
(created by the Debian package), else ``nobody``. ``setpriv --pdeathsig`` makes
the server stop if the test process dies without cleaning up. Durability is
switched off (``fsync=off``…): the data is thrown away anyway.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DATABASE = "ptce_test"
USER = "ptce"
FAST = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
        "max_connections": "40", "shared_buffers": "32MB", "max_wal_size": "256MB",
        "logging_collector": "off", "log_min_messages": "warning"}


class PostgresUnavailable(RuntimeError):
    """PostgreSQL or PostGIS is not installed, or the server would not start."""


def find_bin_dir() -> Path:
    """The newest /usr/lib/postgresql/<version>/bin that has PostGIS installed next to it."""
    versions = sorted((p.parent.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")),
                      key=lambda p: int(p.name) if p.name.isdigit() else 0, reverse=True)
    for version in versions:
        if (Path("/usr/share/postgresql") / version.name / "extension" / "postgis.control").exists():
            return version / "bin"
    raise PostgresUnavailable(
        "PostgreSQL avec PostGIS est introuvable : installez le paquet Debian « postgresql-15-postgis-3 » "
        "(scripts/test.sh le fait)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _unprivileged() -> pwd.struct_passwd | None:
    """The account the server runs as when we are root; None when we are not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise PostgresUnavailable("ni l'utilisateur « postgres » ni « nobody » n'existe pour lancer PostgreSQL")


def _as(account: pwd.struct_passwd | None, argv: list[str]) -> list[str]:
    """``argv`` run as ``account`` (if any), killed if the test process dies."""
    wrap = ["setpriv", "--pdeathsig", "SIGINT"]
    if account is not None:
        wrap += ["--reuid", str(account.pw_uid), "--regid", str(account.pw_gid), "--init-groups"]
    return [*wrap, "--", *argv]


def _connect(port: int, password: str, dbname: str):
    import psycopg
    return psycopg.connect(host="127.0.0.1", port=port, user=USER, password=password, dbname=dbname,
                           connect_timeout=2, autocommit=True)


def _wait_ready(proc: subprocess.Popen, port: int, password: str, log: Path, timeout: float = 60) -> None:
    import psycopg
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise PostgresUnavailable("PostgreSQL s'est arrêté au démarrage :\n" + log.read_text()[-2000:])
        try:
            _connect(port, password, "postgres").close()
            return
        except psycopg.OperationalError:
            time.sleep(0.1)
    raise PostgresUnavailable("PostgreSQL n'a pas démarré à temps :\n" + log.read_text()[-2000:])


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)  # "fast" shutdown: disconnect clients, no checkpoint wait
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@contextlib.contextmanager
def cluster():
    """Yield the SQLAlchemy URL of a fresh database with PostGIS, on a throw-away cluster."""
    bin_dir = find_bin_dir()
    account = _unprivileged()
    if shutil.which("setpriv") is None:
        raise PostgresUnavailable("la commande « setpriv » (paquet util-linux) est introuvable")
    root = Path(tempfile.mkdtemp(prefix="ptce-pg-"))
    proc = None
    try:
        password = secrets.token_urlsafe(16)
        pwfile = root / "password"
        pwfile.write_text(password + "\n")
        log = root / "server.log"
        log.touch()
        if account is not None:
            for path in (root, pwfile, log):
                os.chown(path, account.pw_uid, account.pw_gid)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        init = subprocess.run(
            _as(account, [str(bin_dir / "initdb"), "-D", str(root / "data"), "-U", USER, f"--pwfile={pwfile}",
                          "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
                          "--no-instructions"]),
            cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if init.returncode != 0:
            raise PostgresUnavailable("initdb a échoué :\n" + init.stdout[-2000:])
        for attempt in range(3):  # another process may take the free port between choice and use
            port = _free_port()
            options = {**FAST, "listen_addresses": "127.0.0.1", "port": str(port),
                       "unix_socket_directories": str(root)}
            argv = [str(bin_dir / "postgres"), "-D", str(root / "data")]
            for key, value in options.items():
                argv += ["-c", f"{key}={value}"]
            with open(log, "a") as out:
                proc = subprocess.Popen(_as(account, argv), cwd=root, env=env, stdout=out,
                                        stderr=subprocess.STDOUT)
            try:
                _wait_ready(proc, port, password, log)
                break
            except PostgresUnavailable:
                _stop(proc)
                if attempt == 2 or "could not bind" not in log.read_text():
                    raise
        with _connect(port, password, "postgres") as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        with _connect(port, password, DATABASE) as conn:
            conn.execute("CREATE EXTENSION postgis")
        yield f"postgresql+psycopg://{USER}:{password}@127.0.0.1:{port}/{DATABASE}"
    finally:
        if proc is not None:
            _stop(proc)
        shutil.rmtree(root, ignore_errors=True)
