"""The fault matrix: every fault kind the fake ARM server can inject, on every collector area.

One cell collects the estate with one fault on one area's reads (real SDK clients, short
timeouts), audits it, and compares it with the fault-free audit of the same estate: a
finding that failed there must still fail or be not assessed (never pass, never vanish), no
verdict may turn into a pass, the run must end within its deadline without a traceback, with
the exit code documented for the fault, and a fault that hit must leave a read error with
the expected code and lower the coverage. The tests (tests/collect/test_fault_matrix.py)
and the figures script (benchmarks/fault_matrix.py) both run these cells.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from auditor.arm.snapshot import Snapshot
from auditor.engine.baseline import load_baseline
from auditor.engine.run import run_audit
from auditor.errors import AuditorError
from auditor.model import AuditReport, Status
from tests.fakearm.harness import collect
from tests.fakearm.server import FakeArm

_NOT_DIAGNOSTICS = r"^(?!.*/providers/Microsoft\.Insights/)"
# Each area's reads, as the paths the fake server sees (diagnostic settings are an area of their own).
AREAS: dict[str, str] = {
    "network": _NOT_DIAGNOSTICS + r".*/providers/Microsoft\.Network/",
    "cognitive services": _NOT_DIAGNOSTICS + r".*/providers/Microsoft\.CognitiveServices/",
    "machine learning": _NOT_DIAGNOSTICS + r".*/providers/Microsoft\.MachineLearningServices/",
    "app service": _NOT_DIAGNOSTICS + r".*/providers/Microsoft\.Web/",
    "data services": _NOT_DIAGNOSTICS
    + r".*/providers/Microsoft\.(KeyVault|ContainerRegistry|Storage|Search)/",
    "identity": _NOT_DIAGNOSTICS + r".*/providers/Microsoft\.(Authorization|ManagedIdentity)/",
    "diagnostics": r"/providers/Microsoft\.Insights/diagnosticSettings",
}
# Settings of every cell: short timeouts, so that hangs and slow answers cost seconds, not minutes.
DEADLINE = 20.0
SETTINGS: dict[str, Any] = {
    "connect_timeout": 2.0,
    "read_timeout": 1.0,
    "retry_read": 1,
    "deadline": DEADLINE,
    "retry_after_cap": 5.0,
}
# Seconds past the deadline a run may take to wind down (the last call's shortened timeout).
SLACK = 5.0


@dataclass(frozen=True)
class Kind:
    """One fault kind: how to inject it, what a read it hit records, and the exit code expected."""

    name: str
    inject: Callable[[FakeArm, str], None]
    codes: frozenset[str] = frozenset()  # error codes (or HTTP statuses as text) of the reads it hit
    exit_code: int = 0
    per_area: bool = True  # False: the fault concerns the whole run (the token endpoint)
    reads_lost: bool = True  # False: the tool is expected to recover every read


def _status(status: int, **kwargs: Any) -> Callable[[FakeArm, str], None]:
    return lambda fake, pattern: _add(fake, pattern, status, **kwargs)


def _odd(kind: str, **kwargs: Any) -> Callable[[FakeArm, str], None]:
    return lambda fake, pattern: _add(fake, pattern, 200, kind=kind, **kwargs)


def _add(fake: FakeArm, pattern: str, status: int, **kwargs: Any) -> None:
    fake.add_fault(pattern, status, **kwargs)


def _later_page(fake: FakeArm, pattern: str) -> None:
    fake.page_size = 1  # every list of two or more items has a second page
    fake.add_fault(pattern, 500, later_pages=True)


def _token_hangs(fake: FakeArm, pattern: str) -> None:
    fake.token_delay = DEADLINE + 30


def _token_expires(fake: FakeArm, pattern: str) -> None:
    fake.token_lifetime = 1  # azure-identity must fetch a new one as the run goes on


KINDS: tuple[Kind, ...] = (
    Kind("403", _status(403), frozenset({"403"})),
    Kind("404", _status(404), frozenset({"404"})),
    Kind("401 on the area's paths", _status(401), frozenset({"401"})),
    Kind("429, short Retry-After", _status(429, retry_after=1, times=2), reads_lost=False),
    Kind("429, long Retry-After", _status(429, retry_after=3600), frozenset({"Throttled"})),
    Kind("500", _status(500), frozenset({"500"})),
    Kind("503", _status(503), frozenset({"503"})),
    Kind("connection reset", _odd("reset"), frozenset({"ServiceResponseError", "DeadlineExceeded"})),
    Kind(
        "read that never answers",
        _odd("hang", delay=60),
        frozenset({"ServiceResponseError", "ServiceResponseTimeoutError", "DeadlineExceeded"}),
    ),
    Kind("truncated JSON", _odd("truncated"), frozenset({"UnreadableAnswer"})),
    Kind("empty 200", _odd("empty"), frozenset({"UnreadableAnswer"})),
    Kind("HTML 200", _odd("html"), frozenset({"UnreadableAnswer"})),
    Kind("nextLink loop", _odd("loop"), frozenset({"PagingStopped", "NextLinkRefused"})),
    Kind("item without id", _odd("noid"), frozenset({"ItemWithoutId"})),
    Kind("failing page 2", _later_page, frozenset({"500"})),
    Kind("token endpoint never answers", _token_hangs, exit_code=3, per_area=False),
    Kind("expiring token", _token_expires, per_area=False, reads_lost=False),
)


@dataclass
class Cell:
    """The outcome of one fault on one area."""

    kind: str
    area: str
    exit_code: int = 0
    seconds: float = 0.0
    hits: int = 0  # requests the fault answered
    errors: int = 0  # read errors recorded
    coverage_drop: float = 0.0
    wrong: list[str] = field(default_factory=list)  # wrong verdicts: a failure passes or vanishes
    problems: list[str] = field(default_factory=list)  # other departures from the expected outcome
    crash: str | None = None

    @property
    def hang(self) -> bool:
        """True when the run went past its deadline."""
        return self.seconds > DEADLINE + SLACK

    @property
    def ok(self) -> bool:
        """No wrong verdict, crash, hang or other departure."""
        return not (self.wrong or self.problems or self.crash or self.hang)


Verdicts = dict[tuple[str, str], Status]


def verdicts(report: AuditReport) -> Verdicts:
    """Each finding's status, by (rule, resource id in lower case)."""
    return {(f.rule_id, f.resource_id.lower()): f.status for f in report.findings}


def wrong_verdicts(clean: Verdicts, faulted: AuditReport) -> list[str]:
    """Findings the fault turned into a pass, and clean failures that vanished without a not-assessed."""
    found = verdicts(faulted)
    unassessed: dict[str, list[str]] = {}
    for (rule, rid), status in found.items():
        if status is Status.NOT_ASSESSED:
            unassessed.setdefault(rule, []).append(rid)
    wrong = []
    for key, status in found.items():
        before = clean.get(key)
        if status is Status.PASS and before is not Status.PASS:
            wrong.append(f"{key[0]} {key[1]}: {before.value if before else 'absent'} -> pass")
    for (rule, rid), status in clean.items():
        if status is not Status.FAIL:
            continue
        now = found.get((rule, rid))
        if now is None and not any(_covers(scope, rid) for scope in unassessed.get(rule, [])):
            wrong.append(f"{rule} {rid}: fail -> vanished")
    return wrong


def _covers(scope: str, rid: str) -> bool:
    """A not-assessed finding at `scope` stands for `rid`: an ancestor, or a failed list above it."""
    if rid == scope or rid.startswith(scope + "/"):
        return True
    parts = scope.split("/")
    # `/subscriptions/s/providers/NS/type` and `/subscriptions/s/resourcegroups/g/providers/...`
    if len(parts) >= 3 and "/providers/" in scope:
        owner = scope.split("/providers/")[0]
        return rid.startswith(owner + "/")
    return False


def audit(snapshot: Snapshot, baseline: str) -> AuditReport:
    """The audit of a collected snapshot."""
    return run_audit(snapshot, load_baseline(baseline), "azure")


@contextmanager
def _timer(cell: Cell) -> Iterator[None]:
    started = time.monotonic()
    try:
        yield
    finally:
        cell.seconds = time.monotonic() - started


def run_cell(
    fake: FakeArm,
    estate: list[dict[str, Any]],
    subscription: str,
    baseline: str,
    clean: AuditReport,
    kind: Kind,
    area: str,
) -> Cell:
    """Inject `kind` into `area`'s reads, collect and audit; return what happened."""
    fake.load(estate)
    fake.reset()
    fake.page_size = 2
    pattern = AREAS.get(area, ".")
    kind.inject(fake, pattern)
    cell = Cell(kind.name, area)
    snapshot: Snapshot | None = None
    with _timer(cell):
        try:
            snapshot = collect(fake, [subscription], **SETTINGS)
        except AuditorError as exc:
            cell.exit_code = exc.exit_code
        except Exception:  # a crash is what the matrix is here to find
            cell.exit_code = 4
            cell.crash = traceback.format_exc(limit=-3).strip().splitlines()[-1]
    cell.hits = sum(f.hits for f in fake.faults)
    fake.token_delay = 0.0
    if cell.exit_code != kind.exit_code:
        cell.problems.append(f"exit {cell.exit_code}, expected {kind.exit_code}")
    if snapshot is None:
        return cell
    try:
        report = audit(snapshot, baseline)
    except Exception:  # a crash of the audit on what was collected
        cell.exit_code = 4
        cell.crash = traceback.format_exc(limit=-3).strip().splitlines()[-1]
        return cell
    cell.errors = len(snapshot.errors)
    cell.coverage_drop = clean.card.coverage - report.card.coverage
    cell.wrong = wrong_verdicts(verdicts(clean), report)
    if any(f.status is Status.ERROR for f in report.findings):
        cell.problems.append("a rule failed internally")
    codes = {e.code for e in snapshot.errors} | {str(e.status) for e in snapshot.errors if e.status}
    if cell.coverage_drop < 0:
        cell.problems.append("coverage rose")
    if not kind.reads_lost:
        if snapshot.errors:
            cell.problems.append(f"reads lost: {sorted(codes)}")
    elif cell.hits and (snapshot.errors or verdicts(report) != verdicts(clean)):
        # (A fault the client never notices, a nextLink on a list the SDK does not page, costs nothing.)
        if not codes & kind.codes:
            cell.problems.append(f"read errors {sorted(codes)}, expected one of {sorted(kind.codes)}")
        if verdicts(report) != verdicts(clean) and cell.coverage_drop <= 0:
            cell.problems.append("verdicts changed but coverage did not drop")
    return cell
