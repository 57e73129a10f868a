"""The vocabulary every layer shares: severities, statuses, control families, findings, the report.

Everything a renderer reads is here, as frozen values: `AuditReport` is the one
document an audit produces, and a waiver, a gate or a previous report yields a
new report (`dataclasses.replace`), never a changed one.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How bad a failing check is."""

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
    """The verdict of one rule on one resource."""

    PASS = "pass"
    FAIL = "fail"
    NOT_ASSESSED = "not_assessed"
    WAIVED = "waived"
    ERROR = "error"


class Control(StrEnum):
    """The control family a rule belongs to."""

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


@dataclass(frozen=True)
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
    # the workload the finding was judged in (empty when the audit found none): its short name as
    # reports show it, and its identity (unique across subscriptions, stable across runs)
    workload: str = ""
    workload_id: str = ""
    waiver: dict[str, Any] | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        """Identity of a finding across runs: the rule, the resource and the workload (case-insensitive).

        A shared resource is judged in each workload that reaches it: one finding per workload.
        """
        return (self.rule_id, self.resource_id.lower(), self.workload_id.lower())

    def to_dict(self) -> dict[str, Any]:
        """The finding as the JSON report writes it."""
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
        if self.workload:
            out["workload"] = self.workload
        if self.workload_id:
            out["workload_id"] = self.workload_id
        return out


_STATUS_ORDER = {Status.FAIL: 0, Status.ERROR: 1, Status.NOT_ASSESSED: 2, Status.WAIVED: 3, Status.PASS: 4}


def sort_key(f: Finding) -> tuple[int, int, str, str, str]:
    """Worst first: failing, then by severity, then stable by rule and resource."""
    return (_STATUS_ORDER[f.status], -f.severity.rank, f.control.value, f.rule_id, f.resource_id.lower())


# --- scores (computed in engine/scoring.py) ---------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """Counts and weights of the required findings of the whole audit or of one family."""

    passed: int = 0
    failed: int = 0
    not_assessed: int = 0
    waived: int = 0
    errors: int = 0
    pass_weight: float = 0.0
    fail_weight: float = 0.0

    @property
    def assessed(self) -> int:
        """Findings that were judged: passed or failed."""
        return self.passed + self.failed

    @property
    def active(self) -> bool:
        """Whether any required finding fell in this tally (reports skip empty families)."""
        return bool(self.assessed or self.not_assessed or self.waived or self.errors)

    @property
    def score(self) -> float | None:
        """100 x passing weight / assessed weight; None when nothing was assessed."""
        total = self.pass_weight + self.fail_weight
        if total == 0:
            return None
        return round(100.0 * self.pass_weight / total, 1)

    @property
    def coverage(self) -> float:
        """Share of the considered findings that were judged (waived ones count as judged)."""
        judged = self.assessed + self.waived
        considered = judged + self.not_assessed + self.errors
        return round(judged / considered, 4) if considered else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The tally as the JSON report writes it."""
        return {
            "score": self.score,
            "coverage": self.coverage,
            "passed": self.passed,
            "failed": self.failed,
            "not_assessed": self.not_assessed,
            "waived": self.waived,
            "error": self.errors,
        }


@dataclass(frozen=True)
class ScoreCard:
    """The overall tally, one per control family, and the recommendations not met."""

    overall: Tally = field(default_factory=Tally)
    controls: Mapping[Control, Tally] = field(default_factory=dict)
    recommended_failed: int = 0

    @property
    def score(self) -> float:
        """The overall score; 0 when nothing was assessed (missing data is never a pass)."""
        value = self.overall.score
        return 0.0 if value is None else value

    @property
    def coverage(self) -> float:
        """The overall coverage."""
        return self.overall.coverage


# --- waivers (parsed and applied in engine/waivers.py) -----------------------------------------


@dataclass(frozen=True)
class Waiver:
    """An accepted deviation: a rule, a resource id or pattern, why, who, until when."""

    rule: str
    resource: str
    justification: str
    owner: str
    expires: date
    line: int = 0

    def matches(self, finding: Finding) -> bool:
        """Same rule, and the resource pattern matches the whole id (case-insensitively, like ARM)."""
        if finding.rule_id != self.rule:
            return False
        return fnmatch.fnmatchcase(finding.resource_id.lower(), self.resource.lower())

    def expired(self, today: date) -> bool:
        """A waiver holds through its expiry date."""
        return today > self.expires

    def to_dict(self) -> dict[str, Any]:
        """The waiver as the JSON report writes it."""
        return {
            "rule": self.rule,
            "resource": self.resource,
            "justification": self.justification,
            "owner": self.owner,
            "expires": self.expires.isoformat(),
            "line": self.line,
        }


@dataclass(frozen=True)
class WaiverReport:
    """What the waivers did in one audit: which applied, which expired, which matched nothing."""

    source: str
    today: date
    applied: tuple[tuple[Waiver, int], ...] = ()
    expired: tuple[tuple[Waiver, int], ...] = ()
    stale: tuple[Waiver, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The waiver block of the JSON report."""

        def entry(w: Waiver, count: int) -> dict[str, Any]:
            return {**w.to_dict(), "matched": count}

        return {
            "file": self.source,
            "evaluated_on": self.today.isoformat(),
            "applied": [entry(w, n) for w, n in self.applied],
            "expired": [entry(w, n) for w, n in self.expired],
            "stale": [entry(w, 0) for w in self.stale],
        }


# --- the gate (evaluated in engine/gate.py) ----------------------------------------------------


@dataclass(frozen=True)
class GatePolicy:
    """The gate conditions in force; None switches a condition off."""

    min_score: float | None = None
    fail_on: Severity | None = None
    min_coverage: float | None = None

    @property
    def active(self) -> bool:
        """Whether any condition is set."""
        return self.min_score is not None or self.fail_on is not None or self.min_coverage is not None

    def to_dict(self) -> dict[str, Any]:
        """The policy as the JSON report writes it."""
        return {
            "min_score": self.min_score,
            "fail_on": self.fail_on.value if self.fail_on else None,
            "min_coverage": self.min_coverage,
        }


@dataclass(frozen=True)
class Blocker:
    """A failing finding that trips `fail_on`, kept small so `gate` can list it."""

    rule_id: str
    severity: Severity
    resource_id: str
    message: str


@dataclass(frozen=True)
class GateOutcome:
    """The gate's verdict: passed or not, the conditions that failed and those that held."""

    policy: GatePolicy
    passed: bool
    reasons: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()
    blockers: tuple[Blocker, ...] = ()

    @property
    def exit_code(self) -> int:
        """0 when the gate passed, 1 when it failed."""
        return 0 if self.passed else 1

    @property
    def message(self) -> str:
        """The one line that ends the console report."""
        if self.passed:
            return "gate passed: " + "; ".join(self.checks)
        return "gate FAILED: " + "; ".join(self.reasons)

    def to_dict(self) -> dict[str, Any]:
        """The gate block of the JSON report."""
        return {
            "passed": self.passed,
            "policy": self.policy.to_dict(),
            "reasons": list(self.reasons),
            "message": self.message,
        }


# --- the report ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ToolInfo:
    """Who wrote the report: the tool's name and version, and the project URLs it declares."""

    name: str
    version: str
    # label (lower case) -> https URL, from the distribution's [project.urls]
    urls: Mapping[str, str] = field(default_factory=dict)

    def url(self, label: str) -> str | None:
        """The project URL with this label (case-insensitive), if declared."""
        return self.urls.get(label.lower())


@dataclass(frozen=True)
class BaselineRule:
    """How the baseline uses one rule, and where its entry is in the baseline file."""

    level: Level
    weight: float
    line: int = 1


@dataclass(frozen=True)
class BaselineInfo:
    """The baseline an audit ran, as the reports show it."""

    name: str
    version: str
    title: str
    variant: str
    # the path the baseline was loaded from, as given
    source: str
    # the baseline file as a relative URI (SARIF's physical location), fixed when the audit ran
    artifact: str
    rules: Mapping[str, BaselineRule] = field(default_factory=dict)
    # installed with the tool, so not a file of the user's repository that SARIF results can point at
    shipped: bool = False


class RuleStatus(StrEnum):
    """Where a rule is in its lifecycle, as linters mark theirs."""

    STABLE = "stable"
    # new, and its verdicts may still change in a minor release
    PREVIEW = "preview"
    # kept for existing baselines, to be removed; the catalogue names its replacement
    DEPRECATED = "deprecated"


@dataclass(frozen=True)
class Reference:
    """A public source a rule rests on: a Learn article's section, or a file of a reference implementation."""

    title: str
    url: str


@dataclass(frozen=True)
class RuleInfo:
    """What the reports say about a rule: its id, family, severity, texts, sources and lifecycle."""

    id: str
    name: str
    control: Control
    severity: Severity
    title: str
    rationale: str
    remediation: str
    description: str = ""
    references: tuple[Reference, ...] = ()
    # the tool version the rule first shipped in
    since: str = "0.1.0"
    status: RuleStatus = RuleStatus.STABLE


@dataclass(frozen=True)
class RoleExplanation:
    """Why a resource was taken to play a role of the reference architecture."""

    resource_id: str
    role: str
    reason: str
    # the workload whose roles these are, when an audit judged several
    workload: str = ""

    def to_dict(self) -> dict[str, str]:
        """The explanation as the JSON report writes it."""
        out = {"resource_id": self.resource_id, "role": self.role, "reason": self.reason}
        if self.workload:
            out["workload"] = self.workload
        return out


@dataclass(frozen=True)
class Placement:
    """Where a resource was placed: the workload it is judged in (None: out of scope) and why."""

    resource_id: str
    workload: str | None
    reason: str
    # the other workloads that reach the resource at the same step (it is judged in each)
    shared_with: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The placement as the JSON report writes it."""
        out: dict[str, Any] = {
            "resource_id": self.resource_id,
            "workload": self.workload,
            "reason": self.reason,
        }
        if self.shared_with:
            out["shared_with"] = list(self.shared_with)
        return out


@dataclass(frozen=True)
class WorkloadReport:
    """One workload's audit: its variant and why, the baseline it was judged with and why, its scores."""

    name: str
    variant: str
    variant_reason: str
    baseline: BaselineInfo
    baseline_reason: str
    card: ScoreCard
    resources: int
    core_id: str = ""
    subscriptions: tuple[str, ...] = ()
    # one line when the baseline forced with --baseline is of another variant than the one detected
    mismatch: str = ""
    roles: tuple[RoleExplanation, ...] = ()
    # the identity: subscription/resource group/core name for a discovered workload (the name as
    # defined for one of a definition file); unique where the short `name` may repeat across shards
    id: str = ""

    @property
    def identity(self) -> str:
        """The identity, or the name for a report written before workloads had one."""
        return self.id or self.name


@dataclass(frozen=True)
class AuditReport:
    """One audit, complete: everything any report format shows, and nothing a renderer must look up.

    `rules` describes the rules of the baseline; a finding of a rule outside them carries
    its own metadata. `previous` is the saved JSON report given with `--compare`.
    """

    tool: ToolInfo
    baseline: BaselineInfo
    rules: tuple[RuleInfo, ...]
    findings: tuple[Finding, ...]
    card: ScoreCard
    roles: tuple[RoleExplanation, ...]
    scope: Mapping[str, Any]
    generated_at: str
    collection_errors: tuple[Mapping[str, Any], ...] = ()
    waivers: WaiverReport | None = None
    gate: GateOutcome | None = None
    previous: Mapping[str, Any] | None = None
    # when the audit began (generated_at is when it ended) and the digest of the snapshot it judged:
    # the run history records both; the report formats do not show them
    started_at: str | None = None
    snapshot_digest: str | None = None
    # the workloads found (or defined) and judged one by one, worst first; where each resource went
    workloads: tuple[WorkloadReport, ...] = ()
    placements: tuple[Placement, ...] = ()
    # how the workloads were found ("discovered", "definition file"); empty for a plain run of the engine
    discovery: str = ""
    # set when no instance of the architecture was found: why (the gate fails)
    no_workload: str = ""

    @property
    def score(self) -> float:
        """The score the report leads with and the gate judges: the worst workload's when there are several.

        `card` holds the workloads' tallies summed (the families, the counts); its score is of all
        findings together, which a compliant majority would lift above the worst copy's.
        """
        if len(self.workloads) > 1:
            return min(w.card.score for w in self.workloads)
        return self.card.score

    @property
    def coverage(self) -> float:
        """The coverage the gate judges: the lowest of the workloads' when there are several."""
        if len(self.workloads) > 1:
            return min(w.card.coverage for w in self.workloads)
        return self.card.coverage

    @property
    def baselines(self) -> tuple[BaselineInfo, ...]:
        """Every baseline the workloads were judged with (the report's own when none was found)."""
        seen: dict[tuple[str, str], BaselineInfo] = {}
        for w in self.workloads:
            seen.setdefault((w.baseline.name, w.baseline.version), w.baseline)
        return tuple(seen.values()) or (self.baseline,)
