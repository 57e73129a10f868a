"""Errors the CLI turns into one line on stderr and a distinct exit code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_GATE_FAILED = 1
EXIT_USAGE = 2
EXIT_AZURE = 3
EXIT_INTERNAL = 4  # a bug: the CLI prints one line and asks for the --debug output
EXIT_EXPORT = 5  # the reports were written, but sending them on (Log Analytics) failed
EXIT_HISTORY_UNREACHABLE = 6  # the run history database could not be opened or written
EXIT_HISTORY_NEWER = 7  # the run history database was written by a newer auditor
EXIT_MERGE_CONFLICT = 8  # `auditor merge`: the shards overlap with different content, or do not match
EXIT_INTERRUPTED = 130  # SIGINT (Ctrl-C): 128 + 2, as shells report it
EXIT_TERMINATED = 143  # SIGTERM (a CI job cancelled, a container stopped): 128 + 15


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
    """The run history database could not be reached, opened or written: exit 6."""

    exit_code = EXIT_HISTORY_UNREACHABLE


class HistoryTooNewError(AuditorError):
    """The run history database has a schema newer than this tool knows: exit 7."""

    exit_code = EXIT_HISTORY_NEWER


class MergeConflictError(AuditorError):
    """`auditor merge`: shards that hold one subscription differently, or files that do not match: exit 8."""

    exit_code = EXIT_MERGE_CONFLICT


class ExportError(AuditorError):
    """The export of a report (to Log Analytics) failed in part or whole: exit 5."""

    exit_code = EXIT_EXPORT


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived: the run unwinds (temporary files go) and exits 128 + the signal number.

    A BaseException, like KeyboardInterrupt, so that no `except Exception` swallows it.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """130 for SIGINT, 143 for SIGTERM."""
        return 128 + self.signum
