"""Rules of the diagnostics family: every service of the architecture logs to one Log Analytics workspace.

Both editions of the architecture article (Microsoft Learn, "Baseline OpenAI end-to-end chat
reference architecture", section "Monitoring") configure diagnostics for every service: all logs
everywhere except the ML workspace (audit logs: "The Machine Learning diagnostics are configured to
capture the audit logs") and App Service (four named categories) in the ML-workspace variant, all logs
except App Service in the hub variant. The reference implementations send them to the workload's Log
Analytics workspace: `categoryGroup: allLogs`/`audit` in the ML-workspace reference, the explicit
category lists in the hub reference (commit fab8849 "Replace allLogs usage"; reference implementation:
https://github.com/Azure-Samples/openai-end-to-end-baseline/tree/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2).
A baseline names, per service, the categories (`categories`) and category groups (`category_groups`)
required; `allLogs` satisfies any of them, and a log entry with `enabled: false` counts for nothing.
Which categories another group (`audit`) covers is Azure's definition per resource type, read from the
snapshot's diagnosticSettingsCategories or, without them, from a documented table
(auditor/analysis/log_categories.py); where neither knows, a category left to the group is not
assessed. Several settings on one resource that send to the same workspace add up.

Every rule also checks the destination: `properties.workspaceId` must be the workspace the
baseline names (`log_analytics_workspace`) or, when it names none, the one most diagnostic
settings of the estate use (`same_workspace: false` accepts any workspace).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from auditor.analysis.architecture import (
    APP_STORAGE,
    CHAT_UI,
    HUB,
    ONLINE_ENDPOINT,
    OPENAI,
    PROJECT,
    PROMPTFLOW_APP,
    WORKSPACE,
    WORKSPACE_STORAGE,
)
from auditor.analysis.coverage import unread
from auditor.analysis.log_categories import Groups, groups_of, resource_type_of
from auditor.analysis.verdicts import failed, not_assessed, passed
from auditor.arm import ids, types
from auditor.arm.estate import dig, same
from auditor.arm.types import Resource
from auditor.engine.registry import Context, rule
from auditor.engine.sources import article, foundry_article, implementation, supported_logs
from auditor.model import Result, Status

SETTINGS_TYPE = types.DIAGNOSTIC_SETTINGS
ALL_LOGS = "alllogs"

DESTINATION_REMEDIATION = """a Microsoft.Insights/diagnosticSettings extension resource scoped to the
resource, with properties.workspaceId set to the workload's Log Analytics workspace and properties.logs[]
holding {categoryGroup: 'allLogs', enabled: true} or the listed categories."""


@dataclass(frozen=True)
class Requirement:
    """The log categories and category groups a diagnostic setting must enable."""

    categories: tuple[str, ...]
    groups: tuple[str, ...]

    @classmethod
    def of(cls, params: LogParams) -> Requirement:
        """The requirement as the rule's parameters set it."""
        return cls(params.categories, params.category_groups)

    def missing(
        self, categories: set[str], groups: set[str], resolved: Groups | None = None
    ) -> tuple[list[str], list[str], list[str]]:
        """What the enabled categories and groups (lower case) leave uncovered, what could not be told
        (a category left to a group whose members for the type are unknown), and the groups that
        covered a required category.

        `resolved` says which categories each group covers for the resource's type; allLogs covers
        every category. A required group is also met by enabling each of its known categories.
        """
        if ALL_LOGS in groups:
            return [], [], []
        others = sorted(groups - {ALL_LOGS})
        gaps: list[str] = []
        unknown: list[str] = []
        used: set[str] = set()
        for category in self.categories:
            if category.lower() in categories:
                continue
            answers = {g: resolved.covers(g, category) if resolved else None for g in others}
            covering = [g for g, a in answers.items() if a is True]
            unresolved = [g for g, a in answers.items() if a is None]
            if covering:
                used.update(covering)
            elif unresolved:
                unknown.append(f"{category} (categoryGroup {', '.join(unresolved)})")
            else:
                gaps.append(category)
        for group in self.groups:
            if group.lower() in groups:
                continue
            members = resolved.members.get(group.lower()) if resolved else None
            if not (members and members <= categories):
                gaps.append(f"categoryGroup {group}")
        return gaps, unknown, sorted(used)

    def to_list(self) -> list[str]:
        """The requirement as a list, for expected values in findings."""
        return list(self.categories) + [f"categoryGroup {g}" for g in self.groups]


def enabled_logs(settings: Iterable[Resource]) -> tuple[set[str], set[str]]:
    """Enabled categories and category groups over several settings, lower case."""
    categories: set[str] = set()
    groups: set[str] = set()
    for setting in settings:
        for entry in dig(setting, "properties.logs") or []:
            if not isinstance(entry, dict) or dig(entry, "enabled") is not True:
                continue
            if isinstance(entry.get("category"), str) and entry["category"]:
                categories.add(entry["category"].lower())
            if isinstance(entry.get("categoryGroup"), str) and entry["categoryGroup"]:
                groups.add(entry["categoryGroup"].lower())
    return categories, groups


def _workspace_of(setting: Resource) -> str | None:
    """The Log Analytics workspace a setting sends to; None when it sends to none."""
    value = dig(setting, "properties.workspaceId")
    return value if isinstance(value, str) and value else None


# Azure Monitor allows at most five diagnostic settings on one resource (Learn, "Diagnostic settings
# in Azure Monitor"): the most a resource whose settings could not be read can add to a workspace's count.
SETTINGS_PER_RESOURCE = 5


def expected_workspace(ctx: Context) -> str | None:
    """The workspace every setting must use: the baseline's, else the most used one; None means any."""
    return _expected_workspace(ctx)[0]


def _expected_workspace(ctx: Context) -> tuple[str | None, str | None]:
    """The expected workspace, and why the most used one cannot be told (None when it can).

    The most used workspace is only known when the settings that could not be read cannot
    change the count: when a list of resources failed, or when the unread settings (at most
    five a resource) could close the gap between the first and the second workspace.
    """
    named = ctx.params.log_analytics_workspace
    if named:
        return str(named), None
    if not ctx.params.same_workspace:
        return None, None
    counts: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for setting in ctx.estate.of_type(SETTINGS_TYPE):
        ws = _workspace_of(setting)
        if ws:
            counts[ids.norm(ws)] += 1
            spelling.setdefault(ids.norm(ws), ws)
    unread = [e for e in ctx.estate.errors if same(e.resource_type, SETTINGS_TYPE)]
    hidden = [
        e
        for e in ctx.estate.broad_gaps({e.resource_type for e in ctx.estate.errors})
        if not e.resource_type.lower().startswith(("microsoft.authorization/", "microsoft.managedidentity/"))
    ]
    if not counts:
        return None, None
    best = min(counts, key=lambda k: (-counts[k], k))  # most used; ties broken by id for a stable answer
    runner_up = max((n for k, n in counts.items() if k != best), default=0)
    if hidden:
        e = hidden[0]
        return spelling[best], (
            f"the workload's Log Analytics workspace cannot be told: reading {e.resource_type} at {e.scope} "
            f"failed ({e.outcome}), so their diagnostic settings are not counted"
        )
    if unread and counts[best] - runner_up <= SETTINGS_PER_RESOURCE * len(unread):
        e = unread[0]
        return spelling[best], (
            f"the workload's Log Analytics workspace cannot be told: the diagnostic settings of "
            f"{len(unread)} resource(s) could not be read (first {e.scope}: {e.outcome}), enough to change "
            "which workspace is the most used"
        )
    return spelling[best], None


def check_logs(
    ctx: Context,
    res: Resource,
    what: str,
    req: Requirement,
    workspace: str | None,
    undecided: str | None = None,
) -> Result:
    """One verdict on a resource's diagnostic settings against a requirement and a destination.

    `undecided` says why the destination (the most used workspace) cannot be told: then only
    what fails whatever the workspace fails, and the rest is not assessed.
    """
    if undecided is not None:
        verdict = check_logs(ctx, res, what, req, None)
        if verdict.status is Status.PASS:
            return not_assessed(res, f"{verdict.message}; but {undecided}", verdict.expected)
        return verdict
    expected = {"workspaceId": workspace or "any Log Analytics workspace", "logs": req.to_list()}
    gap = ctx.estate.gap(SETTINGS_TYPE, res["id"])
    if gap:
        return not_assessed(res, f"diagnostic settings of {what} unknown: {gap}", expected)
    settings = [
        s for s in ctx.estate.diagnostic_settings(res["id"]) if same(s["type"], types.DIAGNOSTIC_SETTINGS)
    ]
    if not settings:
        return failed(res, f"{what} has no diagnostic setting", expected, None)
    to_law = [s for s in settings if _workspace_of(s)]
    matching = [
        s for s in to_law if workspace is None or ids.norm(_workspace_of(s) or "") == ids.norm(workspace)
    ]
    elsewhere = sorted({_workspace_of(s) or "" for s in to_law if s not in matching})
    categories, groups = enabled_logs(matching)
    actual = {
        "workspaceId": sorted({_workspace_of(s) or "" for s in to_law}),
        "logs": sorted(categories) + [f"categoryGroup {g}" for g in sorted(groups)],
    }
    names = ", ".join(str(s.get("name") or ids.name_of(s["id"])) for s in matching)
    if not to_law:
        return failed(
            res,
            f"no diagnostic setting of {what} sends to a Log Analytics workspace "
            "(properties.workspaceId is not set)",
            expected,
            actual,
        )
    if not matching:
        return failed(
            res,
            f"diagnostic settings of {what} send to {', '.join(elsewhere)}, "
            f"not to {workspace} (properties.workspaceId)",
            expected,
            actual,
        )
    rtype = resource_type_of(res["id"]) or res["type"]
    resolved = groups_of(ctx.estate, rtype)
    missing, unknown, used = req.missing(categories, groups, resolved)
    if missing:
        return failed(
            res,
            f"diagnostic setting(s) {names} of {what} do not collect: " + ", ".join(missing),
            expected,
            actual,
        )
    if unknown:
        return not_assessed(
            res,
            f"diagnostic setting(s) {names} of {what} leave " + ", ".join(unknown) + " to a category "
            f"group whose categories for {rtype} could not be resolved (no diagnosticSettingsCategories "
            "in the snapshot, and the type is not in the documented table)",
            expected,
        )
    also = f"; also sends to {', '.join(elsewhere)}" if elsewhere else ""
    via = f"; categoryGroup {', '.join(used)} resolved from {resolved.source}" if used and resolved else ""
    return passed(
        res,
        f"diagnostic setting(s) {names} of {what} send the required logs to "
        f"{ids.name_of(_workspace_of(matching[0]) or '')}{also}{via}",
        expected,
        actual,
    )


def _check_all(ctx: Context, resources: Iterable[Resource], what: str) -> Iterator[Result]:
    """One logging verdict per resource, in id order."""
    req = Requirement.of(ctx.params)
    workspace, undecided = _expected_workspace(ctx)
    for res in sorted(resources, key=lambda r: ids.norm(r["id"])):
        yield check_logs(ctx, res, what, req, workspace, undecided)


@dataclass(frozen=True)
class LogParams:
    """What a diagnostics rule requires: categories, category groups, and the destination workspace.

    Each rule's subclass sets its own categories; `log_analytics_workspace` names the workspace every
    setting must use (empty: the most used one, when `same_workspace`).
    """

    categories: tuple[str, ...] = ()
    category_groups: tuple[str, ...] = ()
    log_analytics_workspace: str = ""
    same_workspace: bool = True


STORAGE_SERVICES: dict[str, tuple[str, ...]] = {
    WORKSPACE_STORAGE: ("blobServices", "fileServices"),
    APP_STORAGE: ("blobServices",),
}


@dataclass(frozen=True)
class OpenAILogs(LogParams):
    """DIAG001's required logs."""

    categories: tuple[str, ...] = ("Audit", "RequestResponse", "AzureOpenAIRequestUsage", "Trace")


@dataclass(frozen=True)
class KeyVaultLogs(LogParams):
    """DIAG002's required logs."""

    categories: tuple[str, ...] = ("AuditEvent", "AzurePolicyEvaluationDetails")


@dataclass(frozen=True)
class RegistryLogs(LogParams):
    """DIAG003's required logs."""

    categories: tuple[str, ...] = ("ContainerRegistryRepositoryEvents", "ContainerRegistryLoginEvents")


@dataclass(frozen=True)
class StorageLogs(LogParams):
    """DIAG004's required logs."""

    categories: tuple[str, ...] = ("StorageRead", "StorageWrite", "StorageDelete")
    services: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(STORAGE_SERVICES))


@dataclass(frozen=True)
class GatewayLogs(LogParams):
    """DIAG005's required logs."""

    categories: tuple[str, ...] = (
        "ApplicationGatewayAccessLog",
        "ApplicationGatewayPerformanceLog",
        "ApplicationGatewayFirewallLog",
    )


@dataclass(frozen=True)
class BastionLogs(LogParams):
    """DIAG006's required logs."""

    categories: tuple[str, ...] = ("BastionAuditLogs",)


@dataclass(frozen=True)
class SearchLogs(LogParams):
    """DIAG007's required logs."""

    categories: tuple[str, ...] = ("OperationLogs",)


@dataclass(frozen=True)
class WorkspaceLogs(LogParams):
    """DIAG008's required logs."""

    category_groups: tuple[str, ...] = ("allLogs",)


@dataclass(frozen=True)
class EndpointLogs(LogParams):
    """DIAG009's required logs."""

    categories: tuple[str, ...] = (
        "AmlOnlineEndpointConsoleLog",
        "AmlOnlineEndpointTrafficLog",
        "AmlOnlineEndpointEventLog",
    )


@dataclass(frozen=True)
class WebAppLogs(LogParams):
    """DIAG010's required logs."""

    categories: tuple[str, ...] = (
        "AppServiceHTTPLogs",
        "AppServiceConsoleLogs",
        "AppServiceAppLogs",
        "AppServicePlatformLogs",
    )


def _by_role(ctx: Context, *roles: str) -> list[Resource]:
    found: dict[str, Resource] = {}
    for role in roles:
        for res in ctx.roles.resources(role):
            found.setdefault(ids.norm(res["id"]), res)
    return list(found.values())


@rule(
    id="DIAG001",
    name="openai-diagnostics",
    control="diagnostics",
    severity="medium",
    title="Azure OpenAI sends its logs to the workload's Log Analytics workspace",
    rationale="""Diagnostics are configured for all services, Azure OpenAI with all logs (Microsoft
    Learn, "Baseline OpenAI end-to-end chat reference architecture", both editions, section
    "Monitoring"); the ML-workspace reference sends categoryGroup allLogs (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/openai.bicep#L183-L200),
    the hub reference the categories Audit, RequestResponse, AzureOpenAIRequestUsage and Trace
    (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/openai.bicep#L163-L204).""",
    references=[
        article("Monitoring"),
        supported_logs(types.COGNITIVE_ACCOUNTS),
        implementation("aml", "infra-as-code/bicep/openai.bicep", 183, 200),
        implementation("hub", "infra-as-code/bicep/openai.bicep", 163, 204),
    ],
    remediation="""az monitor diagnostic-settings create --resource <account id> -n default --workspace
    <workspace id> --logs '[{"categoryGroup":"allLogs","enabled":true}]'; in Bicep """
    + DESTINATION_REMEDIATION,
    params=OpenAILogs,
)
def openai_diagnostics(ctx: Context) -> Iterator[Result]:
    """Every Azure OpenAI account has diagnostic settings to the expected Log Analytics workspace with
    the listed categories enabled (or allLogs)."""
    yield from unread(ctx.estate, types.COGNITIVE_ACCOUNTS, "Cognitive Services accounts")
    yield from _check_all(ctx, ctx.roles.resources(OPENAI), "Azure OpenAI")


@rule(
    id="DIAG002",
    name="key-vault-diagnostics",
    control="diagnostics",
    severity="high",
    title="Key Vault sends its audit logs to the workload's Log Analytics workspace",
    rationale="""Diagnostics cover all services with all logs (Microsoft Learn, "Baseline OpenAI
    end-to-end chat reference architecture", both editions, section "Monitoring"); the vault's
    AuditEvent log is the only record of who read the endpoint key and the gateway certificate. The
    ML-workspace reference sends allLogs (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/keyvault.bicep#L81-L98),
    the hub reference AuditEvent and AzurePolicyEvaluationDetails (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/keyvault.bicep#L82-L107).""",
    references=[
        article("Monitoring"),
        supported_logs(types.KEY_VAULTS),
        implementation("aml", "infra-as-code/bicep/keyvault.bicep", 81, 98),
        implementation("hub", "infra-as-code/bicep/keyvault.bicep", 82, 107),
    ],
    remediation="""az monitor diagnostic-settings create --resource <vault id> -n default --workspace
    <workspace id> --logs '[{"categoryGroup":"allLogs","enabled":true}]'; in Bicep """
    + DESTINATION_REMEDIATION,
    params=KeyVaultLogs,
)
def key_vault_diagnostics(ctx: Context) -> Iterator[Result]:
    """Every Key Vault has diagnostic settings to the expected workspace with the listed categories."""
    yield from unread(ctx.estate, types.KEY_VAULTS, "Key Vaults")
    yield from _check_all(ctx, ctx.estate.of_type(types.KEY_VAULTS), "Key Vault")


@rule(
    id="DIAG003",
    name="container-registry-diagnostics",
    control="diagnostics",
    severity="low",
    title="Container Registry sends its logs to the workload's Log Analytics workspace",
    rationale="""Diagnostics cover all services with all logs (Microsoft Learn, "Baseline OpenAI
    end-to-end chat reference architecture", both editions, section "Monitoring"); the ML-workspace
    reference sends allLogs (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/acr.bicep#L63-L80),
    the hub reference ContainerRegistryRepositoryEvents and ContainerRegistryLoginEvents
    (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/acr.bicep#L89-L113):
    who pushed or pulled the prompt-flow images.""",
    references=[
        article("Monitoring"),
        supported_logs(types.CONTAINER_REGISTRIES),
        implementation("aml", "infra-as-code/bicep/acr.bicep", 63, 80),
        implementation("hub", "infra-as-code/bicep/acr.bicep", 89, 113),
    ],
    remediation="""az monitor diagnostic-settings create --resource <registry id> -n default --workspace
    <workspace id> --logs '[{"categoryGroup":"allLogs","enabled":true}]'; in Bicep """
    + DESTINATION_REMEDIATION,
    params=RegistryLogs,
)
def registry_diagnostics(ctx: Context) -> Iterator[Result]:
    """Every container registry has diagnostic settings to the expected workspace with the listed
    categories."""
    registries = types.CONTAINER_REGISTRIES
    yield from unread(ctx.estate, registries, "container registries")
    yield from _check_all(ctx, ctx.estate.of_type(registries), "Container Registry")


@rule(
    id="DIAG004",
    name="storage-diagnostics",
    control="diagnostics",
    severity="medium",
    title="Storage blob and file services send their logs to the workload's Log Analytics workspace",
    rationale="""Diagnostics cover all services with all logs (Microsoft Learn, "Baseline OpenAI
    end-to-end chat reference architecture", both editions, section "Monitoring"). Storage logs are
    emitted by the services, so the references attach the settings to .../blobServices/default of each
    account and .../fileServices/default of the ML storage (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/storage.bicep#L89,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/storage.bicep#L171
    and
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/storage.bicep#L191-L208;
    reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/storage.bicep#L105-L138
    and
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/storage.bicep#L220-L289):
    StorageRead, StorageWrite, StorageDelete.""",
    references=[
        article("Monitoring"),
        supported_logs(types.BLOB_SERVICES),
        supported_logs(types.FILE_SERVICES),
        implementation("aml", "infra-as-code/bicep/storage.bicep", 89),
        implementation("aml", "infra-as-code/bicep/storage.bicep", 171),
        implementation("aml", "infra-as-code/bicep/storage.bicep", 191, 208),
        implementation("hub", "infra-as-code/bicep/storage.bicep", 105, 138),
        implementation("hub", "infra-as-code/bicep/storage.bicep", 220, 289),
    ],
    remediation="""az monitor diagnostic-settings create --resource <account id>/blobServices/default -n
    default --workspace <workspace id> --logs '[{"categoryGroup":"allLogs","enabled":true}]' (and
    .../fileServices/default); in Bicep, on the blobServices/fileServices child, """
    + DESTINATION_REMEDIATION,
    params=StorageLogs,
)
def storage_diagnostics(ctx: Context) -> Iterator[Result]:
    """For each storage account, by its role (workspace or app storage), each service listed in
    `services` (`<account>/<service>/default`) has diagnostic settings to the expected workspace with
    the listed categories."""
    accounts = types.STORAGE_ACCOUNTS
    yield from unread(ctx.estate, accounts, "storage accounts")
    services: Mapping[str, tuple[str, ...]] = ctx.params.services
    targets: list[tuple[Resource, str]] = []
    seen: set[str] = set()
    for account in ctx.estate.of_type(accounts):
        for role in sorted(ctx.roles.of_resource(account["id"])):
            for service in services.get(role) or []:
                sid = f"{account['id']}/{service}/default"
                if ids.norm(sid) in seen:  # an account in two roles that both list the service
                    continue
                seen.add(ids.norm(sid))
                target = ctx.estate.get(sid) or {"id": sid, "type": f"{accounts}/{service}"}
                targets.append((target, f"{service} of {account.get('name') or ids.name_of(account['id'])}"))
    req = Requirement.of(ctx.params)
    workspace, undecided = _expected_workspace(ctx)
    for target, what in sorted(targets, key=lambda t: ids.norm(t[0]["id"])):
        yield check_logs(ctx, target, what, req, workspace, undecided)


@rule(
    id="DIAG005",
    name="application-gateway-diagnostics",
    control="diagnostics",
    severity="medium",
    title="Application Gateway sends its access, performance and firewall logs to Log Analytics",
    rationale="""Diagnostics cover all services with all logs (Microsoft Learn, "Baseline OpenAI
    end-to-end chat reference architecture", both editions, section "Monitoring"); the gateway's
    firewall log is the only record of what the WAF blocked. The ML-workspace reference sends allLogs
    (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/gateway.bicep#L283-L297),
    the hub reference ApplicationGatewayAccessLog, ApplicationGatewayPerformanceLog and
    ApplicationGatewayFirewallLog (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/gateway.bicep#L299-L332).""",
    references=[
        article("Monitoring"),
        supported_logs(types.APPLICATION_GATEWAYS),
        implementation("aml", "infra-as-code/bicep/gateway.bicep", 283, 297),
        implementation("hub", "infra-as-code/bicep/gateway.bicep", 299, 332),
    ],
    remediation="""az monitor diagnostic-settings create --resource <gateway id> -n default --workspace
    <workspace id> --logs '[{"categoryGroup":"allLogs","enabled":true}]'; in Bicep """
    + DESTINATION_REMEDIATION,
    params=GatewayLogs,
)
def gateway_diagnostics(ctx: Context) -> Iterator[Result]:
    """Every Application Gateway has diagnostic settings to the expected workspace with the listed
    categories."""
    gateways = types.APPLICATION_GATEWAYS
    yield from unread(ctx.estate, gateways, "Application Gateways")
    yield from _check_all(ctx, ctx.estate.of_type(gateways), "Application Gateway")


@rule(
    id="DIAG006",
    name="bastion-diagnostics",
    control="diagnostics",
    severity="medium",
    title="Azure Bastion sends its audit logs to the workload's Log Analytics workspace",
    rationale="""Diagnostics cover all services with all logs (Microsoft Learn, "Baseline OpenAI
    end-to-end chat reference architecture", both editions, section "Monitoring"); Bastion's audit log
    records every administrative session to the jump box. The ML-workspace reference sends allLogs
    (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/jumpbox.bicep#L111-L125),
    the hub reference BastionAuditLogs (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/jumpbox.bicep#L113-L129).""",
    references=[
        article("Monitoring"),
        supported_logs(types.BASTION_HOSTS),
        implementation("aml", "infra-as-code/bicep/jumpbox.bicep", 111, 125),
        implementation("hub", "infra-as-code/bicep/jumpbox.bicep", 113, 129),
    ],
    remediation="""az monitor diagnostic-settings create --resource <bastion id> -n default --workspace
    <workspace id> --logs '[{"categoryGroup":"allLogs","enabled":true}]'; in Bicep """
    + DESTINATION_REMEDIATION,
    params=BastionLogs,
)
def bastion_diagnostics(ctx: Context) -> Iterator[Result]:
    """Every Bastion host has diagnostic settings to the expected workspace with the listed categories."""
    bastions = types.BASTION_HOSTS
    yield from unread(ctx.estate, bastions, "Bastion hosts")
    yield from _check_all(ctx, ctx.estate.of_type(bastions), "Bastion")


@rule(
    id="DIAG007",
    name="search-diagnostics",
    control="diagnostics",
    severity="low",
    title="AI Search sends its logs to the workload's Log Analytics workspace",
    rationale="""Diagnostics cover all services with all logs (Microsoft Learn, "Baseline OpenAI
    end-to-end chat reference architecture", both editions, section "Monitoring"), AI Search among
    them; the ML-workspace and hub references deploy no search service, Microsoft's current reference
    sends OperationLogs (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/ai-search.bicep#L116-L130).""",
    references=[
        article("Monitoring"),
        supported_logs(types.SEARCH_SERVICES),
        implementation("foundry", "infra-as-code/bicep/ai-search.bicep", 116, 130),
    ],
    remediation="""az monitor diagnostic-settings create --resource <search id> -n default --workspace
    <workspace id> --logs '[{"categoryGroup":"allLogs","enabled":true}]'; in Bicep """
    + DESTINATION_REMEDIATION,
    params=SearchLogs,
)
def search_diagnostics(ctx: Context) -> Iterator[Result]:
    """Every AI Search service has diagnostic settings to the expected workspace with the listed
    categories."""
    search = types.SEARCH_SERVICES
    yield from unread(ctx.estate, search, "AI Search services")
    yield from _check_all(ctx, ctx.estate.of_type(search), "AI Search")


@rule(
    id="DIAG008",
    name="ml-workspace-diagnostics",
    control="diagnostics",
    severity="medium",
    title="The ML workspace, hub and project send their logs to the workload's Log Analytics workspace",
    rationale="""The ML-workspace variant captures the workspace's audit logs (Microsoft Learn,
    "Baseline OpenAI end-to-end chat reference architecture", Machine Learning workspace edition,
    section "Monitoring": "The Machine Learning diagnostics are configured to capture the audit logs";
    categoryGroup audit in the ML-workspace reference, reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/machinelearning.bicep#L392-L409).
    The hub variant captures all logs for every service but App Service (AI Studio hub edition, same
    section); the hub reference sends only ComputeInstanceEvent on the hub and 21 categories on the
    project (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/machinelearning.bicep#L219-L235
    and
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/machinelearning.bicep#L306-L483):
    the text wins, so the hub variant's baseline asks for allLogs on both.""",
    references=[
        article("Monitoring"),
        supported_logs(types.ML_WORKSPACES),
        implementation("aml", "infra-as-code/bicep/machinelearning.bicep", 392, 409),
        implementation("hub", "infra-as-code/bicep/machinelearning.bicep", 219, 235),
        implementation("hub", "infra-as-code/bicep/machinelearning.bicep", 306, 483),
    ],
    remediation="""az monitor diagnostic-settings create --resource <workspace id> -n default --workspace
    <log analytics id> --logs '[{"categoryGroup":"allLogs","enabled":true}]' (or "audit" for the
    ML-workspace variant); in Bicep """
    + DESTINATION_REMEDIATION,
    params=WorkspaceLogs,
)
def workspace_diagnostics(ctx: Context) -> Iterator[Result]:
    """Every ML workspace, hub and project has diagnostic settings to the expected workspace with the
    listed categories and category groups (`audit` is met by audit, allLogs, or each of the audit
    group's categories as Azure lists them)."""
    yield from unread(ctx.estate, types.ML_WORKSPACES, "machine learning workspaces")
    yield from _check_all(ctx, _by_role(ctx, WORKSPACE, HUB, PROJECT), "the ML workspace")


@rule(
    id="DIAG009",
    name="online-endpoint-diagnostics",
    control="diagnostics",
    severity="medium",
    title="Managed online endpoints send console, traffic and event logs to Log Analytics",
    rationale="""The online endpoint serves every chat request; its console, traffic and event logs are how
    failures of the deployed flow are seen. The ML-workspace reference sends allLogs (reference
    implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/machinelearning.bicep#L412-L428),
    the hub reference AmlOnlineEndpointConsoleLog, AmlOnlineEndpointTrafficLog and
    AmlOnlineEndpointEventLog (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/machinelearning.bicep#L486-L518);
    both editions of the architecture article (Microsoft Learn, "Baseline OpenAI end-to-end chat
    reference architecture", section "Monitoring") configure diagnostics for all services.""",
    references=[
        article("Monitoring"),
        supported_logs(types.ML_ONLINE_ENDPOINTS),
        implementation("aml", "infra-as-code/bicep/machinelearning.bicep", 412, 428),
        implementation("hub", "infra-as-code/bicep/machinelearning.bicep", 486, 518),
    ],
    remediation="""az monitor diagnostic-settings create --resource <endpoint id> -n default --workspace
    <workspace id> --logs '[{"categoryGroup":"allLogs","enabled":true}]'; in Bicep """
    + DESTINATION_REMEDIATION,
    params=EndpointLogs,
)
def endpoint_diagnostics(ctx: Context) -> Iterator[Result]:
    """Every managed online endpoint has diagnostic settings to the expected workspace with the listed
    categories."""
    yield from unread(ctx.estate, types.ML_ONLINE_ENDPOINTS, "online endpoints")
    yield from _check_all(ctx, ctx.roles.resources(ONLINE_ENDPOINT), "the online endpoint")


@rule(
    id="DIAG010",
    name="app-service-diagnostics",
    control="diagnostics",
    severity="low",
    title="The web apps send HTTP, console, application and platform logs to Log Analytics",
    rationale="""App Service is configured to capture AppServiceHTTPLogs, AppServiceConsoleLogs,
    AppServiceAppLogs and AppServicePlatformLogs (Microsoft Learn, "Baseline OpenAI end-to-end chat
    reference architecture", both editions, section "Monitoring"), on the chat UI and the prompt-flow
    web app alike (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/webapp.bicep#L182-L216
    and
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/webapp.bicep#L392-L426;
    reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/webapp.bicep#L202-L236
    and
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/webapp.bicep#L401-L435).""",
    references=[
        article("Monitoring"),
        supported_logs(types.WEB_SITES),
        implementation("aml", "infra-as-code/bicep/webapp.bicep", 182, 216),
        implementation("aml", "infra-as-code/bicep/webapp.bicep", 392, 426),
        implementation("hub", "infra-as-code/bicep/webapp.bicep", 202, 236),
        implementation("hub", "infra-as-code/bicep/webapp.bicep", 401, 435),
    ],
    remediation="""az monitor diagnostic-settings create --resource <site id> -n default --workspace
    <workspace id> --logs '[{"category":"AppServiceHTTPLogs","enabled":true}, ...]'; in Bicep """
    + DESTINATION_REMEDIATION,
    params=WebAppLogs,
)
def app_service_diagnostics(ctx: Context) -> Iterator[Result]:
    """The chat UI and prompt-flow web apps have diagnostic settings to the expected workspace with the
    listed categories."""
    yield from unread(ctx.estate, types.WEB_SITES, "web apps")
    yield from _check_all(ctx, _by_role(ctx, CHAT_UI, PROMPTFLOW_APP), "the web app")


# --- The Foundry Agent Service design: the agent's thread store -----------------------------------


@dataclass(frozen=True)
class CosmosLogs(LogParams):
    """DIAG020's required logs."""

    categories: tuple[str, ...] = (
        "DataPlaneRequests",
        "PartitionKeyRUConsumption",
        "ControlPlaneRequests",
        "DataPlaneRequests5M",
        "DataPlaneRequests15M",
    )


@rule(
    id="DIAG020",
    name="cosmos-diagnostics",
    control="diagnostics",
    severity="medium",
    title="Cosmos DB sends its logs to the workload's Log Analytics workspace",
    rationale="""The design sends diagnostics from all services to the workload's Log Analytics
    workspace, with all available log categories except App Service (Microsoft Learn, "Baseline
    Microsoft Foundry chat reference architecture", section "Monitoring"); the reference sends the
    agent's thread store's DataPlaneRequests, PartitionKeyRUConsumption, ControlPlaneRequests,
    DataPlaneRequests5M and DataPlaneRequests15M (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/cosmos-db.bicep#L115-L160).
    categoryGroup allLogs covers them.""",
    references=[
        foundry_article("Monitoring"),
        supported_logs(types.COSMOS_ACCOUNTS),
        implementation("foundry", "infra-as-code/bicep/cosmos-db.bicep", 115, 160),
    ],
    remediation="""az monitor diagnostic-settings create --resource <account id> -n default --workspace
    <workspace id> --logs '[{"categoryGroup":"allLogs","enabled":true}]'; in Bicep """
    + DESTINATION_REMEDIATION,
    params=CosmosLogs,
    since="0.2.0",
    status="preview",
)
def cosmos_diagnostics(ctx: Context) -> Iterator[Result]:
    """Every Cosmos DB account has diagnostic settings to the expected workspace with the listed
    categories (or allLogs)."""
    yield from unread(ctx.estate, types.COSMOS_ACCOUNTS, "Cosmos DB accounts")
    yield from _check_all(ctx, ctx.estate.of_type(types.COSMOS_ACCOUNTS), "Cosmos DB")
