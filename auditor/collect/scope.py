"""What a run reads: subscriptions named by id or display name, and resource groups.

Both are checked before anything else is read, so that a mistyped name is a usage error
(exit 2) naming what the credential can see, not a run that reads nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, map_error
from azure.core.rest import HttpRequest
from azure.mgmt.resource.subscriptions import SubscriptionClient

from auditor.arm import ids, types
from auditor.collect.context import Collection
from auditor.collect.convert import to_arm
from auditor.errors import AzureAccessError, InputError

SUBSCRIPTIONS = types.SUBSCRIPTIONS
# Resource groups are read through the subscription client's pipeline: azure-mgmt-resource
# (which has a resource-group client) is not a dependency, and one GET needs no models.
RESOURCE_GROUP_API_VERSION = "2021-04-01"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
# ARM's rule for resource group names: 1-90 letters, digits, `_ - . ( )`, not ending in `.`.
GROUP_NAME = re.compile(r"^[\w\-.()]{0,89}[\w\-()]$")
# States in which a subscription cannot be read.
UNREADABLE_STATES = {"disabled", "deleted"}
SHOWN = 10  # subscriptions named in an error message before "and N more"


def check_group_names(names: Sequence[str]) -> list[str]:
    """The resource group names, stripped and without repeats; a malformed one is an InputError."""
    out: dict[str, str] = {}
    for raw in names:
        name = raw.strip()
        if not GROUP_NAME.match(name):
            raise InputError(f"--resource-group {raw!r} is not a resource group name")
        out.setdefault(name.lower(), name)
    return list(out.values())


def subscriptions(collection: Collection, wanted: Sequence[str] | None) -> tuple[list[str], str | None]:
    """The ids of the subscriptions to read and their tenant.

    `wanted` holds ids or display names (None: every enabled subscription the credential
    can list). One that does not exist or is not visible is an InputError listing the
    visible ones; a failed sign-in stays an authentication error.
    """
    client: Any = collection.client(SubscriptionClient)
    if wanted is None:
        collection.say("listing subscriptions")
        listed = collection.read(
            SUBSCRIPTIONS, "/subscriptions", lambda: [to_arm(s) for s in client.subscriptions.list()]
        )
        if listed is None:
            raise AzureAccessError(f"cannot list subscriptions: {_last_error(collection)}")
        found = [s for s in listed if str(s.get("state", "")).lower() not in UNREADABLE_STATES]
        if not found:
            raise AzureAccessError("the credential cannot see any enabled subscription")
    else:
        visible = _Visible(client)
        chosen: dict[str, dict[str, Any]] = {}
        for value in dict.fromkeys(w.strip() for w in wanted):
            sub = _by_id(client, value, visible) if GUID.match(value) else _by_name(value, visible)
            chosen.setdefault(_sub_id(sub).lower(), sub)
        found = list(chosen.values())
    tenants = {str(s["tenantId"]) for s in found if s.get("tenantId")}
    return [_sub_id(s) for s in found], (tenants.pop() if len(tenants) == 1 else None)


def resource_groups(
    collection: Collection, sub_ids: Sequence[str], names: Sequence[str]
) -> dict[str, list[str]]:
    """Per subscription, the named groups it holds, spelled as ARM spells them.

    Every name must be a group of at least one subscription, else an InputError names it.
    """
    client: Any = collection.client(SubscriptionClient)
    found: dict[str, list[str]] = {s: [] for s in sub_ids}
    for name in names:
        refused: list[str] = []
        hit = False
        for sub_id in sub_ids:
            collection.say(f"reading resource group {name}")
            status, body = _get_group(client, sub_id, name)
            if status == 200:
                spelled = body.get("name") if isinstance(body, dict) else None
                found[sub_id].append(spelled if isinstance(spelled, str) and spelled else name)
                hit = True
            elif status == 403:
                refused.append(sub_id)
        if not hit:
            where = f"subscription {sub_ids[0]}"
            if len(sub_ids) > 1:
                where = f"any of the {len(sub_ids)} subscriptions"
            hint = f" (reading it was refused, HTTP 403, in {', '.join(refused)})" if refused else ""
            raise InputError(f"resource group {name!r} not found in {where}{hint}")
    return found


def _get_group(client: Any, sub_id: str, name: str) -> tuple[int, Any]:
    """GET the resource group: its status (200, 403, 404) and body; other answers stop the run."""
    path = f"/subscriptions/{quote(sub_id)}/resourcegroups/{quote(name)}"
    response = client.send_request(HttpRequest("GET", f"{path}?api-version={RESOURCE_GROUP_API_VERSION}"))
    status = int(response.status_code)
    if status == 401:
        map_error(status_code=status, response=response, error_map={401: ClientAuthenticationError})
    if status in (200, 403, 404):
        try:
            return status, response.json()
        except ValueError:
            return status, None
    raise AzureAccessError(f"cannot read resource group {name} in subscription {sub_id}: HTTP {status}")


class _Visible:
    """The subscriptions the credential can list, read once and only when an error needs them."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._listed: list[dict[str, Any]] | None = None
        self.failure: str | None = None

    def all(self) -> list[dict[str, Any]]:
        if self._listed is None and self.failure is None:
            try:
                self._listed = [to_arm(s) for s in self._client.subscriptions.list()]
            except ClientAuthenticationError:
                raise
            except HttpResponseError as exc:
                self.failure = f"HTTP {exc.status_code}" if exc.status_code else "failed"
        return self._listed or []

    def described(self) -> str:
        """`name (id), ... and N more`, or why there is nothing to show."""
        listed = self.all()
        if self.failure is not None:
            return f"the visible subscriptions could not be listed ({self.failure})"
        if not listed:
            return "the credential sees no subscription"
        shown = ", ".join(_label(s) for s in listed[:SHOWN])
        more = f" and {len(listed) - SHOWN} more" if len(listed) > SHOWN else ""
        return f"visible: {shown}{more}"


def _by_id(client: Any, value: str, visible: _Visible) -> dict[str, Any]:
    try:
        return to_arm(client.subscriptions.get(value))
    except ClientAuthenticationError:
        raise
    except HttpResponseError as exc:
        if exc.status_code in (403, 404):
            raise InputError(
                f"subscription {value} not found or not visible to this credential; {visible.described()}"
            ) from None
        status = f"HTTP {exc.status_code}" if exc.status_code else "failed"
        code = getattr(getattr(exc, "error", None), "code", None) or exc.reason or ""
        raise AzureAccessError(f"cannot read subscription {value}: {status} {code}".rstrip()) from None


def _by_name(value: str, visible: _Visible) -> dict[str, Any]:
    matches = [s for s in visible.all() if str(s.get("displayName", "")).lower() == value.lower()]
    if len(matches) == 1:
        return matches[0]
    if matches:
        listed = ", ".join(_label(s) for s in matches[:SHOWN])
        raise InputError(
            f"subscription name {value!r} matches {len(matches)} subscriptions: {listed}; give the id"
        )
    raise InputError(
        f"subscription {value!r} not found or not visible to this credential; {visible.described()}"
    )


def _sub_id(sub: dict[str, Any]) -> str:
    return str(sub.get("subscriptionId") or ids.name_of(str(sub.get("id", ""))))


def _label(sub: dict[str, Any]) -> str:
    return f"{sub.get('displayName') or '?'} ({_sub_id(sub)})"


def _last_error(collection: Collection) -> str:
    if not collection.errors:
        return "no answer"
    e = collection.errors[-1]
    return f"HTTP {e.status} {e.code}".strip() if e.status else e.code


# Management groups are read through the subscription client's pipeline, as resource groups are.
MANAGEMENT_GROUP_API_VERSION = "2020-05-01"
MANAGEMENT_GROUP_SUBSCRIPTION = "microsoft.management/managementgroups/subscriptions"
MANAGEMENT_GROUP_NAME = re.compile(r"^[\w\-.()]{1,90}$")


def management_group(collection: Collection, group: str) -> list[str]:
    """The ids of every subscription below management group `group`, at any depth.

    Reads `.../managementGroups/{group}/descendants` (which lists nested groups and their
    subscriptions in one list); a group that does not exist or cannot be read is an error.
    """
    if not MANAGEMENT_GROUP_NAME.match(group):
        raise InputError(f"--management-group {group!r} is not a management group id")
    client: Any = collection.client(SubscriptionClient)
    collection.say(f"listing the subscriptions below management group {group}")
    url: str | None = (
        f"/providers/Microsoft.Management/managementGroups/{quote(group)}/descendants"
        f"?api-version={MANAGEMENT_GROUP_API_VERSION}"
    )
    found: dict[str, str] = {}
    seen: set[str] = set()
    while url and url not in seen:
        seen.add(url)
        response = client.send_request(HttpRequest("GET", url))
        status = int(response.status_code)
        if status == 401:
            map_error(status_code=status, response=response, error_map={401: ClientAuthenticationError})
        if status in (403, 404):
            raise InputError(f"management group {group!r} not found or not readable by this credential")
        if status != 200:
            raise AzureAccessError(f"cannot list management group {group}: HTTP {status}")
        try:
            body = response.json()
        except ValueError:
            raise AzureAccessError(f"cannot list management group {group}: the answer is not JSON") from None
        for item in body.get("value") or [] if isinstance(body, dict) else []:
            if isinstance(item, dict) and str(item.get("type", "")).lower() == MANAGEMENT_GROUP_SUBSCRIPTION:
                sub = str(item.get("name") or "")
                if GUID.match(sub):
                    found.setdefault(sub.lower(), sub)
        link = body.get("nextLink") if isinstance(body, dict) else None
        url = str(link) if link else None
    if not found:
        raise AzureAccessError(f"management group {group} holds no subscription")
    return list(found.values())


def readable(collection: Collection, wanted: Sequence[str]) -> tuple[list[str], str | None]:
    """The subscriptions of `wanted` this credential can read, and their tenant.

    The others (not listed by `GET /subscriptions`, or disabled) are recorded as errors of the
    snapshot, so that the report names them, and the run goes on with the rest.
    """
    client: Any = collection.client(SubscriptionClient)
    listed = collection.read(
        SUBSCRIPTIONS, "/subscriptions", lambda: [to_arm(s) for s in client.subscriptions.list()]
    )
    if listed is None:
        raise AzureAccessError(f"cannot list subscriptions: {_last_error(collection)}")
    states = {_sub_id(s).lower(): (s, str(s.get("state", "")).lower()) for s in listed}
    keep: list[dict[str, Any]] = []
    for sub in wanted:
        seen = states.get(sub.lower())
        if seen is None or seen[1] in UNREADABLE_STATES:
            why = "not visible to this credential" if seen is None else f"in state {seen[1]}"
            collection.record(
                f"/subscriptions/{sub}",
                SUBSCRIPTIONS,
                403 if seen is None else None,
                "SubscriptionNotReadable",
                f"subscription {sub} is {why}; it was not read",
            )
            continue
        keep.append(seen[0])
    if not keep:
        raise AzureAccessError(f"none of the {len(wanted)} subscriptions can be read by this credential")
    tenants = {str(s["tenantId"]) for s in keep if s.get("tenantId")}
    return [_sub_id(s) for s in keep], (tenants.pop() if len(tenants) == 1 else None)


def parse_shard(text: str) -> tuple[int, int]:
    """`I/N` (0 <= I < N): the I-th of N shards; anything else is an InputError."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if match is None or not 0 <= int(match[1]) < int(match[2]):
        raise InputError(f"--shard {text!r} is not I/N with 0 <= I < N (e.g. 0/4)")
    return int(match[1]), int(match[2])


def shard_of(subscription_id: str, count: int) -> int:
    """The shard (0..count-1) a subscription belongs to: the first 8 bytes of the SHA-256 of its
    lower-case id, modulo `count`. Stable across runs, machines and Python versions."""
    digest = hashlib.sha256(subscription_id.strip().lower().encode("ascii")).digest()
    return int.from_bytes(digest[:8], "big") % count


def in_shard(subscription_ids: Sequence[str], shard: tuple[int, int]) -> list[str]:
    """The subscriptions of shard `shard` (index, count)."""
    index, count = shard
    return [s for s in subscription_ids if shard_of(s, count) == index]
