"""Rules of the reliability family for the Foundry design: model deployments of a type that spans
datacenters with the capacity the reference deploys, and a chat UI that spreads its users over its
instances.

Standard (regional) model deployments run in one region without availability zones; global and data
zone deployments are served from several datacenters (Microsoft Learn, "Baseline Microsoft Foundry chat
reference architecture", section "Reliability in Foundry model hosting"). The Foundry reference deploys
its agent model as DataZoneStandard with capacity 50 (reference implementation:
infra-as-code/bicep/ai-foundry.bicep).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from auditor.analysis.values import shown
from auditor.analysis.verdicts import not_assessed, verdict
from auditor.arm import types
from auditor.arm.estate import dig, same
from auditor.arm.types import Resource
from auditor.engine.params import AtLeast
from auditor.engine.registry import Context, rule
from auditor.engine.sources import app_service_baseline, foundry_article, implementation
from auditor.model import Reference, Result

from .public_access_web import architecture_web_apps

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
    Learn, "Baseline Microsoft Foundry chat reference architecture", section "Reliability in Foundry model
    hosting"). The Foundry reference deploys its agent model as DataZoneStandard (reference
    implementation: infra-as-code/bicep/ai-foundry.bicep).""",
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
    (reference implementation: infra-as-code/bicep/ai-foundry.bicep); the baseline marks this rule
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
    (clientAffinityEnabled: false; reference implementation: infra-as-code/bicep/web-app.bicep). Absent
    means the platform default, on.""",
    remediation="""az webapp update -g <rg> -n <name> --client-affinity-enabled false; in Bicep
    properties.clientAffinityEnabled: false on Microsoft.Web/sites.""",
    resource_type=types.WEB_SITES,
    what="Web apps",
    select=architecture_web_apps,
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
