"""Fixtures of the history tests: a database URL per store (SQLite file, PostgreSQL database).

PostgreSQL: AUDITOR_TEST_POSTGRES_URL when set (CI starts a server and sets it), else a
throwaway cluster from the installed binaries for the session. When neither works the
PostgreSQL tests skip on a developer's machine and FAIL under CI (env CI or
AUDITOR_REQUIRE_POSTGRES set): the real server is part of what CI checks.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.history import pgcluster

POSTGRES_ENV = "AUDITOR_TEST_POSTGRES_URL"
STORES = ("sqlite", "postgresql")


def _required() -> bool:
    return bool(os.environ.get("CI") or os.environ.get("AUDITOR_REQUIRE_POSTGRES"))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server's maintenance database."""
    given = os.environ.get(POSTGRES_ENV)
    if given:
        yield given
        return
    try:
        cluster = pgcluster.start()
    except (RuntimeError, OSError) as exc:
        message = f"no PostgreSQL server for the history tests: {exc}"
        if _required():
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield cluster.url
    finally:
        cluster.stop()


def fresh_database(server: str) -> str:
    """Create an empty database on the server; its URL."""
    import psycopg
    import sqlalchemy as sa

    url = sa.make_url(server)
    name = "t_" + uuid.uuid4().hex[:16]
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=STORES)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty history database, once per store."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'history.db'}"
    server = request.getfixturevalue("postgres_server")
    return fresh_database(server)
