"""Connecting to the registry database, migrating it, and seeding it once.

SQLite (the embedded default, one file) and PostgreSQL (with PostGIS) run the
same code; the URL chooses (``PTCE_DATABASE_URL``). Migrations are Alembic's,
run at connection under a lock, so that several server processes starting
together migrate and seed the database once.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from .. import settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: A writer waits this long for another one before its change is refused (SQLite).
BUSY_TIMEOUT_S = 15


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")       # readers never wait for a writer
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
    cursor.close()


def _sqlite_begin(connection) -> None:
    # a writer takes the write lock when its transaction starts: two writers queue
    # instead of failing half-way (pysqlite's own BEGIN is deferred); readers do not
    # take it, and read the last committed state while a write goes on (WAL)
    immediate = connection.get_execution_options().get("writer", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def writer(engine: sa.Engine) -> sa.Engine:
    """The engine to open a write transaction with (``with writer(engine).begin()``)."""
    return engine.execution_options(writer=True)


def create(url: str | None = None) -> sa.Engine:
    """An engine for ``url`` (default: the setting), migrated to the latest schema."""
    url = url or settings.database_url()
    engine_url = sa.make_url(url)
    if engine_url.get_backend_name() == "sqlite":
        if engine_url.database and engine_url.database != ":memory:":
            Path(engine_url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(engine_url, connect_args={"isolation_level": None, "timeout": BUSY_TIMEOUT_S})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = sa.create_engine(engine_url, pool_pre_ping=True)
    migrate(engine)
    return engine


@contextlib.contextmanager
def exclusive(engine: sa.Engine) -> Iterator[None]:
    """One process at a time (migrations, seeding): a file lock beside a SQLite
    database, an advisory lock on PostgreSQL."""
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if not database or database == ":memory:":
            yield
            return
        fd = os.open(f"{database}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock
    else:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT pg_advisory_lock(724051)"))
            try:
                yield
            finally:
                connection.execute(sa.text("SELECT pg_advisory_unlock(724051)"))
                connection.commit()


def backup(engine: sa.Engine, target: Path) -> None:
    """A consistent copy of the database: SQLite's online backup, or ``pg_dump``."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        import sqlite3
        source = engine.raw_connection()
        try:
            with contextlib.closing(sqlite3.connect(target)) as copy:
                source.driver_connection.backup(copy)
        finally:
            source.close()
        return
    import shutil
    import subprocess
    pg_dump = shutil.which("pg_dump") or "/usr/lib/postgresql/15/bin/pg_dump"
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    subprocess.run([pg_dump, "--format=custom", "--file", str(target), "--dbname", url], check=True,
                   capture_output=True, timeout=3600)


def migrate(engine: sa.Engine) -> None:
    """Bring the schema to the latest revision (creates it on an empty database)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with exclusive(engine), writer(engine).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
