"""Cases of the reliability family: a mutation of the compliant estate and the statuses it must give."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from tests import estates
from tests.cases import foundry_core
from tests.cases.common import (
    Mutation,
    Resource,
    chain,
    denied,
    drop_type,
    set_path,
    subscription_list_denied,
)
from tests.cases.common import ResourceCase as ByResource
from tests.cases.common import StatusCase as Case

PLANS = "Microsoft.Web/serverfarms"
SITES = "Microsoft.Web/sites"
ENDPOINTS = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints"
ONLINE_DEPLOYMENTS = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments"
SEARCH = "Microsoft.Search/searchServices"
REGISTRIES = "Microsoft.ContainerRegistry/registries"
GATEWAYS = "Microsoft.Network/applicationGateways"
STORAGE = "Microsoft.Storage/storageAccounts"
PUBLIC_IPS = "Microsoft.Network/publicIPAddresses"


def put(rtype: str, path: str, value: Any, name: str | Callable[[str], str] | None = None) -> Mutation:
    """Set (or, with None, remove) a dotted property of the first resource of a type."""

    def mutate(res: list[Resource], variant: str) -> None:
        set_path(estates.find(res, rtype, name(variant) if callable(name) else name), path, value)

    return mutate


def add_plan(zone_redundant: bool, capacity: int) -> Mutation:
    """A second plan in the subscription that hosts nothing of the architecture."""

    def mutate(res: list[Resource], variant: str) -> None:
        plan = copy.deepcopy(estates.find(res, PLANS))
        plan["id"] = plan["id"].rsplit("/", 1)[0] + "/asp-other-team"
        plan["name"] = "asp-other-team"
        plan["sku"]["capacity"] = capacity
        plan["properties"].update({"zoneRedundant": zone_redundant, "numberOfWorkers": capacity})
        res.append(plan)

    return mutate


def add_online_deployment(name: str, capacity: int) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        dep = copy.deepcopy(estates.find(res, ONLINE_DEPLOYMENTS))
        dep["id"] = dep["id"].rsplit("/", 1)[0] + f"/{name}"
        dep["name"] = name
        dep["sku"]["capacity"] = capacity
        res.append(dep)

    return mutate


def target_utilization(min_instances: int | None) -> Mutation:
    settings: dict[str, Any] = {
        "scaleType": "TargetUtilization",
        "maxInstances": 5,
        "targetUtilizationPercentage": 70,
    }
    if min_instances is not None:
        settings["minInstances"] = min_instances
    return put(ONLINE_DEPLOYMENTS, "properties.scaleSettings", settings)


def endpoint_id(variant: str) -> str:
    parent = "mlw-chat" if variant == "aml" else "proj-chat"
    return (
        estates.Ids(variant).res("Microsoft.MachineLearningServices/workspaces", parent)
        + "/onlineEndpoints/ept-chat"
    )


def workspace_storage(variant: str) -> str:
    return f"stmlchat{variant}"


# --- the table ---------------------------------------------------------------------------

REL001 = [
    Case("compliant", "REL001", ("pass",), contains="zoneRedundant is true"),
    Case("not zone-redundant", "REL001", ("fail",), put(PLANS, "properties.zoneRedundant", False)),
    Case(
        "zoneRedundant absent",
        "REL001",
        ("fail",),
        put(PLANS, "properties.zoneRedundant", None),
        contains="absent",
    ),
    Case("another team's plan is not ours to judge", "REL001", ("pass",), add_plan(False, 1)),
    Case(
        "every plan when no web app was recognised",
        "REL001",
        ("fail", "pass"),
        chain(add_plan(False, 1), drop_type(SITES)),
    ),
    Case(
        "plans unreadable",
        "REL001",
        ("not_assessed",),
        drop_type(PLANS),
        errors=subscription_list_denied(PLANS),
        contains="AuthorizationFailed",
    ),
    Case("plans not collected", "REL001", ("not_assessed",), drop_type(PLANS), drop_types=(PLANS,)),
]

REL002 = [
    Case("compliant", "REL002", ("pass",), contains="sku.capacity is 3, properties.numberOfWorkers is 3"),
    Case(
        "one instance",
        "REL002",
        ("fail",),
        chain(put(PLANS, "sku.capacity", 1), put(PLANS, "properties.numberOfWorkers", 1)),
    ),
    Case("workers below capacity", "REL002", ("fail",), put(PLANS, "properties.numberOfWorkers", 2)),
    Case("capacity only", "REL002", ("pass",), put(PLANS, "properties.numberOfWorkers", None)),
    Case(
        "two accepted by a baseline copy",
        "REL002",
        ("pass",),
        chain(put(PLANS, "sku.capacity", 2), put(PLANS, "properties.numberOfWorkers", 2)),
        params={"min_instances": 2},
    ),
    Case(
        "no count",
        "REL002",
        ("not_assessed",),
        chain(put(PLANS, "sku.capacity", None), put(PLANS, "properties.numberOfWorkers", None)),
    ),
    Case(
        "plans unreadable",
        "REL002",
        ("not_assessed",),
        drop_type(PLANS),
        errors=subscription_list_denied(PLANS),
    ),
]

REL003 = [
    Case("compliant", "REL003", ("pass",), contains="sku.capacity is 3"),
    Case("one instance", "REL003", ("fail",), put(ONLINE_DEPLOYMENTS, "sku.capacity", 1)),
    Case("target utilization at 3", "REL003", ("pass",), target_utilization(3), contains="minInstances is 3"),
    Case("target utilization at 1", "REL003", ("fail",), target_utilization(1)),
    Case(
        "target utilization default minimum",
        "REL003",
        ("fail",),
        target_utilization(None),
        contains="minInstances is absent (default 1)",
    ),
    Case(
        "idle staging deployment skipped",
        "REL003",
        ("pass",),
        chain(
            add_online_deployment("green", 1), put(ENDPOINTS, "properties.traffic", {"blue": 100, "green": 0})
        ),
    ),
    Case(
        "mirrored deployment checked",
        "REL003",
        ("fail", "pass"),
        chain(
            add_online_deployment("green", 1),
            put(ENDPOINTS, "properties.traffic", {"blue": 100, "green": 0}),
            put(ENDPOINTS, "properties.mirrorTraffic", {"green": 10}),
        ),
    ),
    Case(
        "no traffic map: every deployment",
        "REL003",
        ("fail", "pass"),
        chain(add_online_deployment("green", 1), put(ENDPOINTS, "properties.traffic", None)),
    ),
    Case("count absent", "REL003", ("not_assessed",), put(ONLINE_DEPLOYMENTS, "sku", None)),
    Case(
        "deployments unreadable",
        "REL003",
        ("not_assessed",),
        drop_type(ONLINE_DEPLOYMENTS),
        errors=denied(ONLINE_DEPLOYMENTS, lambda v: endpoint_id(v) + "/deployments"),
        contains="deployments are unknown",
    ),
    Case(
        "endpoints not collected", "REL003", ("not_assessed",), drop_type(ENDPOINTS), drop_types=(ENDPOINTS,)
    ),
]

REL010 = [
    Case("compliant", "REL010", ("pass",), contains='{"blue": 100}'),
    Case("traffic reset to 0 %", "REL010", ("fail",), put(ENDPOINTS, "properties.traffic", {"blue": 0})),
    Case("no traffic", "REL010", ("fail",), put(ENDPOINTS, "properties.traffic", None), contains="empty"),
    Case(
        "traffic to a deleted deployment",
        "REL010",
        ("fail",),
        put(ENDPOINTS, "properties.traffic", {"blue": 20, "old": 80}),
        contains="no deployment named old",
    ),
    Case(
        "split across two deployments",
        "REL010",
        ("pass",),
        chain(
            add_online_deployment("green", 3), put(ENDPOINTS, "properties.traffic", {"blue": 90, "green": 10})
        ),
    ),
    Case(
        "endpoint without deployments",
        "REL010",
        (),
        chain(drop_type(ONLINE_DEPLOYMENTS), put(ENDPOINTS, "properties.traffic", {})),
    ),
    Case(
        "deployments unreadable",
        "REL010",
        ("not_assessed",),
        drop_type(ONLINE_DEPLOYMENTS),
        errors=denied(ONLINE_DEPLOYMENTS, lambda v: endpoint_id(v) + "/deployments"),
    ),
]

REL004 = [
    Case("compliant", "REL004", ("pass",)),
    Case("basic", "REL004", ("fail",), put(SEARCH, "sku.name", "basic"), contains="sku.name is basic"),
    Case("free", "REL004", ("fail",), put(SEARCH, "sku.name", "free")),
    Case("standard3", "REL004", ("pass",), put(SEARCH, "sku.name", "standard3")),
    Case("storage optimised", "REL004", ("pass",), put(SEARCH, "sku.name", "storage_optimized_l1")),
    Case(
        "search unreadable",
        "REL004",
        ("not_assessed",),
        drop_type(SEARCH),
        errors=subscription_list_denied(SEARCH),
    ),
    Case("search not collected", "REL004", ("not_assessed",), drop_type(SEARCH), drop_types=(SEARCH,)),
]

REL005 = [
    Case("compliant", "REL005", ("pass",)),
    Case("one replica", "REL005", ("fail",), put(SEARCH, "properties.replicaCount", 1)),
    Case(
        "replicaCount absent",
        "REL005",
        ("fail",),
        put(SEARCH, "properties.replicaCount", None),
        contains="default 1",
    ),
    Case(
        "two accepted by a baseline copy",
        "REL005",
        ("pass",),
        put(SEARCH, "properties.replicaCount", 2),
        params={"min_replicas": 2},
    ),
    Case(
        "search unreadable",
        "REL005",
        ("not_assessed",),
        drop_type(SEARCH),
        errors=subscription_list_denied(SEARCH),
    ),
]

REL006 = [
    Case("compliant", "REL006", ("pass",)),
    Case(
        "standard tier",
        "REL006",
        ("fail",),
        chain(
            put(REGISTRIES, "sku", {"name": "Standard", "tier": "Standard"}),
            put(REGISTRIES, "properties.zoneRedundancy", "Disabled"),
        ),
    ),
    Case(
        "premium without zone redundancy",
        "REL006",
        ("fail",),
        put(REGISTRIES, "properties.zoneRedundancy", "Disabled"),
        contains="zoneRedundancy is Disabled",
    ),
    Case(
        "zoneRedundancy absent",
        "REL006",
        ("fail",),
        put(REGISTRIES, "properties.zoneRedundancy", None),
        contains="absent (Disabled)",
    ),
    Case(
        "registries unreadable",
        "REL006",
        ("not_assessed",),
        drop_type(REGISTRIES),
        errors=subscription_list_denied(REGISTRIES),
    ),
]

REL007 = [
    Case("compliant", "REL007", ("pass",)),
    Case("one zone", "REL007", ("fail",), put(GATEWAYS, "zones", ["1"])),
    Case("no zones", "REL007", ("fail",), put(GATEWAYS, "zones", None), contains="absent"),
    Case("two zones fail the default", "REL007", ("fail",), put(GATEWAYS, "zones", ["1", "2"])),
    Case(
        "two zones accepted by a baseline copy",
        "REL007",
        ("pass",),
        put(GATEWAYS, "zones", ["1", "2"]),
        params={"min_zones": 2},
    ),
    Case(
        "gateways unreadable",
        "REL007",
        ("not_assessed",),
        drop_type(GATEWAYS),
        errors=subscription_list_denied(GATEWAYS),
    ),
]


def vm_public_ip(res: list[Resource], variant: str) -> None:
    """A Basic, zone-less address on a virtual machine's NIC: PUB023's concern, not REL011's."""
    ids = estates.Ids(variant)
    nic_config = f"{ids.net}/networkInterfaces/nic-vm/ipConfigurations/ipconfig1"
    res.append(estates.public_ip(ids, "pip-vm", nic_config, sku="Basic", zones=()))


GATEWAY_IP, BASTION_IP = "pip-chat-gateway", "pip-chat-bastion"

REL011 = [
    Case("compliant", "REL011", ("pass", "pass"), contains="Application Gateway agw-chat's address"),
    Case(
        "gateway address Basic",
        "REL011",
        ("fail", "pass"),
        put(PUBLIC_IPS, "sku.name", "Basic", GATEWAY_IP),
        contains="sku.name is Basic",
    ),
    Case(
        "gateway address in one zone", "REL011", ("fail", "pass"), put(PUBLIC_IPS, "zones", ["2"], GATEWAY_IP)
    ),
    Case(
        "Bastion address without zones",
        "REL011",
        ("fail", "pass"),
        put(PUBLIC_IPS, "zones", None, BASTION_IP),
        contains="Azure Bastion bas-chat's address: sku.name is Standard, zones is absent (no zone)",
    ),
    Case(
        "two zones fail the default",
        "REL011",
        ("fail", "fail"),
        chain(
            put(PUBLIC_IPS, "zones", ["1", "2"], GATEWAY_IP), put(PUBLIC_IPS, "zones", ["1", "2"], BASTION_IP)
        ),
    ),
    Case(
        "two zones accepted by a baseline copy",
        "REL011",
        ("pass", "pass"),
        chain(
            put(PUBLIC_IPS, "zones", ["1", "2"], GATEWAY_IP), put(PUBLIC_IPS, "zones", ["1", "2"], BASTION_IP)
        ),
        params={"min_zones": 2},
    ),
    Case("lower-case SKU", "REL011", ("pass", "pass"), put(PUBLIC_IPS, "sku.name", "standard", GATEWAY_IP)),
    Case("a virtual machine's address is not judged", "REL011", ("pass", "pass"), vm_public_ip),
    Case(
        "SKU absent",
        "REL011",
        ("not_assessed", "pass"),
        put(PUBLIC_IPS, "sku", None, BASTION_IP),
        contains="sku.name is absent",
    ),
    Case(
        "addresses unreadable",
        "REL011",
        ("not_assessed",),
        drop_type(PUBLIC_IPS),
        errors=subscription_list_denied(PUBLIC_IPS),
        contains="AuthorizationFailed",
    ),
    Case(
        "addresses not collected",
        "REL011",
        ("not_assessed",),
        drop_type(PUBLIC_IPS),
        drop_types=(PUBLIC_IPS,),
    ),
]

REL008 = [
    Case("compliant", "REL008", ("pass",), contains="autoscaleConfiguration.minCapacity is 2"),
    Case(
        "autoscale minimum 1",
        "REL008",
        ("fail",),
        put(GATEWAYS, "properties.autoscaleConfiguration.minCapacity", 1),
    ),
    Case("three required by a baseline copy", "REL008", ("fail",), params={"min_capacity": 3}),
    Case(
        "fixed capacity 2",
        "REL008",
        ("pass",),
        chain(
            put(GATEWAYS, "properties.autoscaleConfiguration", None),
            put(GATEWAYS, "properties.sku.capacity", 2),
        ),
    ),
    Case(
        "fixed capacity 1",
        "REL008",
        ("fail",),
        chain(
            put(GATEWAYS, "properties.autoscaleConfiguration", None),
            put(GATEWAYS, "properties.sku.capacity", 1),
        ),
        contains="no autoscale",
    ),
    Case(
        "no capacity at all",
        "REL008",
        ("not_assessed",),
        put(GATEWAYS, "properties.autoscaleConfiguration", None),
    ),
    Case(
        "gateways unreadable",
        "REL008",
        ("not_assessed",),
        drop_type(GATEWAYS),
        errors=subscription_list_denied(GATEWAYS),
    ),
]

REL009 = [
    Case("compliant", "REL009", ("pass", "pass")),
    Case(
        "workspace storage LRS",
        "REL009",
        ("fail", "pass"),
        put(STORAGE, "sku.name", "Standard_LRS", workspace_storage),
        contains="Standard_LRS",
    ),
    Case("GRS is not zone-redundant", "REL009", ("fail", "pass"), put(STORAGE, "sku.name", "Standard_GRS")),
    Case(
        "RA-GRS is not zone-redundant", "REL009", ("fail", "pass"), put(STORAGE, "sku.name", "Standard_RAGRS")
    ),
    Case("GZRS", "REL009", ("pass", "pass"), put(STORAGE, "sku.name", "Standard_GZRS")),
    Case("premium ZRS", "REL009", ("pass", "pass"), put(STORAGE, "sku.name", "Premium_ZRS")),
    Case(
        "storage unreadable",
        "REL009",
        ("not_assessed",),
        drop_type(STORAGE),
        errors=subscription_list_denied(STORAGE),
    ),
    Case("storage not collected", "REL009", ("not_assessed",), drop_type(STORAGE), drop_types=(STORAGE,)),
]


# --- REL012: the autoscale setting's minimum is the instance count that applies -----------------

AUTOSCALE = "Microsoft.Insights/autoscalesettings"


def autoscale_minimum(minimum: str) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        for profile in estates.find(res, AUTOSCALE)["properties"]["profiles"]:
            profile["capacity"].update({"minimum": minimum, "default": minimum})

    return mutate


def weekend_profile(minimum: str) -> Mutation:
    """A second, recurring profile with its own capacity."""

    def mutate(res: list[Resource], variant: str) -> None:
        props = estates.find(res, AUTOSCALE)["properties"]
        weekend = copy.deepcopy(props["profiles"][0])
        weekend["name"] = "Weekend"
        weekend["capacity"] = {"minimum": minimum, "maximum": "5", "default": minimum}
        weekend["recurrence"] = {
            "frequency": "Week",
            "schedule": {"timeZone": "UTC", "days": ["Saturday", "Sunday"], "hours": [0], "minutes": [0]},
        }
        props["profiles"].append(weekend)

    return mutate


REL012 = [
    Case("compliant", "REL012", ("pass",), contains="capacity.minimum is 3"),
    Case("minimum of one", "REL012", ("fail",), autoscale_minimum("1"), contains="capacity.minimum is 1"),
    Case(
        "the plan's capacity does not save a low autoscale minimum",
        "REL012",
        ("fail",),
        chain(
            autoscale_minimum("2"), put(PLANS, "sku.capacity", 5), put(PLANS, "properties.numberOfWorkers", 5)
        ),
    ),
    Case("a weekend profile scales to one", "REL012", ("fail",), weekend_profile("1"), contains="Weekend"),
    Case(
        "disabled setting does not apply",
        "REL012",
        ("pass",),
        chain(autoscale_minimum("1"), put(AUTOSCALE, "properties.enabled", False)),
        contains="disabled",
    ),
    Case("no autoscale setting", "REL012", ("pass",), drop_type(AUTOSCALE), contains="no autoscale setting"),
    Case(
        "setting on another plan",
        "REL012",
        ("pass",),
        chain(
            autoscale_minimum("1"), put(AUTOSCALE, "properties.targetResourceUri", "/subscriptions/x/other")
        ),
    ),
    Case(
        "minimum unreadable",
        "REL012",
        ("not_assessed",),
        autoscale_minimum("many"),
        contains="unreadable",
    ),
    Case(
        "enabled flag absent with a low minimum",
        "REL012",
        ("not_assessed",),
        chain(autoscale_minimum("1"), put(AUTOSCALE, "properties.enabled", None)),
    ),
    Case(
        "autoscale settings not collected",
        "REL012",
        ("not_assessed",),
        drop_type(AUTOSCALE),
        drop_types=(AUTOSCALE,),
        contains="not collected",
    ),
    Case(
        "autoscale settings could not be listed",
        "REL012",
        ("not_assessed",),
        drop_type(AUTOSCALE),
        errors=subscription_list_denied(AUTOSCALE),
    ),
    Case(
        "accepted by a baseline copy",
        "REL012",
        ("pass",),
        autoscale_minimum("2"),
        params={"min_instances": 2},
    ),
]

# --- REL013: model deployments pin their version ------------------------------------------------

DEPLOYMENTS = "Microsoft.CognitiveServices/accounts/deployments"

REL013 = [
    Case("compliant", "REL013", ("pass",), contains="NoAutoUpgrade (model version"),
    Case(
        "upgrades with the default",
        "REL013",
        ("fail",),
        put(DEPLOYMENTS, "properties.versionUpgradeOption", "OnceNewDefaultVersionAvailable"),
    ),
    Case(
        "absent means the platform default",
        "REL013",
        ("fail",),
        put(DEPLOYMENTS, "properties.versionUpgradeOption", None),
        contains="absent (platform default OnceNewDefaultVersionAvailable)",
    ),
    Case(
        "deployments not collected",
        "REL013",
        ("not_assessed",),
        drop_type(DEPLOYMENTS),
        drop_types=(DEPLOYMENTS,),
    ),
]

CASES: list[Case] = (
    REL001
    + REL002
    + REL003
    + REL010
    + REL004
    + REL005
    + REL006
    + REL007
    + REL011
    + REL008
    + REL009
    + REL012
    + REL013
)


# --- data stores (Foundry): zone redundancy and instance counts of the stores, delete locks ---------

FOUNDRY = ("foundry",)
COSMOS = "Microsoft.DocumentDB/databaseAccounts"
LOCKS = "Microsoft.Authorization/locks"


def cosmos_regions(*zone_redundant: bool | None) -> Mutation:
    """The Cosmos DB account's regions, each zone-redundant or not (None: the flag absent)."""

    def mutate(res: list[Resource], variant: str) -> None:
        account = estates.find(res, COSMOS)
        first = account["properties"]["locations"][0]
        regions = []
        for i, flag in enumerate(zone_redundant):
            region = {**copy.deepcopy(first), "locationName": f"Region {i}", "failoverPriority": i}
            region.pop("isZoneRedundant")
            if flag is not None:
                region["isZoneRedundant"] = flag
            regions.append(region)
        account["properties"]["locations"] = regions

    return mutate


def drop_lock(store: str) -> Mutation:
    return lambda res, variant: [
        r for r in res if not (r["type"] == LOCKS and f"/{store}/providers/" in r["id"].lower())
    ]


def lock_on_group(level: str) -> Mutation:
    """A lock on the resource group instead of the stores themselves."""

    def mutate(res: list[Resource], variant: str) -> list[Resource]:
        kept = [r for r in res if r["type"] != LOCKS]
        kept.append(
            {
                "id": f"{estates.Ids(variant).rg}/providers/{LOCKS}/rg-lock",
                "name": "rg-lock",
                "type": LOCKS,
                "properties": {"level": level, "owners": []},
            }
        )
        return kept

    return mutate


BOTH_STORES_PASS = {"cosmos-chat-threads": "pass", "srch-chat-agents": "pass"}
BOTH_STORES_FAIL = {"cosmos-chat-threads": "fail", "srch-chat-agents": "fail"}

FOUNDRY_DATA: list[Any] = [
    # REL030: Cosmos DB zone redundancy (a recommendation in this baseline)
    Case("compliant", "REL030", ("pass",), variants=FOUNDRY, contains="isZoneRedundant true"),
    Case("as-the-reference-deploys-it", "REL030", ("fail",), variants=FOUNDRY,
         mutate=cosmos_regions(False)),
    Case("one-region-of-two", "REL030", ("fail",), variants=FOUNDRY, mutate=cosmos_regions(True, False)),
    Case("flag-absent", "REL030", ("fail",), variants=FOUNDRY, mutate=cosmos_regions(None),
         contains="absent"),
    Case("regions-unknown", "REL030", ("not_assessed",), variants=FOUNDRY,
         mutate=put(COSMOS, "properties.locations", None)),
    Case("cosmos-not-collected", "REL030", ("not_assessed",), variants=FOUNDRY,
         mutate=drop_type(COSMOS), drop_types=(COSMOS,)),
    # REL031: delete locks on the stores (by resource: the agent's storage is judged once its role is
    # inferred from the capability host)
    ByResource("compliant", "REL031", BOTH_STORES_PASS, variants=FOUNDRY, contains="CanNotDelete"),
    ByResource("search-lock-removed", "REL031", {"srch-chat-agents": "fail"}, variants=FOUNDRY,
               mutate=drop_lock("srch-chat-agents"), contains="no CanNotDelete or ReadOnly lock"),
    ByResource("read-only-group-lock", "REL031", BOTH_STORES_PASS, variants=FOUNDRY,
               mutate=lock_on_group("ReadOnly"), contains="rg-lock"),
    ByResource("lock-without-level", "REL031", {**BOTH_STORES_FAIL, "stagentchat": "fail"}, variants=FOUNDRY,
               mutate=chain(lock_on_group("CanNotDelete"), put(LOCKS, "properties.level", None))),
    ByResource("locks-not-collected", "REL031", {"cosmos-chat-threads": "not_assessed"},
               others="not_assessed", variants=FOUNDRY, mutate=drop_type(LOCKS), drop_types=(LOCKS,)),
    ByResource("locks-denied", "REL031", {"srch-chat-agents": "not_assessed"}, variants=FOUNDRY,
               mutate=drop_lock("srch-chat-agents"), errors=subscription_list_denied(LOCKS)),
    # The shared rules on the Foundry stores
    Case("search-one-replica", "REL005", ("fail",), variants=FOUNDRY,
         mutate=put(SEARCH, "properties.replicaCount", 1)),
    Case("agent-storage-lrs", "REL009", ("fail", "pass"), variants=FOUNDRY,
         mutate=put(STORAGE, "sku.name", "Standard_LRS", name="stagentchat")),
]  # fmt: skip
CASES = [*CASES, *FOUNDRY_DATA]
# --- Foundry: model deployments (ffilter) -------------------------------------------------------
FOUNDRY = ("foundry",)
DEPLOYMENTS = "Microsoft.CognitiveServices/accounts/deployments"

FOUNDRY_MODEL_CASES: list[Case] = [
    Case("reference deployment", "REL050", ("pass",), variants=FOUNDRY, contains="DataZoneStandard"),
    Case(
        "global standard",
        "REL050",
        ("pass",),
        put(DEPLOYMENTS, "sku.name", "GlobalStandard"),
        variants=FOUNDRY,
    ),
    Case(
        "regional standard",
        "REL050",
        ("fail",),
        put(DEPLOYMENTS, "sku.name", "Standard"),
        variants=FOUNDRY,
        contains="a regional deployment",
    ),
    Case(
        "regional allowed by a baseline copy",
        "REL050",
        ("pass",),
        put(DEPLOYMENTS, "sku.name", "Standard"),
        params={"allowed_skus": ["Standard", "DataZoneStandard"]},
        variants=FOUNDRY,
    ),
    Case("sku absent", "REL050", ("not_assessed",), put(DEPLOYMENTS, "sku", None), variants=FOUNDRY),
    Case(
        "deployments not collected",
        "REL050",
        ("not_assessed",),
        drop_type(DEPLOYMENTS),
        drop_types=(DEPLOYMENTS,),
        variants=FOUNDRY,
    ),
    Case("reference capacity", "REL051", ("pass",), variants=FOUNDRY, contains="sku.capacity is 50"),
    Case("capacity 10", "REL051", ("fail",), put(DEPLOYMENTS, "sku.capacity", 10), variants=FOUNDRY),
    Case(
        "capacity 10 accepted by a baseline copy",
        "REL051",
        ("pass",),
        put(DEPLOYMENTS, "sku.capacity", 10),
        params={"min_capacity": 10},
        variants=FOUNDRY,
    ),
    Case(
        "capacity absent",
        "REL051",
        ("not_assessed",),
        put(DEPLOYMENTS, "sku.capacity", None),
        variants=FOUNDRY,
    ),
    Case("pinned as the reference", "REL013", ("pass",), variants=FOUNDRY),
    Case(
        "auto-upgraded",
        "REL013",
        ("fail",),
        put(DEPLOYMENTS, "properties.versionUpgradeOption", "OnceCurrentVersionExpired"),
        variants=FOUNDRY,
    ),
    Case(
        "deployments not collected",
        "REL013",
        ("not_assessed",),
        drop_type(DEPLOYMENTS),
        drop_types=(DEPLOYMENTS,),
        variants=FOUNDRY,
    ),
]
CASES += FOUNDRY_MODEL_CASES

FOUNDRY_HOUSE_CASES: list[Case] = [
    Case("client affinity off", "REL052", ("pass",), variants=FOUNDRY, contains="is false"),
    Case(
        "client affinity on",
        "REL052",
        ("fail",),
        put(SITES, "properties.clientAffinityEnabled", True),
        variants=FOUNDRY,
    ),
    Case(
        "client affinity at the default",
        "REL052",
        ("fail",),
        put(SITES, "properties.clientAffinityEnabled", None),
        variants=FOUNDRY,
        contains="platform default true",
    ),
    Case(
        "web apps not collected",
        "REL052",
        ("not_assessed",),
        drop_type(SITES),
        drop_types=(SITES,),
        variants=FOUNDRY,
    ),
]
CASES += FOUNDRY_HOUSE_CASES
# --- Foundry account and project (fcore) ---------------------------------------------------
FOUNDRY_CORE_RULES = ("REL020",)  # their cases: tests/cases/foundry_core.py
CASES += foundry_core.RELIABILITY
