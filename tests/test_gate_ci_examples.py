"""The pipeline examples: parseable, secret-free, wired to the files and flags the tool really has."""

from __future__ import annotations

import itertools
import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from auditor.cli import cli
from auditor.reports import extension
from auditor.reports.writer import REPORT_STEM
from tests import paths

CI = paths.EXAMPLES / "ci"
GITHUB = CI / "github-actions.yml"
AZURE = CI / "azure-pipelines.yml"


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def report_file(fmt: str) -> str:
    return f"{REPORT_STEM}.{extension(fmt)}"


def strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in strings(value)]
    return []


def auditor_commands(path: Path) -> list[list[str]]:
    """Every `auditor ...` command in a file: in its scripts, and in its commented-out variants."""
    text = path.read_text(encoding="utf-8")
    scripts = [re.sub(r"\\\n\s*", " ", s) for s in strings(load(path))]
    comments = [re.sub(r"^(- )?(run|script): ", "", line.strip()[1:].strip()) for line in text.splitlines()]
    commands = []
    for line in [*(ln for s in scripts for ln in s.splitlines()), *comments]:
        line = line.strip()
        if re.match(r"auditor [a-z]+( |$)", line):  # a command, not a title like "auditor (test ...)"
            commands.append(shlex.split(line.replace("${{", "'").replace("}}", "'"))[1:])
    return commands


@pytest.mark.parametrize("path", [GITHUB, AZURE])
def test_examples_keep_no_secret(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"\$\{\{\s*secrets\.", text)
    assert "client-secret" not in text.lower() and "AZURE_CLIENT_SECRET" not in text


@pytest.mark.parametrize("path", [GITHUB, AZURE])
def test_every_auditor_command_uses_real_flags(path: Path) -> None:
    commands = auditor_commands(path)
    assert {argv[0] for argv in commands} == {"audit", "gate"}
    for argv in commands:
        command = cli.commands[argv[0]]
        known = {opt for p in command.params if isinstance(p, click.Option) for opt in p.opts}
        used = {a.split("=", 1)[0] for a in argv[1:] if a.startswith("--")}
        assert used <= known, f"{path.name}: unknown option(s) {used - known} for `auditor {argv[0]}`"
        for flag, value in itertools.pairwise(argv):
            if flag == "--format":
                assert value in ("console", "json", "sarif", "junit", "html", "markdown", "csv")
            if flag == "--fail-on":
                assert value in ("critical", "high", "medium", "low")


def test_github_workflow_signs_in_with_oidc_publishes_and_gates() -> None:
    wf = load(GITHUB)
    audit = wf["jobs"]["audit-test"]
    assert audit["permissions"]["id-token"] == "write"
    assert audit["permissions"]["security-events"] == "write"
    steps = audit["steps"]
    uses = {s.get("uses", "").split("@")[0]: s for s in steps}
    login = uses["azure/login"]
    assert set(login["with"]) == {"client-id", "tenant-id", "subscription-id"}
    assert uses["github/codeql-action/upload-sarif"]["with"]["sarif_file"].endswith(report_file("sarif"))
    assert uses["dorny/test-reporter"]["with"]["path"].endswith(report_file("junit"))
    assert uses["actions/upload-artifact"]["with"]["path"] == "audit-report/"
    run_steps = [s["run"] for s in steps if "run" in s]
    assert any(r.startswith("auditor audit ") for r in run_steps)
    assert any(report_file("markdown") in r and "GITHUB_STEP_SUMMARY" in r for r in run_steps)
    # Publishing runs even when the gate step failed; promotion needs the audit job.
    for name in ("github/codeql-action/upload-sarif", "dorny/test-reporter", "actions/upload-artifact"):
        assert "!cancelled()" in uses[name]["if"]
    assert wf["jobs"]["promote-production"]["needs"] == "audit-test"
    assert wf["jobs"]["promote-production"]["environment"] == "production"


def test_azure_pipeline_publishes_and_gates_before_production() -> None:
    pipeline = load(AZURE)
    stages = {s["stage"]: s for s in pipeline["stages"]}
    audit_steps = stages["AuditTest"]["jobs"][0]["steps"]
    tasks = {s.get("task"): s for s in audit_steps if "task" in s}
    assert "auditor audit" in tasks["AzureCLI@2"]["inputs"]["inlineScript"]
    junit = tasks["PublishTestResults@2"]["inputs"]
    assert junit["testResultsFormat"] == "JUnit" and junit["testResultsFiles"].endswith(report_file("junit"))
    published = [s["inputs"] for s in audit_steps if s.get("task") == "PublishBuildArtifacts@1"]
    sarif = next(p for p in published if p["ArtifactName"] == "CodeAnalysisLogs")
    assert sarif["PathtoPublish"].endswith(report_file("sarif"))
    gate_steps = stages["Gate"]["jobs"][0]["steps"]
    assert any(
        "auditor gate" in s.get("script", "") and report_file("json") in s["script"] for s in gate_steps
    )
    assert stages["Gate"]["dependsOn"] == "AuditTest"
    assert stages["Production"]["dependsOn"] == "Gate"
    assert stages["Production"]["jobs"][0]["environment"] == "chat-production"
