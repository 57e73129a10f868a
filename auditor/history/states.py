"""The state of a finding key in a run, judged against the key's earlier observations in its series."""

from __future__ import annotations

from enum import StrEnum

from auditor.model import Status


class State(StrEnum):
    """What happened to a finding key in one run."""

    # failing, and it never failed before (or it was never judged before)
    NEW = "new"
    # failing, and failing when it was last judged
    PERSISTING = "persisting"
    # passing, and failing when it was last judged
    RESOLVED = "resolved"
    # failing again: it failed, then passed, and fails now
    REGRESSED = "regressed"
    # its subscription was audited and the finding is gone (the resource was deleted)
    DISAPPEARED = "disappeared"
    WAIVED = "waived"
    # not judged (missing data, a rule error): never counts as resolved
    NOT_ASSESSED = "not_assessed"
    # passing, and not failing when it was last judged
    PASSING = "passing"


# Where a state falls in the lists the diff and the trend show, most urgent first.
ORDER = (
    State.NEW,
    State.REGRESSED,
    State.PERSISTING,
    State.RESOLVED,
    State.DISAPPEARED,
    State.WAIVED,
    State.NOT_ASSESSED,
    State.PASSING,
)
FAILING = frozenset({State.NEW, State.REGRESSED, State.PERSISTING})


def judge(status: Status, last_judged: str | None, ever_failed: bool) -> State:
    """The state of a key seen with `status`, given its last pass/fail verdict and whether it ever failed."""
    if status is Status.WAIVED:
        return State.WAIVED
    if status in (Status.NOT_ASSESSED, Status.ERROR):
        return State.NOT_ASSESSED
    if status is Status.FAIL:
        if last_judged == Status.FAIL.value:
            return State.PERSISTING
        if last_judged == Status.PASS.value and ever_failed:
            return State.REGRESSED
        return State.NEW
    return State.RESOLVED if last_judged == Status.FAIL.value else State.PASSING
