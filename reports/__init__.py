"""Report renderers: each turns one audit result into one document.

Every renderer has the same shape, `render(result, color=False) -> str`, and is
registered under the name `--format` uses.
"""

from __future__ import annotations

from collections.abc import Callable

from auditor.engine.run import AuditResult

Renderer = Callable[..., str]

# format name -> (module, default file extension)
_FORMATS: dict[str, tuple[str, str]] = {
    "console": ("auditor.reports.console", "txt"),
    "json": ("auditor.reports.json_report", "json"),
    "sarif": ("auditor.reports.sarif", "sarif"),
    "junit": ("auditor.reports.junit", "junit.xml"),
    "html": ("auditor.reports.html", "html"),
    "markdown": ("auditor.reports.markdown", "md"),
    "csv": ("auditor.reports.csv_report", "csv"),
}


def formats() -> list[str]:
    return list(_FORMATS)


def extension(fmt: str) -> str:
    return _FORMATS[fmt][1]


def format_for_path(path: str) -> str | None:
    """The format a file name asks for (`report.sarif` -> sarif, `tests.xml` -> junit), if any."""
    name = path.lower()
    if name.endswith(".xml"):
        return "junit"
    for fmt, (_, ext) in _FORMATS.items():
        if fmt != "console" and name.endswith("." + ext):
            return fmt
    return None


def renderer(fmt: str) -> Renderer:
    import importlib

    module = importlib.import_module(_FORMATS[fmt][0])
    fn: Renderer = module.render
    return fn


def render(fmt: str, result: AuditResult, color: bool = False) -> str:
    return renderer(fmt)(result, color=color)
