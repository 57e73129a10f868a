"""The tests mirror the source tree, so that a module's tests are where a reader looks for them."""

from __future__ import annotations

from tests import paths

TESTS = paths.ROOT / "tests"
# Folders of shared test material, not tests of one source folder.
SUPPORT = {"cases", "fakearm", "foundry", "golden", "schemas", "__pycache__"}
# Source folder of each test folder: auditor/<name>, or the mapped top-level rules/ and reports/.
SOURCES = {"rules": paths.ROOT / "rules", "reports": paths.ROOT / "reports"}


def test_every_test_folder_mirrors_a_source_folder() -> None:
    for folder in sorted(p for p in TESTS.iterdir() if p.is_dir() and p.name not in SUPPORT):
        source = SOURCES.get(folder.name, paths.ROOT / "auditor" / folder.name)
        assert source.is_dir(), f"tests/{folder.name}/ mirrors no source folder"
        assert (folder / "__init__.py").is_file(), f"tests/{folder.name}/ needs an __init__.py"


# Modules whose tests live elsewhere, and where.
ELSEWHERE = {
    "reports/json_report.py": "tests that render JSON validate it against the schema (tests/test_samples.py)",
    "reports/writer.py": "tests/reports/test_contract.py (everything rendered, then everything written)",
    "rules/public_access_web.py": "tests/rules/test_public_access.py (one family, two modules)",
    "rules/guides.py": "tests/engine/test_guides.py (every example through the engine)",
    "reports/links.py": "tests/reports/test_html.py and test_markdown.py (rules link their source)",
}


def test_every_rule_module_and_renderer_has_its_test_module() -> None:
    for folder in ("rules", "reports"):
        for module in sorted((paths.ROOT / folder).glob("*.py")):
            where = f"{folder}/{module.name}"
            if module.name == "__init__.py" or where in ELSEWHERE:
                continue
            wanted = TESTS / folder / f"test_{module.stem.removesuffix('_report')}.py"
            assert wanted.is_file(), f"{where} has no tests/{folder}/{wanted.name}"
    for where in ELSEWHERE:
        assert (paths.ROOT / where).is_file(), f"{where} is gone: drop it from ELSEWHERE"
