"""The package's layering, read from the source with `ast`: each layer imports only its own and those below.

Layers, lowest first: 0 errors, files, model (and the package itself) -> 1 arm/ -> 2 collect/ and
analysis/ -> 3 engine/ -> 4 rules/ -> 5 reports/ -> 6 export/ and history/ -> 7 options -> 8 app
-> 9 cli. rules/ and reports/ sit at the top of the repository and are installed as auditor.rules and
auditor.reports. Every import counts, `if TYPE_CHECKING:` and function-level ones included. Besides
the order: the Azure SDK is imported only by the collectors and the exporters, `Microsoft.*`
resource types are spelled out only in arm/types.py and the collectors, no rule module imports
another, export/ imports only the model, arm/, errors, files and reports/ (it is handed its
credential), and the history imports only the vocabulary, arm/ and reports/.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import paths

ROOT = paths.ROOT

# Longest prefix wins; a module under none of these is an error, so a new one must be placed.
LAYERS = {
    "auditor": 0,
    "auditor.errors": 0,
    "auditor.files": 0,
    "auditor.model": 0,
    "auditor.baselines": 0,  # package data: imports nothing
    "auditor.arm": 1,
    "auditor.collect": 2,
    "auditor.analysis": 2,
    "auditor.engine": 3,
    "auditor.rules": 4,
    "auditor.reports": 5,
    "auditor.export": 6,
    "auditor.history": 6,
    "auditor.options": 7,
    "auditor.app": 8,
    "auditor.cli": 9,
    "auditor.__main__": 9,
}
LAYER_COUNT = 10

TYPE_LITERAL = re.compile(r"^Microsoft\.[A-Za-z]+/[A-Za-z]+(/[A-Za-z]+)*$")
# The only packages that may import the Azure SDK: the collectors read Azure, the exporters write
# the audit's own results to it (Log Analytics).
AZURE_HOMES = ("auditor.collect", "auditor.export")
# What the export package may import of the auditor: the layers below it except engine, rules,
# analysis and collect (the credential comes from the caller).
EXPORT_MAY_IMPORT = ("auditor.model", "auditor.arm", "auditor.errors", "auditor.files", "auditor.reports")
# Modules that may spell resource types out: the vocabulary itself and the collectors, which list types.
TYPE_HOMES = ("auditor.arm.types", "auditor.collect")
# Strings that look like a resource type but are not one.
NOT_TYPES = {
    "Microsoft.Web/serverFarms": "a subnet delegation's serviceName (App Service VNet integration)",
    "Microsoft.Authorization/roleAssignments/write": "an RBAC action that a role definition permits",
}


def module_files() -> dict[str, Path]:
    """Every module of the installed package by its dotted name, read from the source trees."""
    return paths.package_modules()


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def layer_of(module: str) -> int | None:
    """The layer of an `auditor` module, or None for one outside the package (stdlib, third party)."""
    if not within(module, "auditor"):
        return None
    prefixes = [p for p in LAYERS if within(module, p)]
    best = max(prefixes, key=len)
    if best == "auditor" and module != "auditor":
        raise AssertionError(f"{module} is in no layer: add it to LAYERS in {Path(__file__).name}")
    return LAYERS[best]


def imports(module: str, source: str, is_package: bool, known: set[str]) -> Iterator[tuple[int, str]]:
    """(line, imported module) for every import in `source`, relative ones resolved.

    `from pkg import name` counts as importing `pkg.name` when that is a module of the package.
    """
    base = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base[: len(base) - (node.level - 1)]
                target = ".".join(anchor + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                yield node.lineno, sub if sub in known else target


def violations(
    module: str, source: str, is_package: bool = False, known: set[str] | None = None
) -> list[str]:
    """What is wrong with one module's imports and string constants, one line per problem."""
    known = set(module_files()) if known is None else known
    own = layer_of(module)
    found = []
    for line, target in imports(module, source, is_package, known):
        where = f"{module}:{line} imports {target}"
        layer = layer_of(target)
        if own is not None and layer is not None and layer > own:
            found.append(f"{where}: layer {layer} is above the importer's layer {own}")
        if within(target, "azure") and not any(within(module, home) for home in AZURE_HOMES):
            found.append(
                f"{where}: the Azure SDK belongs to the collectors and exporters ({', '.join(AZURE_HOMES)})"
            )
        if (
            within(module, "auditor.export")
            and layer is not None
            and not within(target, "auditor.export")
            and target != "auditor"
            and not any(within(target, allowed) for allowed in EXPORT_MAY_IMPORT)
        ):
            found.append(f"{where}: export/ imports only {', '.join(EXPORT_MAY_IMPORT)}")
        if within(module, "auditor.rules") and module != "auditor.rules" and within(target, "auditor.rules"):
            found.append(f"{where}: a rule module imports another rule module")
    if not any(within(module, home) for home in TYPE_HOMES):
        for node in ast.walk(ast.parse(source)):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and TYPE_LITERAL.match(text) and text not in NOT_TYPES:
                found.append(f"{module}:{node.lineno} spells out the type {text!r}: use auditor.arm.types")
    return found


def test_every_module_keeps_to_its_layer() -> None:
    files = module_files()
    known = set(files)
    found = [
        problem
        for name, path in files.items()
        for problem in violations(name, path.read_text(encoding="utf-8"), path.name == "__init__.py", known)
    ]
    assert not found, "\n".join(found)


def test_the_walk_sees_the_whole_package() -> None:
    files = module_files()
    for name in ("auditor.cli", "auditor.arm.types", "auditor.analysis.nsg.policy", "auditor.rules.nsg"):
        assert name in files
    assert "auditor.reports.writer" in files and "auditor.reports" in files
    assert "auditor.export.log_analytics" in files
    assert set(range(LAYER_COUNT)) == {layer_of(name) for name in files}


# --- the checker reports what it should -------------------------------------------------------

KNOWN = {"auditor.arm.ids", "auditor.engine.run", "auditor.rules.nsg", "auditor.rules.identity"}


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("auditor.arm.ids", "from auditor.engine.run import run_audit\n", "layer 3 is above"),
        (
            "auditor.analysis.fake",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from auditor.rules import nsg\n",
            "layer 4 is above",
        ),
        ("auditor.engine.fake", "def f():\n    import auditor.cli\n", "layer 9 is above"),
        ("auditor.reports.fake", "from ..options import ProjectConfig\n", "imports auditor.options: layer 7"),
        ("auditor.reports.fake", "from auditor.history import store\n", "imports auditor.history: layer 6"),
        ("auditor.history.fake", "from auditor.options import HistoryOptions\n", "layer 7 is above"),
        ("auditor.analysis.fake", "import azure.mgmt.network\n", "the Azure SDK belongs"),
        ("auditor.engine.fake", "from azure.core.exceptions import HttpResponseError\n", "the Azure SDK"),
        # Only collect/ and export/ may use the SDK: the reports next to export/ and the app above it may not.
        (
            "auditor.reports.fake",
            "from azure.monitor.ingestion import LogsIngestionClient\n",
            "the Azure SDK",
        ),
        ("auditor.options", "import azure.identity\n", "the Azure SDK belongs"),
        ("auditor.export.fake", "from auditor.collect.cloud import Cloud\n", "export/ imports only"),
        ("auditor.export.fake", "from auditor.engine.run import run_audit\n", "export/ imports only"),
        ("auditor.export.fake", "from auditor.options import Target\n", "layer 7 is above"),
        ("auditor.rules.fake", "from .nsg import role_scopes\n", "a rule module imports another"),
        ("auditor.rules.fake", "from auditor.rules import identity\n", "a rule module imports another"),
        ("auditor.rules.fake", 'GATEWAYS = "Microsoft.Network/applicationGateways"\n', "spells out the type"),
        ("auditor.reports.fake", 'x = f"{a}" + "Microsoft.Web/sites/config"\n', "spells out the type"),
    ],
)
def test_a_violation_is_reported(module: str, source: str, expected: str) -> None:
    found = violations(module, source, known=KNOWN)
    assert any(expected in problem for problem in found), found


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("auditor.rules.fake", "from auditor.arm import types\nfrom auditor.engine.registry import rule\n"),
        ("auditor.collect.fake", 'import azure.mgmt.network\nX = "Microsoft.Network/virtualNetworks"\n'),
        (
            "auditor.export.fake",
            "from azure.monitor.ingestion import LogsIngestionClient\n"
            "from auditor.reports import json_report\nfrom auditor.arm.ids import norm\n"
            "from auditor.errors import InputError\nfrom .rows import rows_of\n",
        ),
        ("auditor.arm.types", 'VIRTUAL_NETWORKS = "Microsoft.Network/virtualNetworks"\n'),
        (
            "auditor.analysis.fake",
            'same(d, "Microsoft.Web/serverFarms")\nDOC = "Microsoft.Web/sites, v2"\n',
        ),
        ("auditor.rules", "from . import identity, nsg\n"),
        ("auditor.cli", "from auditor.app import audit\nfrom auditor.reports import writer\n"),
    ],
)
def test_what_is_allowed_passes(module: str, source: str) -> None:
    assert violations(module, source, is_package=module == "auditor.rules", known=KNOWN) == []


def test_a_module_outside_every_layer_is_an_error() -> None:
    with pytest.raises(AssertionError, match="in no layer"):
        layer_of("auditor.somewhere")


def test_reports_import_nothing_from_engine_or_collect() -> None:
    files = module_files()
    known = set(files)
    found = [
        f"{name} imports {target}"
        for name, path in files.items()
        if within(name, "auditor.reports")
        for _, target in imports(name, path.read_text(encoding="utf-8"), path.name == "__init__.py", known)
        if within(target, "auditor.engine") or within(target, "auditor.collect")
    ]
    assert not found, "\n".join(found)


def test_history_imports_only_the_vocabulary_arm_and_reports() -> None:
    """The history reads reports and model values; it never runs an audit (engine, collect, rules)."""
    files = module_files()
    known = set(files)
    allowed = (
        "auditor.model",
        "auditor.errors",
        "auditor.files",
        "auditor.arm",
        "auditor.reports",
        "auditor.history",
    )
    found = [
        f"{name} imports {target}"
        for name, path in files.items()
        if within(name, "auditor.history")
        for _, target in imports(name, path.read_text(encoding="utf-8"), path.name == "__init__.py", known)
        if within(target, "auditor") and target != "auditor" and not any(within(target, a) for a in allowed)
    ]
    assert not found, "\n".join(found)
