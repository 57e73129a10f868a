"""The vocabulary every layer shares: severities, statuses, control families, findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        """Higher is worse; used for sorting and for `--fail-on`."""
        return {"critical": 4, "high": 3, "medium": 2, "low": 1}[self.value]

    @property
    def weight(self) -> int:
        """Weight of one finding of this severity in the score."""
        return {"critical": 10, "high": 5, "medium": 3, "low": 1}[self.value]


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NOT_ASSESSED = "not_assessed"
    WAIVED = "waived"
    ERROR = "error"


class Control(StrEnum):
    NSG = "nsg"
    PRIVATE_ENDPOINTS = "private-endpoints"
    PUBLIC_ACCESS = "public-access"
    IDENTITY = "identity"
    DIAGNOSTICS = "diagnostics"
    CONTENT_FILTER = "content-filter"
    RELIABILITY = "reliability"


class Level(StrEnum):
    """How a baseline ranks a rule: a deviation from the architecture, or extra hardening."""

    REQUIRED = "required"
    RECOMMENDED = "recommended"


@dataclass(frozen=True)
class Result:
    """What a rule says about one resource; the engine turns it into a Finding."""

    resource_id: str
    resource_type: str
    status: Status
    message: str
    expected: Any = None
    actual: Any = None


@dataclass
class Finding:
    """One verdict of one rule on one resource, as every report shows it."""

    rule_id: str
    control: Control
    resource_id: str
    resource_type: str
    status: Status
    severity: Severity
    title: str
    message: str
    expected: Any
    actual: Any
    remediation: str
    level: Level = Level.REQUIRED
    rule_name: str = ""
    rationale: str = ""
    waiver: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        """Identity of a finding across runs: the rule and the resource (case-insensitive)."""
        return (self.rule_id, self.resource_id.lower())

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule_id": self.rule_id,
            "rule_name": self.rule_name,
            "control": self.control.value,
            "resource_id": self.resource_id,
            "resource_type": self.resource_type,
            "status": self.status.value,
            "severity": self.severity.value,
            "level": self.level.value,
            "title": self.title,
            "message": self.message,
            "expected": self.expected,
            "actual": self.actual,
            "remediation": self.remediation,
            "rationale": self.rationale,
        }
        if self.waiver is not None:
            out["waiver"] = self.waiver
        return out
