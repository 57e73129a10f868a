"""Inventory through Azure Resource Graph: every top-level resource and role assignment of up to
300 subscriptions in a few queries, instead of one ARM list per type and subscription.

The areas do not change: `Sub.list` takes a list's items from the inventory when the type
was queried, and reads everything Resource Graph does not hold (children such as model
deployments and `config/web`, diagnostic settings, categories, role definitions) from ARM.
Rows are turned back into the bodies ARM lists: the columns Resource Graph adds
(`tenantId`, `resourceGroup`, `subscriptionId`) go, and so do the columns it shows empty
(`kind: ""`, `sku: null`...) that an ARM body would not carry.

Queries are paged on `$skipToken` (Azure sets `resultTruncated` only when a query cannot be
paged), paced by the principal's quota (policy.QuotaThrottle) and retried on 429 by the
collector's retry policy, which, unlike azure-core's, retries a POST. A refused query (403:
the principal may read ARM but not Resource Graph) or one that fails after its retries
leaves the subscriptions of its batch to the per-type ARM lists.

Rows carry no api-version. So that the snapshot's `api_versions` is the same whichever path
listed a type, a list Resource Graph answered still has its ARM request built by the SDK and
stopped before it is sent (Collection.probe): the version recorded is the one the ARM client
reads that type with, not one Resource Graph used.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import Future, wait
from typing import Any

from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ServiceRequestError
from azure.mgmt.resourcegraph import ResourceGraphClient
from azure.mgmt.resourcegraph.models import QueryRequest, QueryRequestOptions

from auditor.arm import ids, types
from auditor.arm.types import Resource
from auditor.collect.context import GRAPH, Collection
from auditor.collect.policy import ReadStopped

# Subscriptions per query: Resource Graph takes more, but answers large scopes slowly.
BATCH = 300
# Rows per page, Resource Graph's maximum.
PAGE = 1000
# Columns Resource Graph adds to every row.
ADDED_COLUMNS = ("tenantId", "resourceGroup", "subscriptionId")
# Columns every row has; shown empty when the resource has none.
EMPTY_COLUMNS = ("kind", "managedBy", "sku", "plan", "tags", "identity", "zones", "extendedLocation")
# Top-level types read otherwise: role definitions by id, diagnostic settings per resource, and the
# subscription-wide locks, policy assignments and Defender plans, which Resource Graph keeps outside
# its `resources` table.
NOT_INVENTORIED = {
    types.ROLE_DEFINITIONS.lower(),
    types.DIAGNOSTIC_SETTINGS.lower(),
    types.DIAGNOSTIC_CATEGORIES.lower(),
    types.MANAGEMENT_LOCKS.lower(),
    types.POLICY_ASSIGNMENTS.lower(),
    types.SECURITY_PRICINGS.lower(),
}


class Inventory:
    """What Resource Graph listed: list path (normalised) -> bodies, for the types it was asked."""

    def __init__(self, subscriptions: Iterable[str], rtypes: Iterable[str]) -> None:
        self.subscriptions = {s.lower() for s in subscriptions}
        self.types = {t.lower() for t in rtypes}
        self.lists: dict[str, list[Resource]] = {}

    def items(self, rtype: str, path: str) -> list[Resource] | None:
        """The bodies of the list at `path`, or None when ARM must be asked."""
        parts = [p for p in path.split("/") if p]
        if len(parts) < 2 or parts[1].lower() not in self.subscriptions or rtype.lower() not in self.types:
            return None
        if path.lower().rstrip("/").rsplit("/providers/", 1)[-1] != rtype.lower():
            return None  # a collection under a resource: not a top-level list
        return [dict(b) for b in self.lists.get(ids.norm(path), [])]

    def add(self, row: Any) -> None:
        """File one row under its subscription's and its resource group's list."""
        if not isinstance(row, dict) or not isinstance(row.get("id"), str):
            return
        body = _arm_body(row)
        rid = body["id"]
        parts = [p for p in rid.split("/") if p]
        if len(parts) < 2 or parts[0].lower() != "subscriptions":
            return
        rtype = _type_of(rid, str(row.get("type") or ""))
        prefix = f"/subscriptions/{parts[1]}"
        self.lists.setdefault(ids.norm(f"{prefix}/providers/{rtype}"), []).append(body)
        if len(parts) >= 4 and parts[2].lower() == "resourcegroups":
            group = f"{prefix}/resourceGroups/{parts[3]}/providers/{rtype}"
            self.lists.setdefault(ids.norm(group), []).append(body)


def listable(rtypes: Iterable[str]) -> list[str]:
    """The types Resource Graph's `resources` table holds: top-level ones (`Namespace/type`)."""
    out = []
    for rtype in rtypes:
        low = rtype.lower()
        if low.count("/") == 1 and low not in NOT_INVENTORIED and low != types.ROLE_ASSIGNMENTS.lower():
            out.append(rtype)
    return sorted(set(out), key=str.lower)


def inventory(collection: Collection, subscriptions: Sequence[str], rtypes: Iterable[str]) -> Inventory:
    """Query Resource Graph for `rtypes` (and role assignments) in batches of subscriptions.

    The inventory covers only the batches whose queries all succeeded.
    """
    wanted = listable(rtypes)
    client: Any = collection.client(ResourceGraphClient, quota=GRAPH)
    queries = [f"resources | where type in~ ({', '.join(_quoted(t) for t in wanted)}) | order by id asc"]
    asked = list(wanted)
    if types.ROLE_ASSIGNMENTS.lower() in {t.lower() for t in rtypes}:
        role = types.ROLE_ASSIGNMENTS.lower()
        queries.append(f"authorizationresources | where type =~ '{role}' | order by id asc")
        asked.append(types.ROLE_ASSIGNMENTS)
    covered: list[str] = []
    rows: list[Any] = []
    for start in range(0, len(subscriptions), BATCH):
        batch = list(subscriptions[start : start + BATCH])
        futures: list[Future[Any]] = [
            collection.submit_job(_query, collection, client, batch, q, key=GRAPH) for q in queries
        ]
        wait(futures, timeout=None if collection.clock.ends is None else collection.clock.left())
        results = [f.result() if f.done() and f.exception() is None else None for f in futures]
        for f in futures:
            exc = f.exception() if f.done() else None
            if isinstance(exc, (ClientAuthenticationError, ServiceRequestError)):
                raise exc
        if any(r is None for r in results):
            continue
        covered.extend(batch)
        for result in results:
            rows.extend(result or [])
    found = Inventory(covered, asked if covered else ())
    for row in rows:
        found.add(row)
    return found


def _query(collection: Collection, client: Any, batch: list[str], query: str) -> list[Any] | None:
    """Every row of one query, page after page; None when Resource Graph would not answer."""
    rows: list[Any] = []
    token: str | None = None
    pages = 0
    while True:
        options = QueryRequestOptions(top=PAGE, skip_token=token, result_format="objectArray")
        try:
            answer = client.resources(QueryRequest(subscriptions=batch, query=query, options=options))
        except (ClientAuthenticationError, ServiceRequestError):
            raise
        except (HttpResponseError, ReadStopped) as exc:
            status = getattr(exc, "status_code", None) or getattr(exc, "status", None)
            why = "refused the query (403)" if status == 403 else f"did not answer ({_short(exc)})"
            collection.say(f"Resource Graph {why}: listing these {len(batch)} subscriptions with ARM")
            return None
        data = answer.data if isinstance(answer.data, list) else []
        rows.extend(data)
        pages += 1
        token = answer.skip_token
        if not token or pages >= collection.settings.max_pages:
            return rows


def _arm_body(row: dict[str, Any]) -> Resource:
    body = {k: v for k, v in row.items() if k not in ADDED_COLUMNS}
    for column in EMPTY_COLUMNS:
        if column in body and body[column] in (None, ""):
            del body[column]
    return body


def _type_of(rid: str, fallback: str) -> str:
    """`Namespace/type` of a top-level resource id (Resource Graph lower-cases `type`)."""
    tail = rid.rsplit("/providers/", 1)[-1].split("/")
    return f"{tail[0]}/{tail[1]}" if len(tail) >= 2 else fallback


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "") + "'"


def _short(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:120]
