"""Run history: every audit recorded in a database (SQLite or PostgreSQL), drift between runs, trends.

`store` opens the database and migrates it in place; `record` writes a run with the state
of each finding key (new, persisting, resolved, regressed, disappeared, waived, not
assessed); `diff` compares two runs or saved reports; `trend` and `page` show a series
over time; `prune` keeps the database small.
"""

from __future__ import annotations

__all__ = [
    "diff",
    "keys",
    "page",
    "prune",
    "query",
    "record",
    "schemas",
    "states",
    "store",
    "tables",
    "trend",
]
