"""Tenant scopes (management groups, shards) and reading under Azure's throttling."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from auditor.analysis.log_categories import resource_type_of
from auditor.arm import types
from auditor.collect import scope
from auditor.collect.policy import Throttle
from auditor.errors import InputError
from tests.fakearm import FakeArm
from tests.fakearm.harness import collect
from tests.fakearm.limits import Limits
from tests.fakearm.store import management_group_tree
from tests.fakearm.synthetic import synthetic_tenant, tenant_subscriptions

pytestmark = pytest.mark.live  # the real SDK clients against the fake ARM server


@pytest.fixture(scope="module")
def tenant() -> tuple[list[str], list[dict[str, Any]]]:
    return synthetic_tenant(4, 1, 0)


@pytest.fixture(scope="module")
def fake(
    tmp_path_factory: pytest.TempPathFactory, tenant: tuple[list[str], list[dict[str, Any]]]
) -> Iterator[FakeArm]:
    subs, estate = tenant
    with FakeArm(estate, subscriptions=subs, page_size=20) as server:
        yield server


def test_management_group_reads_every_subscription_below_it(fake: FakeArm, tenant: Any) -> None:
    subs = tenant[0]
    hidden = tenant_subscriptions(5)[4]  # below the group, but not readable by the principal
    management_group_tree(
        fake.store,
        {"root": (None, [subs[0]]), "apps": ("root", [subs[1]]), "prod": ("apps", [subs[2], hidden])},
    )
    fake.reset()
    snapshot = collect(fake, None, management_group="root", resource_graph=False)
    read = {r["id"].split("/")[2].lower() for r in snapshot.resources}
    assert read == {s.lower() for s in subs[:3]}
    assert snapshot.metadata["subscriptions"] == subs[:3]
    assert snapshot.metadata["management_group"] == "root"
    unreadable = [e for e in snapshot.errors if e.code == "SubscriptionNotReadable"]
    assert [(e.scope, e.resource_type, e.status) for e in unreadable] == [
        (f"/subscriptions/{hidden}", types.SUBSCRIPTIONS, 403)
    ]
    assert not [e for e in snapshot.errors if e.code != "SubscriptionNotReadable"]


def test_unknown_management_group_is_an_input_error(fake: FakeArm) -> None:
    with pytest.raises(InputError, match="management group 'nowhere' not found"):
        collect(fake, None, management_group="nowhere")


def test_shards_split_the_subscriptions_stably() -> None:
    subs = tenant_subscriptions(200)
    shards = [scope.in_shard(subs, (i, 4)) for i in range(4)]
    assert sorted(s for shard in shards for s in shard) == sorted(subs)
    assert all(30 < len(shard) < 70 for shard in shards), [len(s) for s in shards]
    # The hash is part of the interface (runners agree on it): the same id, the same shard, always.
    assert scope.shard_of("3f2c9a1e-5b7d-4e8a-9c61-2d4f8b0a7e15", 4) == scope.shard_of(
        "3F2C9A1E-5B7D-4E8A-9C61-2D4F8B0A7E15", 4
    )
    assert [scope.shard_of(s, 7) for s in subs[:6]] == [_sha_shard(s, 7) for s in subs[:6]]
    for bad in ("4/4", "1", "a/b", "-1/3"):
        with pytest.raises(InputError):
            scope.parse_shard(bad)


def _sha_shard(sub: str, count: int) -> int:
    import hashlib

    return int(hashlib.sha256(sub.lower().encode()).hexdigest()[:16], 16) % count


def test_a_shard_reads_only_its_subscriptions(fake: FakeArm, tenant: Any) -> None:
    subs = tenant[0]
    shard = (scope.shard_of(subs[0], 2), 2)
    snapshot = collect(fake, subs, shard=shard)
    assert snapshot.metadata["subscriptions"] == scope.in_shard(subs, shard)
    assert snapshot.metadata["shard"] == f"{shard[0]}/2"


def test_throttled_run_gives_the_same_snapshot_and_honours_retry_after(
    tmp_path_factory: pytest.TempPathFactory, tenant: Any
) -> None:
    subs, estate = tenant
    with FakeArm(estate, subscriptions=subs, page_size=20) as plain:
        expected = collect(plain, subs, resource_graph=False)
    limits = Limits(burst=15, refill=5)
    with FakeArm(estate, subscriptions=subs, page_size=20, limits=limits, latency=0.01) as fake:
        throttled = collect(fake, subs, workers=32, resource_graph=False)
        statuses = [r.status for r in fake.requests()]
    assert limits.throttled > 0 and 429 in statuses
    assert not limits.early, limits.early[:5]
    assert _text(throttled) == _text(expected)


def test_the_fake_catches_a_client_that_sends_before_retry_after(
    tenant: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The collector with its 429 hold taken out: the other workers of the subscription, and the
    # retry itself, go on sending as soon as their own token bucket allows.
    monkeypatch.setattr(Throttle, "hold", lambda self, seconds: None)
    subs, estate = tenant
    limits = Limits(burst=15, refill=5)
    with FakeArm(estate, subscriptions=subs[:1], page_size=20, limits=limits) as fake:
        collect(fake, subs[:1], workers=8, resource_graph=False, throttle_retries=2)
    assert limits.throttled > 0
    assert limits.early, "a client that ignores Retry-After went unnoticed"


def test_retry_after_is_judged_by_when_the_client_sent_and_received() -> None:
    limits = Limits()
    limits.client_timed = True
    path = "/subscriptions/AAAA/providers/Microsoft.Web/sites"
    limits.sent(path, 10.0)
    limits.received(path, 10.2, 429, "2")
    # Sent before its 429 had reached the client (in flight): not the client's fault.
    limits.sent(path, 10.1)
    assert not limits.early
    # Sent after the 429 arrived, before its Retry-After passed: early (any path of the subscription).
    limits.sent("/subscriptions/aaaa/resourceGroups/rg/providers/Microsoft.Web/sites/a", 10.3)
    limits.sent(path, 12.1)
    assert [(e.key, e.at, e.allowed_at) for e in limits.early] == [("aaaa", 10.3, 12.2), ("aaaa", 12.1, 12.2)]
    # After it passed, and in another subscription: fine.
    limits.sent(path, 12.3)
    limits.sent("/subscriptions/bbbb/resourceGroups", 10.5)
    assert len(limits.early) == 2
    # Resource Graph's quota is its own.
    limits.sent("/providers/Microsoft.ResourceGraph/resources", 10.5)
    assert len(limits.early) == 2


def test_a_restart_fills_every_bucket_and_forgets_the_throttling() -> None:
    # The benchmark restarts the limits between two collectors: the second must not start on the
    # first one's drained buckets (it did, and its 429s were counted against it).
    limits = Limits(burst=2, refill=0.001, graph_queries=1)
    answers = [limits.arm_read("p", "AAAA", "/subscriptions/AAAA")[0] for _ in range(3)]
    graph = [limits.graph_query("p", "/providers/Microsoft.ResourceGraph/resources")[0] for _ in range(2)]
    assert answers == [True, True, False] and graph == [True, False] and limits.throttled == 2
    limits.restart()
    assert limits.throttled == 0 and not limits.early
    allowed, headers = limits.arm_read("p", "aaaa", "/subscriptions/aaaa")
    assert allowed and headers["x-ms-ratelimit-remaining-subscription-reads"] == "1"
    assert limits.graph_query("p", "/providers/Microsoft.ResourceGraph/resources")[0]


def _text(snapshot: Any) -> tuple[str, str]:
    """A type's log categories are read on whichever of its resources comes first: compared by type."""
    placed = sorted(map(_placed, snapshot.resources), key=lambda r: r["id"])
    return json.dumps(placed, sort_keys=True), json.dumps([e.__dict__ for e in snapshot.errors], default=str)


def _placed(resource: dict[str, Any]) -> dict[str, Any]:
    if resource["type"] != types.DIAGNOSTIC_CATEGORIES:
        return resource
    owner = resource["id"].lower().split("/providers/microsoft.insights/")[0]
    return {**resource, "id": f"{resource_type_of(owner)}/{resource['name']}"}
