"""Rules of the public-access family: every PaaS service is reachable only privately.

This module holds the data services and the ML workspace; public_access_web.py the web tier
(App Service and Application Gateway).

Values compare case-insensitively (AI Search returns `disabled` in lower case). An absent
property means the platform default, which each message names; data that lives in a child
resource that was not read (a workspace's computes or online endpoints) is not assessed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Annotated, Any

from auditor.analysis.architecture import (
    AGENT_FILE_STORE,
    APP_STORAGE,
    APPGW,
    HUB,
    OPENAI,
    PROJECT,
    WORKSPACE,
    WORKSPACE_STORAGE,
)
from auditor.analysis.coverage import absent, scopes_of, unread
from auditor.analysis.foundry import account_label
from auditor.analysis.public_ips import attachment
from auditor.analysis.values import present, rank, shown
from auditor.analysis.verdicts import failed, must_be_true, not_assessed, passed, verdict
from auditor.arm import ids, types
from auditor.arm.estate import dig, display_name, same
from auditor.arm.types import Resource
from auditor.engine.params import Check, OneOf
from auditor.engine.registry import Context, rule
from auditor.engine.sources import article, foundry_article, implementation
from auditor.model import Result

WORKSPACES = types.ML_WORKSPACES
ONLINE_ENDPOINTS = types.ML_ONLINE_ENDPOINTS
COMPUTES = types.ML_COMPUTES


def network_access(
    res: Resource,
    *,
    default: str,
    acl_path: str | None = None,
    accept_firewall_deny: bool = False,
) -> Result:
    """`properties.publicNetworkAccess` Disabled and, where the resource has one, the firewall's
    default action Deny; while public network access is Disabled, Azure ignores the firewall, and so
    does the verdict (FIREWALL_BEHIND_DISABLED judges it). With `accept_firewall_deny`, a firewall
    that denies by default and lists no exception (IP, subnet or resource rule) is accepted in place
    of Disabled (the ML-workspace reference leaves Key Vault and Storage at the default
    publicNetworkAccess behind such a firewall)."""
    pna = dig(res, "properties.publicNetworkAccess")
    effective = pna if present(pna) else default
    parts = [f"properties.publicNetworkAccess is {shown(pna, default)}"]
    expected: dict[str, Any] = {"publicNetworkAccess": "Disabled"}
    actual: dict[str, Any] = {"publicNetworkAccess": pna}
    acl = None
    if acl_path:
        acl = dig(res, acl_path)
        parts.append(f"{acl_path} is {shown(acl)}")
        expected[acl_path.removeprefix("properties.")] = "Deny"
        actual[acl_path.removeprefix("properties.")] = acl
    closed = same(effective, "Disabled")
    ok = closed and (acl is None or same(acl, "Deny"))
    if closed and not ok and acl_path:
        # Azure ignores the firewall while public network access is Disabled: only private endpoints
        # (and trusted services where the service has them) get in, whatever the default action says.
        ok = True
        parts.append(f"ignored while public network access is Disabled ({FIREWALL_BEHIND_DISABLED})")
    if not ok and accept_firewall_deny and same(acl, "Deny") and not same(effective, "Disabled"):
        # The public endpoint stays open to whatever the firewall lists: IP ranges, subnets of
        # other virtual networks, resource instances. Only an empty firewall is as good as Disabled.
        firewall = acl_path.rsplit(".", 1)[0] if acl_path else None
        openings = {
            name: rules
            for name in ("ipRules", "virtualNetworkRules", "resourceAccessRules")
            if firewall and (rules := dig(res, f"{firewall}.{name}"))
        }
        if not openings:
            ok = True
            parts.append(
                "accepted: the firewall denies by default and lists no exception (accept_firewall_deny)"
            )
        else:
            listed = ", ".join(f"{len(rules)} {name}" for name, rules in openings.items())
            parts.append(f"the firewall still admits {listed}")
    return verdict(ok, res, "; ".join(parts), expected, actual)


# The recommendation that judges a firewall left open behind Disabled public network access.
FIREWALL_BEHIND_DISABLED = "PUB034"


def closed_to_public(res: Resource, acl_path: str, accept_firewall_deny: bool = False) -> Result:
    """`network_access` with the platform default Enabled (OpenAI, Key Vault, registry, storage)."""
    return network_access(
        res, default="Enabled", acl_path=acl_path, accept_firewall_deny=accept_firewall_deny
    )


def openai_accounts(ctx: Context) -> list[Resource]:
    """The Cognitive Services accounts the architecture uses as Azure OpenAI."""
    return ctx.roles.resources(OPENAI)


# --- parameters ---------------------------------------------------------------

ISOLATION_MODES = ("Disabled", "AllowInternetOutbound", "AllowOnlyApprovedOutbound")


@dataclass(frozen=True)
class IsolationParams:
    """PUB003: the managed-network isolation modes accepted."""

    allowed_isolation_modes: tuple[Annotated[str, OneOf(ISOLATION_MODES)], ...] = (
        "AllowOnlyApprovedOutbound",
    )


@dataclass(frozen=True)
class FirewallParams:
    """PUB006, PUB009: whether a firewall that denies by default and lists nothing replaces Disabled."""

    accept_firewall_deny: bool = False


@dataclass(frozen=True)
class StorageTlsParams:
    """PUB011: the lowest storage TLS version accepted."""

    minimum_tls_version: Annotated[str, OneOf(("TLS1_0", "TLS1_1", "TLS1_2", "TLS1_3"))] = "TLS1_2"


@dataclass(frozen=True)
class SharedKeyParams:
    """PUB012: the storage roles whose accounts must refuse shared keys."""

    storage_roles: tuple[Annotated[str, OneOf((APP_STORAGE, WORKSPACE_STORAGE, AGENT_FILE_STORE))], ...] = (
        APP_STORAGE,
    )


def _ml_workspaces(ctx: Context, *, projects: bool) -> list[Resource]:
    """The ML workspaces and hubs, and the projects when asked for."""
    found = [*ctx.roles.resources(WORKSPACE), *ctx.roles.resources(HUB)]
    if projects:
        found += ctx.roles.resources(PROJECT)
    return found


# --- Azure OpenAI ------------------------------------------------------------


@rule(
    id="PUB001",
    name="openai-public-network-disabled",
    control="public-access",
    severity="high",
    title="The Azure OpenAI or Foundry account has public network access disabled",
    rationale="""The prompt flow editions reach Azure OpenAI only through its private endpoint in the
    private-endpoint subnet (Microsoft Learn, "Baseline OpenAI end-to-end chat reference
    architecture", section "Flow from the Machine Learning-managed virtual network to Azure PaaS
    services": Azure OpenAI is connected through Private Link); their references set
    properties.publicNetworkAccess: Disabled and
    networkAcls.defaultAction: Deny (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/openai.bicep#L53-L55
    and https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/openai.bicep#L41-L43).
    In the Foundry edition the rule judges the Foundry account (kind AIServices), whose data plane
    is reachable only through its private endpoint (Microsoft Learn, "Baseline Microsoft Foundry chat
    reference architecture", section "Ingress to Foundry"); that reference sets the same two values
    (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/ai-foundry.bicep#L79-L82).""",
    references=[
        article("Flow from the Machine Learning-managed virtual network to Azure PaaS services"),
        implementation("aml", "infra-as-code/bicep/openai.bicep", 53, 55),
        implementation("hub", "infra-as-code/bicep/openai.bicep", 41, 43),
        foundry_article("Ingress to Foundry"),
        implementation("foundry", "infra-as-code/bicep/ai-foundry.bicep", 79, 82),
    ],
    remediation="""az resource update --ids <account id> --set properties.publicNetworkAccess=Disabled
    properties.networkAcls.defaultAction=Deny; in Bicep set properties.publicNetworkAccess:
    'Disabled' and properties.networkAcls.defaultAction: 'Deny'.""",
    resource_type=types.COGNITIVE_ACCOUNTS,
    what="Cognitive Services accounts",
    absent="Azure OpenAI or Foundry account",
    select=openai_accounts,
)
def openai_public_network(ctx: Context, account: Resource) -> Result:
    """`properties.publicNetworkAccess` is `Disabled` on every Azure OpenAI or Foundry account (absent
    means Enabled); when it is not Disabled, `properties.networkAcls.defaultAction`, where present, is
    `Deny` (Azure ignores the firewall while public access is Disabled). The message names which of
    the two the account is."""
    result = closed_to_public(account, "properties.networkAcls.defaultAction")
    return replace(result, message=f"{account_label(ctx.estate, account)}: {result.message}")


# --- Machine learning ---------------------------------------------------------


@rule(
    id="PUB002",
    name="ml-workspace-public-network-disabled",
    control="public-access",
    severity="high",
    title="ML workspace, hub and project public network access is disabled",
    rationale=""""Public access to the Machine Learning workspace is disabled" (Microsoft Learn,
    "Baseline OpenAI end-to-end chat reference architecture", section "Ingress to Machine Learning");
    users reach it through its private endpoint. The reference sets publicNetworkAccess: Disabled
    and allowPublicAccessWhenBehindVnet: false on the workspace (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/machinelearning.bicep#L293-L296)
    and on both hub and project (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/machinelearning.bicep#L151-L152
    and https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/machinelearning.bicep#L255-L256).""",
    references=[
        article("Ingress to Machine Learning"),
        implementation("aml", "infra-as-code/bicep/machinelearning.bicep", 293, 296),
        implementation("hub", "infra-as-code/bicep/machinelearning.bicep", 151, 152),
        implementation("hub", "infra-as-code/bicep/machinelearning.bicep", 255, 256),
    ],
    remediation="""az ml workspace update -g <rg> -n <name> --public-network-access Disabled, and
    az resource update --ids <workspace-id> --set properties.allowPublicAccessWhenBehindVnet=false;
    in Bicep properties.publicNetworkAccess: 'Disabled' and
    properties.allowPublicAccessWhenBehindVnet: false.""",
)
def ml_workspace_public_network(ctx: Context) -> Iterator[Result]:
    """On every ML workspace, hub and project: `properties.publicNetworkAccess` is Disabled (absent
    means Enabled) and `properties.allowPublicAccessWhenBehindVnet` is not true (absent means
    false)."""
    yield from unread(ctx.estate, WORKSPACES, "Machine learning workspaces")
    workspaces = _ml_workspaces(ctx, projects=True)
    yield from absent(ctx.estate, WORKSPACES, workspaces, "machine learning workspace or AI Studio hub")
    for ws in workspaces:
        pna = dig(ws, "properties.publicNetworkAccess")
        behind = dig(ws, "properties.allowPublicAccessWhenBehindVnet")
        ok = same(pna, "Disabled") and behind is not True
        message = (
            f"properties.publicNetworkAccess is {shown(pna, 'Enabled')}; "
            f"properties.allowPublicAccessWhenBehindVnet is {shown(behind, 'false')}"
        )
        expected = {"publicNetworkAccess": "Disabled", "allowPublicAccessWhenBehindVnet": False}
        actual = {"publicNetworkAccess": pna, "allowPublicAccessWhenBehindVnet": behind}
        yield verdict(ok, ws, message, expected, actual)


@rule(
    id="PUB003",
    name="ml-managed-network-approved-outbound",
    control="public-access",
    severity="high",
    title="The ML managed network allows only approved outbound traffic",
    rationale=""""We recommend that you configure the Machine Learning workspace for managed virtual
    network isolation that requires all outbound connections to be approved. This architecture
    follows that recommendation" (Microsoft Learn, "Baseline OpenAI end-to-end chat reference architecture",
    section "Flow from the Machine Learning-managed virtual network to Azure PaaS services";
    its AI Studio hub edition says the same of the hub). The reference sets
    properties.managedNetwork.isolationMode: AllowOnlyApprovedOutbound (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/machinelearning.bicep#L299
    and https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/machinelearning.bicep#L157);
    a project inherits the hub's managed network.""",
    references=[
        article("Flow from the Machine Learning-managed virtual network to Azure PaaS services"),
        implementation("aml", "infra-as-code/bicep/machinelearning.bicep", 299),
        implementation("hub", "infra-as-code/bicep/machinelearning.bicep", 157),
    ],
    remediation="""az ml workspace update -g <rg> -n <name> --managed-network allow_only_approved_outbound;
    in Bicep properties.managedNetwork.isolationMode: 'AllowOnlyApprovedOutbound'.""",
    params=IsolationParams,
)
def ml_managed_network(ctx: Context) -> Iterator[Result]:
    """On every ML workspace and hub, `properties.managedNetwork.isolationMode` is one of
    `allowed_isolation_modes` (absent means Disabled: no managed network isolation)."""
    yield from unread(ctx.estate, WORKSPACES, "Machine learning workspaces")
    allowed = list(ctx.params.allowed_isolation_modes)
    for ws in _ml_workspaces(ctx, projects=False):
        mode = dig(ws, "properties.managedNetwork.isolationMode")
        ok = any(same(mode, m) for m in allowed)
        message = f"properties.managedNetwork.isolationMode is {shown(mode, 'Disabled')}"
        yield verdict(ok, ws, message, allowed, mode)


def _children_or_gap(
    ctx: Context, child_type: str, what: str
) -> Iterator[tuple[Resource, list[Resource] | None, str]]:
    """Each workspace with its children of a type, or None and the reason when they were not read."""
    for ws in _ml_workspaces(ctx, projects=True):
        children = ctx.estate.children(ws["id"], child_type)
        gap = ctx.estate.gap(child_type, ws["id"])
        if not children and gap:
            yield ws, None, f"{what} of {display_name(ws)} unknown: {gap}"
        else:
            yield ws, children, ""


@rule(
    id="PUB004",
    name="online-endpoint-public-network-disabled",
    control="public-access",
    severity="high",
    title="Managed online endpoints do not accept public traffic",
    rationale="""The chat UI calls the prompt flow's managed online endpoint through the workspace's
    private endpoint; "the endpoint needs to be updated to turn off public access" when prompt flow
    creates it (Microsoft Learn, "Baseline OpenAI end-to-end chat reference architecture", section
    "Ephemeral components"). The reference sets properties.publicNetworkAccess: Disabled
    (reference implementation: https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/machinelearning.bicep#L342
    and https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/machinelearning.bicep#L273).""",
    references=[
        article("Ephemeral components"),
        implementation("aml", "infra-as-code/bicep/machinelearning.bicep", 342),
        implementation("hub", "infra-as-code/bicep/machinelearning.bicep", 273),
    ],
    remediation="""az ml online-endpoint update -g <rg> -w <workspace-or-project> -n <endpoint>
    --set public_network_access=disabled; in Bicep properties.publicNetworkAccess: 'Disabled'.""",
)
def online_endpoint_public_network(ctx: Context) -> Iterator[Result]:
    """Every managed online endpoint under a workspace or project has `properties.publicNetworkAccess`
    Disabled (absent means Enabled). Not assessed, per workspace, when its online endpoints could not
    be read."""
    yield from unread(ctx.estate, WORKSPACES, "Machine learning workspaces")
    for ws, endpoints, reason in _children_or_gap(ctx, ONLINE_ENDPOINTS, "online endpoints"):
        if endpoints is None:
            yield not_assessed(ws, reason, "Disabled")
            continue
        for ep in endpoints:
            yield network_access(ep, default="Enabled")


@rule(
    id="PUB005",
    name="compute-instance-no-public-ip-or-ssh",
    control="public-access",
    severity="high",
    title="Compute instances have no public IP and no public SSH",
    rationale="""Flow authoring happens from the jump box through the workspace's private endpoint
    (Microsoft Learn, "Baseline OpenAI end-to-end chat reference architecture",
    section "Ingress to Machine Learning"); the reference's compute instance has
    properties.enableNodePublicIp: false and sshSettings.sshPublicAccess: Disabled (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/machinelearning.bicep#L353-L388).
    The hub variant has no compute instance (serverless sessions), so the rule only speaks when one
    exists there.""",
    references=[
        article("Ingress to Machine Learning"),
        implementation("aml", "infra-as-code/bicep/machinelearning.bicep", 353, 388),
    ],
    remediation="""Compute instance network settings cannot be changed in place: recreate it with
    az ml compute create -g <rg> -w <workspace> -n <name> --type ComputeInstance
    --enable-node-public-ip false --ssh-public-access-enabled false; in Bicep
    properties.properties.enableNodePublicIp: false and
    properties.properties.sshSettings.sshPublicAccess: 'Disabled'.""",
)
def compute_instance_private(ctx: Context) -> Iterator[Result]:
    """Every compute of computeType ComputeInstance has `properties.properties.enableNodePublicIp`
    false (absent means true) and `properties.properties.sshSettings.sshPublicAccess` Disabled (absent
    means Disabled). Not assessed, per workspace, when its computes could not be read."""
    yield from unread(ctx.estate, WORKSPACES, "Machine learning workspaces")
    for ws, computes, reason in _children_or_gap(ctx, COMPUTES, "compute instances"):
        if computes is None:
            yield not_assessed(ws, reason)
            continue
        for comp in computes:
            if not same(dig(comp, "properties.computeType"), "ComputeInstance"):
                continue
            public_ip = dig(comp, "properties.properties.enableNodePublicIp")
            ssh = dig(comp, "properties.properties.sshSettings.sshPublicAccess")
            ok = public_ip is False and (not present(ssh) or same(ssh, "Disabled"))
            message = (
                f"properties.properties.enableNodePublicIp is {shown(public_ip, 'true')}; "
                f"properties.properties.sshSettings.sshPublicAccess is {shown(ssh, 'Disabled')}"
            )
            expected = {"enableNodePublicIp": False, "sshPublicAccess": "Disabled"}
            yield verdict(
                ok, comp, message, expected, {"enableNodePublicIp": public_ip, "sshPublicAccess": ssh}
            )


# --- Key Vault, Container Registry, Storage, AI Search --------------------------


@rule(
    id="PUB006",
    name="key-vault-public-network-disabled",
    control="public-access",
    severity="high",
    title="Key Vault public network access is disabled",
    rationale="""Key Vault is reached over its private endpoint (Microsoft Learn,
    "Baseline OpenAI end-to-end chat reference architecture",
    section "Flow from the Machine Learning-managed virtual network to Azure PaaS services":
    connections to Key Vault go through private link). The hub reference sets publicNetworkAccess:
    Disabled and networkAcls.defaultAction: Deny (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/keyvault.bicep#L52
    and https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/keyvault.bicep#L57);
    the ML-workspace reference only sets the firewall to Deny (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/keyvault.bicep#L56),
    which the aml baseline accepts through accept_firewall_deny.""",
    references=[
        article("Flow from the Machine Learning-managed virtual network to Azure PaaS services"),
        implementation("hub", "infra-as-code/bicep/keyvault.bicep", 52),
        implementation("hub", "infra-as-code/bicep/keyvault.bicep", 57),
        implementation("aml", "infra-as-code/bicep/keyvault.bicep", 56),
    ],
    remediation="""az keyvault update -g <rg> -n <name> --public-network-access Disabled
    --default-action Deny; in Bicep properties.publicNetworkAccess: 'Disabled' and
    properties.networkAcls.defaultAction: 'Deny'.""",
    params=FirewallParams,
    resource_type=types.KEY_VAULTS,
    what="Key vaults",
    absent="Key Vault",
)
def key_vault_public_network(ctx: Context, vault: Resource) -> Result:
    """Every Key Vault has `properties.publicNetworkAccess` Disabled (absent means Enabled; Azure then
    ignores the firewall) or, when it is not, `properties.networkAcls.defaultAction` Deny too; with
    `accept_firewall_deny`, Deny with no
    `networkAcls` exceptions (ipRules, virtualNetworkRules, resourceAccessRules) suffices."""
    return closed_to_public(vault, "properties.networkAcls.defaultAction", ctx.params.accept_firewall_deny)


@rule(
    id="PUB007",
    name="container-registry-public-network-disabled",
    control="public-access",
    severity="high",
    title="Container Registry public network access is disabled",
    rationale="""Images are pulled over the registry's private endpoint (Microsoft Learn,
    "Baseline OpenAI end-to-end chat reference architecture",
    section "Flow from the Machine Learning-managed virtual network to Azure PaaS services":
    Container Registry connects through private link). The reference sets publicNetworkAccess:
    Disabled and networkRuleSet.defaultAction: Deny (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/acr.bicep#L54-L57,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/acr.bicep#L59
    and https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/acr.bicep#L70).""",
    references=[
        article("Flow from the Machine Learning-managed virtual network to Azure PaaS services"),
        implementation("aml", "infra-as-code/bicep/acr.bicep", 54, 57),
        implementation("hub", "infra-as-code/bicep/acr.bicep", 59),
        implementation("hub", "infra-as-code/bicep/acr.bicep", 70),
    ],
    remediation="""az acr update -g <rg> -n <name> --public-network-enabled false --default-action Deny;
    in Bicep properties.publicNetworkAccess: 'Disabled' and
    properties.networkRuleSet.defaultAction: 'Deny'.""",
    resource_type=types.CONTAINER_REGISTRIES,
    what="Container registries",
    absent="container registry",
)
def registry_public_network(ctx: Context, registry: Resource) -> Result:
    """Every container registry has `properties.publicNetworkAccess` Disabled (absent means Enabled;
    Azure then ignores the firewall) or, when it is not, also `properties.networkRuleSet.defaultAction`,
    where present, Deny."""
    return closed_to_public(registry, "properties.networkRuleSet.defaultAction")


@rule(
    id="PUB008",
    name="container-registry-admin-user-disabled",
    control="public-access",
    severity="high",
    title="Container Registry admin user is disabled",
    rationale="""The admin user is a shared push/pull credential outside Microsoft Entra ID; the
    architecture pulls with managed identities (AcrPull in the role tables of Microsoft Learn,
    "Baseline OpenAI end-to-end chat reference architecture", section "Machine Learning role-based access
    roles", in its ML-workspace and its AI Studio hub editions) and the reference sets
    adminUserEnabled: false (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/acr.bicep#L52
    and https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/acr.bicep#L55).""",
    references=[
        article("Machine Learning role-based access roles"),
        implementation("aml", "infra-as-code/bicep/acr.bicep", 52),
        implementation("hub", "infra-as-code/bicep/acr.bicep", 55),
    ],
    remediation="""az acr update -g <rg> -n <name> --admin-enabled false; in Bicep
    properties.adminUserEnabled: false.""",
    resource_type=types.CONTAINER_REGISTRIES,
    what="Container registries",
)
def registry_admin_user(ctx: Context, reg: Resource) -> Result:
    """Every container registry has `properties.adminUserEnabled` false (absent means false)."""
    admin = dig(reg, "properties.adminUserEnabled")
    return verdict(
        admin is not True, reg, f"properties.adminUserEnabled is {shown(admin, 'false')}", False, admin
    )


@rule(
    id="PUB009",
    name="storage-public-network-disabled",
    control="public-access",
    severity="high",
    title="Storage account public network access is disabled",
    rationale="""Storage is reached over its blob and file private endpoints (Microsoft Learn,
    "Baseline OpenAI end-to-end chat reference architecture", section "Flow from the Machine
    Learning-managed virtual network to Azure PaaS services").
    The hub reference sets publicNetworkAccess: Disabled and networkAcls.defaultAction: Deny on both
    accounts (reference implementation: https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/storage.bicep#L84-L88
    and https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/storage.bicep#L204-L208);
    the ML-workspace reference leaves publicNetworkAccess unset behind a Deny firewall
    (reference implementation: https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/storage.bicep),
    which the aml baseline accepts through accept_firewall_deny.""",
    references=[
        article("Flow from the Machine Learning-managed virtual network to Azure PaaS services"),
        implementation("hub", "infra-as-code/bicep/storage.bicep", 84, 88),
        implementation("hub", "infra-as-code/bicep/storage.bicep", 204, 208),
        implementation("aml", "infra-as-code/bicep/storage.bicep"),
    ],
    remediation="""az storage account update -g <rg> -n <name> --public-network-access Disabled
    --default-action Deny; in Bicep properties.publicNetworkAccess: 'Disabled' and
    properties.networkAcls.defaultAction: 'Deny'.""",
    params=FirewallParams,
    resource_type=types.STORAGE_ACCOUNTS,
    what="Storage accounts",
    absent="storage account",
)
def storage_public_network(ctx: Context, account: Resource) -> Result:
    """Every storage account has `properties.publicNetworkAccess` Disabled (absent means Enabled, the
    firewall then decides; Disabled makes Azure ignore it) and otherwise also
    `properties.networkAcls.defaultAction` Deny; with
    `accept_firewall_deny`, Deny with no `networkAcls` exceptions (ipRules,
    virtualNetworkRules, resourceAccessRules) suffices."""
    return closed_to_public(account, "properties.networkAcls.defaultAction", ctx.params.accept_firewall_deny)


@rule(
    id="PUB010",
    name="storage-blob-public-access-disabled",
    control="public-access",
    severity="high",
    title="Storage accounts do not allow anonymous blob access",
    rationale="""No data of the architecture is public: from the network's point of view only the chat UI
    is reachable from the Internet (Microsoft Learn, "Baseline OpenAI end-to-end chat reference
    architecture", section "Security"); the reference sets allowBlobPublicAccess: false
    on every account (reference implementation: https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/storage.bicep#L62
    and https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/storage.bicep#L182).""",
    references=[
        article("Security"),
        implementation("hub", "infra-as-code/bicep/storage.bicep", 62),
        implementation("hub", "infra-as-code/bicep/storage.bicep", 182),
    ],
    remediation="""az storage account update -g <rg> -n <name> --allow-blob-public-access false; in
    Bicep properties.allowBlobPublicAccess: false.""",
    resource_type=types.STORAGE_ACCOUNTS,
    what="Storage accounts",
)
def storage_blob_public_access(ctx: Context, account: Resource) -> Result:
    """Every storage account has `properties.allowBlobPublicAccess` false. Absent fails: accounts
    created before November 2023 then allow anonymous access to containers that opt in."""
    value = dig(account, "properties.allowBlobPublicAccess")
    text = shown(value, "true for accounts created before November 2023")
    return verdict(value is False, account, f"properties.allowBlobPublicAccess is {text}", False, value)


_STORAGE_TLS = ["TLS1_0", "TLS1_1", "TLS1_2", "TLS1_3"]


@rule(
    id="PUB011",
    name="storage-secure-transport",
    control="public-access",
    severity="medium",
    title="Storage accounts require HTTPS and TLS 1.2 or later",
    rationale="""Data in transit is encrypted with TLS end to end (Microsoft Learn,
    "Baseline OpenAI end-to-end chat reference architecture", section "Networking"); the reference sets
    minimumTlsVersion: TLS1_2 and supportsHttpsTrafficOnly: true on every account
    (reference implementation: https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/storage.bicep#L79,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/storage.bicep#L89,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/storage.bicep#L203
    and https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/storage.bicep#L209).""",
    references=[
        article("Networking"),
        implementation("hub", "infra-as-code/bicep/storage.bicep", 79),
        implementation("hub", "infra-as-code/bicep/storage.bicep", 89),
        implementation("hub", "infra-as-code/bicep/storage.bicep", 203),
        implementation("hub", "infra-as-code/bicep/storage.bicep", 209),
    ],
    remediation="""az storage account update -g <rg> -n <name> --min-tls-version TLS1_2 --https-only true;
    in Bicep properties.minimumTlsVersion: 'TLS1_2' and properties.supportsHttpsTrafficOnly: true.""",
    params=StorageTlsParams,
    resource_type=types.STORAGE_ACCOUNTS,
    what="Storage accounts",
)
def storage_secure_transport(ctx: Context, account: Resource) -> Result:
    """Every storage account has `properties.minimumTlsVersion` at least `minimum_tls_version`
    (absent means TLS1_0, the default of accounts created before the property existed) and
    `properties.supportsHttpsTrafficOnly` not false (absent means true since api-version 2019-04-01)."""
    minimum = ctx.params.minimum_tls_version
    tls = dig(account, "properties.minimumTlsVersion")
    https = dig(account, "properties.supportsHttpsTrafficOnly")
    effective = tls if present(tls) else "TLS1_0"
    ok = rank(effective, _STORAGE_TLS) >= rank(minimum, _STORAGE_TLS) and https is not False
    message = (
        f"properties.minimumTlsVersion is {shown(tls, 'TLS1_0')}; "
        f"properties.supportsHttpsTrafficOnly is {shown(https, 'true')}"
    )
    expected = {"minimumTlsVersion": minimum, "supportsHttpsTrafficOnly": True}
    return verdict(
        ok, account, message, expected, {"minimumTlsVersion": tls, "supportsHttpsTrafficOnly": https}
    )


@rule(
    id="PUB012",
    name="storage-shared-key-disabled",
    control="public-access",
    severity="medium",
    title="The app storage account does not accept shared keys",
    rationale="""The chat UI reads its deployment package with its managed identity (Storage Blob Data
    Reader), and the article recommends disabling key and other local authentication (Microsoft
    Learn, "Baseline OpenAI end-to-end chat reference architecture", section "Governance through
    policy"); the hub reference disables shared keys on that account (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/storage.bicep#L63)
    while the workspace storage keeps them because the hub needs keys (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/storage.bicep#L183).
    The ML-workspace reference allows keys on both (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/storage.bicep#L52
    and https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/storage.bicep#L139),
    so the aml baseline ranks this as a recommendation.""",
    references=[
        article("Governance through policy"),
        implementation("hub", "infra-as-code/bicep/storage.bicep", 63),
        implementation("hub", "infra-as-code/bicep/storage.bicep", 183),
        implementation("aml", "infra-as-code/bicep/storage.bicep", 52),
        implementation("aml", "infra-as-code/bicep/storage.bicep", 139),
    ],
    remediation="""az storage account update -g <rg> -n <name> --allow-shared-key-access false; in Bicep
    properties.allowSharedKeyAccess: false.""",
    params=SharedKeyParams,
)
def storage_shared_key(ctx: Context) -> Iterator[Result]:
    """Storage accounts in the roles `storage_roles` (default: the app storage, not the workspace
    storage; the Foundry baseline adds the agent's file store) have
    `properties.allowSharedKeyAccess` false (absent means true)."""
    yield from unread(ctx.estate, types.STORAGE_ACCOUNTS, "Storage accounts")
    wanted = set(ctx.params.storage_roles)
    seen: set[str] = set()
    for role in (APP_STORAGE, WORKSPACE_STORAGE, AGENT_FILE_STORE):
        if role not in wanted:
            continue
        for account in ctx.roles.resources(role):
            if ids.norm(account["id"]) in seen:
                continue
            seen.add(ids.norm(account["id"]))
            value = dig(account, "properties.allowSharedKeyAccess")
            message = f"properties.allowSharedKeyAccess is {shown(value, 'true')} ({role})"
            yield verdict(value is False, account, message, False, value)


@rule(
    id="PUB013",
    name="search-public-network-disabled",
    control="public-access",
    severity="high",
    title="AI Search public network access is disabled",
    rationale="""AI Search is connected "through private link" (Microsoft Learn,
    "Baseline OpenAI end-to-end chat reference architecture",
    section "Flow from the Machine Learning-managed virtual network to Azure PaaS services");
    the current reference sets publicNetworkAccess: disabled (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/ai-search.bicep#L72;
    the ML-workspace and hub references deploy no AI Search).""",
    references=[
        article("Flow from the Machine Learning-managed virtual network to Azure PaaS services"),
        implementation("foundry", "infra-as-code/bicep/ai-search.bicep", 72),
    ],
    remediation="""az search service update -g <rg> -n <name> --public-access disabled; in Bicep
    properties.publicNetworkAccess: 'disabled'.""",
    resource_type=types.SEARCH_SERVICES,
    what="Search services",
)
def search_public_network(ctx: Context, svc: Resource) -> Result:
    """Every AI Search service has `properties.publicNetworkAccess` disabled, compared
    case-insensitively (absent means enabled)."""
    return network_access(svc, default="enabled")


@rule(
    id="PUB014",
    name="key-vault-purge-protection",
    control="public-access",
    severity="low",
    title="Key Vault purge protection is enabled",
    rationale="""The vault holds the gateway's certificate and the keys the architecture stores there
    (Microsoft Learn, "Baseline OpenAI end-to-end chat reference architecture", section "Key
    rotation"). Purge protection is hardening the reference does not set (enablePurgeProtection is
    absent in every variant;
    reference implementation: https://github.com/Azure-Samples/openai-end-to-end-baseline/tree/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/tree/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2
    and https://github.com/Azure-Samples/microsoft-foundry-baseline/tree/1d6dd6815011d88ebfbe2acec65fb2ba3455c804):
    with soft delete alone, a deleted vault and its gateway certificate
    can be purged within the retention period. Baselines rank it as a recommendation.""",
    references=[
        article("Key rotation"),
        implementation("aml"),
        implementation("hub"),
        implementation("foundry"),
    ],
    remediation="""az keyvault update -g <rg> -n <name> --enable-purge-protection true (cannot be turned
    off again); in Bicep properties.enablePurgeProtection: true.""",
    resource_type=types.KEY_VAULTS,
    what="Key vaults",
)
def key_vault_purge_protection(ctx: Context, vault: Resource) -> Result:
    """Every Key Vault has `properties.enablePurgeProtection` true (absent means not enabled)."""
    value = dig(vault, "properties.enablePurgeProtection")
    message = f"properties.enablePurgeProtection is {shown(value, 'false')}"
    return verdict(value is True, vault, message, True, value)


# --- Public IP addresses --------------------------------------------------------

PUBLIC_IPS = types.PUBLIC_IP_ADDRESSES
GATEWAYS = types.APPLICATION_GATEWAYS
BASTIONS = types.BASTION_HOSTS


def arm_type(value: str) -> None:
    """Raise unless `value` looks like an ARM resource type, Namespace/type."""
    if value.count("/") != 1:
        raise ValueError(f"{value!r} is not an ARM type (Namespace/type)")


@dataclass(frozen=True)
class AttachmentParams:
    """PUB023: the types of resource that may hold a public IP address."""

    allowed_attachment_types: tuple[Annotated[str, Check(arm_type)], ...] = (GATEWAYS, BASTIONS)


@rule(
    id="PUB023",
    name="public-ip-only-on-edge",
    control="public-access",
    severity="high",
    title="Only the Application Gateway and Azure Bastion hold public IP addresses",
    rationale="""From the network's point of view, the only thing reachable from the Internet is the
    chat UI through Application Gateway (Microsoft Learn,
    "Baseline OpenAI end-to-end chat reference architecture", section "Security"); Azure Bastion's
    public IP is the one other public endpoint, by design (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/tree/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2;
    the jump box's NIC has no public IP there). A public IP address on a virtual
    machine's network interface, a load balancer or a NAT gateway opens a path to or from the Internet
    that bypasses the WAF and Bastion. An address attached to nothing exposes nothing: it passes, and
    the message says it is unattached.""",
    references=[
        article("Security"),
        implementation("hub"),
    ],
    remediation="""Detach the address and delete it: for a virtual machine, az network nic ip-config
    update -g <rg> --nic-name <nic> -n <ipconfig> --remove publicIpAddress (Bicep: drop
    properties.publicIPAddress from the NIC's ipConfigurations); for a load balancer, az network lb
    frontend-ip delete; then az network public-ip delete -g <rg> -n <name>. Reach machines through
    Azure Bastion and publish web endpoints through the Application Gateway. A team whose design adds
    another Internet edge (e.g. Azure Firewall, Microsoft.Network/azureFirewalls) lists its type in
    params.allowed_attachment_types.""",
    params=AttachmentParams,
    resource_type=PUBLIC_IPS,
    what="Public IP addresses",
)
def public_ip_only_on_edge(ctx: Context, pip: Resource) -> Result:
    """Every public IP address is attached (`properties.ipConfiguration.id`, or
    `properties.natGateway.id`) to a resource whose type is in `allowed_attachment_types`: an
    Application Gateway frontend or a Bastion host IP configuration by default. An address attached
    to nothing passes, its message saying so: it receives no traffic, and a high-severity failure would
    overstate a leftover. One whose attachment id cannot be parsed is not assessed."""
    allowed = list(ctx.params.allowed_attachment_types)
    found = attachment(pip)
    if found is None:
        message = (
            "attached to nothing (neither properties.ipConfiguration nor properties.natGateway): "
            "no traffic reaches it; delete it unless it is reserved for the edge"
        )
        return passed(pip, message, allowed, None)
    path, target = found
    owner = ids.top_level_of(target) if isinstance(target, str) else None
    if owner is None:
        return not_assessed(pip, f"{path} is {target!r}: what it is attached to cannot be told", allowed)
    owner_id, owner_type = owner
    rest = "/".join(ids.segments(target)[len(ids.segments(owner_id)) :])
    message = f"{path} names {owner_type} {ids.name_of(owner_id)}" + (f" ({rest})" if rest else "")
    ok = any(same(owner_type, t) for t in allowed)
    if not ok:
        message += f"; only {', '.join(allowed)} may hold a public IP address"
    return verdict(ok, pip, message, allowed, owner_type)


# --- Defence in depth behind Disabled public network access --------------------

# The firewall of each service whose public endpoint PUB001, PUB006, PUB007 and PUB009 judge.
FIREWALLS: tuple[tuple[str, str, str], ...] = (
    (types.COGNITIVE_ACCOUNTS, "properties.networkAcls.defaultAction", "Cognitive Services accounts"),
    (types.KEY_VAULTS, "properties.networkAcls.defaultAction", "Key vaults"),
    (types.CONTAINER_REGISTRIES, "properties.networkRuleSet.defaultAction", "Container registries"),
    (types.STORAGE_ACCOUNTS, "properties.networkAcls.defaultAction", "Storage accounts"),
)


@rule(
    id=FIREWALL_BEHIND_DISABLED,
    name="firewall-denies-behind-disabled-public-access",
    control="public-access",
    severity="low",
    title="The service firewall denies by default even while public network access is disabled",
    rationale="""With publicNetworkAccess Disabled, Azure ignores the service firewall: only private
    endpoints get in, so the required rules (PUB001, PUB006, PUB007, PUB009) pass whatever
    networkAcls.defaultAction says (Microsoft Learn, "Configure Azure Storage firewalls and virtual
    networks"; the Key Vault REST API says of publicNetworkAccess Disabled that it "will override the set
    firewall rules"). A default
    action of Allow behind it is a second door left open: whoever re-enables public access opens the
    service to the whole Internet at once. The reference sets both, publicNetworkAccess Disabled and
    defaultAction Deny, on Azure OpenAI, Key Vault, the registry and both storage accounts (openai.bicep,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/openai.bicep#L41-L43).""",
    remediation="""az resource update --ids <id> --set properties.networkAcls.defaultAction=Deny
    (properties.networkRuleSet.defaultAction on a registry), or az keyvault update, az acr update, az
    storage account update with --default-action Deny; in Bicep properties.networkAcls.defaultAction:
    'Deny' (properties.networkRuleSet.defaultAction on the registry).""",
    references=[
        (
            'Microsoft Learn, "Configure Azure Storage firewalls and virtual networks"',
            "https://learn.microsoft.com/en-us/azure/storage/common/storage-network-security",
        ),
        (
            'Microsoft Learn, "Configure Azure AI services virtual networks"',
            "https://learn.microsoft.com/en-us/azure/ai-services/cognitive-services-virtual-networks",
        ),
        implementation("hub", "infra-as-code/bicep/openai.bicep", 41, 43),
    ],
    since="0.2.0",
    status="preview",
)
def firewall_behind_disabled_access(ctx: Context) -> Iterator[Result]:
    """Every Azure OpenAI account, Key Vault, container registry and storage account whose
    `properties.publicNetworkAccess` is Disabled also has its firewall's default action Deny
    (`networkAcls.defaultAction`; `networkRuleSet.defaultAction` on a registry). An absent default
    action fails: it means Allow. Resources whose public access is not Disabled are the required
    rules' finding and are skipped here."""
    for resource_type, acl_path, what in FIREWALLS:
        yield from unread(ctx.estate, resource_type, what)
        resources = openai_accounts(ctx) if resource_type == types.COGNITIVE_ACCOUNTS else None
        for res in resources if resources is not None else ctx.estate.of_type(resource_type):
            if not same(dig(res, "properties.publicNetworkAccess"), "Disabled"):
                continue
            action = dig(res, acl_path)
            message = f"properties.publicNetworkAccess is Disabled; {acl_path} is {shown(action, 'Allow')}"
            if not same(action, "Deny"):
                message += ": re-enabling public access would open the service to every address"
            yield verdict(same(action, "Deny"), res, message, "Deny", action)


# --- hardening the references set that the rules above do not read --------------------------


@rule(
    id="PUB024",
    name="container-registry-anonymous-pull-disabled",
    control="public-access",
    severity="high",
    title="Container Registry does not allow anonymous pull",
    rationale="""Anonymous pull lets any client that reaches the registry pull every repository
    without authenticating, around the AcrPull assignments of the architecture's role tables
    (Microsoft Learn, "Baseline OpenAI end-to-end chat reference architecture", section "Machine
    Learning role-based access roles"). The ML-workspace reference sets anonymousPullEnabled: false;
    the hub reference leaves the platform default, which is also false.
    The reference implementation sets it in acr.bicep:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/acr.bicep#L56.""",
    remediation="""az acr update -g <rg> -n <name> --anonymous-pull-enabled false; in Bicep
    properties.anonymousPullEnabled: false.""",
    resource_type=types.CONTAINER_REGISTRIES,
    what="Container registries",
    references=[
        article("Machine Learning role-based access roles"),
        (
            'Microsoft Learn, "Make your container registry content publicly available"',
            "https://learn.microsoft.com/azure/container-registry/anonymous-pull-access",
        ),
        implementation("aml", "infra-as-code/bicep/acr.bicep", 56),
    ],
    since="0.2.0",
    status="preview",
)
def registry_anonymous_pull(ctx: Context, reg: Resource) -> Result:
    """Every container registry has `properties.anonymousPullEnabled` not true (absent means false)."""
    value = dig(reg, "properties.anonymousPullEnabled")
    return verdict(
        value is not True, reg, f"properties.anonymousPullEnabled is {shown(value, 'false')}", False, value
    )


@rule(
    id="PUB025",
    name="container-registry-export-disabled",
    control="public-access",
    severity="medium",
    title="Container Registry export policy is disabled",
    rationale="""With the export policy enabled (the platform default) anyone allowed to import or
    transfer can copy the workload's images to a registry outside the network boundary, which the
    private endpoint alone does not prevent (Microsoft Learn, "Disable export of artifacts from an Azure
    container registry"). The hub reference sets
    policies.exportPolicy.status: disabled together with publicNetworkAccess: Disabled, as Azure
    requires; the ML-workspace reference leaves it enabled, so the aml baseline recommends it.
    The reference implementation sets it in acr.bicep:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/acr.bicep#L63-L65.""",
    remediation="""az resource update -g <rg> -n <name> --resource-type
    Microsoft.ContainerRegistry/registries --api-version 2023-07-01 --set
    properties.policies.exportPolicy.status=disabled properties.publicNetworkAccess=disabled; in Bicep
    properties.policies.exportPolicy.status: 'disabled'.""",
    resource_type=types.CONTAINER_REGISTRIES,
    what="Container registries",
    references=[
        (
            'Microsoft Learn, "Disable export of artifacts from an Azure container registry"',
            "https://learn.microsoft.com/azure/container-registry/data-loss-prevention",
        ),
        implementation("hub", "infra-as-code/bicep/acr.bicep", 63, 65),
    ],
    since="0.2.0",
    status="preview",
)
def registry_export_disabled(ctx: Context, reg: Resource) -> Result:
    """Every container registry has `properties.policies.exportPolicy.status` disabled (absent means
    enabled, the platform default)."""
    value = dig(reg, "properties.policies.exportPolicy.status")
    return verdict(
        same(value, "disabled"),
        reg,
        f"properties.policies.exportPolicy.status is {shown(value, 'enabled')}",
        "disabled",
        value,
    )


@rule(
    id="PUB026",
    name="storage-cross-tenant-replication-disabled",
    control="public-access",
    severity="medium",
    title="Storage accounts do not allow object replication to other tenants",
    rationale="""Object replication to an account in another Microsoft Entra tenant copies the
    workload's blobs out of its boundary whatever the network rules say (Microsoft Learn, "Prevent
    object replication across Microsoft Entra tenants"). Both references set
    allowCrossTenantReplication: false on every storage account. An account that does not return the
    property is not assessed: its default depends on when it was created (false only for newer
    accounts). The reference implementation sets it in storage.bicep:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/storage.bicep#L64.""",
    remediation="""az storage account update -g <rg> -n <name> --allow-cross-tenant-replication false;
    in Bicep properties.allowCrossTenantReplication: false.""",
    resource_type=types.STORAGE_ACCOUNTS,
    what="Storage accounts",
    references=[
        (
            'Microsoft Learn, "Prevent object replication across Microsoft Entra tenants"',
            "https://learn.microsoft.com/azure/storage/common/object-replication-prevent-cross-tenant-policies",
        ),
        implementation("hub", "infra-as-code/bicep/storage.bicep", 64),
    ],
    since="0.2.0",
    status="preview",
)
def storage_cross_tenant_replication(ctx: Context, account: Resource) -> Result:
    """Every storage account has `properties.allowCrossTenantReplication` false; absent is not assessed
    (false by default only for accounts created since the default changed)."""
    value = dig(account, "properties.allowCrossTenantReplication")
    if value is None:
        return not_assessed(
            account,
            "properties.allowCrossTenantReplication is absent: its default depends on the account's age",
            False,
        )
    return verdict(
        value is False, account, f"properties.allowCrossTenantReplication is {shown(value)}", False, value
    )


@rule(
    id="PUB027",
    name="virtual-network-ddos-protection",
    control="public-access",
    severity="medium",
    title="The virtual network of the Application Gateway has DDoS Protection",
    rationale="""The architecture asks to "enable DDoS Protection for the virtual network with a subnet
    that's part of an application gateway with a public IP" (Microsoft Learn, "Baseline OpenAI
    end-to-end chat reference architecture", section "Virtual network segmentation and security"); the
    AI Studio hub reference always links a DDoS protection plan, the Machine Learning workspace
    reference does so outside its development mode. Without it the chat's only public entry point
    relies on the platform's basic infrastructure protection.
    The reference implementation sets it in network.bicep:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/network.bicep#L22-L42.""",
    remediation="""az network ddos-protection create -g <rg> -n <plan> --vnets <vnet>, or az network vnet
    update -g <rg> -n <vnet> --ddos-protection true --ddos-protection-plan <plan id>; in Bicep
    properties.enableDdosProtection: true and properties.ddosProtectionPlan.id.""",
    references=[
        article("Virtual network segmentation and security"),
        implementation("hub", "infra-as-code/bicep/network.bicep", 22, 42),
    ],
    since="0.2.0",
    status="preview",
)
def vnet_ddos_protection(ctx: Context) -> Iterator[Result]:
    """Each virtual network holding an Application Gateway subnet has `properties.enableDdosProtection`
    true and a `properties.ddosProtectionPlan.id`."""
    vnets = types.VIRTUAL_NETWORKS
    yield from unread(ctx.estate, vnets, "Virtual networks")
    wanted = {ids.norm(s.vnet_id) for s in ctx.roles.subnets(APPGW)}
    found = [v for v in ctx.estate.of_type(vnets) if ids.norm(v["id"]) in wanted]
    yield from absent(ctx.estate, vnets, found, "virtual network with an Application Gateway subnet")
    for vnet in found:
        enabled = dig(vnet, "properties.enableDdosProtection")
        plan = dig(vnet, "properties.ddosProtectionPlan.id")
        ok = enabled is True and isinstance(plan, str) and bool(plan)
        message = (
            f"properties.enableDdosProtection is {shown(enabled, 'false')}; properties.ddosProtectionPlan is "
            + (ids.name_of(plan) if isinstance(plan, str) and plan else "absent")
        )
        yield verdict(
            ok,
            vnet,
            message,
            {"enableDdosProtection": True},
            {"enableDdosProtection": enabled, "ddosProtectionPlan": plan},
        )


@rule(
    id="PUB029",
    name="openai-outbound-restricted",
    control="public-access",
    severity="medium",
    title="Azure OpenAI may call out only to the destinations it lists",
    rationale="""An Azure OpenAI account without restrictOutboundNetworkAccess can reach any address
    for features that fetch data (such as data sources added to a chat), a path out of the workload
    that no network security group sees. The AI Studio hub reference sets
    restrictOutboundNetworkAccess: true with an empty allowedFqdnList, in line with the article's aim
    that "data exfiltration is minimized" (Microsoft Learn, "Baseline OpenAI end-to-end chat reference
    architecture", section "Networking"); the Machine Learning workspace reference leaves it unset, so
    the aml baseline recommends it.
    The reference implementation sets it in openai.bicep:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/openai.bicep#L46-L47.""",
    remediation="""az resource update --ids <account id> --set
    properties.restrictOutboundNetworkAccess=true properties.allowedFqdnList=[]; in Bicep
    properties.restrictOutboundNetworkAccess: true and properties.allowedFqdnList: [].""",
    resource_type=types.COGNITIVE_ACCOUNTS,
    what="Cognitive Services accounts",
    select=openai_accounts,
    references=[article("Networking"), implementation("hub", "infra-as-code/bicep/openai.bicep", 46, 47)],
    since="0.2.0",
    status="preview",
)
def openai_outbound_restricted(ctx: Context, account: Resource) -> Result:
    """Every Azure OpenAI account has `properties.restrictOutboundNetworkAccess` true (absent means
    false); the message lists `properties.allowedFqdnList`."""
    value = dig(account, "properties.restrictOutboundNetworkAccess")
    fqdns = dig(account, "properties.allowedFqdnList")
    listed = ", ".join(str(f) for f in fqdns) if isinstance(fqdns, list) and fqdns else "none"
    return verdict(
        value is True,
        account,
        f"properties.restrictOutboundNetworkAccess is {shown(value, 'false')}; allowed FQDNs: {listed}",
        True,
        value,
    )


@rule(
    id="PUB031",
    name="storage-copy-scope-limited",
    control="public-access",
    severity="medium",
    title="Storage accounts accept copies only from accounts of the tenant or over private links",
    rationale="""Without allowedCopyScope, a copy operation can write into the workload's storage
    from any storage account, including one in another tenant (Microsoft Learn, "Permitted scope for
    copy operations"). The AI Studio hub reference sets allowedCopyScope: AAD on both accounts; the
    Machine Learning workspace reference leaves it unset, so the aml baseline recommends it.
    The reference implementation sets it in storage.bicep:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/storage.bicep#L60.""",
    remediation="""az storage account update -g <rg> -n <name> --allowed-copy-scope AAD; in Bicep
    properties.allowedCopyScope: 'AAD' (or 'PrivateLink').""",
    resource_type=types.STORAGE_ACCOUNTS,
    what="Storage accounts",
    references=[
        (
            'Microsoft Learn, "Permitted scope for copy operations"',
            "https://learn.microsoft.com/azure/storage/common/security-restrict-copy-operations",
        ),
        implementation("hub", "infra-as-code/bicep/storage.bicep", 60),
    ],
    since="0.2.0",
    status="preview",
)
def storage_copy_scope(ctx: Context, account: Resource) -> Result:
    """Every storage account has `properties.allowedCopyScope` AAD or PrivateLink (absent: copies from
    any account are allowed)."""
    value = dig(account, "properties.allowedCopyScope")
    ok = same(value, "AAD") or same(value, "PrivateLink")
    shown_value = shown(value, "any source account")
    return verdict(
        ok, account, f"properties.allowedCopyScope is {shown_value}", ["AAD", "PrivateLink"], value
    )


@rule(
    id="PUB032",
    name="container-registry-acr-audience-tokens",
    control="public-access",
    severity="medium",
    title="Container Registry accepts only tokens issued for the registry",
    rationale="""By default a registry also accepts Microsoft Entra tokens issued for Azure Resource
    Manager, so any token a workload or person holds for ARM opens the registry too; disabling
    azureADAuthenticationAsArmPolicy narrows sign-in to registry-scoped tokens (Microsoft Learn,
    "Configure registry acceptance of Microsoft Entra authentication scopes"). The AI Studio hub
    reference disables it; the Machine Learning workspace reference leaves it enabled, so the aml
    baseline recommends it.
    The reference implementation sets it in acr.bicep:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/acr.bicep#L66-L68.""",
    remediation="""az acr config authentication-as-arm update -r <registry> --status disabled; in Bicep
    properties.policies.azureADAuthenticationAsArmPolicy.status: 'disabled'.""",
    resource_type=types.CONTAINER_REGISTRIES,
    what="Container registries",
    references=[
        (
            'Microsoft Learn, "Configure registry acceptance of Microsoft Entra authentication scopes"',
            "https://learn.microsoft.com/azure/container-registry/container-registry-disable-authentication-as-arm",
        ),
        implementation("hub", "infra-as-code/bicep/acr.bicep", 66, 68),
    ],
    since="0.2.0",
    status="preview",
)
def registry_acr_audience_tokens(ctx: Context, reg: Resource) -> Result:
    """Every container registry has `properties.policies.azureADAuthenticationAsArmPolicy.status`
    disabled (absent means enabled)."""
    value = dig(reg, "properties.policies.azureADAuthenticationAsArmPolicy.status")
    return verdict(
        same(value, "disabled"),
        reg,
        f"properties.policies.azureADAuthenticationAsArmPolicy.status is {shown(value, 'enabled')}",
        "disabled",
        value,
    )


@rule(
    id="PUB035",
    name="storage-local-users-and-sftp-disabled",
    control="public-access",
    severity="medium",
    title="Storage accounts have no local users and no SFTP endpoint",
    rationale="""Local users sign in to a storage account with an SSH key, a password or a shared key
    of their own, outside Microsoft Entra ID and its role assignments, and SFTP opens an endpoint for
    them (Microsoft Learn, "SSH File Transfer Protocol (SFTP) support for Azure Blob Storage"); the
    article recommends disabling key and other local authentication (Microsoft Learn, "Baseline OpenAI
    end-to-end chat reference architecture", section "Governance through policy"). The AI Studio hub
    reference sets isLocalUserEnabled: false and isSftpEnabled: false; the Machine Learning workspace
    reference leaves both unset, so the aml baseline recommends it.
    The reference implementation sets them in storage.bicep:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/storage.bicep#L80-L83.""",
    remediation="""az storage account update -g <rg> -n <name> --enable-local-user false
    --enable-sftp false; in Bicep properties.isLocalUserEnabled: false and properties.isSftpEnabled:
    false.""",
    resource_type=types.STORAGE_ACCOUNTS,
    what="Storage accounts",
    references=[
        (
            'Microsoft Learn, "SSH File Transfer Protocol (SFTP) support for Azure Blob Storage"',
            "https://learn.microsoft.com/azure/storage/blobs/secure-file-transfer-protocol-support",
        ),
        article("Governance through policy"),
        implementation("hub", "infra-as-code/bicep/storage.bicep", 80, 83),
    ],
    since="0.2.0",
    status="preview",
)
def storage_local_users(ctx: Context, account: Resource) -> Result:
    """Every storage account has `properties.isLocalUserEnabled` false (absent fails: the reference
    writes it out, and an account that does not say it is off is not shown to be) and
    `properties.isSftpEnabled` not true (absent means false: SFTP is opt-in)."""
    local = dig(account, "properties.isLocalUserEnabled")
    sftp = dig(account, "properties.isSftpEnabled")
    ok = local is False and (sftp is None or sftp is False)
    local_text = "absent (not disabled)" if local is None else shown(local)
    sftp_text = shown(sftp, "false")
    message = f"properties.isLocalUserEnabled is {local_text}; properties.isSftpEnabled is {sftp_text}"
    expected = {"isLocalUserEnabled": False, "isSftpEnabled": False}
    return verdict(ok, account, message, expected, {"isLocalUserEnabled": local, "isSftpEnabled": sftp})


# --- The Foundry Agent Service design's stores and subscription protections ----------------------
# Cosmos DB is the agent's thread store, AI Search its vector store (Microsoft Learn, "Baseline
# Microsoft Foundry chat reference architecture", section "Components"); the reference implementation
# deploys both private and keyless (cosmos-db.bicep, ai-search.bicep).

COSMOS = types.COSMOS_ACCOUNTS
PRICINGS = types.SECURITY_PRICINGS
POLICY_ASSIGNMENTS = types.POLICY_ASSIGNMENTS


@rule(
    id="PUB060",
    name="cosmos-public-network-disabled",
    control="public-access",
    severity="high",
    title="Cosmos DB public network access is disabled",
    rationale="""The agent's thread store is reached only over its private endpoint: all communication
    between the application's components and Azure services occurs over private endpoints (Microsoft
    Learn, "Baseline Microsoft Foundry chat reference architecture", section "Networking"); the
    reference sets publicNetworkAccess: Disabled with no IP or network rules (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/cosmos-db.bicep#L59-L93).""",
    references=[
        foundry_article("Networking"),
        implementation("foundry", "infra-as-code/bicep/cosmos-db.bicep", 59, 93),
    ],
    remediation="""az cosmosdb update -g <rg> -n <account> --public-network-access Disabled; in Bicep
    properties.publicNetworkAccess: 'Disabled'.""",
    resource_type=COSMOS,
    what="Cosmos DB accounts",
    absent="Cosmos DB account",
    since="0.2.0",
    status="preview",
)
def cosmos_public_network(ctx: Context, account: Resource) -> Result:
    """Every Cosmos DB account has `properties.publicNetworkAccess` Disabled (absent means Enabled;
    SecuredByPerimeter leaves the public endpoint to a network security perimeter, which this design
    does not use)."""
    return network_access(account, default="Enabled")


@rule(
    id="PUB061",
    name="cosmos-local-auth-disabled",
    control="public-access",
    severity="high",
    title="Cosmos DB accepts only Microsoft Entra ID (local authentication disabled)",
    rationale="""The agent service and people reach the thread store with their Entra identities and
    data-plane role assignments; the article asks to turn off key-based and other local authentication
    (Microsoft Learn, "Baseline Microsoft Foundry chat reference architecture", section "Governance
    through policy") and the reference sets disableLocalAuth: true (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/cosmos-db.bicep#L59-L93).
    The account keys grant full access to every database: with local authentication on, anyone who
    reads them bypasses the role assignments.""",
    references=[
        foundry_article("Governance through policy"),
        implementation("foundry", "infra-as-code/bicep/cosmos-db.bicep", 59, 93),
    ],
    remediation="""az resource update --ids <account id> --set properties.disableLocalAuth=true; in Bicep
    properties.disableLocalAuth: true.""",
    resource_type=COSMOS,
    what="Cosmos DB accounts",
    since="0.2.0",
    status="preview",
)
def cosmos_local_auth(ctx: Context, account: Resource) -> Result:
    """Every Cosmos DB account has `properties.disableLocalAuth` true (absent means false: keys work)."""
    return must_be_true(account, "properties.disableLocalAuth", "false: the account keys work")


@rule(
    id="PUB062",
    name="cosmos-key-metadata-writes-disabled",
    control="public-access",
    severity="low",
    title="Cosmos DB refuses metadata writes made with account keys",
    rationale="""Databases, containers and throughput of the thread store are Foundry Agent Service's
    to manage (Microsoft Learn, "Baseline Microsoft Foundry chat reference architecture", section
    "Components"), and the article asks to turn off key-based authentication (section "Governance
    through policy"). disableKeyBasedMetadataWriteAccess keeps key holders from changing them even where
    keys still work; the reference does not set it (it relies on disableLocalAuth; reference
    implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/cosmos-db.bicep#L59-L93),
    so the baseline ranks it as a recommendation.""",
    references=[
        foundry_article("Governance through policy"),
        foundry_article("Components"),
        implementation("foundry", "infra-as-code/bicep/cosmos-db.bicep", 59, 93),
    ],
    remediation="""az cosmosdb update -g <rg> -n <account> --disable-key-based-metadata-write-access true;
    in Bicep properties.disableKeyBasedMetadataWriteAccess: true.""",
    resource_type=COSMOS,
    what="Cosmos DB accounts",
    since="0.2.0",
    status="preview",
)
def cosmos_key_metadata_writes(ctx: Context, account: Resource) -> Result:
    """Every Cosmos DB account has `properties.disableKeyBasedMetadataWriteAccess` true (absent means
    false)."""
    return must_be_true(
        account, "properties.disableKeyBasedMetadataWriteAccess", "false: keys may change metadata"
    )


@dataclass(frozen=True)
class DefenderParams:
    """PUB064: the Defender for Cloud plans (pricing names) that must be on the Standard tier."""

    plans: tuple[str, ...] = ("AI",)


@rule(
    id="PUB064",
    name="defender-for-ai-enabled",
    control="public-access",
    severity="medium",
    title="Microsoft Defender for AI services is on for the subscription",
    rationale="""The article asks for the Defender for Cloud workload protection plans of the
    design, among them Defender for AI services, which alerts on jailbreak attempts and data leakage in
    the agent's requests and responses (Microsoft Learn, "Baseline Microsoft Foundry chat reference
    architecture", section "Microsoft Defender for Cloud"). A plan is on when its pricing
    (Microsoft.Security/pricings/AI at the subscription) has pricingTier Standard. The reference
    implementation deploys no Defender plan: it deploys into a resource group and leaves the plans to
    the subscription, so the baseline ranks it as a recommendation.""",
    references=[
        foundry_article("Microsoft Defender for Cloud"),
    ],
    remediation="""az security pricing create -n AI --tier Standard; in Bicep (subscription scope) a
    Microsoft.Security/pricings resource named 'AI' with properties.pricingTier: 'Standard'.""",
    params=DefenderParams,
    since="0.2.0",
    status="preview",
)
def defender_plans(ctx: Context) -> Iterator[Result]:
    """For each audited subscription and each plan in `plans`, the pricing
    `/subscriptions/{id}/providers/Microsoft.Security/pricings/{plan}` has `properties.pricingTier`
    Standard. A plan missing from a pricings list that was read fails (Free is the default); not
    assessed when the pricings could not be read."""
    yield from unread(ctx.estate, PRICINGS, "Defender for Cloud pricings")
    if ctx.estate.gap(PRICINGS) is not None or PRICINGS.lower() not in ctx.estate.collected_types:
        return
    for scope in scopes_of(ctx.estate):
        if ctx.estate.gap(PRICINGS, scope) is not None:
            continue
        for plan in ctx.params.plans:
            pid = f"{scope}/providers/{PRICINGS}/{plan}"
            pricing = ctx.estate.get(pid)
            tier = dig(pricing, "properties.pricingTier") if pricing else None
            target = pricing or {"id": pid, "type": PRICINGS}
            message = f"Defender plan {plan}: properties.pricingTier is {shown(tier, 'Free')}"
            yield verdict(same(tier, "Standard"), target, message, "Standard", tier)


# The built-in definitions the reference assigns to its resource group, all with effect Audit
# (reference implementation: azure-policies.bicep).
REFERENCE_POLICIES = (
    "71ef260a-8f18-47b7-abcb-62d0673d94dc",  # Azure AI Services resources should have key access disabled
    "037eea7a-bd0a-46c5-9a66-03aea78705d3",  # Azure AI Services resources should restrict network access
    "44c5a1f9-7ef6-4c38-880c-273e8f7a3c24",  # Cosmos DB accounts should be zone redundant
    "58440f8a-10c5-4151-bdce-dfbaad4a20b7",  # CosmosDB accounts should use private link
    "5450f5bd-9c72-4390-a9c4-a7aba4edfdd2",  # Cosmos DB accounts should have local authentication disabled
    "797b37f7-06b8-444c-b1ad-fc62867f335a",  # Azure Cosmos DB should disable public network access
    "ee980b6d-0eca-4501-8d54-f6290fd512c3",  # AI Search services should disable public network access
    "90bc8109-d21a-4692-88fc-51419391da3d",  # AI Search service should be zone redundant
    "6300012e-e9a4-4649-b41f-a85f5c43be91",  # AI Search services should have local authentication disabled
    "b2982f36-99f2-4db5-8eff-283140c09693",  # Storage accounts should disable public network access
    "8c6a50c6-9ffd-4ae7-986f-5fa6111f9a54",  # Storage accounts should prevent shared key access
)


@dataclass(frozen=True)
class PolicyParams:
    """PUB065: the policy definitions (GUIDs of built-ins or full ids) that must be assigned."""

    policy_definitions: tuple[str, ...] = REFERENCE_POLICIES


def _assigned(ctx: Context) -> dict[str, list[Resource]]:
    """Policy assignments by the last segment of their definition id (lower case), effect not Disabled."""
    found: dict[str, list[Resource]] = {}
    for assignment in ctx.estate.of_type(POLICY_ASSIGNMENTS):
        definition = dig(assignment, "properties.policyDefinitionId")
        effect = dig(assignment, "properties.parameters.effect.value")
        if isinstance(definition, str) and definition and not same(effect, "Disabled"):
            found.setdefault(ids.name_of(definition).lower(), []).append(assignment)
    return found


@rule(
    id="PUB065",
    name="reference-policy-assignments",
    control="public-access",
    severity="low",
    title="The reference's Azure Policy assignments watch the design's key and network settings",
    rationale="""Platform automation through policy reduces security configuration drift: the article
    asks for policies that turn off key-based and local authentication and require network access rules
    and private endpoints (Microsoft Learn, "Baseline Microsoft Foundry chat reference architecture",
    section "Governance through policy"). The reference assigns eleven built-in definitions to its
    resource group, all with effect Audit: key access and network access of AI Services; zone
    redundancy, private link, local authentication and public access of Cosmos DB; public access, zone
    redundancy and local authentication of AI Search; public access and shared keys of Storage
    (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/azure-policies.bicep#L16-L80).
    An assignment at the subscription or a management group serves as well; one whose effect is
    Disabled does not. The other rules judge the settings themselves, so this is a recommendation.""",
    references=[
        foundry_article("Governance through policy"),
        implementation("foundry", "infra-as-code/bicep/azure-policies.bicep", 16, 80),
    ],
    remediation="""az policy assignment create --name <name> --scope <resource group id> --policy
    <definition GUID> --params '{"effect":{"value":"Audit"}}' for each missing definition; in Bicep a
    Microsoft.Authorization/policyAssignments resource with properties.policyDefinitionId
    '/providers/Microsoft.Authorization/policyDefinitions/<GUID>'.""",
    params=PolicyParams,
    since="0.2.0",
    status="preview",
)
def reference_policy_assignments(ctx: Context) -> Iterator[Result]:
    """For each audited subscription, every definition in `policy_definitions` has an assignment that
    applies there (the list at the subscription holds those of the subscription, its groups and its
    management groups) whose `properties.parameters.effect.value` is not Disabled. Not assessed when
    the assignments could not be read."""
    yield from unread(ctx.estate, POLICY_ASSIGNMENTS, "Policy assignments")
    if POLICY_ASSIGNMENTS.lower() not in ctx.estate.collected_types:
        return
    assigned = _assigned(ctx)
    wanted = [ids.name_of(d) for d in ctx.params.policy_definitions]
    for scope in scopes_of(ctx.estate):
        if ctx.estate.gap(POLICY_ASSIGNMENTS, scope) is not None:
            continue
        target = {"id": f"{scope}/providers/{POLICY_ASSIGNMENTS}", "type": POLICY_ASSIGNMENTS}
        missing = [d for d in wanted if d.lower() not in assigned]
        have = len(wanted) - len(missing)
        if missing:
            message = f"{have} of {len(wanted)} reference policies assigned; missing: {', '.join(missing)}"
            yield failed(target, message, wanted, sorted(d for d in wanted if d.lower() in assigned))
        else:
            yield passed(target, f"all {len(wanted)} reference policies assigned", wanted, wanted)
