"""Alembic migrations of the history database, shipped with the package and run in place."""
