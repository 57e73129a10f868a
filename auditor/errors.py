"""Errors the CLI turns into one line on stderr and a distinct exit code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_GATE_FAILED = 1
EXIT_USAGE = 2
EXIT_AZURE = 3
EXIT_INTERNAL = 4  # a bug: the CLI prints one line and asks for the --debug output
EXIT_HISTORY_UNREACHABLE = 5  # the run history database could not be opened or written
EXIT_HISTORY_NEWER = 6  # the run history database was written by a newer auditor
EXIT_INTERRUPTED = 130


def first_line(text: str, limit: int | None = None) -> str:
    """The first non-blank line of `text`, stripped, cut to `limit` characters (errors show on one line)."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return (lines[0] if lines else "")[:limit]


class AuditorError(Exception):
    """An expected failure with a message fit for one line of stderr."""

    exit_code = EXIT_USAGE


class InputError(AuditorError):
    """Bad flag, unreadable or malformed file, unknown baseline: exit 2."""

    exit_code = EXIT_USAGE


class AzureAccessError(AuditorError):
    """Could not authenticate to or reach Azure: exit 3."""

    exit_code = EXIT_AZURE


class HistoryUnavailableError(AuditorError):
    """The run history database could not be reached, opened or written: exit 5."""

    exit_code = EXIT_HISTORY_UNREACHABLE


class HistoryTooNewError(AuditorError):
    """The run history database has a schema newer than this tool knows: exit 6."""

    exit_code = EXIT_HISTORY_NEWER
