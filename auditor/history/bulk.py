"""Bulk writes of many rows in one transaction: COPY on PostgreSQL, the driver's executemany on SQLite.

SQLAlchemy's per-row parameter handling costs more than the database itself at 100,000
rows; these helpers hand the driver plain tuples.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection


def _driver(conn: Connection) -> Any:
    return conn.connection.driver_connection


def timestamp(conn: Connection, moment: datetime | None) -> Any:
    """A datetime as the rows given to `insert` and `update` carry it.

    SQLite keeps datetimes as text: the format SQLAlchemy writes and compares, not sqlite3's own.
    """
    if moment is None or conn.dialect.name == "postgresql":
        return moment
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def insert(conn: Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """INSERT the rows (tuples in the order of `columns`, datetimes from `timestamp`) into `table`."""
    if not rows:
        return
    names = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        with _driver(conn).cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    conn.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def update(conn: Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """UPDATE `table` by id: each row is (id, *values in the order of `columns`)."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        names = ", ".join(columns)
        conn.exec_driver_sql(
            f"CREATE TEMP TABLE _bulk_update ON COMMIT DROP AS SELECT id, {names} FROM {table} WITH NO DATA"
        )
        insert(conn, "_bulk_update", ["id", *columns], rows)
        sets = ", ".join(f"{c} = u.{c}" for c in columns)
        conn.exec_driver_sql(f"UPDATE {table} AS t SET {sets} FROM _bulk_update AS u WHERE t.id = u.id")
        conn.exec_driver_sql("DROP TABLE _bulk_update")
        return
    sets = ", ".join(f"{c} = ?" for c in columns)
    conn.exec_driver_sql(f"UPDATE {table} SET {sets} WHERE id = ?", [(*row[1:], row[0]) for row in rows])
