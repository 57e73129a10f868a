"""Report renderers: each turns one audit report into one document.

Every renderer is a pure function of the same shape (`Reporter`): the report and the
render options in, the text out; no file, clock, working directory or metadata is read.
`Format` names the formats `--format` takes, and `renderer` picks the function for one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, assert_never

from auditor.model import AuditReport

__all__ = [
    "PLAIN",
    "Format",
    "RenderOptions",
    "Reporter",
    "extension",
    "format_for_path",
    "formats",
    "render",
    "renderer",
]


class Format(StrEnum):
    """The report formats, in the order the help and errors list them."""

    CONSOLE = "console"
    JSON = "json"
    SARIF = "sarif"
    JUNIT = "junit"
    HTML = "html"
    MARKDOWN = "markdown"
    CSV = "csv"

    @property
    def extension(self) -> str:
        """The file extension of a report of this format (without the dot)."""
        return _EXTENSIONS[self]


_EXTENSIONS = {
    Format.CONSOLE: "txt",
    Format.JSON: "json",
    Format.SARIF: "sarif",
    Format.JUNIT: "junit.xml",
    Format.HTML: "html",
    Format.MARKDOWN: "md",
    Format.CSV: "csv",
}


@dataclass(frozen=True)
class RenderOptions:
    """How to render: colour, width and detail of the console report; where SARIF results point."""

    color: bool = False
    show_passed: bool = False
    # Files and pipes get a fixed width, so that the text is the same wherever it is written.
    width: int = 120
    # Console detail: quiet lists failing findings only, verbose adds each finding's rationale.
    quiet: bool = False
    verbose: bool = False
    # SARIF: the repository file (relative URI) every result points at, instead of the baseline's.
    sarif_location: str | None = None
    # SARIF: keep waived findings (as suppressed results); GitHub would show them as open alerts.
    sarif_include_waived: bool = False


# Plain text at the fixed width, passing findings left out: what a file gets by default.
PLAIN = RenderOptions()


class Reporter(Protocol):
    """A renderer: one report in, one document out."""

    def __call__(self, report: AuditReport, options: RenderOptions = ..., /) -> str:
        """Render the report."""
        ...


def formats() -> list[str]:
    """The format names, in order."""
    return [f.value for f in Format]


def extension(fmt: str) -> str:
    """The file extension of a format's report."""
    return Format(fmt).extension


def format_for_path(path: str) -> str | None:
    """The format a file name asks for (`report.sarif` -> sarif, `tests.xml` -> junit), if any."""
    name = path.lower()
    if name.endswith(".xml"):
        return Format.JUNIT.value
    for fmt in Format:
        if fmt is not Format.CONSOLE and name.endswith("." + fmt.extension):
            return fmt.value
    return None


def renderer(fmt: Format) -> Reporter:
    """The render function of a format (its module is imported on first use)."""
    match fmt:
        case Format.CONSOLE:
            from .console import render as console

            return console
        case Format.JSON:
            from .json_report import render as json_report

            return json_report
        case Format.SARIF:
            from .sarif import render as sarif

            return sarif
        case Format.JUNIT:
            from .junit import render as junit

            return junit
        case Format.HTML:
            from .html import render as html

            return html
        case Format.MARKDOWN:
            from .markdown import render as markdown

            return markdown
        case Format.CSV:
            from .csv_report import render as csv_report

            return csv_report
        case _:
            assert_never(fmt)


def render(fmt: Format | str, report: AuditReport, options: RenderOptions = PLAIN) -> str:
    """Render the report in one format."""
    return renderer(Format(fmt))(report, options)
