"""The wheel carries the baselines, the sample estates and the report schema."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contents(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "auditor/cli.py",
        "auditor/rules/__init__.py",
        "auditor/reports/report.schema.json",
        "auditor/baselines/openai-e2e-chat-aistudio.yaml",
        "auditor/baselines/openai-e2e-chat-aml.yaml",
        "auditor/examples/openai-e2e-chat-aistudio-drifted.json",
        "auditor/examples/openai-e2e-chat-aml-compliant.json",
    ):
        assert expected in names, expected
    # Our folders live under the auditor namespace only: nothing shadows PyPI's `rules` or `reports`.
    top_level = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")}
    assert top_level == {"auditor"}
    assert not any(n.startswith("tests/") for n in names)
