"""A definition file's workloads are picked from an index: the same resources as a scan of the estate."""

from __future__ import annotations

import pytest

from auditor.analysis.workloads import Definition, _DefinitionIndex
from auditor.arm import ids
from auditor.arm.estate import Estate
from auditor.arm.snapshot import Snapshot
from tests.workload_estates import SUB, tenant


def _scan(estate: Estate, d: Definition) -> list[str]:
    """What a definition picks, by testing every resource (the rule of `defined`)."""
    out = []
    for res in estate.resources:
        tags = res.get("tags")
        tagged = (
            bool(d.tags) and isinstance(tags, dict) and all(str(tags.get(k)) == v for k, v in d.tags.items())
        )
        if any(ids.is_within(res["id"], r) for r in d.resources) or tagged:
            out.append(res["id"])
    return out


@pytest.mark.parametrize(
    "definition",
    [
        Definition("group", (f"/subscriptions/{SUB}/resourceGroups/rg-chat-dev",)),
        # Other case and a trailing slash name the same group; a group named as a prefix of another does not
        # take the other's resources.
        Definition("case", (f"/SUBSCRIPTIONS/{SUB}/resourcegroups/RG-CHAT-DEV/",)),
        Definition("prefix", (f"/subscriptions/{SUB}/resourceGroups/rg-chat",)),
        Definition("subscription", (f"/subscriptions/{SUB}",)),
        Definition("tag", (), {"app": "tfstate"}),
        Definition("two tags", (), {"app": "tfstate", "tier": "state"}),
        Definition("absent tag", (), {"missing": "None"}),
        Definition("both", (f"/subscriptions/{SUB}/resourceGroups/rg-chat-prod",), {"app": "tfstate"}),
    ],
    ids=lambda d: d.name,
)
def test_the_index_offers_every_resource_a_scan_picks(definition: Definition) -> None:
    doc = tenant()
    for r in doc["resources"]:
        if "/rg-tfstate/" in r["id"]:
            r["tags"] = {"app": "tfstate", "tier": "state"}
        elif "/rg-chat-prod/" in r["id"]:
            r["tags"] = {"app": "chat"}
    estate = Estate(Snapshot.from_data(doc))
    expected = _scan(estate, definition)
    offered = _DefinitionIndex(estate.resources).candidates(definition)
    picked = [
        r["id"]
        for r in offered
        if any(ids.is_within(r["id"], n) for n in definition.resources)
        or (
            isinstance(r.get("tags"), dict)
            and bool(definition.tags)
            and all(str(r["tags"].get(k)) == v for k, v in definition.tags.items())
        )
    ]
    assert picked == expected
    if definition.name != "prefix":
        assert expected, "the case must pick something"
    else:
        assert not expected
