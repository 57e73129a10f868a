"""What the fake ARM server knows: resources by id and the collections they appear in.

ARM paths compare case-insensitively and the api-version is ignored: the SDKs send their
own pinned versions, which rarely match the example a body came from.
"""

from __future__ import annotations

import copy
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

Resource = dict[str, Any]

DEFAULT_TENANT = "72f988bf-0000-4000-8000-00000000aaaa"
ROLE_ASSIGNMENTS = "microsoft.authorization/roleassignments"
ROLE_DEFINITIONS = "microsoft.authorization/roledefinitions"
# Extension types a subscription-wide list returns at every scope inside the subscription.
SUBSCRIPTION_WIDE = (
    ROLE_ASSIGNMENTS,
    "microsoft.authorization/locks",
    "microsoft.authorization/policyassignments",
)


def norm(path: str) -> str:
    return "/" + "/".join(s for s in unquote(path).strip().lower().split("/") if s)


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def _provider_tail(path: str) -> list[str] | None:
    """Segments after the last `providers`: namespace, type, name, childtype, childname..."""
    parts = _segments(path)
    lowered = [p.lower() for p in parts]
    if "providers" not in lowered:
        return None
    last = len(lowered) - 1 - lowered[::-1].index("providers")
    return parts[last + 1 :]


def looks_like_collection(path: str) -> bool:
    tail = _provider_tail(path)
    return tail is not None and len(tail) >= 2 and len(tail) % 2 == 0


def load_estate(source: str | Path | list[Resource] | dict[str, Any]) -> list[Resource]:
    """Read a snapshot document (`resources`), an ARM list body (`value`) or a bare array."""
    data: Any = source
    if isinstance(source, (str, Path)):
        data = json.loads(Path(source).read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = data.get("resources", data.get("value"))
    if not isinstance(data, list):
        raise ValueError("estate must be a snapshot document, an ARM list body or an array of resources")
    return [r for r in data if isinstance(r, dict) and isinstance(r.get("id"), str)]


@dataclass
class Answer:
    status: int
    body: Any


class Store:
    """Indexes an estate once; answers GETs by id and by collection."""

    def __init__(self, resources: Iterable[Resource], tenant: str = DEFAULT_TENANT) -> None:
        self.tenant = tenant
        self.by_id: dict[str, Resource] = {}
        self.collections: dict[str, list[Resource]] = defaultdict(list)
        self.subscriptions: dict[str, str] = {}  # lower-case id -> id as written
        self.display_names: dict[str, str] = {}  # lower-case id -> display name
        self.resource_groups: dict[str, str] = {}  # normalised id -> id as written
        self.routes: dict[str, Any] = {}
        self.verbatim: set[str] = set()
        self.role_definitions: dict[str, Resource] = {}
        for resource in resources:
            self.add(resource)

    # --- building ----------------------------------------------------------

    def add(self, resource: Resource) -> None:
        resource = copy.deepcopy(resource)
        rid = resource["id"]
        key = norm(rid)
        if key in self.by_id:
            return
        self.by_id[key] = resource
        parts = _segments(rid)
        sub = parts[1] if len(parts) >= 2 and parts[0].lower() == "subscriptions" else None
        if sub is not None:
            self.subscriptions.setdefault(sub.lower(), sub)
            if len(parts) >= 4 and parts[2].lower() == "resourcegroups":
                group = "/" + "/".join(parts[:4])
                self.resource_groups.setdefault(norm(group), group)
        rtype = str(resource.get("type", "")).lower()
        if rtype == ROLE_DEFINITIONS or "/providers/microsoft.authorization/roledefinitions/" in key:
            self.role_definitions.setdefault(parts[-1].lower(), resource)  # served by GUID at any scope
            return
        parent_collection = norm("/" + "/".join(parts[:-1]))
        self.collections[parent_collection].append(resource)
        tail = _provider_tail(rid)
        if sub is not None and rtype in SUBSCRIPTION_WIDE:
            # list_for_subscription returns assignments (and locks, policy assignments) at every
            # scope inside the subscription.
            sub_list = norm(f"/subscriptions/{sub}/providers/{resource['type']}")
            if parent_collection != sub_list:
                self.collections[sub_list].append(resource)
        elif sub is not None and tail is not None and len(tail) == 3 and _in_one_group(key):
            # A top-level resource in a resource group is also in the subscription-wide list.
            self.collections[norm(f"/subscriptions/{sub}/providers/{tail[0]}/{tail[1]}")].append(resource)
        if rtype == "microsoft.network/virtualnetworks":
            for subnet in (resource.get("properties") or {}).get("subnets") or []:
                if isinstance(subnet, dict) and isinstance(subnet.get("id"), str):
                    body = dict(subnet)
                    body.setdefault("type", "Microsoft.Network/virtualNetworks/subnets")
                    skey = norm(subnet["id"])
                    if skey not in self.by_id:
                        self.by_id[skey] = body
                        self.collections[norm(rid + "/subnets")].append(body)

    def add_subscription(self, subscription_id: str, display_name: str | None = None) -> None:
        self.subscriptions.setdefault(subscription_id.lower(), subscription_id)
        if display_name is not None:
            self.display_names[subscription_id.lower()] = display_name

    def add_resource_group(self, subscription_id: str, name: str) -> None:
        """A resource group that exists although no served resource lies in it."""
        self.add_subscription(subscription_id)
        group = f"/subscriptions/{subscription_id}/resourceGroups/{name}"
        self.resource_groups.setdefault(norm(group), group)

    def add_route(self, path: str, body: Any, verbatim: bool = False) -> None:
        """Serve `body` at `path`: a GET body, or a list body (`value`) the server pages.

        `verbatim` serves a list body unpaged, its own `nextLink` included.
        """
        self.routes[norm(path)] = copy.deepcopy(body)
        if verbatim:
            self.verbatim.add(norm(path))

    # --- answering ---------------------------------------------------------

    def subscription_body(self, sub_id: str) -> Resource:
        return {
            "id": f"/subscriptions/{sub_id}",
            "subscriptionId": sub_id,
            "tenantId": self.tenant,
            "displayName": self.display_names.get(sub_id.lower(), f"subscription {sub_id[:8]}"),
            "state": "Enabled",
            "authorizationSource": "RoleBased",
        }

    def answer(self, path: str, query: dict[str, list[str]]) -> Answer:
        """The body for a GET (a list body is returned whole; the server pages it)."""
        key = norm(path)
        if key in self.routes:
            return Answer(200, self.routes[key])
        parts = _segments(key)
        if key == "/subscriptions":
            return Answer(200, {"value": [self.subscription_body(s) for s in self.subscriptions.values()]})
        if len(parts) == 2 and parts[0] == "subscriptions":
            if parts[1] in self.subscriptions:
                return Answer(200, self.subscription_body(self.subscriptions[parts[1]]))
            return error(404, "SubscriptionNotFound", f"The subscription '{parts[1]}' could not be found.")
        if len(parts) >= 2 and parts[0] == "subscriptions" and parts[1] not in self.subscriptions:
            return error(404, "SubscriptionNotFound", f"The subscription '{parts[1]}' could not be found.")
        if "/providers/microsoft.authorization/roledefinitions/" in key:
            found = self.role_definitions.get(parts[-1])
            if found is None:
                return error(
                    404, "RoleDefinitionDoesNotExist", "The specified role definition does not exist."
                )
            return Answer(200, found)
        if key in self.by_id:
            return Answer(200, self.by_id[key])
        if len(parts) == 4 and parts[2] == "resourcegroups":
            return self._resource_group(key)
        if key.endswith("/providers/microsoft.authorization/roleassignments"):
            return Answer(200, {"value": self._role_assignments(key, query)})
        if key in self.collections:
            return Answer(200, {"value": self.collections[key]})
        policy = _default_publishing_policy(key, self.by_id)
        if policy is not None:
            return Answer(200, policy)
        if looks_like_collection(key):
            owner = key.rsplit("/providers/", 1)[0] if _is_provider_list(key) else key.rsplit("/", 1)[0]
            if self._exists(owner):
                return Answer(200, {"value": []})
            group = "/".join(key.split("/")[:5])
            if len(parts) >= 4 and parts[2] == "resourcegroups" and group not in self.resource_groups:
                return _group_not_found(parts[3])
            return error(404, "ParentResourceNotFound", f"Parent resource '{owner}' not found.")
        return error(404, "ResourceNotFound", f"The Resource '{path}' was not found.")

    def _resource_group(self, key: str) -> Answer:
        """A resource group as `GET /subscriptions/{s}/resourcegroups/{g}` returns it."""
        written = self.resource_groups.get(key)
        if written is None:
            return _group_not_found(_segments(key)[3])
        return Answer(
            200,
            {
                "id": written,
                "name": _segments(written)[3],
                "type": "Microsoft.Resources/resourceGroups",
                "location": "eastus",
                "properties": {"provisioningState": "Succeeded"},
            },
        )

    def _exists(self, scope: str) -> bool:
        parts = _segments(scope)
        if len(parts) == 2 and parts[0] == "subscriptions":
            return parts[1] in self.subscriptions
        if len(parts) == 4 and parts[2] == "resourcegroups":
            return scope in self.resource_groups
        return scope in self.by_id

    def _role_assignments(self, key: str, query: dict[str, list[str]]) -> list[Resource]:
        scope = key[: -len("/providers/microsoft.authorization/roleassignments")]
        items = self.collections.get(key, [])
        flt = " ".join(query.get("$filter", [])).strip()
        if "atscope()" in flt.lower():
            items = [r for r in items if norm(_scope_of(r)) == scope]
        if "principalid eq" in flt.lower():
            wanted = flt.lower().split("principalid eq", 1)[1].strip().strip("'\"").split("'")[0]
            items = [
                r for r in items if str((r.get("properties") or {}).get("principalId", "")).lower() == wanted
            ]
        return items


# ARM answers both basic-auth publishing policies of every web app, `allow: true` until someone sets
# them; an estate that does not hold them (the prompt flow samples) gets that answer too.
_PUBLISHING_POLICY = re.compile(
    r"^(/.+/providers/microsoft\.web/sites/[^/]+)/basicpublishingcredentialspolicies/(ftp|scm)$"
)


def _default_publishing_policy(key: str, by_id: dict[str, Resource]) -> Resource | None:
    """The platform's default publishing policy at `key` (normalised), when its site is served."""
    match = _PUBLISHING_POLICY.match(key)
    site = by_id.get(match.group(1)) if match else None
    if match is None or site is None:
        return None
    return {
        "id": f"{site['id']}/basicPublishingCredentialsPolicies/{match.group(2)}",
        "name": match.group(2),
        "type": "Microsoft.Web/sites/basicPublishingCredentialsPolicies",
        "properties": {"allow": True},
    }


def platform_defaults(resources: Iterable[Resource]) -> list[Resource]:
    """What the server answers beyond `resources`: the default publishing policies of each web app
    the estate gives none (a test that compares a collection with the estate adds these)."""
    by_id = {norm(r["id"]): r for r in resources}
    found = []
    for key, resource in by_id.items():
        if str(resource.get("type", "")).lower() != "microsoft.web/sites":
            continue
        for policy in ("ftp", "scm"):
            path = f"{key}/basicpublishingcredentialspolicies/{policy}"
            if path not in by_id and (body := _default_publishing_policy(path, by_id)) is not None:
                found.append(body)
    return found


def _in_one_group(key: str) -> bool:
    """A resource of a resource group that is not itself under another resource."""
    return "/resourcegroups/" in key and key.count("/providers/") == 1


def _is_provider_list(key: str) -> bool:
    """`{scope}/providers/NS/type`: its owner is the scope before `providers`."""
    tail = _provider_tail(key)
    return tail is not None and len(tail) == 2


def _scope_of(assignment: Resource) -> str:
    scope = (assignment.get("properties") or {}).get("scope")
    if isinstance(scope, str):
        return scope
    return str(assignment["id"]).lower().rsplit("/providers/microsoft.authorization/roleassignments/", 1)[0]


def _group_not_found(name: str) -> Answer:
    return error(404, "ResourceGroupNotFound", f"Resource group '{name}' could not be found.")


def error(status: int, code: str, message: str) -> Answer:
    return Answer(status, {"error": {"code": code, "message": message}})


def management_group_tree(store: Store, groups: dict[str, tuple[str | None, list[str]]]) -> None:
    """Serve management groups: `groups` maps a group name to (its parent, its subscriptions).

    Every group answers `GET /providers/Microsoft.Management/managementGroups/{name}/descendants`
    with the groups and subscriptions below it, at any depth, each naming its parent. A group's
    subscriptions are not made visible in `GET /subscriptions` (the caller adds those it can read).
    """
    prefix = "/providers/Microsoft.Management/managementGroups"

    def below(name: str) -> list[Resource]:
        out: list[Resource] = []
        for sub in groups[name][1]:
            out.append(
                {
                    "id": f"{prefix}/{name}/subscriptions/{sub}",
                    "type": "Microsoft.Management/managementGroups/subscriptions",
                    "name": sub,
                    "properties": {
                        "displayName": f"subscription {sub[:8]}",
                        "parent": {"id": f"{prefix}/{name}"},
                    },
                }
            )
        for child, (parent, _) in groups.items():
            if parent == name:
                out.append(
                    {
                        "id": f"{prefix}/{child}",
                        "type": "Microsoft.Management/managementGroups",
                        "name": child,
                        "properties": {"displayName": child, "parent": {"id": f"{prefix}/{name}"}},
                    }
                )
                out.extend(below(child))
        return out

    for name in groups:
        store.add_route(f"{prefix}/{name}/descendants", {"value": below(name)})
