"""Azure Resource Graph over the fake server's store: the KQL subset the auditor sends, paged.

`POST /providers/Microsoft.ResourceGraph/resources` takes a QueryRequest (`subscriptions`,
`query`, `options.$top`, `options.$skipToken`) and answers a QueryResponse whose `data` is an
object array. Rows look as Resource Graph shows them: the resource's ARM body, its type in
lower case, and the columns Resource Graph adds (`tenantId`, `resourceGroup`,
`subscriptionId`, empty `kind`/`managedBy`, null `sku`...).

Tables: `resources` (every top-level resource) and `authorizationresources` (role
assignments). Operators: `where type in~ (...)`, `where type =~ '...'`, `order by id asc`.
Anything else answers 400, so a query the fake does not understand cannot pass unnoticed.
`resultTruncated` is always "false": only `$skipToken` says there is more, as in Azure when
the results are paged.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from tests.fakearm.store import ROLE_ASSIGNMENTS, Answer, Resource, Store, error, norm

PATH = re.compile(r"^/providers/Microsoft\.ResourceGraph/resources$", re.I)
# Rows per page when the query asks for more (Resource Graph pages at 1,000).
MAX_PAGE = 1000
# Columns every row of `resources` has, filled with what Resource Graph shows for "none".
EMPTY_COLUMNS: dict[str, Any] = {
    "kind": "",
    "managedBy": "",
    "sku": None,
    "plan": None,
    "tags": None,
    "identity": None,
    "zones": None,
    "extendedLocation": None,
}
_IN = re.compile(r"^where\s+type\s+in~\s*\((.*)\)$", re.I | re.S)
_EQ = re.compile(r"^where\s+type\s*=~\s*'([^']*)'$", re.I)
_ORDER = re.compile(r"^order\s+by\s+id\s+asc$", re.I)


def answer(store: Store, body: bytes, page_size: int = MAX_PAGE) -> Answer:
    """The QueryResponse for one request body (or a 400 naming what is not understood)."""
    try:
        request = json.loads(body or b"{}")
    except ValueError:
        return error(400, "BadRequest", "the request body is not JSON")
    subs = {str(s).lower() for s in request.get("subscriptions") or []}
    options = request.get("options") or {}
    if not subs:
        return error(400, "BadRequest", "the fake answers subscription-scoped queries only")
    if options.get("resultFormat", "objectArray") != "objectArray":
        return error(400, "BadRequest", "the fake answers resultFormat objectArray only")
    try:
        rows = _run(store, str(request.get("query") or ""), subs)
    except ValueError as exc:
        return error(400, "InvalidQuery", str(exc))
    start = _offset(options.get("$skipToken"))
    top = min(int(options.get("$top") or MAX_PAGE), page_size, MAX_PAGE)
    page = rows[start : start + top]
    result: dict[str, Any] = {
        "totalRecords": len(rows),
        "count": len(page),
        "data": page,
        "facets": [],
        "resultTruncated": "false",
    }
    if start + top < len(rows):
        result["$skipToken"] = base64.b64encode(json.dumps({"at": start + top}).encode()).decode()
    return Answer(200, result)


def _offset(token: Any) -> int:
    if not token:
        return 0
    return int(json.loads(base64.b64decode(str(token)))["at"])


def _run(store: Store, query: str, subs: set[str]) -> list[Resource]:
    stages = [s.strip() for s in query.split("|")]
    table = stages[0].lower()
    if table == "resources":
        rows = _resources(store, subs)
    elif table == "authorizationresources":
        rows = _assignments(store, subs)
    else:
        raise ValueError(f"table {stages[0]!r} is not served by the fake")
    for stage in stages[1:]:
        if m := _IN.match(stage):
            wanted = {t.strip().strip("'\"").lower() for t in m.group(1).split(",") if t.strip()}
            rows = [r for r in rows if r["type"] in wanted]
        elif m := _EQ.match(stage):
            rows = [r for r in rows if r["type"] == m.group(1).lower()]
        elif _ORDER.match(stage):
            rows.sort(key=lambda r: str(r["id"]).lower())
        else:
            raise ValueError(f"operator {stage!r} is not served by the fake")
    return rows


def _row(resource: Resource, rtype: str, with_columns: bool) -> Resource:
    parts = [p for p in str(resource["id"]).split("/") if p]
    row: Resource = {**EMPTY_COLUMNS} if with_columns else {}
    row.update(resource)
    row["type"] = rtype
    row["tenantId"] = ""
    row["subscriptionId"] = parts[1] if parts[0].lower() == "subscriptions" else ""
    row["resourceGroup"] = parts[3].lower() if len(parts) > 3 and parts[2].lower() == "resourcegroups" else ""
    return row


def _resources(store: Store, subs: set[str]) -> list[Resource]:
    rows = []
    for key, resource in store.by_id.items():
        parts = key.split("/")[1:]
        if len(parts) < 2 or parts[0] != "subscriptions" or parts[1] not in subs:
            continue
        if key.count("/providers/") != 1:
            continue
        tail = key.rsplit("/providers/", 1)[1].split("/")
        if len(tail) != 3 or f"{tail[0]}/{tail[1]}" == ROLE_ASSIGNMENTS:
            continue  # a child resource, or a role assignment (another table)
        rows.append(_row(resource, f"{tail[0]}/{tail[1]}", True))
    return rows


def _assignments(store: Store, subs: set[str]) -> list[Resource]:
    rows = []
    for sub in subs:
        listed = store.collections.get(norm(f"/subscriptions/{sub}/providers/{ROLE_ASSIGNMENTS}"), [])
        rows.extend(_row(r, ROLE_ASSIGNMENTS, False) for r in listed)
    return rows
