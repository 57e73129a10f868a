"""The read log: which ARM types one rule looked at, and which of their gaps it judged itself.

The engine gives each rule a fresh log and an estate bound to it (`Estate.reading`); after the
rule has run, `engine.run.settle` downgrades the verdicts that rest on a type whose list failed,
unless the rule asked about that gap itself (`Estate.gap`) and chose its verdicts accordingly.
"""

from __future__ import annotations

__all__ = ["ReadLog"]


class ReadLog:
    """What one rule read (ARM types, lower case) and which gaps it handled."""

    def __init__(self) -> None:
        self._read: set[str] = set()
        self._handled: set[str] = set()

    def read(self, *resource_types: str) -> None:
        """Record that the rule looked at resources of these types."""
        self._read.update(map(str.lower, resource_types))

    def handled(self, resource_type: str) -> None:
        """Record that the rule asked whether `resource_type` was read, so it judged that gap itself."""
        self._handled.add(resource_type.lower())

    @property
    def reads(self) -> frozenset[str]:
        """Every type read."""
        return frozenset(self._read)

    def unhandled(self) -> frozenset[str]:
        """The types read whose gaps the rule did not check itself."""
        return frozenset(self._read - self._handled)
