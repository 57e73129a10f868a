"""Inventory through Resource Graph against per-type ARM lists: the same snapshot either way."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from auditor.analysis.log_categories import resource_type_of
from auditor.arm import types
from auditor.arm.snapshot import Snapshot
from auditor.collect.graph import NOT_INVENTORIED
from tests.fakearm import FakeArm
from tests.fakearm.harness import collect
from tests.fakearm.limits import Limits
from tests.fakearm.synthetic import synthetic_tenant

pytestmark = pytest.mark.live  # the real SDK clients against the fake ARM server

GRAPH = "/providers/Microsoft.ResourceGraph/resources"


@pytest.fixture(scope="module")
def tenant() -> tuple[list[str], list[dict[str, Any]]]:
    # Copies of the samples only: every resource of a type then has the same log categories.
    return synthetic_tenant(3, 3, 0)


@pytest.fixture(scope="module")
def fake(
    tmp_path_factory: pytest.TempPathFactory, tenant: tuple[list[str], list[dict[str, Any]]]
) -> Iterator[FakeArm]:
    subs, estate = tenant
    # Small pages on both sides, so that paging by nextLink and by $skipToken is exercised.
    server = FakeArm(estate, subscriptions=subs, page_size=7, graph_page_size=50, limits=Limits())
    with server.start():
        yield server


def _document(snapshot: Snapshot) -> tuple[str, str, list[str]]:
    """The snapshot as text; a type's log categories are read on whichever of its resources is
    listed first (diagnostics.py), so those entries are compared by resource type and name."""
    resources = json.dumps(sorted(map(_placed, snapshot.resources), key=lambda r: r["id"]), sort_keys=True)
    errors = json.dumps([e.__dict__ for e in snapshot.errors], sort_keys=True, default=str)
    return resources, errors, snapshot.collected_types


def _placed(resource: dict[str, Any]) -> dict[str, Any]:
    if resource["type"] != types.DIAGNOSTIC_CATEGORIES:
        return resource
    owner = resource["id"].lower().split("/providers/microsoft.insights/")[0]
    return {**resource, "id": f"{resource_type_of(owner)}/{resource['name']}"}


def _top_level_list(path: str) -> bool:
    """`/subscriptions/s[/resourceGroups/g]/providers/Namespace/type`: a list Resource Graph answers."""
    parts = [p.lower() for p in path.split("/") if p]
    if len(parts) == 7 and parts[2] == "resourcegroups":
        parts = parts[:2] + parts[4:]
    if len(parts) != 5 or parts[0] != "subscriptions" or parts[2] != "providers":
        return False
    return f"{parts[3]}/{parts[4]}" not in NOT_INVENTORIED


def test_both_paths_give_the_same_snapshot(fake: FakeArm, tenant: tuple[list[str], Any]) -> None:
    subs = tenant[0]
    # One failing read on each side, so that errors are compared too.
    fake.reset()
    fake.add_fault(
        r"/rg-chat-aml-01/providers/Microsoft.Web/sites/app-chat-ui/config/web$",
        403,
        code="AuthorizationFailed",
    )
    through_graph = collect(fake, subs, resource_graph=True)
    graph_log = [r for r in fake.requests() if "/oauth2/" not in r.path and "openid" not in r.path]
    queries = [r for r in graph_log if r.method == "POST" and r.path == GRAPH]
    fake.reset()
    fake.add_fault(
        r"/rg-chat-aml-01/providers/Microsoft.Web/sites/app-chat-ui/config/web$",
        403,
        code="AuthorizationFailed",
    )
    through_arm = collect(fake, subs, resource_graph=False)
    arm_log = fake.requests()
    arm_posts = [r for r in arm_log if r.method == "POST" and r.path == GRAPH]
    assert len(through_graph.resources) > 3 * 250
    assert len(queries) > 2, "paging by $skipToken was not exercised"
    assert not arm_posts
    assert [e.code for e in through_graph.errors] == ["AuthorizationFailed"] * len(subs)
    assert _document(through_graph) == _document(through_arm)
    # Per type, the api-version of the ARM read, whichever path listed it (Context.probe)...
    versions = through_graph.metadata["api_versions"]
    assert versions == through_arm.metadata["api_versions"]
    assert versions[types.ML_WORKSPACES] == "2025-09-01" and versions[types.KEY_VAULTS]
    # ...learned without a request: no top-level list went to ARM on the Resource Graph path.
    assert [r.path for r in graph_log if _top_level_list(r.path)] == []
    assert [r.path for r in arm_log if _top_level_list(r.path)]


def test_refused_resource_graph_falls_back_to_arm(fake: FakeArm, tenant: tuple[list[str], Any]) -> None:
    subs = tenant[0]
    fake.reset()
    expected = collect(fake, subs, resource_graph=False)
    fake.graph_status = 403
    said: list[str] = []
    try:
        refused = collect(fake, subs, said.append, resource_graph=True)
    finally:
        fake.graph_status = None
    assert any("Resource Graph refused the query (403)" in m for m in said), said
    assert _document(refused) == _document(expected)


def test_throttled_queries_wait_for_retry_after(fake: FakeArm, tenant: tuple[list[str], Any]) -> None:
    limits = fake.limits
    assert limits is not None
    # One query a second: every page after the first of each second is throttled.
    limits.graph_queries, limits.graph_window = 1, 1.0
    fake.reset()
    try:
        snapshot = collect(fake, tenant[0], resource_graph=True)
    finally:
        limits.graph_queries, limits.graph_window = 15, 5.0
    statuses = [r.status for r in fake.requests() if r.path == GRAPH]
    assert 429 in statuses and statuses[-1] == 200
    assert not limits.early, limits.early
    assert len(snapshot.resources) > 3 * 250
