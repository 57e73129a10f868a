"""Alembic migrations of the history database, shipped with the package and run in place."""

__all__: list[str] = []
