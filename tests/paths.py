"""Where the tests find the repository's files, wherever in tests/ a test module lives."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SCHEMAS = ROOT / "tests" / "schemas"
# ../shared beside the checkout (Microsoft's example bodies), when it is there.
SHARED = ROOT.parent / "shared"

# Source folder -> the package it is installed as (package-dir in pyproject.toml).
PACKAGE_TREES = {
    "auditor": "auditor",
    "rules": "auditor.rules",
    "reports": "auditor.reports",
    "baselines": "auditor.baselines",
}


def package_modules() -> dict[str, Path]:
    """Every module of the installed package by its dotted name (a package by its `__init__.py`)."""
    found: dict[str, Path] = {}
    for folder, package in PACKAGE_TREES.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = list(path.relative_to(ROOT / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join([package, *parts])] = path
    return found
