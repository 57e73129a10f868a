"""Public names are deliberate: every package says what it offers in `__all__`, and every public
module says what it is in a docstring.

The packages are read from the source trees (rules/, reports/ and baselines/ are installed as
subpackages of `auditor`), so a new package or module is checked without being listed here.
"""

from __future__ import annotations

import ast
import importlib

import pytest

from tests import paths

ROOT = paths.ROOT


MODULES = paths.package_modules()
PACKAGES = sorted(name for name, path in MODULES.items() if path.name == "__init__.py")
# `__main__` and `_private` modules are not public; packages are.
PUBLIC = sorted(name for name in MODULES if not any(p.startswith("_") for p in name.split(".")))


def test_the_walk_sees_every_package() -> None:
    for name in (
        "auditor",
        "auditor.arm",
        "auditor.analysis",
        "auditor.analysis.nsg",
        "auditor.collect",
        "auditor.engine",
        "auditor.rules",
        "auditor.reports",
        "auditor.baselines",
    ):
        assert name in PACKAGES
    assert "auditor.arm.ids" in PUBLIC and "auditor.reports.writer" in PUBLIC
    assert "auditor.__main__" not in PUBLIC


@pytest.mark.parametrize("name", PACKAGES)
def test_every_package_lists_what_it_offers(name: str) -> None:
    package = importlib.import_module(name)
    offered = getattr(package, "__all__", None)
    assert isinstance(offered, list), f"{name} defines no __all__ list"
    assert all(isinstance(item, str) for item in offered), f"{name}.__all__ holds a non-string"
    assert len(set(offered)) == len(offered), f"{name}.__all__ lists a name twice"
    missing = []
    for item in offered:
        if not hasattr(package, item):
            # A submodule the package names without importing it: importing it binds it.
            try:
                importlib.import_module(f"{name}.{item}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{name}.{item}":
                    raise  # the submodule exists but fails to import: that is another error
        if not hasattr(package, item):
            missing.append(item)
    assert not missing, f"{name}.__all__ names what it does not have: {', '.join(missing)}"


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_module_has_a_docstring(name: str) -> None:
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree)
    assert doc and doc.strip(), f"{name} ({MODULES[name].relative_to(ROOT)}) has no module docstring"
