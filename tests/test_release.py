"""The release: the workflow publishes only tags, with trusted publishing; the build it runs works
here too; the container image definition is lint-clean, non-root and runs the console script."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import auditor
from tests import paths

ROOT = paths.ROOT
RELEASE = ROOT / ".github" / "workflows" / "release.yml"
DOCKERFILE = ROOT / "Dockerfile"


def _workflow() -> dict[Any, Any]:
    data = yaml.safe_load(RELEASE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_release_runs_on_version_tags_and_publishes_without_a_password() -> None:
    wf = _workflow()
    triggers = wf[True] if True in wf else wf["on"]  # YAML 1.1 reads the key `on` as true
    assert triggers["push"]["tags"] == ["v*"]
    jobs = wf["jobs"]
    assert any(".ci/release-check" in str(s.get("run", "")) for s in jobs["build"]["steps"])
    publish = jobs["publish"]
    assert publish["needs"] == "build" and "refs/tags/v" in publish["if"]
    assert publish["permissions"] == {"id-token": "write"}
    (step,) = [s for s in publish["steps"] if s.get("uses", "").startswith("pypa/gh-action-pypi-publish")]
    assert "password" not in (step.get("with") or {})
    assert jobs["github-release"]["needs"] == "publish"
    assert jobs["github-release"]["permissions"] == {"contents": "write"}


def test_changelog_names_the_current_version() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {auditor.__version__}" in text


@pytest.mark.slow
def test_release_check_builds_checks_and_installs_the_wheel(tmp_path: Path) -> None:
    """What the workflow runs before publishing: sdist and wheel, twine check, the wheel in a new venv."""
    done = subprocess.run(
        ["bash", str(ROOT / ".ci" / "release-check"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
        env={"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin", "PYTHON": sys.executable},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    version = auditor.__version__
    assert {p.name for p in tmp_path.iterdir()} == {
        f"azure_chat_auditor-{version}-py3-none-any.whl",
        f"azure_chat_auditor-{version}.tar.gz",
    }
    assert "built, checked and installed" in done.stdout


def test_dockerfile_is_lint_clean() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    done = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_dockerfile_runs_the_console_script_as_a_non_root_user() -> None:
    lines = [ln.strip() for ln in DOCKERFILE.read_text(encoding="utf-8").splitlines()]
    final_stage = lines[max(i for i, ln in enumerate(lines) if ln.startswith("FROM ")) :]
    users = [ln.split()[1] for ln in final_stage if ln.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert 'ENTRYPOINT ["auditor"]' in final_stage


def _docker_engine() -> bool:
    docker = shutil.which("docker")
    if docker is None:
        return False
    return subprocess.run([docker, "info"], capture_output=True, timeout=30).returncode == 0


@pytest.mark.slow
@pytest.mark.skipif(
    not _docker_engine(), reason="no Docker engine on this machine (the lint test covers the file)"
)
def test_image_builds_and_prints_the_version() -> None:
    tag = "auditor-test:latest"
    subprocess.run(["docker", "build", "-t", tag, str(ROOT)], check=True, capture_output=True, timeout=900)
    done = subprocess.run(
        ["docker", "run", "--rm", tag, "--version"], capture_output=True, text=True, timeout=120
    )
    assert done.stdout.strip() == f"auditor, version {auditor.__version__}"
