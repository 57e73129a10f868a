"""The wheel carries every module, the baselines and the report schema, and nothing else."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import auditor
from tests import paths

ROOT = paths.ROOT
# Repository folder -> where it lives in the installed package.
MAPPED = {"auditor": "auditor", "rules": "auditor/rules", "reports": "auditor/reports"}


@pytest.mark.slow
def test_wheel_contents(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("*.whl")
    archive = zipfile.ZipFile(wheel)
    names = set(archive.namelist())
    for expected in (
        "auditor/cli.py",
        "auditor/py.typed",
        "auditor/rules/__init__.py",
        "auditor/reports/report.schema.json",
        "auditor/baselines/openai-e2e-chat-aistudio.yaml",
        "auditor/baselines/openai-e2e-chat-aml.yaml",
    ):
        assert expected in names, expected
    # Every module of the repository is in the wheel: a new subpackage missing from
    # pyproject's explicit package list fails here, not on a user's machine.
    # And nothing else: a module moved away but left in a stale build/lib must not ship twice.
    wanted: set[str] = set()
    for folder, installed in MAPPED.items():
        for source in (ROOT / folder).rglob("*.py"):
            if "__pycache__" not in source.parts:
                wanted.add(f"{installed}/{source.relative_to(ROOT / folder).as_posix()}")
    shipped = {n for n in names if n.endswith(".py") and not n.startswith("auditor/baselines/")}
    shipped |= {n for n in names if n == "auditor/baselines/__init__.py"}
    wanted |= {"auditor/baselines/__init__.py"} if (ROOT / "baselines" / "__init__.py").exists() else set()
    assert shipped == wanted, (sorted(shipped - wanted), sorted(wanted - shipped))
    # No command reads the sample estates, so they stay in the repository.
    assert not any(n.startswith("auditor/examples") for n in names)
    # Our folders live under the auditor namespace only: nothing shadows PyPI's `rules` or `reports`.
    top_level = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")}
    assert top_level == {"auditor"}
    assert not any(n.startswith("tests/") for n in names)
    # One version: the wheel's metadata says what auditor.__version__ says.
    (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
    assert f"Version: {auditor.__version__}\n" in archive.read(metadata).decode()
