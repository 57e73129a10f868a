"""Audit reports for the report tests: synthetic findings in every status, family and severity.

The renderers only read findings, so these results need no rule to produce them; the
`SMPnnn` rule ids are not in the catalogue on purpose (reports must carry a finding's own
metadata). `gate_estate` is a real estate with one real failing rule, for end-to-end runs.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor.engine.baseline import load_baseline
from auditor.engine.describe import baseline_info, rule_infos, tool_info
from auditor.engine.gate import GatePolicy, gated
from auditor.engine.scoring import score
from auditor.engine.waivers import Waiver, WaiverReport
from auditor.model import AuditReport, Control, Finding, Level, Reference, RuleInfo, Severity, Status
from tests import estates

SUB = "/subscriptions/00000000-0000-4000-8000-000000000001"
RG = f"{SUB}/resourceGroups/rg-chat-test/providers"
NASTY = "<script>alert(1)</script>*_[x](https://example.invalid)|`~"
NASTY_ID = f"{RG}/Microsoft.Web/sites/{NASTY}"


def finding(
    rule_id: str,
    control: Control,
    status: Status,
    severity: Severity,
    resource: str,
    level: Level = Level.REQUIRED,
    waiver: dict[str, Any] | None = None,
    message: str | None = None,
) -> Finding:
    return Finding(
        rule_id=rule_id,
        rule_name=f"sample-{rule_id.lower()}",
        control=control,
        resource_id=resource,
        resource_type="/".join(resource.split("/providers/")[-1].split("/")[:2]) if resource else "",
        status=status,
        severity=severity,
        title=f"Sample rule {rule_id}",
        message=message
        or f"properties.sample of {resource.rsplit('/', 1)[-1] or 'the estate'} is {status.value}",
        expected={"publicNetworkAccess": "Disabled"},
        actual={"publicNetworkAccess": "Enabled"}
        if status is not Status.PASS
        else {"publicNetworkAccess": "Disabled"},
        remediation=f"az resource update --ids <id> --set properties.sample=true ({rule_id})",
        level=level,
        rationale=f"The reference architecture requires it ({rule_id}).",
        waiver=waiver,
    )


WAIVER = {
    "justification": "Accepted until the DNS zone moves (CHG-42) <b>bold</b>",
    "owner": "platform@contoso.example",
    "expires": "2999-12-31",
    "expired": False,
    "pattern": f"{RG}/Microsoft.Storage/*",
}
EXPIRED_WAIVER = {**WAIVER, "expires": "2001-01-31", "expired": True, "pattern": f"{RG}/Microsoft.Search/*"}


def sample_findings() -> list[Finding]:
    return [
        finding("SMP001", Control.NSG, Status.FAIL, Severity.CRITICAL, NASTY_ID, message=f"name is {NASTY}"),
        finding(
            "SMP002",
            Control.PUBLIC_ACCESS,
            Status.FAIL,
            Severity.HIGH,
            f"{RG}/Microsoft.Storage/storageAccounts/st1",
        ),
        finding(
            "SMP002",
            Control.PUBLIC_ACCESS,
            Status.WAIVED,
            Severity.HIGH,
            f"{RG}/Microsoft.Storage/storageAccounts/st2",
            waiver=WAIVER,
        ),
        finding(
            "SMP003",
            Control.PRIVATE_ENDPOINTS,
            Status.FAIL,
            Severity.HIGH,
            f"{RG}/Microsoft.Search/searchServices/srch",
            waiver=EXPIRED_WAIVER,
        ),
        finding(
            "SMP004",
            Control.DIAGNOSTICS,
            Status.FAIL,
            Severity.MEDIUM,
            f"{RG}/Microsoft.KeyVault/vaults/kv",
            level=Level.RECOMMENDED,
        ),
        finding(
            "SMP005",
            Control.DIAGNOSTICS,
            Status.NOT_ASSESSED,
            Severity.MEDIUM,
            f"{RG}/Microsoft.Network/applicationGateways/agw",
        ),
        finding(
            "SMP006",
            Control.IDENTITY,
            Status.PASS,
            Severity.HIGH,
            f"{RG}/Microsoft.CognitiveServices/accounts/oai",
        ),
        finding(
            "SMP007",
            Control.CONTENT_FILTER,
            Status.PASS,
            Severity.LOW,
            f"{RG}/Microsoft.CognitiveServices/accounts/oai",
        ),
        finding(
            "SMP008", Control.RELIABILITY, Status.FAIL, Severity.LOW, f"{RG}/Microsoft.Web/serverfarms/plan"
        ),
        finding(
            "SMP009", Control.IDENTITY, Status.ERROR, Severity.HIGH, "", message="rule raised KeyError: 'x'"
        ),
    ]


DEFAULT_POLICY = GatePolicy(fail_on=Severity.HIGH, min_score=50)


def sample_result(policy: GatePolicy | None = DEFAULT_POLICY) -> AuditReport:
    """A report in every status; gate set by `policy` (None: no gate)."""
    findings = tuple(sample_findings())
    baseline = load_baseline("openai-e2e-chat-aistudio")
    stale = Waiver(
        "SMP001", f"{RG}/Microsoft.Web/sites/gone-*", "Old exception <i>", "someone", date(2999, 1, 1), 7
    )
    expired = Waiver("SMP003", f"{RG}/Microsoft.Search/*", "Lapsed", "someone", date(2001, 1, 31), 12)
    applied = Waiver(
        "SMP002", f"{RG}/Microsoft.Storage/*", WAIVER["justification"], WAIVER["owner"], date(2999, 12, 31), 1
    )
    result = AuditReport(
        tool=tool_info(),
        baseline=baseline_info(baseline),
        rules=rule_infos(baseline),
        findings=findings,
        card=score(findings),
        roles=(),
        scope={
            "source": f"snapshot {NASTY}.json",
            "subscriptions": [SUB.rsplit("/", 1)[-1]],
            "resources": 12,
        },
        generated_at="2026-11-21T08:00:00Z",
        collection_errors=(
            {
                "scope": f"{RG}/Microsoft.Network/applicationGateways/agw/providers/Microsoft.Insights"
                "/diagnosticSettings",
                "resource_type": "Microsoft.Insights/diagnosticSettings",
                "status": 403,
                "code": "AuthorizationFailed",
                "message": f"no read access to {NASTY}",
            },
        ),
        waivers=WaiverReport(
            source="waivers.yaml",
            today=date(2026, 11, 21),
            applied=((applied, 1),),
            expired=((expired, 1),),
            stale=(stale,),
        ),
    )
    return result if policy is None else gated(result, policy)


def with_findings(report: AuditReport, findings: Iterable[Finding], rescore: bool = False) -> AuditReport:
    """The report with other findings; the score card is recomputed only when asked."""
    kept = tuple(findings)
    return replace(report, findings=kept, card=score(kept) if rescore else report.card)


def changed(report: AuditReport, index: int, **changes: Any) -> AuditReport:
    """The report with one finding changed (the score card left as it was)."""
    findings = list(report.findings)
    findings[index] = replace(findings[index], **changes)
    return with_findings(report, findings)


def gate_estate(variant: str = "aistudio", drift_openai: bool = True) -> dict[str, Any]:
    """The compliant sample estate, with Azure OpenAI opened to the Internet (PUB001, high) if asked."""
    resources = copy.deepcopy(estates.compliant(variant))
    if drift_openai:
        estates.find(resources, "Microsoft.CognitiveServices/accounts")["properties"][
            "publicNetworkAccess"
        ] = "Enabled"
    return estates.snapshot_document(resources, variant, drifted=False)


def run_cli(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, cwd: Path
) -> tuple[int, str, str]:
    """Run the real entry point (exit codes and one-line errors included) in this process."""
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "argv", ["auditor", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    out, err = capsys.readouterr()
    code = exc.value.code
    return (code if isinstance(code, int) else 0), out, err


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


NASTY_URL = 'https://learn.microsoft.com/azure/x(y) z"<b>'


def with_sourced_rule(report: AuditReport) -> AuditReport:
    """The report with SMP001 among its rules, referenced by a URL and title that need escaping."""
    smp = next(f for f in report.findings if f.rule_id == "SMP001")
    info = RuleInfo(
        id="SMP001",
        name="sample",
        control=smp.control,
        severity=smp.severity,
        title=smp.title,
        rationale=smp.rationale,
        remediation=smp.remediation,
        references=(Reference('Section <i>"one"</i> [1]', NASTY_URL),),
    )
    return replace(report, rules=(*report.rules, info))
