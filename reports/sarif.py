"""SARIF 2.1.0 for GitHub code scanning and the Azure DevOps SARIF viewer.

Choices, and why:
- One `reportingDescriptor` per rule of the baseline, with `security-severity` so that
  GitHub ranks alerts critical/high/medium/low like our severities.
- The audited thing is an Azure resource, not a line of code: the resource is every
  result's logical location (`fullyQualifiedName` = ARM id). A physical location is a
  file of the user's repository, so that code scanning can show it: the `--baseline`
  copy of the user's own (at the line of the rule), or the file given with
  `--sarif-location` (line 1, or the rule's line when it is that baseline). A shipped
  baseline lives inside the installed package, not in the repository, so without
  `--sarif-location` its results carry the logical location only.
- Several resources share one baseline line, so `partialFingerprints` carry a hash of
  the rule id and the lower-cased resource id (also as `primaryLocationLineHash`, the
  key GitHub itself would otherwise compute from that line): the alert of one resource
  keeps its identity across runs, and two resources never merge into one alert.
- GitHub ignores `suppressions` and would show a waived finding as an open alert, so
  waived findings are left out unless `--sarif-include-waived` keeps them, as results
  with an accepted external suppression and the waiver's justification. Not-assessed
  findings are `level: note` results without a `kind` (so `fail`, the only kind a
  `note` may have): a missing reading to look at, never a security alert. Passing
  findings are left out.
- A rule the baseline ranks `recommended` never fails the gate, so its results are
  `level: note` and its descriptor has no `security-severity`: GitHub then shows them
  as notes, not as security alerts that a branch protection rule would block on.
- Rule errors and collection errors are tool notifications of the invocation, whose
  exit code is the gate's.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.model import AuditReport, Finding, Level, RuleInfo, Severity, Status, ToolInfo

from . import PLAIN, RenderOptions
from .links import safe_url

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note"}
# GitHub maps security-severity to its labels: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, < 4.0 low.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
}


def fingerprint(rule_id: str, resource_id: str, workload: str = "") -> str:
    """Stable across runs and across case changes of the ARM id (ARM ids compare case-insensitively).

    `workload` is given only for a finding whose rule and resource the report judges in more than
    one workload (a shared network, say), so that each has an alert of its own; every other
    finding keeps the value earlier versions wrote, and its alert (and any dismissal) carries over.
    """
    key = f"{rule_id}|{resource_id.lower()}" + (f"|{workload.lower()}" if workload else "")
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def render(result: AuditReport, options: RenderOptions = PLAIN) -> str:
    """The SARIF log, indented, with a final newline; `options` say where results point, and waivers."""
    return json.dumps(sarif_log(result, options), indent=2, default=str, allow_nan=False) + "\n"


def sarif_log(result: AuditReport, options: RenderOptions = PLAIN) -> dict[str, Any]:
    """The SARIF log as a dict: one run, one descriptor per rule, one result per reportable finding."""
    rules = _rules(result)
    index = {r.id: i for i, r in enumerate(rules)}
    levels = _levels(result)
    artifact = result.baseline.artifact
    artifacts: list[dict[str, Any]] = [{"location": {"uri": artifact}, "roles": ["policy"]}]
    place = _place(result, options)
    if place is not None and place.uri != artifact:
        artifacts.append({"location": {"uri": place.uri}})
    reported = {Status.FAIL, Status.NOT_ASSESSED} | (
        {Status.WAIVED} if options.sarif_include_waived else set()
    )
    shared = _shared(result.findings)
    results = [
        _result(f, index, place, shared)
        for f in result.findings
        if f.status in reported and f.rule_id in index
    ]
    run: dict[str, Any] = {
        "tool": {"driver": _driver(result.tool, rules, levels)},
        "automationDetails": {
            # GitHub reads the part before the last "/" as the analysis category.
            "id": f"{result.tool.name}/{result.baseline.name}/{result.generated_at}",
        },
        "invocations": [_invocation(result)],
        "artifacts": artifacts,
        "results": results,
        "columnKind": "unicodeCodePoints",
        "properties": {
            "baseline": {"name": result.baseline.name, "version": result.baseline.version},
            # the score the gate judges: the worst workload's when there are several
            "score": result.score,
            "coverage": result.coverage,
            "scope": dict(result.scope),
        },
    }
    if result.waivers is not None:
        run["properties"]["waivers"] = result.waivers.to_dict()
    if result.workloads:
        run["properties"]["workloads"] = [
            {
                "name": w.name,
                "id": w.identity,
                "variant": w.variant,
                "baseline": w.baseline.name,
                "score": w.card.score,
            }
            for w in result.workloads
        ]
        run["properties"]["baselines"] = [{"name": b.name, "version": b.version} for b in result.baselines]
    if result.no_workload:
        run["properties"]["noWorkload"] = result.no_workload
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


@dataclass(frozen=True)
class _Place:
    """The repository file results point at: its URI, its index in `artifacts`, the line of each rule."""

    uri: str
    index: int
    lines: Mapping[str, int]

    def line(self, rule_id: str) -> int:
        return self.lines.get(rule_id, 1)


def _place(result: AuditReport, options: RenderOptions) -> _Place | None:
    """Where results point: `--sarif-location`, else the user's own baseline, else nowhere."""
    baseline = result.baseline
    lines = {rid: setting.line for rid, setting in baseline.rules.items()}
    if options.sarif_location:
        if options.sarif_location == baseline.artifact:
            return _Place(baseline.artifact, 0, lines)
        return _Place(options.sarif_location, 1, {})
    if baseline.shipped:
        return None
    return _Place(baseline.artifact, 0, lines)


def _rules(result: AuditReport) -> list[RuleInfo]:
    """Every rule of the baseline (so a fixed alert can close) and of the findings, in a stable order."""
    rules: dict[str, RuleInfo] = {r.id: r for r in result.rules}
    for f in result.findings:
        if f.rule_id not in rules:
            # A finding carries its rule's metadata: enough for a descriptor when the report lacks it.
            rules[f.rule_id] = RuleInfo(
                id=f.rule_id,
                name=f.rule_name or f.rule_id,
                control=f.control,
                severity=f.severity,
                title=f.title,
                rationale=f.rationale,
                remediation=f.remediation,
            )
    return list(rules.values())


def _levels(result: AuditReport) -> dict[str, Level]:
    """How the baseline ranks each rule; a rule outside it keeps its findings' level."""
    levels = {f.rule_id: f.level for f in result.findings}
    levels.update({rid: setting.level for rid, setting in result.baseline.rules.items()})
    return levels


def _driver(tool: ToolInfo, rules: list[RuleInfo], levels: dict[str, Level]) -> dict[str, Any]:
    driver: dict[str, Any] = {
        "name": tool.name,
        "version": tool.version,
        "semanticVersion": tool.version,
        "rules": [_descriptor(r, tool, levels.get(r.id, Level.REQUIRED)) for r in rules],
    }
    home = tool.url("Homepage") or tool.url("Repository")
    if home:
        driver["informationUri"] = home
    return driver


def help_uri(rule: RuleInfo, tool: ToolInfo) -> str | None:
    """Where a viewer links the rule: its page under the project's published documentation when
    pyproject's [project.urls] declares a Documentation URL, else the rule's first reference (the
    article section it rests on). The repository has no published address yet, and a relative
    link means nothing to GitHub or Azure DevOps, so the Learn section is the default."""
    docs = tool.url("Documentation")
    if docs:
        base = docs.rsplit("/", 1)[0] if docs.endswith(".md") else docs.rstrip("/")
        return f"{base}/rules/{rule.id}.md"
    https = [ref.url for ref in rule.references if ref.url.startswith("https://")]
    return https[0] if https else None


def _descriptor(rule: RuleInfo, tool: ToolInfo, level: Level = Level.REQUIRED) -> dict[str, Any]:
    uri = help_uri(rule, tool)
    references = [ref for ref in rule.references if ref.url.startswith("https://")]
    text = f"{rule.description or rule.title}\n\nWhy: {rule.rationale}\n\nHow to fix: {rule.remediation}"
    if references:
        text += "\n\nReferences:\n" + "\n".join(f"- {ref.title}: {ref.url}" for ref in references)
    markdown = (
        f"**{_md(rule.title)}** (family `{rule.control.value}`, severity `{rule.severity.value}`"
        f"{', recommended' if level is Level.RECOMMENDED else ''}; {rule.status.value} "
        f"since {rule.since})\n\n"
        f"{_md(rule.description)}\n\n"
        f"**Why (reference architecture):** {_md(rule.rationale)}\n\n"
        f"**How to fix:** {_md(rule.remediation)}"
    )
    if references:
        markdown += "\n\n**References:**\n\n" + "\n".join(
            f"- [{_md_label(ref.title)}]({safe_url(ref.url)})" for ref in references
        )
    if uri and tool.url("Documentation"):
        markdown += f"\n\nSee [{rule.id} in the rule catalogue]({safe_url(uri)})."
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.description or rule.rationale or rule.title},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": _sarif_level(rule.severity, level)},
        "properties": {
            "tags": ["security", "azure", rule.control.value],
            "precision": "very-high",
            "problem.severity": "recommendation"
            if rule.severity is Severity.LOW or level is Level.RECOMMENDED
            else LEVEL[rule.severity],
            "level": level.value,
            "since": rule.since,
            "status": rule.status.value,
        },
    }
    if level is Level.REQUIRED:
        descriptor["properties"]["security-severity"] = SECURITY_SEVERITY[rule.severity]
    else:
        descriptor["properties"]["tags"].append("recommended")
    if uri:
        # SARIF wants an absolute URI here (see help_uri for which one).
        descriptor["helpUri"] = uri
    return descriptor


def _shared(findings: Sequence[Finding]) -> set[tuple[str, str]]:
    """(rule, resource) pairs the report judges in more than one workload."""
    seen: dict[tuple[str, str], str] = {}
    shared: set[tuple[str, str]] = set()
    for f in findings:
        key = (f.rule_id, f.resource_id.lower())
        if seen.setdefault(key, f.workload_id) != f.workload_id:
            shared.add(key)
    return shared


def _result(
    f: Finding, index: dict[str, int], place: _Place | None, shared: set[tuple[str, str]]
) -> dict[str, Any]:
    where = f.resource_id or "(estate)"
    # GitHub titles the alert with the rule's short description; the message says what was found where.
    text = f"{f.message} ({where})"
    if f.status is Status.NOT_ASSESSED:
        text = f"Not assessed: {f.message} ({where})"
    location: dict[str, Any] = {}
    if place is not None:
        location["physicalLocation"] = {
            "artifactLocation": {"uri": place.uri, "index": place.index},
            "region": {"startLine": place.line(f.rule_id)},
        }
    location["logicalLocations"] = [
        {
            "fullyQualifiedName": f.resource_id,
            "name": f.resource_id.rstrip("/").split("/")[-1] if f.resource_id else "(estate)",
            "kind": "resource",
        }
    ]
    apart = f.workload_id if (f.rule_id, f.resource_id.lower()) in shared else ""
    out: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": index[f.rule_id],
        # No kind on a not-assessed result: a `note` must be of kind `fail`, the default.
        **({} if f.status is Status.NOT_ASSESSED else {"kind": "fail"}),
        "level": "note" if f.status is Status.NOT_ASSESSED else _sarif_level(f.severity, f.level),
        "message": {"text": text},
        "locations": [location],
        "partialFingerprints": {
            "primaryLocationLineHash": fingerprint(f.rule_id, f.resource_id, apart),
            "auditorFinding/v1": fingerprint(f.rule_id, f.resource_id, apart),
        },
        "properties": {
            "status": f.status.value,
            "severity": f.severity.value,
            "level": f.level.value,
            "control": f.control.value,
            "resourceType": f.resource_type,
            "expected": f.expected,
            "actual": f.actual,
            "remediation": f.remediation,
        },
    }
    if f.waiver:
        out["properties"]["waiver"] = f.waiver
    if f.workload:
        out["properties"]["workload"] = f.workload
    if f.workload_id:
        out["properties"]["workloadId"] = f.workload_id
    if f.status is Status.WAIVED and f.waiver:
        out["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": (
                    f"{f.waiver.get('justification', '')} (owner {f.waiver.get('owner', '?')}, "
                    f"expires {f.waiver.get('expires', '?')})"
                ),
            }
        ]
    return out


def _sarif_level(severity: Severity, level: Level) -> str:
    # A recommendation is extra hardening the gate never fails on: a note, whatever its severity.
    return "note" if level is Level.RECOMMENDED else LEVEL[severity]


def _invocation(result: AuditReport) -> dict[str, Any]:
    notes: list[dict[str, Any]] = []
    for f in result.findings:
        if f.status is Status.ERROR:
            notes.append(
                {
                    "level": "error",
                    "message": {"text": f"{f.rule_id}: {f.message}"},
                    "associatedRule": {"id": f.rule_id},
                }
            )
    for err in result.collection_errors:
        notes.append(
            {
                "level": "warning",
                "message": {
                    "text": f"could not read {err.get('scope')}: {err.get('status')} {err.get('code')}"
                    f" {err.get('message')}"
                },
            }
        )
    gate = result.gate
    invocation: dict[str, Any] = {
        # The audit ran to the end; a failed gate is a verdict, not a failed execution.
        "executionSuccessful": True,
        "exitCode": gate.exit_code if gate else 0,
        "exitCodeDescription": gate.message if gate else "no gate condition set",
    }
    if notes:
        invocation["toolExecutionNotifications"] = notes
    return invocation


def _md_label(text: str) -> str:
    """A link label: escaped as text, and its brackets kept from closing the label."""
    return _md(text).replace("[", "\\[").replace("]", "\\]")


def _md(text: str) -> str:
    """Rule texts are ours, but keep them from being read as HTML by the viewer."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
