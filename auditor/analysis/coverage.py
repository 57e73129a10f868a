"""Not-assessed results for resources a rule never saw because their read failed.

A rule that walks every resource of a type cannot see the ones a failed list call
hid, nor any when the type was not collected at all. These helpers turn those gaps
into `not_assessed` results at the scope that could not be read, so that coverage
shows them and nothing missing counts as a pass.
"""

from __future__ import annotations

from collections.abc import Iterator, Sized

from auditor.analysis.verdicts import failed, not_assessed
from auditor.arm import ids
from auditor.arm.estate import Estate
from auditor.model import Result


def scopes_of(estate: Estate) -> list[str]:
    """The subscriptions the snapshot covers, as ARM scopes."""
    subs = estate.snapshot.metadata.get("subscriptions")
    if not isinstance(subs, list) or not subs:
        subs = sorted({s for r in estate.resources if (s := ids.subscription_of(r["id"]))})
    return [f"/subscriptions/{s}" for s in subs if isinstance(s, str)] or ["/"]


def unread(estate: Estate, resource_type: str, what: str) -> Iterator[Result]:
    """One `not_assessed` per scope where `resource_type` could not be listed.

    `what` names the resources in the message ("App Service plans").
    """
    if resource_type.lower() not in estate.collected_types:
        for scope in scopes_of(estate):
            yield not_assessed(
                {"id": scope, "type": resource_type},
                f"{what} were not collected ({resource_type} is not in the snapshot's collected types)",
            )
        return
    seen: set[str] = set()
    for error in estate.errors:
        if error.resource_type.lower() != resource_type.lower():
            continue
        scope = error.scope.split("?")[0]
        if ids.norm(scope) in seen:
            continue
        seen.add(ids.norm(scope))
        yield not_assessed(
            {"id": scope, "type": resource_type},
            f"{what} at {scope} could not be read ({error.outcome}); their settings are unknown",
        )


def absent(estate: Estate, resource_type: str, found: Sized, what: str) -> Iterator[Result]:
    """One failure per audited subscription when a component of the architecture is missing.

    Only when `resource_type` was read without error: an empty list we could not read
    says nothing, an empty list we did read says the component is not there.
    """
    if len(found) or estate.gap(resource_type) is not None:
        return
    for scope in scopes_of(estate):
        yield failed(
            {"id": scope, "type": resource_type},
            f"no {what} in the audited scope: the architecture has one, so its checks could not pass",
            expected=f"at least one {what}",
            actual="none",
        )
