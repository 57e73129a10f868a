"""Opening the history database: the URL, the engine, the schema brought to head, retried transactions.

`--history` alone means a SQLite file under the user's data directory; `sqlite:///path.db`
names one; `postgresql+psycopg://...` (or `postgresql://...`) a PostgreSQL server. SQLite
runs in WAL mode with a busy timeout and takes the write lock at the start of every
transaction (`BEGIN IMMEDIATE`), so concurrent writers queue instead of failing halfway;
PostgreSQL transactions that record a run are serialisable and retried when the server
reports a serialisation failure or a deadlock.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.engine import Connection, Engine

from auditor.errors import HistoryTooNewError, HistoryUnavailableError, InputError, first_line

T = TypeVar("T")

DEFAULT = "default"
BUSY_TIMEOUT_MS = 30_000
RETRIES = 12
# A number the migrating connection locks on PostgreSQL, so that two tools never migrate at once.
_MIGRATION_LOCK = 0x61756469746F72
# SQLSTATEs worth a retry: serialisation failure, deadlock, unique violation from a racing insert.
_RETRY_STATES = {"40001", "40P01", "23505"}


def default_url() -> str:
    """The SQLite file `--history` alone uses: history.db under the user's data directory."""
    import platformdirs

    folder = Path(platformdirs.user_data_dir("auditor", appauthor=False))
    return f"sqlite:///{folder / 'history.db'}"


def resolve_url(given: str | None) -> sa.URL:
    """The database URL for `--history [URL]`; anything but SQLite or PostgreSQL is an input error."""
    text = default_url() if given in (None, "", DEFAULT) else str(given)
    try:
        url = sa.make_url(text)
    except exc.ArgumentError:
        raise InputError(
            f"--history {text!r}: not a database URL (sqlite:///FILE or postgresql+psycopg://...)"
        ) from None
    if url.drivername in ("postgresql", "postgres", "postgresql+psycopg"):
        return url.set(drivername="postgresql+psycopg")
    if url.drivername in ("sqlite", "sqlite+pysqlite"):
        if not url.database or url.database == ":memory:":
            raise InputError(f"--history {text!r}: give a SQLite file (sqlite:///history.db)")
        return url.set(drivername="sqlite+pysqlite")
    raise InputError(
        f"--history {shown(url)}: unsupported database {url.drivername!r} (sqlite or postgresql)"
    )


def shown(url: sa.URL) -> str:
    """The URL as messages show it: never the password."""
    return url.render_as_string(hide_password=True)


@contextmanager
def opened(given: str | None, migrate: bool = True, create: bool = True) -> Iterator[Engine]:
    """An engine on the history database with its schema at head; disposed afterwards.

    A SQLite file that does not exist is created owner-only (0600, tenant data like reports) when
    `create`; otherwise (the commands that only read) it is a usage error (exit 2, like a history
    with no runs) and nothing is created, not even its folder.
    """
    url = resolve_url(given)
    if url.get_backend_name() == "sqlite":
        _sqlite_file(url, create)
    engine = _engine(url)
    try:
        if migrate:
            upgrade(engine)
        yield engine
    finally:
        engine.dispose()


def _sqlite_file(url: sa.URL, create: bool) -> None:
    """Make sure the SQLite file exists before SQLAlchemy opens it (SQLite would create it 0644)."""
    assert url.database is not None
    path = Path(url.database).expanduser()
    if path.exists():
        return
    if not create:
        # Like an empty history (exit 2): nothing recorded there yet, and a read creates nothing.
        raise InputError(
            f"history database {shown(url)}: no such file, so no runs yet: record one with "
            "`auditor audit ... --history URL`"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # An empty file is an empty SQLite database; SQLite gives its -wal and -shm files the same mode.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass  # another tool created it a moment ago
    except OSError as error:
        raise HistoryUnavailableError(f"history database {shown(url)}: {error.strerror or error}") from None


def _engine(url: sa.URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi: Any, _record: Any) -> None:
            # pysqlite's own transaction handling would begin too late to hold the write lock.
            dbapi.isolation_level = None
            cursor = dbapi.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return sa.create_engine(url, connect_args={"connect_timeout": 10}, pool_pre_ping=True)


def _alembic_config(connection: Connection) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_migrations()))
    config.attributes["connection"] = connection
    return config


def _migrations() -> Path:
    return Path(str(resources.files("auditor.history").joinpath("migrations")))


@lru_cache(maxsize=1)
def known_revisions() -> tuple[str, ...]:
    """Every schema revision this tool ships, oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(_migrations()))
    return tuple(reversed([rev.revision for rev in script.walk_revisions()]))


def head() -> str:
    """The newest schema revision this tool knows."""
    return known_revisions()[-1]


def current_revision(conn: Connection) -> str | None:
    """The revision the database is at, or None for an empty one."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, to: str = "head") -> None:
    """Bring the schema to `to` in place (one migrating tool at a time); refuse a newer database."""
    from alembic import command

    def migrate(conn: Connection) -> None:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
        revision = current_revision(conn)
        if revision is not None and revision not in known_revisions():
            raise HistoryTooNewError(
                f"history database {shown(engine.url)} has schema {revision}, newer than this auditor "
                f"knows (up to {head()}): upgrade auditor"
            )
        target = head() if to == "head" else to
        if revision != target:
            command.upgrade(_alembic_config(conn), target)

    with connect(engine) as conn:
        if current_revision(conn) == head():
            return
    transaction(engine, migrate)


@contextmanager
def connect(engine: Engine) -> Iterator[Connection]:
    """A connection, with a failure to reach the database as one line (exit 6)."""
    try:
        conn = engine.connect()
    except exc.SQLAlchemyError as error:
        raise unavailable(engine, error) from None
    try:
        yield conn
    finally:
        conn.close()


def transaction(engine: Engine, work: Callable[[Connection], T], serializable: bool = False) -> T:
    """Run `work` in one transaction, retried on serialisation failures, deadlocks and busy locks."""
    for attempt in range(RETRIES):
        with connect(engine) as conn:
            if serializable and engine.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="SERIALIZABLE")
            try:
                with conn.begin():
                    return work(conn)
            except exc.DBAPIError as error:
                failure: BaseException = error.orig or error
            except Exception as error:
                # COPY runs on the driver's own cursor: its errors are psycopg's, with a SQLSTATE.
                if getattr(error, "sqlstate", None) is None:
                    raise
                failure = error
            if attempt + 1 < RETRIES and _retryable(failure):
                time.sleep(min(2.0, 0.05 * 2**attempt) * random.uniform(0.5, 1.5))
                continue
            raise unavailable(engine, failure) from None
    raise AssertionError("unreachable")  # pragma: no cover


def _retryable(error: BaseException) -> bool:
    state = getattr(error, "sqlstate", None)
    if state in _RETRY_STATES:
        return True
    text = str(error).lower()
    return "database is locked" in text or "database is busy" in text


def unavailable(engine: Engine, error: BaseException) -> HistoryUnavailableError:
    """The one-line error for a database that cannot be reached or written."""
    detail = first_line(str(getattr(error, "orig", None) or error), 200)
    return HistoryUnavailableError(f"history database {shown(engine.url)}: {detail}")
