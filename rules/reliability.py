"""Rules of the reliability family: enough instances, spread across availability zones.

The architecture keeps the App Service baseline's zone redundancy for the chat UI and the
prompt-flow host, asks for at least three online-deployment instances, AI Search at Standard
or higher with three or more replicas, and zone-redundant gateway, registry and storage
(Microsoft Learn, "Baseline OpenAI end-to-end chat reference architecture", section "Reliability";
reference implementation:
https://github.com/Azure-Samples/openai-end-to-end-baseline/tree/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50,
https://github.com/Azure-Samples/openai-end-to-end-baseline/tree/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2,
and for AI Search
https://github.com/Azure-Samples/microsoft-foundry-baseline/tree/1d6dd6815011d88ebfbe2acec65fb2ba3455c804).

ARM cannot tell whether a region offers availability zones: a zone setting that fails in a
region without zones is a reason to move the workload, not a false finding, and each
remediation says so.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from auditor.analysis.architecture import (
    AGENT_FILE_STORE,
    APP_STORAGE,
    CHAT_UI,
    ONLINE_ENDPOINT,
    PROMPTFLOW_APP,
    WORKSPACE_STORAGE,
)
from auditor.analysis.coverage import unread
from auditor.analysis.public_ips import attached_owner
from auditor.analysis.values import shown
from auditor.analysis.verdicts import must_be_true, not_assessed, verdict
from auditor.arm import ids, types
from auditor.arm.estate import dig, same, web_apps
from auditor.arm.types import Resource
from auditor.engine.params import AtLeast
from auditor.engine.registry import Context, rule
from auditor.engine.sources import app_service_baseline, article, foundry_article, implementation
from auditor.model import Reference, Result

PLANS = types.SERVER_FARMS
SITES = types.WEB_SITES
ENDPOINTS = types.ML_ONLINE_ENDPOINTS
ONLINE_DEPLOYMENTS = types.ML_ONLINE_DEPLOYMENTS
SEARCH = types.SEARCH_SERVICES
REGISTRIES = types.CONTAINER_REGISTRIES
GATEWAYS = types.APPLICATION_GATEWAYS
STORAGE = types.STORAGE_ACCOUNTS

NO_ZONES_NOTE = """If the region has no availability zones (ARM does not say), zone redundancy is
impossible there: deploy the workload to a region with availability zones."""

SEARCH_SKUS = ("standard", "standard2", "standard3", "storage_optimized_l1", "storage_optimized_l2")
ZONE_REDUNDANT_STORAGE = ("Standard_ZRS", "Standard_GZRS", "Standard_RAGZRS", "Premium_ZRS")


Count = Annotated[int, AtLeast(1)]


@dataclass(frozen=True)
class InstanceParams:
    """REL002, REL003: the fewest instances accepted."""

    min_instances: Count = 3


@dataclass(frozen=True)
class ReplicaParams:
    """REL005: the fewest search replicas accepted."""

    min_replicas: Count = 3


@dataclass(frozen=True)
class ZoneParams:
    """REL007, REL011: the fewest availability zones accepted."""

    min_zones: Count = 3


@dataclass(frozen=True)
class CapacityParams:
    """REL008: the fewest gateway instances accepted."""

    min_capacity: Count = 2


@dataclass(frozen=True)
class SearchSkuParams:
    """REL004: the search SKUs accepted."""

    allowed_skus: tuple[str, ...] = SEARCH_SKUS


@dataclass(frozen=True)
class StorageSkuParams:
    """REL009: the storage SKUs accepted (zone-redundant ones)."""

    allowed_skus: tuple[str, ...] = ZONE_REDUNDANT_STORAGE


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# --- App Service plan ------------------------------------------------------------


def architecture_plans(ctx: Context) -> Iterator[Resource | Result]:
    """The plans hosting the chat UI or prompt-flow web apps; every plan when no such app was recognised.

    Yields not-assessed results where plans could not be listed.
    """
    estate = ctx.estate
    yield from unread(estate, PLANS, "App Service plans")
    hosting: dict[str, list[str]] = {}
    for role in (CHAT_UI, PROMPTFLOW_APP):
        for site in ctx.roles.resources(role):
            plan_id = dig(site, "properties.serverFarmId")
            if isinstance(plan_id, str):
                hosting.setdefault(ids.norm(plan_id), []).append(str(site.get("name")))
    plans = estate.of_type(PLANS)
    if hosting:
        plans = [p for p in plans if ids.norm(p["id"]) in hosting]
    yield from plans


@rule(
    id="REL001",
    name="app-service-plan-zone-redundant",
    control="reliability",
    severity="high",
    title="The App Service plan of the chat UI and prompt flow is zone-redundant",
    rationale="""The chat UI follows the App Service baseline's zone-redundant web app (Microsoft Learn,
    "Baseline highly available zone-redundant web application", its "App Service" guidance), and the
    prompt-flow container runs on the same plan "spread across availability zones" (Microsoft Learn,
    "Baseline OpenAI end-to-end chat reference architecture", section "Reliability", subsection
    "Zonal redundancy for flow deployments"; the AI Studio hub edition keeps this zone redundancy
    for flow deployments); the reference sets properties.zoneRedundant: true on the plan (reference
    implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/webapp.bicep#L133-L146,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/webapp.bicep#L125).""",
    references=[
        article("Reliability"),
        article("Zonal redundancy for flow deployments"),
        app_service_baseline("App Service"),
        implementation("hub", "infra-as-code/bicep/webapp.bicep", 133, 146),
        implementation("aml", "infra-as-code/bicep/webapp.bicep", 125),
    ],
    remediation="""Zone redundancy is set when the plan is created: create a Premium v3 plan with
    az appservice plan create -g <rg> -n <plan> --sku P1V3 --is-linux --zone-redundant --number-of-workers 3
    (Bicep: properties.zoneRedundant: true) and move the web apps to it; a plan whose scale unit
    supports it can be switched with az appservice plan update -g <rg> -n <plan> --set zoneRedundant=true. """
    + NO_ZONES_NOTE,
)
def plan_zone_redundant(ctx: Context) -> Iterator[Result]:
    """Each App Service plan that hosts the chat UI or prompt-flow web app (every plan if no such app
    was recognised) has `properties.zoneRedundant: true`; absent means false."""
    for item in architecture_plans(ctx):
        if isinstance(item, Result):
            yield item
            continue
        yield must_be_true(item, "properties.zoneRedundant", "false")


@rule(
    id="REL002",
    name="app-service-plan-instances",
    control="reliability",
    severity="medium",
    title="The App Service plan of the chat UI and prompt flow runs at least three instances",
    rationale="""The prompt-flow web app shares the chat UI's plan, which "already runs at a minimum of
    three instances, spread across availability zones" (Microsoft Learn, "Baseline OpenAI end-to-end
    chat reference architecture", section "Reliability", in both the Machine Learning workspace and
    the AI Studio hub editions); the reference sets sku.capacity: 3 with autoscale minimum 3
    (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/webapp.bicep#L133-L146,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/webapp.bicep#L291-L332).""",
    references=[
        article("Reliability"),
        implementation("hub", "infra-as-code/bicep/webapp.bicep", 133, 146),
        implementation("hub", "infra-as-code/bicep/webapp.bicep", 291, 332),
    ],
    remediation="""az appservice plan update -g <rg> -n <plan> --number-of-workers 3 (Bicep:
    sku.capacity: 3), and keep an autoscale setting's minimum at 3 or more.""",
    params=InstanceParams,
)
def plan_instances(ctx: Context) -> Iterator[Result]:
    """Each plan of REL001's selection has `sku.capacity` and `properties.numberOfWorkers` (those
    present; the smaller counts) of at least `min_instances`."""
    wanted = ctx.params.min_instances
    for item in architecture_plans(ctx):
        if isinstance(item, Result):
            yield item
            continue
        counts = {
            "sku.capacity": _int(dig(item, "sku.capacity")),
            "properties.numberOfWorkers": _int(dig(item, "properties.numberOfWorkers")),
        }
        present = {k: v for k, v in counts.items() if v is not None}
        if not present:
            yield not_assessed(
                item, "the plan reports neither sku.capacity nor properties.numberOfWorkers", wanted
            )
            continue
        lowest = min(present.values())
        shown = ", ".join(f"{k} is {v}" for k, v in present.items())
        yield verdict(
            lowest >= wanted, item, f"{shown} (at least {wanted} required)", expected=wanted, actual=lowest
        )


# --- online deployments ----------------------------------------------------------


def _instances(deployment: Resource) -> tuple[int | None, str]:
    """The guaranteed instance count of an online deployment and how it was read."""
    scale_type = dig(deployment, "properties.scaleSettings.scaleType")
    if same(scale_type, "TargetUtilization"):
        value = _int(dig(deployment, "properties.scaleSettings.minInstances"))
        if value is None:
            # The ML REST spec's default for minInstances is 1.
            return 1, "properties.scaleSettings.minInstances is absent (default 1)"
        return value, f"properties.scaleSettings.minInstances is {value}"
    value = _int(dig(deployment, "sku.capacity"))
    return value, f"sku.capacity is {value if value is not None else 'absent'}"


def _idle(endpoint: Resource, deployment: Resource) -> bool:
    """A deployment the endpoint sends no live or mirrored traffic to (blue/green staging)."""
    name = str(deployment.get("name") or ids.name_of(deployment["id"])).lower()
    traffic = dig(endpoint, "properties.traffic")
    if not isinstance(traffic, dict) or not traffic:
        return False
    mirror = dig(endpoint, "properties.mirrorTraffic") or {}
    shares = {str(k).lower(): v for k, v in traffic.items()}
    mirrors = {str(k).lower(): v for k, v in mirror.items()} if isinstance(mirror, dict) else {}
    return not shares.get(name) and not mirrors.get(name)


@rule(
    id="REL003",
    name="online-deployment-instances",
    control="reliability",
    severity="medium",
    title="Managed online deployments that serve traffic run at least three instances",
    rationale="""The architecture says "no less than three instances should be deployed for an active
    production deployment" (Microsoft Learn, "Baseline OpenAI end-to-end chat reference
    architecture", section "Machine Learning - reliability"; the Korean translation of the AI Studio
    hub edition reads "three or fewer", a translation slip: the original and the other editions say
    at least three, and so does the reference's deployment step, reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/README.md#L266-L276).
    The article also advises deploying to a new deployment and shifting traffic, so a deployment
    the endpoint sends no traffic to is not checked.""",
    references=[
        article("Machine Learning - reliability"),
        implementation("hub", "README.md", 266, 276),
    ],
    remediation="""az ml online-deployment update -g <rg> -w <workspace-or-project> -e <endpoint>
    -n <deployment> --set instance_count=3 (ARM: sku.capacity: 3; with target-utilization scaling,
    properties.scaleSettings.minInstances: 3).""",
    params=InstanceParams,
)
def online_deployment_instances(ctx: Context) -> Iterator[Result]:
    """Each deployment of an online endpoint of the architecture (workspace, hub project) has at least
    `min_instances` instances: `properties.scaleSettings.minInstances` when `scaleType` is
    `TargetUtilization`, otherwise `sku.capacity`. When the endpoint's `properties.traffic` is set,
    deployments it sends 0 % of live and mirrored traffic to are skipped."""
    wanted = ctx.params.min_instances
    estate = ctx.estate
    yield from unread(estate, ENDPOINTS, "Online endpoints")
    for endpoint in ctx.roles.resources(ONLINE_ENDPOINT):
        reason = estate.gap(ONLINE_DEPLOYMENTS, endpoint["id"])
        if reason:
            yield not_assessed(endpoint, f"its deployments are unknown: {reason}", wanted)
            continue
        for deployment in estate.children(endpoint["id"], ONLINE_DEPLOYMENTS):
            if _idle(endpoint, deployment):
                continue
            count, shown = _instances(deployment)
            if count is None:
                yield not_assessed(deployment, f"{shown}: the instance count is unknown", wanted)
                continue
            yield verdict(
                count >= wanted,
                deployment,
                f"{shown} (at least {wanted} required)",
                expected=wanted,
                actual=count,
            )


@rule(
    id="REL010",
    name="online-endpoint-routes-traffic",
    control="reliability",
    severity="medium",
    title="Online endpoints route all their traffic to existing deployments",
    rationale="""The hub variant's article warns that redeploying the endpoint from infrastructure as
    code resets its traffic to 0 %, after which the deployed flow is unreachable until traffic is
    routed again (Microsoft Learn, "Baseline OpenAI end-to-end chat reference architecture", AI
    Studio hub edition, section "Reliability"). The chat UI needs the endpoint's properties.traffic
    to send 100 % to deployments that exist.""",
    references=[
        article("Reliability"),
    ],
    remediation="""az ml online-endpoint update -g <rg> -w <workspace-or-project> -n <endpoint>
    --traffic "<deployment>=100"; in Bicep, set properties.traffic on the endpoint (or leave the
    endpoint out of repeat deployments).""",
)
def endpoint_traffic(ctx: Context) -> Iterator[Result]:
    """Each online endpoint of the architecture that has deployments has `properties.traffic` whose
    shares to existing deployments add up to 100."""
    estate = ctx.estate
    yield from unread(estate, ENDPOINTS, "Online endpoints")
    for endpoint in ctx.roles.resources(ONLINE_ENDPOINT):
        reason = estate.gap(ONLINE_DEPLOYMENTS, endpoint["id"])
        if reason:
            yield not_assessed(endpoint, f"its deployments are unknown: {reason}", 100)
            continue
        names = {
            str(d.get("name") or ids.name_of(d["id"])).lower()
            for d in estate.children(endpoint["id"], ONLINE_DEPLOYMENTS)
        }
        if not names:
            continue
        traffic = dig(endpoint, "properties.traffic")
        traffic = traffic if isinstance(traffic, dict) else {}
        live = {k: v for k, v in traffic.items() if str(k).lower() in names and _int(v)}
        total = sum(v for v in live.values() if isinstance(v, int))
        dangling = sorted(k for k, v in traffic.items() if str(k).lower() not in names and _int(v))
        shown = json.dumps(traffic) if traffic else "empty"
        message = f"properties.traffic is {shown}: {total} % reaches existing deployments"
        if dangling:
            message += f"; no deployment named {', '.join(dangling)}"
        yield verdict(total == 100, endpoint, message, expected=100, actual=total)


# --- AI Search ------------------------------------------------------------------


@rule(
    id="REL004",
    name="search-tier-standard",
    control="reliability",
    severity="medium",
    title="AI Search runs at the Standard tier or higher",
    rationale="""The architecture deploys AI Search "with the Standard pricing tier or higher in a
    region that supports availability zones" (Microsoft Learn, "Baseline OpenAI end-to-end chat
    reference architecture", section "AI Search - reliability", in both the Machine Learning
    workspace and the AI Studio hub editions); Free and Basic cannot spread replicas across zones
    (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/ai-search.bicep#L62-L64).
    The ML-workspace and hub reference implementations deploy no AI Search, so the article's text
    is the source for both variants.""",
    references=[
        article("AI Search - reliability"),
        implementation("foundry", "infra-as-code/bicep/ai-search.bicep", 62, 64),
    ],
    remediation="""The tier cannot be changed in place: create a service with az search service create
    -g <rg> -n <name> --sku standard --replica-count 3 (Bicep: sku.name: 'standard') and move the
    indexes to it. """
    + NO_ZONES_NOTE,
    params=SearchSkuParams,
    resource_type=SEARCH,
    what="Search services",
)
def search_tier(ctx: Context, service: Resource) -> Result:
    """Each search service's `sku.name` is one of `allowed_skus` (standard, standard2, standard3,
    storage_optimized_l1, storage_optimized_l2), compared case-insensitively."""
    allowed = list(ctx.params.allowed_skus)
    sku = dig(service, "sku.name")
    ok = any(same(sku, s) for s in allowed)
    return verdict(ok, service, f"sku.name is {sku}", expected=allowed, actual=sku)


@rule(
    id="REL005",
    name="search-replicas",
    control="reliability",
    severity="medium",
    title="AI Search runs at least three replicas",
    rationale="""The architecture deploys "three or more replicas", which the service spreads evenly
    across availability zones (Microsoft Learn, "Baseline OpenAI end-to-end chat reference
    architecture", section "AI Search - reliability", in both the Machine Learning workspace and the
    AI Studio hub editions); three replicas are what the read/write availability SLA needs
    (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/ai-search.bicep#L70).""",
    references=[
        article("AI Search - reliability"),
        implementation("foundry", "infra-as-code/bicep/ai-search.bicep", 70),
    ],
    remediation="""az search service update -g <rg> -n <name> --replica-count 3 (Bicep:
    properties.replicaCount: 3). """
    + NO_ZONES_NOTE,
    params=ReplicaParams,
    resource_type=SEARCH,
    what="Search services",
)
def search_replicas(ctx: Context, service: Resource) -> Result:
    """Each search service's `properties.replicaCount` is at least `min_replicas`; absent means the
    service default, 1."""
    wanted = ctx.params.min_replicas
    value = _int(dig(service, "properties.replicaCount"))
    count = value if value is not None else 1
    shown = value if value is not None else "absent (default 1)"
    return verdict(
        count >= wanted,
        service,
        f"properties.replicaCount is {shown} (at least {wanted} required)",
        expected=wanted,
        actual=value,
    )


# --- Container Registry, Application Gateway, Storage ---------------------------


@rule(
    id="REL006",
    name="registry-zone-redundant",
    control="reliability",
    severity="medium",
    title="Container Registry is Premium with zone redundancy",
    rationale="""The prompt-flow web apps pull their container image from the registry whenever an
    instance starts in any zone (Microsoft Learn, "Baseline OpenAI end-to-end chat reference
    architecture", section "Reliability", numbered item 3); the reference uses sku Premium with
    properties.zoneRedundancy: Enabled (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/acr.bicep#L58,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/acr.bicep#L51-L53,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/acr.bicep#L71).
    Zone redundancy needs Premium.""",
    references=[
        article("Reliability"),
        implementation("aml", "infra-as-code/bicep/acr.bicep", 58),
        implementation("hub", "infra-as-code/bicep/acr.bicep", 51, 53),
        implementation("hub", "infra-as-code/bicep/acr.bicep", 71),
    ],
    remediation="""Zone redundancy is set when the registry is created: az acr create -g <rg> -n <name>
    --sku Premium --zone-redundancy enabled (Bicep: sku.name: 'Premium',
    properties.zoneRedundancy: 'Enabled'), then import the images (az acr import). """
    + NO_ZONES_NOTE,
    resource_type=REGISTRIES,
    what="Container registries",
)
def registry_zone_redundant(ctx: Context, registry: Resource) -> Result:
    """Each container registry has `sku.name: Premium` and `properties.zoneRedundancy: Enabled`
    (absent means Disabled)."""
    sku = dig(registry, "sku.name")
    raw = dig(registry, "properties.zoneRedundancy")
    zr = raw or "Disabled"
    ok = same(sku, "Premium") and same(zr, "Enabled")
    return verdict(
        ok,
        registry,
        f"sku.name is {sku}, properties.zoneRedundancy is {raw or 'absent (Disabled)'}",
        expected={"sku.name": "Premium", "properties.zoneRedundancy": "Enabled"},
        actual={"sku.name": sku, "properties.zoneRedundancy": zr},
    )


@rule(
    id="REL007",
    name="app-gateway-zones",
    control="reliability",
    severity="high",
    title="Application Gateway spans availability zones",
    rationale="""The gateway is the only way into the chat UI and distributes incoming traffic across
    availability zones (Microsoft Learn, "Baseline OpenAI end-to-end chat reference architecture",
    AI Studio hub edition, section "Components", Application Gateway; the App Service baseline the
    chat tier follows); the reference deploys it in zones 1, 2 and 3 (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/gateway.bicep#L124,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/gateway.bicep#L140,
    pickZones giving all three zones where the region has them).""",
    references=[
        article("Components"),
        implementation("aml", "infra-as-code/bicep/gateway.bicep", 124),
        implementation("hub", "infra-as-code/bicep/gateway.bicep", 140),
    ],
    remediation="""Zones are fixed when the gateway is created: recreate it (and its Standard public IP)
    with az network application-gateway create ... --zones 1 2 3 (Bicep: zones: ['1', '2', '3']). """
    + NO_ZONES_NOTE,
    params=ZoneParams,
    resource_type=GATEWAYS,
    what="Application gateways",
)
def gateway_zones(ctx: Context, gateway: Resource) -> Result:
    """Each Application Gateway's top-level `zones` holds at least `min_zones` distinct zones (3: zones
    1, 2 and 3; a team may accept 2)."""
    wanted = ctx.params.min_zones
    zones = gateway.get("zones")
    distinct = sorted({str(z) for z in zones}) if isinstance(zones, list) else []
    return verdict(
        len(distinct) >= wanted,
        gateway,
        f"zones is {json.dumps(distinct) if distinct else 'absent (no zone)'}"
        f" (at least {wanted} distinct zones required)",
        expected=f"{wanted} or more zones",
        actual=distinct,
    )


EDGE = {GATEWAYS.lower(): "Application Gateway", types.BASTION_HOSTS.lower(): "Azure Bastion"}


@rule(
    id="REL011",
    name="edge-public-ip-zone-redundant",
    control="reliability",
    severity="medium",
    title="The Application Gateway and Bastion public IP addresses are Standard and zone-redundant",
    rationale="""The gateway's frontend, and with it the chat UI, is only as available as its public IP
    address: a zone-redundant gateway (REL007) behind a non-zonal or Basic address still goes down with
    one zone (Microsoft Learn, "Baseline OpenAI end-to-end chat reference architecture", section
    "Reliability"). The reference creates the gateway's and Bastion's public IPs as Standard SKU, static, in
    zones 1, 2 and 3 (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/gateway.bicep#L92-L107,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/jumpbox.bicep#L60).
    A Basic address cannot be zonal at all.""",
    references=[
        article("Reliability"),
        implementation("hub", "infra-as-code/bicep/gateway.bicep", 92, 107),
        implementation("hub", "infra-as-code/bicep/jumpbox.bicep", 60),
    ],
    remediation="""The zones of an address are fixed when it is created, so a Basic or non-zonal
    address is replaced: create one with
    az network public-ip create -g <rg> -n <name> --sku Standard --tier Regional --allocation-method Static
    --zone 1 2 3 (Bicep: sku: {name: 'Standard', tier: 'Regional'}, zones: ['1', '2', '3'],
    properties.publicIPAllocationMethod: 'Static') and redeploy the gateway (frontendIPConfigurations)
    or the Bastion host (ipConfigurations) with it. """
    + NO_ZONES_NOTE,
    params=ZoneParams,
    resource_type=types.PUBLIC_IP_ADDRESSES,
    what="Public IP addresses",
)
def edge_public_ip_zones(ctx: Context, pip: Resource) -> Result | None:
    """Each public IP address attached (`properties.ipConfiguration.id`) to an Application Gateway or
    a Bastion host has `sku.name: Standard` and a top-level `zones` holding at least `min_zones`
    distinct zones (absent means no zone). An absent `sku.name` is not assessed. Addresses attached to
    anything else are PUB023's concern."""
    wanted = ctx.params.min_zones
    expected = {"sku.name": "Standard", "zones": f"{wanted} or more zones"}
    owner = attached_owner(pip)
    role = EDGE.get(owner[1].lower()) if owner else None
    if owner is None or role is None:
        return None
    of = f"{role} {ids.name_of(owner[0])}'s address"
    sku = dig(pip, "sku.name")
    if not isinstance(sku, str) or not sku:
        return not_assessed(pip, f"{of}: sku.name is absent, so its SKU is unknown", expected)
    zones = pip.get("zones")
    distinct = sorted({str(z) for z in zones}) if isinstance(zones, list) else []
    return verdict(
        same(sku, "Standard") and len(distinct) >= wanted,
        pip,
        f"{of}: sku.name is {sku}, zones is {json.dumps(distinct) if distinct else 'absent (no zone)'}"
        f" (Standard and at least {wanted} distinct zones required)",
        expected=expected,
        actual={"sku.name": sku, "zones": distinct},
    )


@rule(
    id="REL008",
    name="app-gateway-min-capacity",
    control="reliability",
    severity="medium",
    title="Application Gateway keeps at least two instances",
    rationale="""With one instance a zone or instance failure takes the chat UI offline, and the
    architecture spreads enough instances of each service across availability zones (Microsoft
    Learn, "Baseline OpenAI end-to-end chat reference architecture", section "Reliability"); the reference
    autoscales WAF_v2 between 2 and 5 instances (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/gateway.bicep#L288-L291;
    the ML-workspace reference used 3 outside dev, reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/gateway.bicep#L273-L274,
    which a team can require with params.min_capacity).""",
    references=[
        article("Reliability"),
        implementation("hub", "infra-as-code/bicep/gateway.bicep", 288, 291),
        implementation("aml", "infra-as-code/bicep/gateway.bicep", 273, 274),
    ],
    remediation="""az network application-gateway update -g <rg> -n <name>
    --set autoscaleConfiguration.minCapacity=2 (Bicep: properties.autoscaleConfiguration:
    {minCapacity: 2, maxCapacity: 5}); without autoscale, set properties.sku.capacity to 2 or more.""",
    params=CapacityParams,
    resource_type=GATEWAYS,
    what="Application gateways",
)
def gateway_capacity(ctx: Context, gateway: Resource) -> Result:
    """Each Application Gateway has `properties.autoscaleConfiguration.minCapacity` of at least
    `min_capacity`, or, without autoscale, a fixed `properties.sku.capacity` of at least that."""
    wanted = ctx.params.min_capacity
    autoscale = dig(gateway, "properties.autoscaleConfiguration")
    if isinstance(autoscale, dict):
        where, value = (
            "properties.autoscaleConfiguration.minCapacity",
            _int(dig(autoscale, "minCapacity")),
        )
    else:
        where, value = (
            "properties.sku.capacity (no autoscale)",
            _int(dig(gateway, "properties.sku.capacity")),
        )
    if value is None:
        return not_assessed(gateway, f"{where} is absent: the instance minimum is unknown", wanted)
    return verdict(
        value >= wanted,
        gateway,
        f"{where} is {value} (at least {wanted} required)",
        expected=wanted,
        actual=value,
    )


@rule(
    id="REL009",
    name="storage-zone-redundant",
    control="reliability",
    severity="medium",
    title="Storage accounts are zone-redundant (ZRS or better)",
    rationale="""The workspace/hub storage and the chat UI's deployment storage stay available through
    a zone failure (Microsoft Learn, "Baseline OpenAI end-to-end chat reference architecture",
    section "Reliability"); the reference uses Standard_ZRS for both (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/storage.bicep#L55-L57,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/storage.bicep#L175-L177).
    LRS keeps one zone's copies, and GRS/RA-GRS replicate to another region but hold only LRS copies
    in the primary one, so neither is zone-redundant.""",
    references=[
        article("Reliability"),
        implementation("hub", "infra-as-code/bicep/storage.bicep", 55, 57),
        implementation("hub", "infra-as-code/bicep/storage.bicep", 175, 177),
    ],
    remediation="""Convert the account in place with az storage account migration start -g <rg>
    --account-name <name> --sku Standard_ZRS (Standard_GZRS from GRS), or the portal's Redundancy
    blade; new accounts: Bicep sku.name: 'Standard_ZRS'. """
    + NO_ZONES_NOTE,
    params=StorageSkuParams,
)
def storage_zone_redundant(ctx: Context) -> Iterator[Result]:
    """Each storage account of the architecture (workspace/hub storage, the agent's file store and the
    other accounts in scope) has `sku.name` in `allowed_skus`: Standard_ZRS, Standard_GZRS,
    Standard_RAGZRS, Premium_ZRS."""
    allowed = list(ctx.params.allowed_skus)
    yield from unread(ctx.estate, STORAGE, "Storage accounts")
    seen: set[str] = set()
    for role in (WORKSPACE_STORAGE, AGENT_FILE_STORE, APP_STORAGE):
        for account in ctx.roles.resources(role):
            if ids.norm(account["id"]) in seen:
                continue
            seen.add(ids.norm(account["id"]))
            sku = dig(account, "sku.name")
            ok = any(same(sku, s) for s in allowed)
            yield verdict(ok, account, f"sku.name is {sku}", expected=allowed, actual=sku)


# --- autoscale: the instance count that actually applies ------------------------------------

AUTOSCALE = types.AUTOSCALE_SETTINGS


def _capacity(value: Any) -> int | None:
    """An autoscale capacity: ARM writes it as a string of digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _profile_minimums(setting: Resource) -> tuple[list[tuple[str, int]], list[str]]:
    """(profile name, minimum) for every profile, and the profiles whose minimum cannot be read."""
    found, unreadable = [], []
    for index, profile in enumerate(dig(setting, "properties.profiles") or []):
        name = str(dig(profile, "name") or f"profile {index + 1}")
        minimum = _capacity(dig(profile, "capacity.minimum"))
        if minimum is None:
            unreadable.append(name)
        else:
            found.append((name, minimum))
    return found, unreadable


@rule(
    id="REL012",
    name="app-service-plan-autoscale-minimum",
    control="reliability",
    severity="medium",
    title="An autoscale setting on the App Service plan never scales it below three instances",
    rationale="""Once an enabled autoscale setting targets the plan, its profiles' minimum, not the
    plan's sku.capacity, decides how few instances run; a minimum below three undoes the plan's
    "minimum of three instances, spread across availability zones" (Microsoft Learn, "Baseline OpenAI
    end-to-end chat reference architecture", section "Zonal redundancy for flow deployments").
    Both references deploy Microsoft.Insights/autoscalesettings on the plan with capacity minimum 3,
    default 3, maximum 5.
    The reference implementation sets it in webapp.bicep:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/webapp.bicep#L291-L332.""",
    remediation="""az monitor autoscale update -g <rg> -n <setting> --min-count 3 --count 3 (every
    profile: az monitor autoscale profile ...); in Bicep every
    properties.profiles[].capacity.minimum: '3'.""",
    params=InstanceParams,
    references=[
        article("Zonal redundancy for flow deployments"),
        implementation("hub", "infra-as-code/bicep/webapp.bicep", 291, 332),
    ],
    since="0.2.0",
    status="preview",
)
def plan_autoscale_minimum(ctx: Context) -> Iterator[Result]:
    """For each plan of REL001's selection, every autoscale setting whose
    `properties.targetResourceUri` is the plan: when `properties.enabled` is false it does not apply
    (pass, REL002 judges the plan's own count); otherwise every profile's `capacity.minimum` is at
    least `min_instances`. A plan no setting targets passes (its sku.capacity applies). Autoscale
    settings not collected, a minimum that cannot be read, or a too-low minimum on a setting that does
    not say whether it is enabled, are not assessed."""
    wanted = ctx.params.min_instances
    yield from unread(ctx.estate, AUTOSCALE, "Autoscale settings")
    if ctx.estate.gap(AUTOSCALE) is not None or AUTOSCALE.lower() not in ctx.estate.collected_types:
        return
    settings = ctx.estate.of_type(AUTOSCALE)
    for item in architecture_plans(ctx):
        if isinstance(item, Result):
            yield item
            continue
        mine = [s for s in settings if same(dig(s, "properties.targetResourceUri"), item["id"])]
        if not mine:
            yield verdict(
                True, item, "no autoscale setting targets the plan: its own instance count applies", wanted
            )
            continue
        low, unknown, fine = [], [], []
        for setting in mine:
            name = str(setting.get("name") or ids.name_of(setting["id"]))
            enabled = dig(setting, "properties.enabled")
            if enabled is False:
                fine.append(f"{name} is disabled (properties.enabled is false)")
                continue
            minimums, unreadable = _profile_minimums(setting)
            unknown += [f"{name} profile {p}: capacity.minimum unreadable" for p in unreadable]
            if not minimums and not unreadable:
                unknown.append(f"{name} has no profiles")
            for profile, minimum in minimums:
                text = f"{name} profile {profile}: capacity.minimum is {minimum}"
                if minimum >= wanted:
                    fine.append(text)
                elif enabled is None:
                    unknown.append(f"{text} and properties.enabled is absent")
                else:
                    low.append(text)
        if low:
            yield verdict(False, item, "; ".join(low) + f" (at least {wanted} required)", wanted, low)
        elif unknown:
            yield not_assessed(item, "; ".join(unknown), wanted)
        else:
            yield verdict(True, item, "; ".join(fine) + f" (at least {wanted} required)", wanted, fine)


# --- model deployments: the version does not change under the workload --------------------------


@rule(
    id="REL013",
    name="model-deployment-version-pinned",
    control="reliability",
    severity="low",
    title="Azure OpenAI model deployments pin their model version",
    rationale="""A deployment that upgrades its model when a new default version ships changes the
    chat's answers, token use and content-filter behaviour without a release of the workload. Both
    references deploy the model with versionUpgradeOption: NoAutoUpgrade (the hub reference's comment:
    "Always pin your dependencies"); the platform default, OnceNewDefaultVersionAvailable, upgrades
    it (Microsoft Learn, "Working with Azure OpenAI models").
    The reference implementation sets it in openai.bicep:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/openai.bicep#L142-L159.""",
    remediation="""az cognitiveservices account deployment create ... --model-version <version> with
    versionUpgradeOption NoAutoUpgrade (az rest PATCH of properties.versionUpgradeOption); in Bicep
    properties.versionUpgradeOption: 'NoAutoUpgrade'. Upgrade by deploying the new version next to the
    old one and moving traffic.""",
    resource_type=types.COGNITIVE_DEPLOYMENTS,
    what="Model deployments",
    references=[
        (
            'Microsoft Learn, "Working with Azure OpenAI models", section '
            '"Model deployment upgrade configuration"',
            "https://learn.microsoft.com/azure/ai-services/openai/how-to/working-with-models#model-deployment-upgrade-configuration",
        ),
        implementation("hub", "infra-as-code/bicep/openai.bicep", 142, 159),
    ],
    since="0.2.0",
    status="preview",
)
def model_version_pinned(ctx: Context, deployment: Resource) -> Result:
    """Every model deployment has `properties.versionUpgradeOption` NoAutoUpgrade (absent means the
    platform default OnceNewDefaultVersionAvailable)."""
    value = dig(deployment, "properties.versionUpgradeOption")
    version = dig(deployment, "properties.model.version")
    return verdict(
        same(value, "NoAutoUpgrade"),
        deployment,
        f"properties.versionUpgradeOption is {shown(value, 'OnceNewDefaultVersionAvailable')}"
        f" (model version {shown(version)})",
        "NoAutoUpgrade",
        value,
    )


# --- The Foundry Agent Service design: the agent's stores ------------------------------------------

COSMOS = types.COSMOS_ACCOUNTS
LOCKS = types.MANAGEMENT_LOCKS


@rule(
    id="REL030",
    name="cosmos-zone-redundant",
    control="reliability",
    severity="medium",
    title="Cosmos DB is zone-redundant in every region it runs in",
    rationale="""The agent's reliability depends on its thread store, and the article asks for zone
    redundancy in the Cosmos DB for NoSQL account (Microsoft Learn, "Baseline Microsoft Foundry chat
    reference architecture", section "Zone redundancy in your orchestration layer"). The reference turns
    it off (isZoneRedundant: false, marked as a production readiness change because some subscriptions
    lack the quota; reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/cosmos-db.bicep#L83)
    while assigning its own audit policy for it (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/azure-policies.bicep#L16-L80):
    a recommendation. Zone redundancy is set when a region is added and needs a region with
    availability zones.""",
    references=[
        foundry_article("Zone redundancy in your orchestration layer"),
        implementation("foundry", "infra-as-code/bicep/cosmos-db.bicep", 83),
        implementation("foundry", "infra-as-code/bicep/azure-policies.bicep", 16, 80),
    ],
    remediation="""Zone redundancy cannot be changed on an existing region: add a region with
    isZoneRedundant=true (az cosmosdb update -g <rg> -n <account> --locations regionName=<region>
    failoverPriority=0 isZoneRedundant=True on a new account or region) and fail over to it; in Bicep
    properties.locations[].isZoneRedundant: true.""",
    resource_type=COSMOS,
    what="Cosmos DB accounts",
    since="0.2.0",
    status="preview",
)
def cosmos_zone_redundant(ctx: Context, account: Resource) -> Result:
    """Every Cosmos DB account lists its regions in `properties.locations` and each has
    `isZoneRedundant` true (absent means false). No regions listed is not assessed."""
    regions = [r for r in dig(account, "properties.locations") or [] if isinstance(r, dict)]
    if not regions:
        return not_assessed(account, "properties.locations is absent: the regions are unknown", True)
    states = {str(r.get("locationName") or r.get("id") or "?"): r.get("isZoneRedundant") for r in regions}
    shown_states = ", ".join(f"{name}: isZoneRedundant {shown(v, 'false')}" for name, v in states.items())
    ok = all(v is True for v in states.values())
    return verdict(ok, account, shown_states, True, states)


def _lock_scopes(target_id: str) -> list[str]:
    """The scopes whose locks protect a resource: the resource, its group and its subscription."""
    scopes = [target_id]
    group = ids.resource_group_of(target_id)
    sub = ids.subscription_of(target_id)
    if sub and group:
        scopes.append(f"/subscriptions/{sub}/resourceGroups/{group}")
    if sub:
        scopes.append(f"/subscriptions/{sub}")
    return scopes


def _locks_on(ctx: Context, scope: str) -> list[Resource]:
    prefix = ids.norm(f"{scope}/providers/{LOCKS}") + "/"
    return [
        lock
        for lock in ctx.estate.of_type(LOCKS)
        if ids.norm(lock["id"]).startswith(prefix) and "/" not in ids.norm(lock["id"])[len(prefix) :]
    ]


@rule(
    id="REL031",
    name="agent-stores-delete-locked",
    control="reliability",
    severity="medium",
    title="The agent's stateful stores carry a delete lock",
    rationale="""Foundry Agent Service keeps no copy of its state: losing Cosmos DB, AI Search or the
    agent's storage account loses conversations, agent definitions and knowledge, and recovery is
    reconstruction. The article asks for a delete resource lock on each of them (Microsoft Learn,
    "Baseline Microsoft Foundry chat reference architecture", section "Disaster recovery"), and the
    reference puts CanNotDelete locks on all three (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/cosmos-db.bicep#L228-L236,
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/ai-search.bicep#L173-L180
    and https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/ai-agent-blob-storage.bicep).
    A CanNotDelete or ReadOnly lock on the resource, its resource group or the subscription
    protects it. A lock is an operational safeguard, so this is a recommendation.""",
    references=[
        foundry_article("Disaster recovery"),
        implementation("foundry", "infra-as-code/bicep/cosmos-db.bicep", 228, 236),
        implementation("foundry", "infra-as-code/bicep/ai-search.bicep", 173, 180),
        implementation("foundry", "infra-as-code/bicep/ai-agent-blob-storage.bicep"),
    ],
    remediation="""az lock create --name <store>-lock --lock-type CanNotDelete --resource <store id>; in
    Bicep a Microsoft.Authorization/locks extension resource scoped to the store with
    properties.level: 'CanNotDelete'.""",
    since="0.2.0",
    status="preview",
)
def agent_stores_locked(ctx: Context) -> Iterator[Result]:
    """Every Cosmos DB account, AI Search service and storage account in the agent's file-store role
    has a lock of level CanNotDelete or ReadOnly at its own scope, its resource group's or its
    subscription's. Not assessed when the locks could not be read."""
    yield from unread(ctx.estate, COSMOS, "Cosmos DB accounts")
    yield from unread(ctx.estate, types.SEARCH_SERVICES, "Search services")
    stores = [*ctx.estate.of_type(COSMOS), *ctx.estate.of_type(types.SEARCH_SERVICES)]
    stores += [s for s in ctx.roles.resources(AGENT_FILE_STORE) if s not in stores]
    for store in sorted(stores, key=lambda r: ids.norm(r["id"])):
        scopes = _lock_scopes(store["id"])
        locks = [lock for scope in scopes for lock in _locks_on(ctx, scope)]
        good = [lock for lock in locks if any(same(dig(lock, "properties.level"), lv) for lv in _LOCK_LEVELS)]
        names = ", ".join(f"{ids.name_of(lock['id'])} ({dig(lock, 'properties.level')})" for lock in good)
        if good:
            yield verdict(True, store, f"locked by {names}", "CanNotDelete", names)
            continue
        gap = ctx.estate.gap(LOCKS, store["id"])
        if gap:
            yield not_assessed(store, f"locks unknown: {gap}", "CanNotDelete")
        else:
            found = ", ".join(ids.name_of(lock["id"]) for lock in locks) or "none"
            yield verdict(
                False, store, f"no CanNotDelete or ReadOnly lock (locks found: {found})", "CanNotDelete"
            )


_LOCK_LEVELS = ("CanNotDelete", "ReadOnly")
# --- the Foundry design ----------------------------------------------------------------------
# Rules of the reliability family for the Foundry design: model deployments of a type that spans
# datacenters with the capacity the reference deploys, and a chat UI that spreads its users over its
# instances.
#
# Standard (regional) model deployments run in one region without availability zones; global and data
# zone deployments are served from several datacenters (Microsoft Learn, "Baseline Microsoft Foundry chat
# reference architecture", section "Reliability in Foundry model hosting"). The Foundry reference deploys
# its agent model as DataZoneStandard with capacity 50 (reference implementation:
# infra-as-code/bicep/ai-foundry.bicep).

DEPLOYMENT_TYPES = Reference(
    "Microsoft Learn, Deployment types for Microsoft Foundry Models",
    "https://learn.microsoft.com/azure/foundry/foundry-models/concepts/deployment-types",
)
# The deployment types served beyond one region's datacenters (sku.name values).
MULTI_DATACENTER_SKUS = (
    "GlobalStandard",
    "GlobalProvisionedManaged",
    "GlobalBatch",
    "DataZoneStandard",
    "DataZoneProvisionedManaged",
    "DataZoneBatch",
)


@dataclass(frozen=True)
class DeploymentSkuParams:
    """REL050: the deployment types (sku.name) accepted."""

    allowed_skus: tuple[str, ...] = MULTI_DATACENTER_SKUS


@dataclass(frozen=True)
class DeploymentCapacityParams:
    """REL051: the least capacity (thousands of tokens per minute for Standard types) accepted."""

    min_capacity: Annotated[int, AtLeast(1)] = 50


@rule(
    id="REL050",
    name="model-deployment-multi-datacenter",
    control="reliability",
    severity="medium",
    title="Model deployments use a global or data zone deployment type",
    rationale="""Standard model deployments operate in a single region without availability zones; to
    be served from more than one datacenter a deployment must be of a global or data zone type (Microsoft
    Learn, "Baseline Microsoft Foundry chat reference architecture",
    section "Reliability in Foundry model hosting"). The Foundry reference deploys its agent model
    as DataZoneStandard (reference
    implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/ai-foundry.bicep#L94-L109).""",
    remediation="""Redeploy the model with sku.name DataZoneStandard (or GlobalStandard where data
    residency allows; DataZoneProvisionedManaged with spillover for reserved throughput): az
    cognitiveservices account deployment create ... --sku-name DataZoneStandard; in Bicep the deployment's
    sku.name. The type of an existing deployment cannot be changed in place.""",
    params=DeploymentSkuParams,
    resource_type=types.COGNITIVE_DEPLOYMENTS,
    what="Model deployments",
    references=[
        foundry_article("Reliability in Foundry model hosting"),
        implementation("foundry", "infra-as-code/bicep/ai-foundry.bicep", 94, 109),
        DEPLOYMENT_TYPES,
    ],
    since="0.2.0",
    status="preview",
)
def deployment_multi_datacenter(ctx: Context, deployment: Resource) -> Result:
    """Every model deployment's `sku.name` is one of `allowed_skus` (global and data zone types); a body
    without `sku.name` is not assessed."""
    allowed = list(ctx.params.allowed_skus)
    sku = dig(deployment, "sku.name")
    if not isinstance(sku, str) or not sku:
        return not_assessed(deployment, "sku.name is absent from the deployment's body", allowed)
    ok = any(same(sku, a) for a in allowed)
    note = "" if ok else ": a regional deployment, served from one region without availability zones"
    return verdict(ok, deployment, f"sku.name is {sku}{note}", allowed, sku)


@rule(
    id="REL051",
    name="model-deployment-capacity",
    control="reliability",
    severity="low",
    title="Model deployments keep at least the reference's capacity",
    rationale="""A deployment whose capacity is below what the agent needs throttles requests (HTTP 429)
    and the chat fails under load. The Foundry reference deploys its agent model with capacity 50
    (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/ai-foundry.bicep#L94-L109);
    the
    baseline marks this rule
    recommended, since the right capacity depends on the workload's traffic and quota.""",
    remediation="""Raise the deployment's sku.capacity (az cognitiveservices account deployment create
    ... --sku-capacity 50, or the Bicep deployment's sku.capacity) within the subscription's quota;
    a team that needs less sets params.min_capacity in its baseline copy.""",
    params=DeploymentCapacityParams,
    resource_type=types.COGNITIVE_DEPLOYMENTS,
    what="Model deployments",
    references=[
        implementation("foundry", "infra-as-code/bicep/ai-foundry.bicep", 94, 109),
        DEPLOYMENT_TYPES,
    ],
    since="0.2.0",
    status="preview",
)
def deployment_capacity(ctx: Context, deployment: Resource) -> Result:
    """Every model deployment's `sku.capacity` is at least `min_capacity`; a body without it is not
    assessed."""
    least = ctx.params.min_capacity
    capacity = dig(deployment, "sku.capacity")
    if not isinstance(capacity, int) or isinstance(capacity, bool):
        return not_assessed(deployment, f"sku.capacity is {shown(capacity)}", f">= {least}")
    ok = capacity >= least
    return verdict(
        ok, deployment, f"sku.capacity is {capacity} (at least {least} expected)", f">= {least}", capacity
    )


@rule(
    id="REL052",
    name="web-app-client-affinity-off",
    control="reliability",
    severity="low",
    title="Web apps spread requests over their instances (client affinity off)",
    rationale="""The chat UI runs at least three instances across availability zones so that losing one
    loses no user (Microsoft Learn, "Baseline highly available zone-redundant web application"). With
    client affinity (ARR affinity cookies) each user sticks to one instance: the load does not spread
    and a failed instance takes its users' sessions with it. The Foundry reference turns it off
    (clientAffinityEnabled: false; reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/web-app.bicep#L186-L204).
    Absent
    means the platform default, on.""",
    remediation="""az webapp update -g <rg> -n <name> --client-affinity-enabled false; in Bicep
    properties.clientAffinityEnabled: false on Microsoft.Web/sites.""",
    resource_type=types.WEB_SITES,
    what="Web apps",
    select=lambda ctx: web_apps(ctx.estate),
    references=[
        app_service_baseline("Reliability"),
        implementation("foundry", "infra-as-code/bicep/web-app.bicep", 186, 204),
    ],
    since="0.2.0",
    status="preview",
)
def web_app_client_affinity(ctx: Context, site: Resource) -> Result:
    """Every web app has `properties.clientAffinityEnabled` false (absent means true)."""
    value = dig(site, "properties.clientAffinityEnabled")
    message = f"properties.clientAffinityEnabled is {shown(value, 'true')}"
    return verdict(value is False, site, message, False, value)
