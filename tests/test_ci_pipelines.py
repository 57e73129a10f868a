"""The pipeline files use each action's and task's inputs as documented, and fail closed.

The tables below list the inputs each action or task documents (its action.yml or the Azure
Pipelines task reference) at the major version the examples pin. A renamed or mistyped input
fails here, not in a user's pipeline; an action not in the table must be added to it first.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import paths

ROOT = paths.ROOT
GITHUB_FILES = [
    ROOT / "examples" / "ci" / "github-actions.yml",
    ROOT / ".github" / "workflows" / "release.yml",
    ROOT / "examples" / "ci" / "nightly-github-actions.yml",
]
AZURE_FILES = [
    ROOT / "examples" / "ci" / "azure-pipelines.yml",
    ROOT / "examples" / "ci" / "nightly-azure-pipelines.yml",
]

# action@major -> (documented inputs, required inputs)
ACTIONS: dict[str, tuple[set[str], set[str]]] = {
    "actions/checkout@v4": (
        {
            "repository",
            "ref",
            "token",
            "ssh-key",
            "ssh-known-hosts",
            "ssh-strict",
            "ssh-user",
            "persist-credentials",
            "path",
            "clean",
            "filter",
            "sparse-checkout",
            "sparse-checkout-cone-mode",
            "fetch-depth",
            "fetch-tags",
            "show-progress",
            "lfs",
            "submodules",
            "set-safe-directory",
            "github-server-url",
        },
        set(),
    ),
    "actions/setup-python@v5": (
        {
            "python-version",
            "python-version-file",
            "cache",
            "architecture",
            "check-latest",
            "token",
            "cache-dependency-path",
            "update-environment",
            "allow-prereleases",
            "freethreaded",
        },
        set(),
    ),
    "azure/login@v2": (
        {
            "creds",
            "client-id",
            "tenant-id",
            "subscription-id",
            "enable-AzPSSession",
            "environment",
            "allow-no-subscriptions",
            "audience",
            "auth-type",
        },
        set(),
    ),
    "github/codeql-action/upload-sarif@v4": (
        {"sarif_file", "checkout_path", "ref", "sha", "token", "matrix", "category", "wait-for-processing"},
        set(),
    ),
    "dorny/test-reporter@v1": (
        {
            "artifact",
            "name",
            "path",
            "path-replace-backslashes",
            "reporter",
            "list-suites",
            "list-tests",
            "max-annotations",
            "fail-on-error",
            "fail-on-empty",
            "working-directory",
            "only-summary",
            "use-actions-summary",
            "badge-title",
            "token",
        },
        {"name", "path", "reporter"},
    ),
    "actions/upload-artifact@v4": (
        {
            "name",
            "path",
            "if-no-files-found",
            "retention-days",
            "compression-level",
            "overwrite",
            "include-hidden-files",
        },
        {"path"},
    ),
    "actions/download-artifact@v4": (
        {"name", "path", "pattern", "merge-multiple", "github-token", "repository", "run-id"},
        set(),
    ),
    "pypa/gh-action-pypi-publish@release/v1": (
        {
            "user",
            "password",
            "repository-url",
            "packages-dir",
            "verify-metadata",
            "skip-existing",
            "verbose",
            "print-hash",
            "attestations",
        },
        set(),
    ),
}

# task@major -> (documented inputs, required inputs)
TASKS: dict[str, tuple[set[str], set[str]]] = {
    "UsePythonVersion@0": (
        {
            "versionSpec",
            "disableDownloadFromRegistry",
            "allowUnstable",
            "addToPath",
            "architecture",
            "githubToken",
        },
        {"versionSpec"},
    ),
    "AzureCLI@2": (
        {
            "azureSubscription",
            "connectedServiceNameARM",
            "scriptType",
            "scriptLocation",
            "scriptPath",
            "inlineScript",
            "arguments",
            "scriptArguments",
            "powerShellErrorActionPreference",
            "addSpnToEnvironment",
            "useGlobalConfig",
            "workingDirectory",
            "cwd",
            "failOnStandardError",
            "powerShellIgnoreLASTEXITCODE",
            "visibleAzLogin",
            "keepAzSessionActive",
        },
        {"azureSubscription", "scriptType", "scriptLocation"},
    ),
    "PublishTestResults@2": (
        {
            "testResultsFormat",
            "testRunner",
            "testResultsFiles",
            "searchFolder",
            "mergeTestResults",
            "failTaskOnFailedTests",
            "failTaskOnFailureToPublishResults",
            "failTaskOnMissingResultsFile",
            "testRunTitle",
            "buildPlatform",
            "platform",
            "buildConfiguration",
            "configuration",
            "publishRunAttachments",
        },
        {"testResultsFiles"},
    ),
    "PublishBuildArtifacts@1": (
        {
            "PathtoPublish",
            "ArtifactName",
            "publishLocation",
            "MaxArtifactSize",
            "TargetPath",
            "Parallel",
            "ParallelCount",
            "StoreAsTar",
        },
        {"PathtoPublish", "ArtifactName"},
    ),
    "DownloadBuildArtifacts@1": (
        {
            "buildType",
            "project",
            "pipeline",
            "definition",
            "specificBuildWithTriggering",
            "buildVersionToDownload",
            "allowPartiallySucceededBuilds",
            "branchName",
            "buildId",
            "tags",
            "downloadType",
            "artifactName",
            "itemPattern",
            "downloadPath",
            "cleanDestinationFolder",
            "parallelizationLimit",
            "checkDownloadedFiles",
            "retryDownloadCount",
            "extractTars",
        },
        {"downloadPath"},
    ),
}


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _walk_steps(node: Any) -> list[dict[str, Any]]:
    """Every step that runs an action (`uses`) or a task (`task`), anywhere in a pipeline file."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if isinstance(node.get("uses"), str) or isinstance(node.get("task"), str):
            found.append(node)
        for value in node.values():
            found.extend(_walk_steps(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_walk_steps(value))
    return found


def _check(name: str, given: set[str], table: dict[str, tuple[set[str], set[str]]], where: str) -> None:
    assert name in table, f"{where}: {name} is not in the table of documented inputs; add it"
    documented, required = table[name]
    assert given <= documented, f"{where}: {name} has no input(s) {sorted(given - documented)}"
    assert required <= given, f"{where}: {name} needs input(s) {sorted(required - given)}"


@pytest.mark.parametrize("path", GITHUB_FILES, ids=lambda p: p.name)
def test_github_steps_use_documented_inputs(path: Path) -> None:
    steps = [s for s in _walk_steps(_load(path)) if "uses" in s]
    assert steps
    for step in steps:
        _check(step["uses"], set(step.get("with") or {}), ACTIONS, path.name)


@pytest.mark.parametrize("path", AZURE_FILES, ids=lambda p: p.name)
def test_azure_tasks_use_documented_inputs(path: Path) -> None:
    steps = [s for s in _walk_steps(_load(path)) if "task" in s]
    assert steps
    for step in steps:
        _check(step["task"], set(step.get("inputs") or {}), TASKS, path.name)


def test_the_input_check_catches_a_renamed_input() -> None:
    with pytest.raises(AssertionError, match="no input"):
        _check("github/codeql-action/upload-sarif@v4", {"sarif-file"}, ACTIONS, "example")
    with pytest.raises(AssertionError, match="needs input"):
        _check("AzureCLI@2", {"scriptType", "scriptLocation"}, TASKS, "example")
    with pytest.raises(AssertionError, match="not in the table"):
        _check("github/codeql-action/upload-sarif@v3", {"sarif_file"}, ACTIONS, "example")


def test_sarif_upload_is_current_categorised_and_permitted() -> None:
    workflow = _load(GITHUB_FILES[0])
    job = workflow["jobs"]["audit-test"]
    upload = next(
        s for s in job["steps"] if s.get("uses", "").startswith("github/codeql-action/upload-sarif")
    )
    assert upload["uses"].endswith("@v4")
    assert "AZURE_TEST_SUBSCRIPTION_ID" in upload["with"]["category"]
    assert job["permissions"]["actions"] == "read"
    assert job["permissions"]["security-events"] == "write"


def _audit_step(workflow: dict[str, Any]) -> str:
    steps = workflow["jobs"]["audit-test"]["steps"]
    (step,) = [s for s in steps if str(s.get("run", "")).startswith("auditor audit ")]
    return str(step["run"])


def test_github_audit_step_gates_on_its_own_line() -> None:
    """Without any auditor.toml, the audit line itself carries the gate and every output."""
    line = _audit_step(_load(GITHUB_FILES[0]))
    for flag in ("--min-score", "--fail-on", "--fail-on-coverage-below", "--output-dir"):
        assert flag in line, flag
    for fmt in ("json", "sarif", "junit", "markdown"):
        assert f"--format {fmt}" in line, fmt


def _run_locally(tmp_path: Path, snapshot: str) -> tuple[int, int]:
    """Run the example's audit step and its report check as a user would from a clone (README)."""
    workflow = _load(GITHUB_FILES[0])
    steps = workflow["jobs"]["audit-test"]["steps"]
    check = next(s for s in steps if s.get("name") == "Reports were written")["run"]
    audit = re.sub(
        r'--subscription "\$\{\{ vars\.[A-Z_]+ \}\}"', f"--snapshot {snapshot}", _audit_step(workflow)
    )
    assert "--snapshot" in audit
    (tmp_path / "waivers.yaml").write_text("[]\n", encoding="utf-8")
    bash = shutil.which("bash") or "/bin/bash"
    # The step calls `auditor` by name, as a pipeline would after `pip install`: find this venv's.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    first = subprocess.run(
        [bash, "-c", audit], cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env
    )
    second = subprocess.run(
        [bash, "-c", check], cwd=tmp_path, capture_output=True, text=True, timeout=30, env=env
    )
    return first.returncode, second.returncode


@pytest.mark.slow
def test_example_audit_step_fails_closed_on_a_drifted_estate(tmp_path: Path) -> None:
    drifted = ROOT / "examples" / "openai-e2e-chat-aistudio-drifted.json"
    audit_rc, check_rc = _run_locally(tmp_path, str(drifted))
    assert audit_rc == 1  # the gate failed
    assert check_rc == 0  # and the reports were still written, for the publish steps


@pytest.mark.slow
def test_example_audit_step_passes_a_compliant_estate(tmp_path: Path) -> None:
    compliant = ROOT / "examples" / "openai-e2e-chat-aistudio-compliant.json"
    assert _run_locally(tmp_path, str(compliant)) == (0, 0)


@pytest.mark.slow
def test_example_fails_closed_when_nothing_is_written(tmp_path: Path) -> None:
    audit_rc, check_rc = _run_locally(tmp_path, str(tmp_path / "no-such-snapshot.json"))
    assert audit_rc == 2
    assert check_rc != 0  # no report: the release cannot go on


def test_azure_pipeline_checks_the_report_exists() -> None:
    pipeline = _load(AZURE_FILES[0])
    stages = {s["stage"]: s for s in pipeline["stages"]}
    script = next(
        s["inputs"]["inlineScript"]
        for s in stages["AuditTest"]["jobs"][0]["steps"]
        if s.get("task") == "AzureCLI@2"
    )
    assert "set -euo pipefail" in script
    assert 'test -s "$(reportDir)/auditor-report.json"' in script
