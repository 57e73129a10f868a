"""RAI blocklists through the real Cognitive Services client against the fake ARM server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests import estates
from tests.fakearm import FakeArm
from tests.fakearm.harness import collect
from tests.foundry import ACCOUNT, models

pytestmark = pytest.mark.live  # the real SDK clients against the fake ARM server

BLOCKLISTS = "Microsoft.CognitiveServices/accounts/raiBlocklists"


def test_blocklists_are_listed_per_account_and_their_items_never_read(tmp_path: Path) -> None:
    resources = [*estates.compliant("foundry"), models.blocklist("chat-terms")]
    with FakeArm(resources, workdir=tmp_path) as fake:
        snap = collect(fake, [estates.SUB])
        paths = [r.path.lower() for r in fake.requests()]
    assert BLOCKLISTS in (snap.collected_types or [])
    got = [r for r in snap.resources if r["type"] == BLOCKLISTS]
    assert [r["id"].lower() for r in got] == [f"{ACCOUNT}/raiBlocklists/chat-terms".lower()]
    assert got[0]["properties"]["description"] == "Terms the chat must not carry"
    assert any(p.endswith("/raiblocklists") for p in paths)
    assert not any("/raiblocklistitems" in p for p in paths)


def test_a_failed_blocklist_read_is_recorded_not_a_pass(tmp_path: Path) -> None:
    resources = estates.compliant("foundry")
    with FakeArm(resources, workdir=tmp_path) as fake:
        path = f"{ACCOUNT}/raiBlocklists"
        fake.add_fault(f"^{re.escape(path)}$", 403)
        snap = collect(fake, [estates.SUB])
    mine = [(e.scope, e.resource_type, e.status) for e in snap.errors if "raiblocklists" in e.scope.lower()]
    assert mine == [(path, BLOCKLISTS, 403)]
    assert not [r for r in snap.resources if r["type"] == BLOCKLISTS]
