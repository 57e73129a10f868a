"""Cases of the private-endpoints family, and the targeted case type the public-access table shares.

A case mutates the compliant estate of a variant, audits it with the variant's baseline and
says which status the rule must give on the resources whose id contains `target`, and which
status every other finding of the rule must keep (so a case also proves it broke only what it
meant to break).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.model import Finding
from auditor.rules.private_endpoints import DEFAULT_GROUPS
from tests import estates
from tests.cases.content_filter import baseline_copy, denied
from tests.conftest import audit_resources, findings_of

Resource = dict[str, Any]
Mutation = Callable[[list[Resource], str], list[Resource] | None]
DELETE = object()

PE = "Microsoft.Network/privateEndpoints"
ZONE_GROUPS = "Microsoft.Network/privateEndpoints/privateDnsZoneGroups"
VNETS = "Microsoft.Network/virtualNetworks"
WORKSPACES = "Microsoft.MachineLearningServices/workspaces"
OUTBOUND = "Microsoft.MachineLearningServices/workspaces/outboundRules"


@dataclass(frozen=True)
class Case:
    """One named case. `target` may hold `{v}` for the variant; an empty target means every finding."""

    name: str
    rule: str
    expect: str
    target: str = ""
    mutate: Mutation | None = None
    variants: tuple[str, ...] = estates.VARIANTS
    others: str | None = "pass"
    params: dict[str, Any] = field(default_factory=dict)
    drop_types: tuple[str, ...] = ()
    errors: Callable[[str], list[dict[str, Any]]] | None = None
    contains: str = ""


def run(case: Case, variant: str, folder: Path) -> list[Finding]:
    """The rule's findings on the case's mutation of the compliant estate."""
    resources = estates.compliant(variant)
    if case.mutate is not None:
        changed = case.mutate(resources, variant)
        resources = changed if changed is not None else resources
    collected = [t for t in estates.COLLECTED_TYPES if t not in case.drop_types] if case.drop_types else None
    baseline = str(baseline_copy(variant, case.rule, case.params, folder)) if case.params else None
    errors = case.errors(variant) if case.errors else None
    result = audit_resources(resources, variant, errors=errors, collected_types=collected, baseline=baseline)
    return findings_of(result, case.rule)


def check(case: Case, variant: str, found: list[Finding]) -> None:
    """The findings on the target (a substring of their ids; a trailing `$` anchors it at the end)."""
    target = case.target.format(v=variant).lower()
    if target.endswith("$"):
        hits = [f for f in found if f.resource_id.lower().endswith(target[:-1])]
    else:
        hits = [f for f in found if target in f.resource_id.lower()]
    shown = [(f.resource_id.rsplit("/", 1)[-1], f.status.value, f.message) for f in found]
    assert hits, f"no finding on {target!r}: {shown}"
    assert {f.status.value for f in hits} == {case.expect}, shown
    if case.others is not None:
        assert all(f.status.value == case.others for f in found if f not in hits), shown
    if case.contains:
        assert any(case.contains in f.message for f in hits), shown


# --- mutation helpers (shared with tests/cases/public_access.py) -------------------------


def set_path(obj: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for key in parents:
        obj = obj.setdefault(key, {})
    if value is DELETE:
        obj.pop(last, None)
    else:
        obj[last] = value


def edit(rtype: str, name: str | None, path: str, value: Any) -> Mutation:
    """Set (or with DELETE remove) a dotted path on one resource; `name` may hold `{v}`."""

    def mutate(res: list[Resource], variant: str) -> None:
        set_path(estates.find(res, rtype, name.format(v=variant) if name else None), path, value)

    return mutate


def edit_all(rtype: str, path: str, value: Any) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        for r in res:
            if r["type"].lower() == rtype.lower():
                set_path(r, path, value)

    return mutate


def drop(predicate: Callable[[Resource, str], bool]) -> Mutation:
    return lambda res, variant: [r for r in res if not predicate(r, variant)]


def drop_type(rtype: str) -> Mutation:
    return drop(lambda r, v: r["type"].lower() == rtype.lower())


def drop_id(fragment: str) -> Mutation:
    """Remove every resource whose id contains `fragment` (with `{v}`), case-insensitively."""
    return drop(lambda r, v: fragment.format(v=v).lower() in r["id"].lower())


def chain(*steps: Mutation) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> list[Resource]:
        for step in steps:
            changed = step(res, variant)
            res = changed if changed is not None else res
        return res

    return mutate


def each_variant(per_variant: Callable[[str], Mutation]) -> Mutation:
    """A mutation whose steps depend on the variant."""
    return lambda res, variant: per_variant(variant)(res, variant)


def not_collected(rule: str, resource_type: str) -> Case:
    """The rule's resources were never listed: one not-assessed finding at the subscription."""
    name = resource_type.rsplit("/", 1)[-1].lower() + "-not-collected"
    return Case(name, rule, "not_assessed", f"/subscriptions/{estates.SUB}$", drop_type(resource_type),
                drop_types=(resource_type,))  # fmt: skip


def list_denied(rule: str, resource_type: str) -> Case:
    """Listing the type failed with 403 (the resources already read still pass)."""
    name = resource_type.rsplit("/", 1)[-1].lower() + "-list-denied"
    target = f"{estates.SUB}/providers/{resource_type}$"
    return Case(
        name, rule, "not_assessed", target, errors=subscription_scope(resource_type), contains="HTTP 403"
    )


def subscription_scope(resource_type: str) -> Callable[[str], list[dict[str, Any]]]:
    """A 403 on the subscription-wide list of a type."""
    return denied(resource_type, lambda v: f"/subscriptions/{estates.SUB}/providers/{resource_type}")


# --- private-endpoint specifics -------------------------------------------------------------


def ws_name(variant: str) -> str:
    return "mlw-chat" if variant == "aml" else "hub-chat"


def pe_name(target: str, group: str) -> str:
    return f"pe-{target}-{group}".lower()


def pe_of(target: str, group: str) -> str:
    """A fragment that matches a private endpoint and its zone group (`{v}` allowed)."""
    return f"/privateEndpoints/{pe_name(target, group)}"


def move_pe(target: str, group: str, subnet: str) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        pe = estates.find(res, PE, pe_name(target.format(v=variant), group))
        pe["properties"]["subnet"]["id"] = estates.Ids(variant).subnet(subnet)

    return mutate


def connection_state(target: str, group: str, status: str | None, manual: bool = False) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        props = estates.find(res, PE, pe_name(target.format(v=variant), group))["properties"]
        conn = props["privateLinkServiceConnections"][0]
        if manual:
            props["privateLinkServiceConnections"] = []
            props["manualPrivateLinkServiceConnections"] = [conn]
        if status is None:
            conn["properties"].pop("privateLinkServiceConnectionState")
        else:
            conn["properties"]["privateLinkServiceConnectionState"]["status"] = status

    return mutate


def target_state(rtype: str, name: str, status: str | None) -> Mutation:
    """The state a target lists for its (first) private endpoint connection."""

    def mutate(res: list[Resource], variant: str) -> None:
        conn = estates.find(res, rtype, name.format(v=variant))["properties"]["privateEndpointConnections"][0]
        if status is None:
            conn["properties"].pop("privateLinkServiceConnectionState")
        else:
            conn["properties"]["privateLinkServiceConnectionState"]["status"] = status

    return mutate


def zones(target: str, group: str, names: list[str]) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        wanted = f"/privateendpoints/{pe_name(target.format(v=variant), group)}/"
        zg = next(r for r in res if r["type"] == ZONE_GROUPS and wanted in r["id"].lower())
        ids = estates.Ids(variant)
        zg["properties"]["privateDnsZoneConfigs"] = [
            {"name": z, "properties": {"privateDnsZoneId": ids.res("Microsoft.Network/privateDnsZones", z)}}
            for z in names
        ]

    return mutate


def outbound(rule_name: str, path: str, value: Any) -> Mutation:
    """Change one managed-network outbound rule, inline and as a child resource alike."""

    def mutate(res: list[Resource], variant: str) -> None:
        ws = estates.find(res, WORKSPACES, ws_name(variant))
        set_path(ws["properties"]["managedNetwork"]["outboundRules"][rule_name], path, value)
        set_path(estates.find(res, OUTBOUND, rule_name)["properties"], path, value)

    return mutate


def drop_outbound(rule_name: str) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> list[Resource]:
        ws = estates.find(res, WORKSPACES, ws_name(variant))
        ws["properties"]["managedNetwork"]["outboundRules"].pop(rule_name)
        return [r for r in res if not (r["type"] == OUTBOUND and r["name"] == rule_name)]

    return mutate


def drop_inline_rules(res: list[Resource], variant: str) -> None:
    estates.find(res, WORKSPACES, ws_name(variant))["properties"]["managedNetwork"].pop("outboundRules")


KV = "Microsoft.KeyVault/vaults"
ACR = "Microsoft.ContainerRegistry/registries"
AOAI = "Microsoft.CognitiveServices/accounts"

CASES: list[Case] = [
    # PE001: presence and placement
    Case("compliant", "PE001", "pass"),
    Case(
        "vault-endpoint-removed",
        "PE001",
        "fail",
        "/vaults/",
        drop_id(pe_of("kv-chat-{v}", "vault")),
        contains="vault: no private endpoint",
    ),
    Case(
        "vault-endpoint-in-jumpbox-subnet",
        "PE001",
        "fail",
        "/vaults/",
        move_pe("kv-chat-{v}", "vault", "jumpbox"),
        contains="not the private-endpoint subnet",
    ),
    Case(
        "vault-endpoint-in-gateway-subnet",
        "PE001",
        "fail",
        "/vaults/",
        move_pe("kv-chat-{v}", "vault", "edge-gateway"),
        contains="application-gateway",
    ),
    Case(
        "workspace-storage-file-endpoint-removed",
        "PE001",
        "fail",
        "/storageAccounts/stmlchat",
        drop_id(pe_of("stmlchat{v}", "file")),
        contains="file: no private endpoint",
    ),
    Case(
        "chat-ui-endpoint-removed",
        "PE001",
        "fail",
        "/sites/app-chat-ui",
        drop_id(pe_of("app-chat-ui", "sites")),
    ),
    Case(
        "search-endpoint-removed",
        "PE001",
        "fail",
        "/searchServices/",
        drop_id(pe_of("srch-chat-{v}", "searchService")),
    ),
    Case(
        "workspace-endpoint-removed",
        "PE001",
        "fail",
        "/workspaces/",
        each_variant(lambda v: drop_id(pe_of(ws_name(v), "amlworkspace"))),
    ),
    Case(
        "search-not-required-by-baseline",
        "PE001",
        "pass",
        "",
        drop_id(pe_of("srch-chat-{v}", "searchService")),
        params={"required_groups": {**DEFAULT_GROUPS, "search": []}},
    ),
    Case("endpoints-not-collected", "PE001", "not_assessed", "", drop_type(PE), drop_types=(PE,)),
    Case(
        "endpoint-list-denied",
        "PE001",
        "not_assessed",
        "/vaults/",
        drop_id(pe_of("kv-chat-{v}", "vault")),
        errors=subscription_scope(PE),
        contains="HTTP 403",
    ),
    Case("virtual-network-not-collected", "PE001", "not_assessed", "", drop_type(VNETS), drop_types=(VNETS,)),
    # PE002: approval, on the endpoint and on the target
    Case("compliant", "PE002", "pass"),
    Case(
        "vault-connection-pending",
        "PE002",
        "fail",
        pe_of("kv-chat-{v}", "vault"),
        connection_state("kv-chat-{v}", "vault", "Pending"),
        contains="Pending",
    ),
    Case(
        "manual-connection-pending",
        "PE002",
        "fail",
        pe_of("crchat{v}", "registry"),
        connection_state("crchat{v}", "registry", "Pending", manual=True),
        contains="manualPrivateLinkServiceConnections",
    ),
    Case(
        "registry-lists-connection-rejected",
        "PE002",
        "fail",
        pe_of("crchat{v}", "registry"),
        target_state(ACR, "crchat{v}", "Rejected"),
        contains="Rejected",
    ),
    Case(
        "openai-states-missing",
        "PE002",
        "not_assessed",
        pe_of("aoai-chat", "account"),
        chain(connection_state("aoai-chat", "account", None), target_state(AOAI, "aoai-chat", None)),
    ),
    # PE003: private DNS zone groups
    Case("compliant", "PE003", "pass"),
    Case(
        "vault-zone-group-removed",
        "PE003",
        "fail",
        pe_of("kv-chat-{v}", "vault"),
        drop_id(pe_of("kv-chat-{v}", "vault") + "/privateDnsZoneGroups/"),
        contains="no privateDnsZoneGroups",
    ),
    Case(
        "workspace-notebooks-zone-missing",
        "PE003",
        "fail",
        "-amlworkspace",
        each_variant(lambda v: zones(ws_name(v), "amlworkspace", ["privatelink.api.azureml.ms"])),
        contains="missing privatelink.notebooks.azure.net",
    ),
    Case(
        "blob-endpoint-in-file-zone",
        "PE003",
        "fail",
        pe_of("stwebchat{v}", "blob"),
        zones("stwebchat{v}", "blob", ["privatelink.file.core.windows.net"]),
    ),
    Case(
        "zone-names-in-upper-case",
        "PE003",
        "pass",
        pe_of("kv-chat-{v}", "vault"),
        zones("kv-chat-{v}", "vault", ["PrivateLink.VaultCore.Azure.Net"]),
    ),
    Case(
        "zone-groups-not-collected",
        "PE003",
        "not_assessed",
        "",
        drop_type(ZONE_GROUPS),
        drop_types=(ZONE_GROUPS,),
    ),
    Case(
        "sovereign-cloud-zones",
        "PE003",
        "fail",
        pe_of("kv-chat-{v}", "vault"),
        others=None,
        params={"dns_zones": {"vault": ["privatelink.vaultcore.usgovcloudapi.net"]}},
        contains="missing privatelink.vaultcore.usgovcloudapi.net",
    ),
    # PE004: managed-network outbound rules
    Case("compliant", "PE004", "pass"),
    Case(
        "openai-rule-removed",
        "PE004",
        "fail",
        "/workspaces/",
        drop_outbound("OpenAI"),
        contains="aoai-chat (account): no PrivateEndpoint outbound rule",
    ),
    Case(
        "openai-rule-wrong-subresource",
        "PE004",
        "fail",
        "/workspaces/",
        outbound("OpenAI", "destination.subresourceTarget", "vault"),
        contains="subresourceTarget vault",
    ),
    Case(
        "openai-rule-inactive",
        "PE004",
        "fail",
        "/workspaces/",
        outbound("OpenAI", "status", "Inactive"),
        contains="status Inactive",
    ),
    Case(
        "search-rule-removed",
        "PE004",
        "fail",
        "/workspaces/",
        drop_outbound("Search"),
        contains="searchService): no PrivateEndpoint",
    ),
    Case(
        "search-rule-not-required",
        "PE004",
        "pass",
        "/workspaces/",
        drop_outbound("Search"),
        params={"require_search": False},
    ),
    Case("rules-only-as-children", "PE004", "pass", "/workspaces/", drop_inline_rules),
    Case("rules-only-inline", "PE004", "pass", "/workspaces/", drop_type(OUTBOUND), drop_types=(OUTBOUND,)),
    Case(
        "rules-not-readable",
        "PE004",
        "not_assessed",
        "/workspaces/",
        chain(drop_inline_rules, drop_type(OUTBOUND)),
        drop_types=(OUTBOUND,),
    ),
    not_collected("PE001", KV),
    list_denied("PE001", "Microsoft.Web/sites"),
    not_collected("PE002", PE),
    not_collected("PE003", PE),
    not_collected("PE004", WORKSPACES),
    list_denied("PE004", WORKSPACES),
]
