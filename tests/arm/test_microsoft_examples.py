"""Microsoft's own ARM response examples (../shared/arm-examples) through the live path.

Every example body of a type the auditor collects is served by the fake ARM server at the
path the collector asks for, read by the real SDK clients, and then audited with every
rule of both baselines: no exception, no rule `error`, and every example item arrives in
the snapshot. The examples are full of placeholders (`string` ids, `{subscription-id}`,
lower-case types, unusable nextLinks), which is the point.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from auditor.arm import ids as armid
from auditor.arm.snapshot import Snapshot
from auditor.collect.run import AREAS
from auditor.engine.baseline import load_baseline
from auditor.engine.run import run_audit
from auditor.model import Status
from tests.fakearm import FakeArm
from tests.fakearm.harness import ROOT, collect

EXAMPLES = ROOT.parent / "shared" / "arm-examples"
SUB = "5e1a9c3f-0d2b-4f6e-8a7c-9b3d1e5f7a20"
# Vaults the collector will find, one per diagnostic-settings example (their names repeat).
VAULTS = f"/subscriptions/{SUB}/resourceGroups/rg-examples/providers/Microsoft.KeyVault/vaults"
# Every type the collector reads; subnets arrive inside their virtual network.
COLLECTED = {
    t.lower(): t
    for t in [
        *(t for _, types in AREAS for t in types),
        "Microsoft.Insights/diagnosticSettings",
        "Microsoft.Network/virtualNetworks/subnets",
    ]
}

pytestmark = pytest.mark.skipif(
    not (EXAMPLES / "SOURCES.md").exists(),
    reason=f"{EXAMPLES} is absent (shared/ is not beside the repository)",
)


@dataclass(frozen=True)
class Example:
    file: str
    template: str
    params: dict[str, Any]
    body: Any

    @property
    def items(self) -> list[dict[str, Any]]:
        if isinstance(self.body, dict) and isinstance(self.body.get("value"), list):
            return [i for i in self.body["value"] if isinstance(i, dict)]
        return [self.body] if isinstance(self.body, dict) else []

    @property
    def tail(self) -> list[str]:
        """Template segments after the last `providers`: namespace, type, {name}, ..."""
        parts = [p for p in self.template.split("/") if p]
        last = max(i for i, p in enumerate(parts) if p.lower() == "providers") if "providers" in parts else -1
        return parts[last + 1 :]

    @property
    def rtype(self) -> str:
        if self.template.startswith("/{roleId}"):
            return "Microsoft.Authorization/roleDefinitions"
        tail = self.tail
        return "/".join([tail[0], *tail[1::2]])

    @property
    def is_list(self) -> bool:
        return len(self.tail) % 2 == 0

    def path(self) -> str:
        """The template filled with the example's parameters, in our subscription."""
        values = {**{k: str(v) for k, v in self.params.items()}, "subscriptionId": SUB}
        return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], self.template)


def load_examples() -> list[Example]:
    if not (EXAMPLES / "SOURCES.md").exists():
        return []
    found = []
    for line in (EXAMPLES / "SOURCES.md").read_text(encoding="utf-8").splitlines():
        if not line.startswith("| `Microsoft."):
            continue
        cols = [c.strip() for c in line.strip().strip("|").split("|")]
        file, template = cols[0].strip("`"), cols[5].strip("`").split("  ")[0]
        doc = json.loads((EXAMPLES / file).read_text(encoding="utf-8"))
        found.append(
            Example(
                file,
                template.removeprefix("GET ").strip(),
                doc["parameters"],
                doc["responses"]["200"]["body"],
            )
        )
    return found


ALL = load_examples()
OURS = [e for e in ALL if e.rtype.lower() in COLLECTED]


def top_list(rtype: str) -> str:
    namespace, kind = rtype.split("/")[:2]
    return f"/subscriptions/{SUB}/providers/{namespace}/{kind}"


class Routes:
    """List bodies and single bodies by the path the collector will request."""

    def __init__(self) -> None:
        self.lists: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.singles: dict[str, dict[str, Any]] = {}
        self._names: set[tuple[str, str]] = set()

    def place(self, path: str, items: list[dict[str, Any]]) -> None:
        """Add items to a list; a name or id an earlier example used gets a suffix.

        Get and list examples of one operation often describe the same resource with
        different bodies (SOURCES.md, quirk 7); renaming keeps both in the snapshot.
        """
        for item in items:
            body = dict(item)
            name = str(body.get("name", "")).rsplit("/", 1)[-1]
            taken = {(path, name.lower()), ("id", armid.norm(str(body.get("id", ""))))}
            n = 1
            while taken & self._names:
                n += 1
                body["name"] = f"{name}-{n}"
                if isinstance(item.get("id"), str):
                    body["id"] = f"{item['id']}-{n}"
                taken = {(path, body["name"].lower()), ("id", armid.norm(str(body.get("id", ""))))}
            self._names |= taken
            self.lists[path].append(body)


def build_routes(examples: list[Example]) -> Routes:
    """Where the collector will look for each example."""
    routes = Routes()
    role_bodies: list[dict[str, Any]] = []
    for ex in examples:
        rtype = ex.rtype
        if rtype == "Microsoft.Authorization/roleDefinitions":
            role_bodies.extend(ex.items)
        elif rtype == "Microsoft.Insights/diagnosticSettings":
            vault = f"{VAULTS}/kv-diag-{len(routes.lists)}"
            routes.place(
                top_list("Microsoft.KeyVault/vaults"),
                [
                    {
                        "id": vault,
                        "name": vault.rsplit("/", 1)[-1],
                        "type": "Microsoft.KeyVault/vaults",
                        "location": "eastus",
                        "properties": {"tenantId": SUB, "sku": {"family": "A", "name": "standard"}},
                    }
                ],
            )
            routes.place(f"{vault}/providers/Microsoft.Insights/diagnosticSettings", ex.items)
        elif rtype == "Microsoft.Network/virtualNetworks/subnets":
            vnet = "/".join(ex.path().split("/")[:9])
            routes.place(
                top_list(rtype),
                [
                    {
                        "id": f"{vnet}-subnets",
                        "name": vnet.rsplit("/", 1)[-1] + "-subnets",
                        "type": "Microsoft.Network/virtualNetworks",
                        "location": "eastus",
                        "properties": {"subnets": ex.items},
                    }
                ],
            )
        elif len(ex.tail) <= 3:  # a top-level type: all of them go into the subscription-wide list
            routes.place(top_list(rtype), ex.items)
        elif rtype == "Microsoft.Web/sites/config":
            routes.singles[ex.path()] = ex.body
            add_parent(routes, ex)
        else:  # a child the collector lists under its parent
            routes.place(ex.path() if ex.is_list else ex.path().rsplit("/", 1)[0], ex.items)
            add_parent(routes, ex)
    # Serve a role-definition example at every definition id the assignments name.
    assignments = routes.lists[top_list("Microsoft.Authorization/roleAssignments")]
    wanted = sorted({str(a["properties"]["roleDefinitionId"]) for a in assignments})
    for rd_id, body in zip(wanted, itertools.cycle(role_bodies), strict=False):
        routes.singles[rd_id] = body
    return routes


def add_parent(routes: Routes, ex: Example) -> None:
    """Put the example's parent resource in its list, unless an example already has it."""
    parts = ex.path().split("/")
    parent_id = "/".join(parts[:9])
    rg, name = parts[4], parts[8]
    parent_type = f"{parts[6]}/{parts[7]}"
    siblings = routes.lists[top_list(parent_type)]
    if any(armid.resource_group_of(p.get("id", "")) == rg and p.get("name") == name for p in siblings):
        return
    kind = {"Microsoft.CognitiveServices/accounts": "OpenAI"}.get(parent_type)
    routes.place(
        top_list(parent_type),
        [
            {
                "id": parent_id,
                "name": name,
                "type": parent_type,
                "location": "eastus",
                "properties": {},
                **({"kind": kind} if kind else {}),
            }
        ],
    )


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Snapshot, FakeArm]]:
    routes = build_routes(OURS)
    with FakeArm(workdir=tmp_path_factory.mktemp("fakearm"), subscriptions=[SUB]) as fake:
        for path, items in routes.lists.items():
            fake.store.add_route(path, {"value": items})  # the server pages them, no example nextLink
        for path, body in routes.singles.items():
            fake.store.add_route(path, body)
        yield collect(fake, [SUB]), fake


def test_the_examples_we_skip_are_of_types_we_do_not_collect() -> None:
    skipped = {e.file: e.rtype for e in ALL if e not in OURS}
    assert sorted(skipped.values()) == [
        "Microsoft.CognitiveServices/accounts/defenderForAISettings",
        "Microsoft.Insights/components",
        "Microsoft.Insights/components",
        "Microsoft.OperationalInsights/workspaces",
        "Microsoft.OperationalInsights/workspaces",
    ]
    assert len(OURS) >= 40


@pytest.mark.live
@pytest.mark.parametrize("example", OURS, ids=[e.file for e in OURS])
def test_example_items_arrive_in_the_snapshot(example: Example, collected: tuple[Snapshot, FakeArm]) -> None:
    snapshot, _ = collected
    rtype = COLLECTED[example.rtype.lower()]
    if rtype == "Microsoft.Network/virtualNetworks/subnets":
        embedded = [
            s
            for r in snapshot.resources
            if r["type"] == "Microsoft.Network/virtualNetworks"
            for s in r["properties"].get("subnets") or []
        ]
        assert all(item in embedded for item in example.items)
        return
    same_type = [r for r in snapshot.resources if r["type"] == rtype]
    for item in example.items:
        if rtype == "Microsoft.Authorization/roleDefinitions":
            assert any(r["properties"] == item["properties"] for r in same_type), item.get("id")
            continue
        name = str(item.get("name", "")).rsplit("/", 1)[-1].lower()
        matches = [
            r for r in same_type if re.fullmatch(re.escape(name) + r"(-\d+)?", armid.name_of(r["id"]).lower())
        ]
        assert matches, f"{example.file}: {name} ({rtype}) is not in the snapshot"
        assert any(r.get("properties") == item.get("properties") for r in matches)


@pytest.mark.live
def test_types_are_normalised(collected: tuple[Snapshot, FakeArm]) -> None:
    snapshot, _ = collected
    assert {r["type"] for r in snapshot.resources} <= set(COLLECTED.values())
    waf = [
        r
        for r in snapshot.resources
        if r["type"] == "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies"
    ]
    rules = [
        r
        for r in snapshot.resources
        if r["type"] == "Microsoft.MachineLearningServices/workspaces/outboundRules"
    ]
    assert waf and rules  # served as `microsoft.network/...` and `workspace/outboundRules`
    for endpoint in (r for r in snapshot.resources if r["type"].endswith("/onlineEndpoints")):
        assert armid.parent_of(endpoint["id"]), endpoint["id"]  # `string` ids were rebuilt


@pytest.mark.live
def test_collection_only_read(collected: tuple[Snapshot, FakeArm]) -> None:
    _, fake = collected
    log = fake.requests()
    assert {(r.method, r.path.endswith("/token")) for r in log if r.method != "GET"} == {("POST", True)}
    assert not [r for r in log if r.status >= 500]


@pytest.mark.live
@pytest.mark.parametrize("baseline", ["openai-e2e-chat-aistudio", "openai-e2e-chat-aml"])
def test_every_rule_runs_on_the_examples_without_error(
    baseline: str, collected: tuple[Snapshot, FakeArm]
) -> None:
    snapshot, _ = collected
    result = run_audit(snapshot, load_baseline(baseline), "examples")
    errors = [(f.rule_id, f.message) for f in result.findings if f.status == Status.ERROR]
    assert errors == []
    assert len({f.rule_id for f in result.findings}) > 10
    Path(json.dumps([f.to_dict() for f in result.findings], default=str))  # findings serialise
