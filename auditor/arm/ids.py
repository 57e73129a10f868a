"""ARM resource ids: comparison, parents, subscriptions and resource groups.

Ids compare case-insensitively everywhere. The parsers tolerate the placeholder and
typo ids found in Microsoft's own REST examples (`{subscription-id}`, `provders`).
"""

from __future__ import annotations

import functools

# The same ids are split at their provider many times in one audit (each index, each workload, each
# rule): a pure function of a string, so its answers are kept. Bounded, since a long-lived process may
# audit many estates.
_cached = functools.lru_cache(maxsize=1 << 18)


def norm(resource_id: str) -> str:
    """Canonical form for comparisons: lower case, no trailing slash."""
    return resource_id.strip().rstrip("/").lower()


def segments(resource_id: str) -> list[str]:
    """The id's non-empty path segments."""
    return [s for s in resource_id.strip().split("/") if s]


def subscription_of(resource_id: str) -> str | None:
    """The subscription GUID of an id; None when it names none."""
    parts = segments(resource_id)
    if len(parts) >= 2 and parts[0].lower() == "subscriptions":
        return parts[1]
    return None


def resource_group_of(resource_id: str) -> str | None:
    """The resource group name of an id; None when it lies in none."""
    parts = segments(resource_id)
    for i, part in enumerate(parts[:-1]):
        if part.lower() == "resourcegroups":
            return parts[i + 1]
    return None


def resource_group_id(resource_id: str) -> str | None:
    """The id of the resource group an id lies in; None when it lies in none."""
    sub, rg = subscription_of(resource_id), resource_group_of(resource_id)
    if sub is None or rg is None:
        return None
    return f"/subscriptions/{sub}/resourceGroups/{rg}"


def name_of(resource_id: str) -> str:
    """The last segment of an id: the resource's name."""
    parts = segments(resource_id)
    return parts[-1] if parts else ""


def split_at_provider(resource_id: str) -> tuple[list[str], list[str]] | None:
    """An id's segments before and after its last `providers` segment; None when it has none.

    Before it lies the scope (a subscription, a resource group, or a resource for an extension
    resource); after it the namespace, the type, the name, then child type and name pairs.
    """
    split = _split(resource_id)
    return None if split is None else (list(split[0]), list(split[1]))


@_cached
def _split(resource_id: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    parts = segments(resource_id)
    lowered = [p.lower() for p in parts]
    if "providers" not in lowered:
        return None
    last = len(lowered) - 1 - lowered[::-1].index("providers")
    return tuple(parts[:last]), tuple(parts[last + 1 :])


@_cached
def parent_of(resource_id: str) -> str | None:
    """The resource a child or extension resource belongs to, or None for a top-level one."""
    split = _split(resource_id)
    if split is None:
        return None
    scope, tail = split
    if len(tail) > 3:
        parts = segments(resource_id)
        return "/" + "/".join(parts[: len(parts) - 2])
    if any(p.lower() == "providers" for p in scope):
        return "/" + "/".join(scope)
    return None


def top_level_of(resource_id: str) -> tuple[str, str] | None:
    """The top-level resource an id lies in, as (id, type): `.../providers/NS/type/name[/child/name...]`."""
    split = _split(resource_id)
    if split is None or len(split[1]) < 3:
        return None
    scope, tail = split
    return "/" + "/".join(segments(resource_id)[: len(scope) + 4]), f"{tail[0]}/{tail[1]}"


def is_within(resource_id: str, scope: str) -> bool:
    """True when `resource_id` is `scope` itself or lies below it."""
    r, s = norm(resource_id), norm(scope)
    return r == s or r.startswith(s + "/")


def type_of(resource_id: str) -> str | None:
    """The resource type an id names (`NS/type[/child...]`, as written in the id); None when it names none.

    A body without `type` (several of Microsoft's REST examples) gets it from here.
    """
    split = _split(resource_id)
    if split is None:
        return None
    tail = split[1]
    # namespace, then (type, name) pairs: an even count of segments after the namespace
    if len(tail) < 3 or len(tail) % 2 == 0:
        return None
    return "/".join([tail[0], *tail[1::2]])
