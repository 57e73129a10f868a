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
NIGHTLY_GITHUB = CI / "nightly-github-actions.yml"
NIGHTLY_AZURE = CI / "nightly-azure-pipelines.yml"
# The secrets a file may read from the secret store: only the history database's connection string.
ALLOWED_SECRETS = {NIGHTLY_GITHUB: {"AUDITOR_HISTORY_URL"}}
# The auditor commands each file runs.
COMMANDS = {
    GITHUB: {"audit", "gate"},
    AZURE: {"audit", "gate"},
    NIGHTLY_GITHUB: {"audit", "diff", "export", "history"},
    NIGHTLY_AZURE: {"audit", "diff", "export", "history"},
}


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


@pytest.mark.parametrize("path", [GITHUB, AZURE, NIGHTLY_GITHUB, NIGHTLY_AZURE], ids=lambda p: p.name)
def test_examples_keep_no_secret(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    read = set(re.findall(r"\$\{\{\s*secrets\.([A-Za-z0-9_]+)", text))
    assert read <= ALLOWED_SECRETS.get(path, set()), read
    assert "client-secret" not in text.lower() and "AZURE_CLIENT_SECRET" not in text
    # No connection string with a password in it, no key: those live in the secret store.
    assert not re.search(r"://[^\s/\"'@]+:[^\s/\"'@]+@", text)
    assert not re.search(r"(?i)(password|pwd|accountkey|sharedaccesskey)\s*[=:]\s*\S", text)


def _command_of(argv: list[str]) -> tuple[click.Command, list[str]]:
    """The click command `auditor ARGV` runs (through groups such as `export`) and its own arguments."""
    command: click.Command = cli
    rest = list(argv)
    while isinstance(command, click.Group) and rest and rest[0] in command.commands:
        command = command.commands[rest.pop(0)]
    return command, rest


@pytest.mark.parametrize("path", [GITHUB, AZURE, NIGHTLY_GITHUB, NIGHTLY_AZURE], ids=lambda p: p.name)
def test_every_auditor_command_uses_real_flags(path: Path) -> None:
    commands = auditor_commands(path)
    assert {argv[0] for argv in commands} == COMMANDS[path]
    for argv in commands:
        assert argv[0] in cli.commands, f"{path.name}: `auditor {argv[0]}` is no command"
        command, args = _command_of(argv)
        known = {opt for p in command.params if isinstance(p, click.Option) for opt in p.opts}
        used = {a.split("=", 1)[0] for a in args if a.startswith("--")}
        assert used <= known, f"{path.name}: unknown option(s) {used - known} for `auditor {argv[0]}`"
        for flag, value in itertools.pairwise(argv):
            if flag in ("--format", "-f"):
                assert value in ("console", "json", "sarif", "junit", "html", "markdown", "csv")
            if flag in ("--fail-on", "--fail-on-new"):
                assert value in ("critical", "high", "medium", "low")


def _on(workflow: dict[Any, Any]) -> Any:
    # YAML 1.1 reads the bare key `on` as the boolean true.
    return workflow.get("on", workflow.get(True))


def _runs(steps: list[dict[str, Any]]) -> list[str]:
    return [re.sub(r"\s+", " ", str(s["run"])) for s in steps if "run" in s]


def test_nightly_github_workflow_is_scheduled_signs_in_with_oidc_and_gates_on_new() -> None:
    wf = load(NIGHTLY_GITHUB)
    (schedule,) = _on(wf)["schedule"]
    assert len(schedule["cron"].split()) == 5
    audit = wf["jobs"]["audit"]
    assert audit["permissions"]["id-token"] == "write"
    assert wf["permissions"] == {"contents": "read"}
    login = next(s for s in audit["steps"] if s.get("uses", "").startswith("azure/login@"))
    assert set(login["with"]) == {"client-id", "tenant-id", "subscription-id"}
    # The connection string comes from the secret store, into the environment only.
    assert audit["env"]["AUDITOR_HISTORY_URL"] == "${{ secrets.AUDITOR_HISTORY_URL }}"
    assert wf["jobs"]["trend"]["env"]["AUDITOR_HISTORY_URL"] == "${{ secrets.AUDITOR_HISTORY_URL }}"
    runs = _runs(audit["steps"])
    (line,) = [r for r in runs if r.startswith("auditor audit ")]
    assert '--history "$AUDITOR_HISTORY_URL" --fail-on-new high -f json -o report.json' in line
    assert '--subscription "${{ matrix.subscription }}"' in line
    assert 'auditor diff --history "$AUDITOR_HISTORY_URL" --format markdown >> "$GITHUB_STEP_SUMMARY"' in runs
    assert any(r.startswith("auditor export log-analytics report.json ") for r in runs)
    # Subscriptions one after another, none stopping the others; the diff runs after a failed gate.
    assert audit["strategy"]["max-parallel"] == 1 and audit["strategy"]["fail-fast"] is False
    diff = next(s for s in audit["steps"] if str(s.get("run", "")).startswith("auditor diff "))
    assert "!cancelled()" in diff["if"]
    trend = wf["jobs"]["trend"]
    assert trend["needs"] == "audit" and "!cancelled()" in trend["if"]
    assert 'auditor history --history "$AUDITOR_HISTORY_URL" --format html -o trend.html' in _runs(
        trend["steps"]
    )
    upload = next(s for s in trend["steps"] if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"] == "trend.html"
    assert "management group" in NIGHTLY_GITHUB.read_text(encoding="utf-8").lower()


def test_nightly_azure_pipeline_is_scheduled_federated_and_maps_the_secret() -> None:
    pipeline = load(NIGHTLY_AZURE)
    assert pipeline["trigger"] == "none"
    (schedule,) = pipeline["schedules"]
    assert len(schedule["cron"].split()) == 5 and schedule["always"] is True
    assert {"group": "auditor-nightly"} in pipeline["variables"]
    stages = {s["stage"]: s for s in pipeline["stages"]}
    job = stages["Audit"]["jobs"][0]
    assert job["strategy"]["maxParallel"] == 1 and len(job["strategy"]["matrix"]) >= 2
    cli_step = next(s for s in job["steps"] if s.get("task") == "AzureCLI@2")
    assert cli_step["inputs"]["azureSubscription"] == "$(serviceConnection)"
    assert cli_step["env"] == {"AUDITOR_HISTORY_URL": "$(auditor-history-url)"}
    script = re.sub(r"\\\n\s*", " ", cli_step["inputs"]["inlineScript"])
    assert '--history "$AUDITOR_HISTORY_URL" --fail-on-new high -f json -o report.json' in script
    assert 'auditor diff --history "$AUDITOR_HISTORY_URL" --format markdown > diff.md' in script
    assert "##vso[task.uploadsummary]" in script and 'exit "$status"' in script
    assert "auditor export log-analytics report.json" in script
    trend_steps = stages["Trend"]["jobs"][0]["steps"]
    history = next(s for s in trend_steps if str(s.get("script", "")).startswith("auditor history "))
    assert history["script"] == 'auditor history --history "$AUDITOR_HISTORY_URL" --format html -o trend.html'
    assert history["env"] == {"AUDITOR_HISTORY_URL": "$(auditor-history-url)"}
    published = [s["inputs"] for s in trend_steps if s.get("task") == "PublishBuildArtifacts@1"]
    trend_page = "$(System.DefaultWorkingDirectory)/trend.html"
    assert published == [{"PathtoPublish": trend_page, "ArtifactName": "trend"}]
    assert stages["Trend"]["condition"] == "succeededOrFailed()"
    text = NIGHTLY_AZURE.read_text(encoding="utf-8").lower()
    assert "workload identity federation" in text and "management group" in text


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
