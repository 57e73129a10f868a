"""Every rule page's passing ARM body passes the rule through the engine, and its broken form fails.

An example stands in for the matching resources of a compliant sample estate (those of its type,
narrowed by TARGETS where the rule judges only some): its values are written over theirs, except
the values in angle brackets (the user's own ids and names), which keep the estate's. The sample
estates number their network 10.20.0.0/16 where the reference implementation (and so the
examples) use 10.0.0.0/16.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from auditor.engine.baseline import load_baseline
from auditor.engine.guide import guides
from auditor.engine.registry import all_rules
from auditor.model import Status
from tests import estates
from tests.conftest import BASELINES, audit_resources, findings_of

Resource = dict[str, Any]
SUBNETS = "Microsoft.Network/virtualNetworks/subnets"
PLACEHOLDER = re.compile(r"<[^<>]+>")


def _named(*fragments: str) -> Callable[[Resource], bool]:
    return lambda r: any(f in r.get("id", "").lower() for f in fragments)


def _principal(kind: str) -> Callable[[Resource], bool]:
    return lambda r: r.get("properties", {}).get("principalType") == kind


# Which resources of the example's type it stands for, where not all of them.
TARGETS: dict[str, Callable[[Resource], bool]] = {
    "DIAG001": _named("/microsoft.cognitiveservices/accounts/"),
    "DIAG002": _named("/microsoft.keyvault/vaults/"),
    "DIAG003": _named("/microsoft.containerregistry/registries/"),
    "DIAG004": _named("/blobservices/", "/fileservices/"),
    "DIAG005": _named("/microsoft.network/applicationgateways/"),
    "DIAG006": _named("/microsoft.network/bastionhosts/"),
    "DIAG007": _named("/microsoft.search/searchservices/"),
    "DIAG008": lambda r: re.search(r"/workspaces/[^/]+/providers/", r["id"], re.IGNORECASE) is not None,
    "DIAG009": _named("/onlineendpoints/"),
    "DIAG010": _named("/microsoft.web/sites/"),
    "IAM001": _principal("ServicePrincipal"),
    "IAM004": lambda r: r.get("identity", {}).get("type") == "SystemAssigned",
    "IAM002": _principal("ServicePrincipal"),
    "IAM003": _principal("ServicePrincipal"),
    "IAM009": lambda r: r.get("properties", {}).get("principalType") in ("User", "Group"),
    # Not the Azure Firewall subnets, where Azure allows no NSG.
    "NSG001": lambda r: "/subnets/azurefirewall" not in r["id"].lower(),
    "NSG002": _named("nsg-edge-gateway"),
    "NSG003": _named("nsg-private-links"),
    "NSG004": _named("nsg-private-links"),
    "NSG005": _named("nsg-jumpbox"),
    "NSG006": _named("nsg-web-integration"),
    "NSG007": _named("nsg-private-links"),
    "NSG008": _named("nsg-azurebastionsubnet"),
    "PE001": _named("pe-aoai"),
    "PE002": _named("pe-aoai"),
    "PE003": _named("pe-aoai"),
    "PE004": lambda r: "managedNetwork" in r.get("properties", {}),
    "PUB012": lambda r: "/storageaccounts/stml" not in r["id"].lower(),
}
# Resources the example replaces as a whole: the estate's copies elsewhere are left out.
DROPPED: dict[str, tuple[str, ...]] = {
    "PE004": ("Microsoft.MachineLearningServices/workspaces/outboundRules",)
}


def _is_placeholder(value: Any) -> bool:
    return isinstance(value, str) and PLACEHOLDER.search(value) is not None


def _concrete(value: Any) -> bool:
    """No placeholder anywhere inside: a value that can be written into the estate as it is."""
    text = json.dumps(value)
    return PLACEHOLDER.search(text) is None


def overlay(target: Resource, example: Mapping[str, Any], top: bool = True) -> None:
    """Write the example's values over the target's; placeholders keep the target's value, and the
    target keeps its own id, name and type."""
    for key, value in example.items():
        if (top and key in ("id", "name", "type")) or _is_placeholder(key):
            continue
        if _is_placeholder(value):
            continue
        current = target.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            overlay(current, value, top=False)
        elif isinstance(value, list) and isinstance(current, list) and len(value) == len(current):
            for i, item in enumerate(value):
                if isinstance(item, dict) and isinstance(current[i], dict):
                    overlay(current[i], item, top=False)
                elif not _is_placeholder(item):
                    current[i] = copy.deepcopy(item)
        else:
            assert _concrete(value), f"{key}: a new value with a placeholder cannot be written: {value}"
            target[key] = copy.deepcopy(value)


def break_it(target: Resource, path: str, value: Any) -> None:
    """Set a dotted path (list indices as numbers); None removes the property or the list entry."""
    parts = path.split(".")
    node: Any = target
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    last = parts[-1]
    if isinstance(node, list):
        if value is None:
            node.pop(int(last))
        else:
            node[int(last)] = copy.deepcopy(value)
    elif value is None:
        node.pop(last, None)
    else:
        node[last] = copy.deepcopy(value)


def _targets(estate: list[Resource], rule_id: str, resource_type: str) -> list[Resource]:
    if resource_type == SUBNETS:
        found = [
            s
            for r in estate
            if r["type"] == "Microsoft.Network/virtualNetworks"
            for s in r["properties"].get("subnets", [])
        ]
    else:
        found = [r for r in estate if r["type"].lower() == resource_type.lower()]
    chosen = TARGETS.get(rule_id)
    return [r for r in found if chosen is None or chosen(r)]


def _variants(rule_id: str) -> list[str]:
    return [v for v, name in BASELINES.items() if rule_id in load_baseline(name).rules]


# The sample estates' network is the reference's, renumbered: 10.20.0.0/16 in the prompt flow samples,
# the Foundry reference's own 192.168.0.0/16 (the same layout) in the Foundry sample.
_RENUMBERED = {estates.FOUNDRY: '"192.168.'}


def _example(rule_id: str, variant: str = "aistudio") -> dict[str, Any]:
    text = json.dumps(guides()[rule_id].example)
    loaded: dict[str, Any] = json.loads(text.replace('"10.0.', _RENUMBERED.get(variant, '"10.20.')))
    return loaded


def _statuses(estate: list[Resource], variant: str, rule_id: str) -> list[Status]:
    return [f.status for f in findings_of(audit_resources(estate, variant, only=rule_id), rule_id)]


@pytest.mark.parametrize("rule_id", sorted(guides()))
def test_the_example_passes_and_its_broken_form_fails(rule_id: str) -> None:
    guide = guides()[rule_id]
    example = _example(rule_id)
    tried = 0
    for variant in _variants(rule_id):
        example = _example(rule_id, variant)
        estate = [r for r in estates.compliant(variant) if r["type"] not in DROPPED.get(rule_id, ())]
        targets = _targets(estate, rule_id, example["type"])
        if not targets:
            continue
        tried += 1
        for target in targets:
            overlay(target, example)
        passing = _statuses(estate, variant, rule_id)
        assert passing and set(passing) == {Status.PASS}, f"{variant}: the example gives {passing}"
        for target in targets:
            for path, value in guide.broken.items():
                break_it(target, path, value)
        failing = _statuses(estate, variant, rule_id)
        assert Status.FAIL in failing, f"{variant}: the broken example gives {failing}"
    assert tried, f"{rule_id}: no sample estate holds a {example['type']} to try the example on"


def test_every_rule_of_the_first_release_has_a_guide() -> None:
    missing = [r.id for r in all_rules().values() if r.since == "0.1.0" and r.id not in guides()]
    assert missing == []


def test_guides_name_only_known_rules() -> None:
    assert set(guides()) - set(all_rules()) == set()
