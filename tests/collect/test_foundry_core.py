"""The Foundry account's children through the real SDK (and the capability host lists through its
pipeline) against the fake ARM server: projects, connections and capability hosts come back as served,
and a list ARM refuses is recorded, never read as empty."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from auditor.arm import ids as armid
from auditor.arm import types
from auditor.arm.snapshot import Snapshot
from auditor.collect import cognitive
from auditor.engine.baseline import load_baseline
from auditor.engine.run import run_audit
from auditor.model import Status
from tests import estates
from tests.fakearm import FakeArm
from tests.fakearm.harness import collect
from tests.foundry import ACCOUNT, PROJECT, SUB, core

pytestmark = pytest.mark.live  # the real SDK clients against the fake ARM server

FOUNDRY_TYPES = [t.lower() for t in core.COLLECTED]


@pytest.fixture(scope="module")
def estate() -> list[dict[str, Any]]:
    # The drifted sample: it also holds an account-level connection.
    return estates.drift(estates.compliant("foundry"), "foundry")


@pytest.fixture(scope="module")
def fake(tmp_path_factory: pytest.TempPathFactory, estate: list[dict[str, Any]]) -> Iterator[FakeArm]:
    with FakeArm(estate, workdir=tmp_path_factory.mktemp("fakearm")) as server:
        yield server


def _of_types(resources: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {armid.norm(r["id"]): r for r in resources if r["type"].lower() in FOUNDRY_TYPES}


def test_the_part_declares_what_the_collector_reads() -> None:
    assert sorted(core.COLLECTED) == sorted(cognitive.FOUNDRY_TYPES)
    assert set(cognitive.FOUNDRY_TYPES) <= set(estates.collected_types("foundry"))


def test_projects_connections_and_capability_hosts_come_back_as_served(
    fake: FakeArm, estate: list[dict[str, Any]]
) -> None:
    fake.reset()
    snap = collect(fake, [SUB])
    served, got = _of_types(estate), _of_types(snap.resources)
    assert {r["type"] for r in served.values()} == set(core.COLLECTED)
    assert sorted(got) == sorted(served)
    for key, body in served.items():
        assert got[key] == body, key
    assert {t.lower() for t in snap.collected_types or []} >= set(FOUNDRY_TYPES)
    # Connections are listed, never asked for their secrets.
    paths = [r.path.lower() for r in fake.requests()]
    assert not [p for p in paths if "listsecrets" in p or "listkeys" in p]
    assert snap.metadata["api_versions"][types.FOUNDRY_PROJECT_CAPABILITY_HOSTS] == "2025-09-01"


@pytest.mark.parametrize(
    ("path", "rtype"),
    [
        (f"{PROJECT}/capabilityHosts", types.FOUNDRY_PROJECT_CAPABILITY_HOSTS),
        (f"{PROJECT}/connections", types.FOUNDRY_PROJECT_CONNECTIONS),
        (f"{ACCOUNT}/projects", types.FOUNDRY_PROJECTS),
    ],
)
def test_a_refused_list_is_recorded(fake: FakeArm, path: str, rtype: str) -> None:
    fake.reset()
    fake.add_fault(f"^{re.escape(path)}$", 403)
    snap: Snapshot = collect(fake, [SUB])
    assert [e for e in snap.errors if e.resource_type == rtype and e.status == 403], snap.errors
    assert not [r for r in snap.resources if r["type"] == rtype]


def test_unread_capability_hosts_are_not_assessed(fake: FakeArm) -> None:
    fake.reset()
    fake.add_fault(f"^{re.escape(PROJECT)}/capabilityHosts$", 403)
    snap = collect(fake, [SUB])
    report = run_audit(snap, load_baseline("microsoft-foundry-chat"), "live")
    (finding,) = [f for f in report.findings if f.rule_id == "REL020"]
    assert finding.resource_id == PROJECT and finding.status is Status.NOT_ASSESSED, finding.message
    assert "capability hosts are unknown" in finding.message
