"""ARM resource ids: comparison, parents, subscriptions and resource groups.

Ids compare case-insensitively everywhere. The parsers tolerate the placeholder and
typo ids found in Microsoft's own REST examples (`{subscription-id}`, `provders`).
"""

from __future__ import annotations


def norm(resource_id: str) -> str:
    """Canonical form for comparisons: lower case, no trailing slash."""
    return resource_id.strip().rstrip("/").lower()


def segments(resource_id: str) -> list[str]:
    return [s for s in resource_id.strip().split("/") if s]


def subscription_of(resource_id: str) -> str | None:
    parts = segments(resource_id)
    if len(parts) >= 2 and parts[0].lower() == "subscriptions":
        return parts[1]
    return None


def resource_group_of(resource_id: str) -> str | None:
    parts = segments(resource_id)
    for i, part in enumerate(parts[:-1]):
        if part.lower() == "resourcegroups":
            return parts[i + 1]
    return None


def resource_group_id(resource_id: str) -> str | None:
    sub, rg = subscription_of(resource_id), resource_group_of(resource_id)
    if sub is None or rg is None:
        return None
    return f"/subscriptions/{sub}/resourceGroups/{rg}"


def name_of(resource_id: str) -> str:
    parts = segments(resource_id)
    return parts[-1] if parts else ""


def parent_of(resource_id: str) -> str | None:
    """The resource a child or extension resource belongs to, or None for a top-level one."""
    parts = segments(resource_id)
    lowered = [p.lower() for p in parts]
    if "providers" not in lowered:
        return None
    last = len(lowered) - 1 - lowered[::-1].index("providers")
    tail = parts[last + 1 :]
    # tail = namespace, type, name, [childtype, childname]...
    if len(tail) > 3:
        return "/" + "/".join(parts[: len(parts) - 2])
    if "providers" in lowered[:last]:
        return "/" + "/".join(parts[:last])
    return None


def is_within(resource_id: str, scope: str) -> bool:
    """True when `resource_id` is `scope` itself or lies below it."""
    r, s = norm(resource_id), norm(scope)
    return r == s or r.startswith(s + "/")
