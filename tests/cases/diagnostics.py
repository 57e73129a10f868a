"""Cases of the diagnostics family: a mutation of the compliant estate and the statuses it must give.

Same case type as the identity table (tests/cases/common.py's `ResourceCase`), and its resource names.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from auditor.arm import ids as armid
from tests import estates
from tests.cases.common import Mutation, Resource, chain, denied, drop_type
from tests.cases.common import ResourceCase as Case
from tests.cases.identity import by_id, resource_id, rg

DIAG = "Microsoft.Insights/diagnosticSettings"
CATEGORIES = "Microsoft.Insights/diagnosticSettingsCategories"
LAW = "Microsoft.OperationalInsights/workspaces"
OTHER_LAW = f"/subscriptions/{estates.SUB}/resourceGroups/rg-ops/providers/{LAW}/log-ops"


def target(what: str, variant: str) -> str:
    """A resource id, or `<storage>/<service>` for a storage service (ws-storage/fileServices)."""
    if "/" in what:
        account, service = what.split("/", 1)
        return f"{resource_id(account, variant)}/{service}/default"
    return resource_id(what, variant)


def setting_id(what: str, variant: str, name: str = "default") -> str:
    return f"{target(what, variant)}/providers/Microsoft.Insights/diagnosticSettings/{name}"


def setting(res: list[Resource], what: str, variant: str) -> Resource:
    return by_id(res, setting_id(what, variant))


def logs(*entries: str, enabled: bool = True) -> list[dict[str, Any]]:
    """Log entries: `group:allLogs` is a category group, anything else a category."""
    out = []
    for entry in entries:
        if entry.startswith("group:"):
            out.append({"category": None, "categoryGroup": entry[len("group:") :], "enabled": enabled})
        else:
            out.append({"category": entry, "categoryGroup": None, "enabled": enabled})
    return out


def drop_setting(what: str) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> list[Resource]:
        sid = armid.norm(setting_id(what, variant))
        kept = estates.remove(res, lambda r: armid.norm(r["id"]) == sid)
        assert len(kept) == len(res) - 1
        return kept

    return mutate


def set_logs(what: str, entries: list[dict[str, Any]]) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        setting(res, what, variant)["properties"]["logs"] = copy.deepcopy(entries)

    return mutate


def set_destination(what: str, workspace: str | None, storage: str | None = None) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        props = setting(res, what, variant)["properties"]
        props["workspaceId"] = workspace
        if storage:
            props["storageAccountId"] = storage

    return mutate


def add_setting(
    what: str, name: str, entries: list[dict[str, Any]], workspace: str | None = None
) -> Mutation:
    """A second setting on the same resource (by default to the same workspace as the first)."""

    def mutate(res: list[Resource], variant: str) -> None:
        first = setting(res, what, variant)
        extra = copy.deepcopy(first)
        extra["id"], extra["name"] = setting_id(what, variant, name), name
        extra["properties"]["logs"] = copy.deepcopy(entries)
        if workspace:
            extra["properties"]["workspaceId"] = workspace
        res.append(extra)

    return mutate


def set_category_groups(what: str, category: str, groups: list[str]) -> Mutation:
    """Change the category groups Azure lists for one category of the target's type."""

    def mutate(res: list[Resource], variant: str) -> None:
        wanted = armid.norm(f"{target(what, variant)}/providers/{CATEGORIES}/{category}")
        by_id(res, wanted)["properties"]["categoryGroups"] = groups

    return mutate


# A snapshot taken before the categories were read: no diagnosticSettingsCategories at all.
NO_CATEGORIES: dict[str, Any] = {"mutate": drop_type(CATEGORIES), "drop_types": (CATEGORIES,)}


def move_setting_to_account(res: list[Resource], variant: str) -> None:
    """A storage setting on the account itself, where the blob logs are not emitted."""
    s = setting(res, "ws-storage/blobServices", variant)
    s["id"] = f"{resource_id('ws-storage', variant)}/providers/Microsoft.Insights/diagnosticSettings/default"


def gateway_settings_forbidden(res: list[Resource], variant: str) -> list[Resource]:
    """As in the drifted samples: the read of the gateway's settings failed, so none are saved."""
    gw = armid.norm(resource_id("gateway", variant))
    return estates.remove(res, lambda r: r["type"] == DIAG and armid.norm(r["id"]).startswith(gw + "/"))


def settings_scope(what: str) -> Callable[[str], str]:
    return lambda variant: f"{target(what, variant)}/providers/Microsoft.Insights/diagnosticSettings"


AML, HUB = ("aml",), ("aistudio",)
SUB_ID = estates.SUB
OPENAI_LOGS = ["Audit", "RequestResponse", "AzureOpenAIRequestUsage", "Trace"]
APP_LOGS = ["AppServiceHTTPLogs", "AppServiceConsoleLogs", "AppServiceAppLogs", "AppServicePlatformLogs"]

CASES: list[Case] = [
    # DIAG001: Azure OpenAI, with the destination checks every rule shares
    Case("compliant", "DIAG001", {}),
    Case("no-setting", "DIAG001", {"aoai-chat": "fail"}, mutate=drop_setting("aoai"),
         contains="no diagnostic setting"),
    Case("all-logs-disabled", "DIAG001", {"aoai-chat": "fail"},
         mutate=set_logs("aoai", logs("group:allLogs", enabled=False))),
    Case("explicit-list-covers", "DIAG001", {}, mutate=set_logs("aoai", logs(*OPENAI_LOGS))),
    Case("explicit-list-short", "DIAG001", {"aoai-chat": "fail"},
         mutate=set_logs("aoai", logs("Audit", "Trace")),
         contains="RequestResponse, AzureOpenAIRequestUsage"),
    Case("category-names-any-case", "DIAG001", {},
         mutate=set_logs("aoai", logs(*(c.lower() for c in OPENAI_LOGS)))),
    Case("another-workspace", "DIAG001", {"aoai-chat": "fail"}, mutate=set_destination("aoai", OTHER_LAW),
         contains="not to"),
    Case("another-workspace-accepted", "DIAG001", {}, mutate=set_destination("aoai", OTHER_LAW),
         params={"same_workspace": False}),
    Case("named-workspace", "DIAG001", {}, mutate=set_destination("aoai", OTHER_LAW),
         params={"log_analytics_workspace": OTHER_LAW.upper()}),
    Case("only-to-storage", "DIAG001", {"aoai-chat": "fail"},
         mutate=set_destination("aoai", None, storage=resource_id("app-storage", "aml")),
         contains="workspaceId"),
    Case("extra-export-elsewhere", "DIAG001", {"aoai-chat": "pass"},
         mutate=add_setting("aoai", "siem", logs("group:audit"), workspace=OTHER_LAW), contains="also sends"),
    Case("settings-unreadable", "DIAG001", {"aoai-chat": "not_assessed"}, mutate=drop_setting("aoai"),
         errors=denied(DIAG, settings_scope("aoai"))),
    # DIAG002: Key Vault
    Case("compliant", "DIAG002", {}),
    Case("no-setting", "DIAG002", {"kv-chat-{v}": "fail"}, mutate=drop_setting("kv")),
    Case("all-logs", "DIAG002", {}, mutate=set_logs("kv", logs("group:allLogs"))),
    Case("audit-event-only", "DIAG002", {"kv-chat-{v}": "fail"}, mutate=set_logs("kv", logs("AuditEvent")),
         contains="AzurePolicyEvaluationDetails"),
    Case("settings-not-collected", "DIAG002", {}, others="not_assessed", drop_types=(DIAG,)),
    # The audit group covers AuditEvent but not the policy-evaluation log.
    Case("audit-group-covers-audit-event", "DIAG002", {"kv-chat-{v}": "fail"},
         mutate=set_logs("kv", logs("group:audit")), contains="do not collect: AzurePolicyEvaluationDetails"),
    Case("audit-group-and-policy-log", "DIAG002", {},
         mutate=set_logs("kv", logs("group:audit", "AzurePolicyEvaluationDetails"))),
    # DIAG003: Container Registry
    Case("compliant", "DIAG003", {}),
    Case("login-events-only", "DIAG003", {"crchat{v}": "fail"},
         mutate=set_logs("acr", logs("ContainerRegistryLoginEvents"))),
    Case("settings-unreadable", "DIAG003", {"crchat{v}": "not_assessed"},
         errors=denied(DIAG, settings_scope("acr"))),
    # The registry's audit group holds its login and repository events, as Azure lists them
    # (the categories' categoryGroups, shaped as Microsoft's listDiagnosticSettingsCategories.json).
    Case("audit-group-read-from-azure", "DIAG003", {"crchat{v}": "pass"},
         mutate=set_logs("acr", logs("group:audit")),
         contains="categoryGroup audit resolved from diagnosticSettingsCategories of crchat"),
    Case("audit-group-from-documented-table", "DIAG003", {"crchat{v}": "pass"},
         mutate=chain(set_logs("acr", logs("group:audit")), NO_CATEGORIES["mutate"]),
         drop_types=NO_CATEGORIES["drop_types"], contains="resolved from the documented table"),
    Case("azure-lists-login-outside-audit", "DIAG003", {"crchat{v}": "fail"},
         mutate=chain(set_logs("acr", logs("group:audit")),
                      set_category_groups("acr", "ContainerRegistryLoginEvents", ["allLogs"])),
         contains="do not collect: ContainerRegistryLoginEvents"),
    Case("audit-group-required-met-by-its-categories", "DIAG003", {},
         params={"categories": [], "category_groups": ["audit"]}),
    Case("audit-group-required-not-met", "DIAG003", {"crchat{v}": "fail"},
         mutate=set_logs("acr", logs("ContainerRegistryLoginEvents")),
         params={"categories": [], "category_groups": ["audit"]}, contains="categoryGroup audit"),
    # DIAG004: storage services
    Case("compliant", "DIAG004", {}),
    Case("workspace-file-service-unlogged", "DIAG004", {"stmlchat{v}/fileServices/default": "fail"},
         mutate=drop_setting("ws-storage/fileServices")),
    Case("app-file-service-not-required", "DIAG004", {}, mutate=drop_setting("app-storage/fileServices")),
    Case("app-file-service-required-by-team", "DIAG004", {"stwebchat{v}/fileServices/default": "fail"},
         mutate=drop_setting("app-storage/fileServices"),
         params={"services": {"workspace-storage": ["blobServices", "fileServices"],
                              "app-storage": ["blobServices", "fileServices"]}}),
    Case("setting-on-account-not-service", "DIAG004", {"stmlchat{v}/blobServices/default": "fail"},
         mutate=move_setting_to_account),
    Case("write-not-logged", "DIAG004", {"stwebchat{v}/blobServices/default": "fail"},
         mutate=set_logs("app-storage/blobServices", logs("StorageRead", "StorageDelete")),
         contains="StorageWrite"),
    # Neither the snapshot nor the documented table says which storage categories audit covers.
    Case("audit-group-unresolved", "DIAG004", {"stwebchat{v}/blobServices/default": "not_assessed"},
         mutate=set_logs("app-storage/blobServices", logs("group:audit")),
         contains="could not be resolved"),
    # A certain gap (the required allLogs group) stays a failure beside the unresolved categories.
    Case("audit-group-unresolved-but-a-gap-is-certain", "DIAG004",
         {"stwebchat{v}/blobServices/default": "fail"}, others=None,
         mutate=set_logs("app-storage/blobServices", logs("group:audit")),
         params={"category_groups": ["allLogs"]}, contains="do not collect: categoryGroup allLogs"),
    Case("account-settings-unreadable", "DIAG004",
         {"stmlchat{v}/blobServices/default": "not_assessed",
          "stmlchat{v}/fileServices/default": "not_assessed"},
         errors=denied(DIAG, lambda v: resource_id("ws-storage", v))),
    # DIAG005: Application Gateway (the drifted samples' 403)
    Case("compliant", "DIAG005", {}),
    Case("access-log-only", "DIAG005", {"agw-chat": "fail"},
         mutate=set_logs("gateway", logs("ApplicationGatewayAccessLog")),
         contains="ApplicationGatewayFirewallLog"),
    Case("settings-forbidden", "DIAG005", {"agw-chat": "not_assessed"}, mutate=gateway_settings_forbidden,
         errors=denied(DIAG, settings_scope("gateway")), contains="403"),
    # DIAG006: Bastion
    Case("compliant", "DIAG006", {}),
    Case("no-setting", "DIAG006", {"bas-chat": "fail"}, mutate=drop_setting("bastion")),
    Case("all-logs", "DIAG006", {}, mutate=set_logs("bastion", logs("group:allLogs"))),
    Case("bastions-not-collected", "DIAG006", {SUB_ID: "not_assessed"},
         drop_types=("Microsoft.Network/bastionHosts",)),
    # DIAG007: AI Search
    Case("compliant", "DIAG007", {}),
    Case("metrics-only", "DIAG007", {"srch-chat-{v}": "fail"}, mutate=set_logs("search", [])),
    Case("operation-logs", "DIAG007", {}, mutate=set_logs("search", logs("OperationLogs"))),
    Case("settings-unreadable", "DIAG007", {"srch-chat-{v}": "not_assessed"}, mutate=drop_setting("search"),
         errors=denied(DIAG, settings_scope("search"))),
    # DIAG008: ML workspace (audit) / hub and project (all logs)
    Case("compliant", "DIAG008", {}),
    Case("workspace-all-logs", "DIAG008", {}, variants=AML,
         mutate=set_logs("workspace", logs("group:allLogs"))),
    Case("workspace-audit-disabled", "DIAG008", {"mlw-chat": "fail"}, variants=AML,
         mutate=set_logs("workspace", logs("group:audit", enabled=False)), contains="categoryGroup audit"),
    Case("project-audit-only", "DIAG008", {"proj-chat": "fail"}, variants=HUB,
         mutate=set_logs("project", logs("group:audit")), contains="categoryGroup allLogs"),
    Case("hub-no-setting", "DIAG008", {"hub-chat": "fail"}, variants=HUB, mutate=drop_setting("workspace")),
    Case("team-lists-categories", "DIAG008", {}, variants=HUB,
         mutate=chain(set_logs("project", logs("AmlComputeClusterEvent", "AmlDataSetEvent")),
                      set_logs("workspace", logs("AmlComputeClusterEvent", "AmlDataSetEvent"))),
         params={"categories": ["AmlComputeClusterEvent", "AmlDataSetEvent"], "category_groups": []}),
    Case("settings-unreadable", "DIAG008", {"proj-chat": "not_assessed"}, variants=HUB,
         errors=denied(DIAG, settings_scope("project"))),
    # DIAG009: online endpoints
    Case("compliant", "DIAG009", {}),
    Case("traffic-log-disabled", "DIAG009", {"ept-chat": "fail"},
         mutate=chain(set_logs("endpoint", logs("AmlOnlineEndpointConsoleLog", "AmlOnlineEndpointEventLog")),
                      add_setting("endpoint", "traffic", logs("AmlOnlineEndpointTrafficLog", enabled=False))),
         contains="AmlOnlineEndpointTrafficLog"),
    Case("settings-unreadable", "DIAG009", {"ept-chat": "not_assessed"},
         errors=denied(DIAG, settings_scope("endpoint"))),
    # DIAG010: web apps
    Case("compliant", "DIAG010", {}),
    Case("http-logs-only", "DIAG010", {"app-chat-ui": "fail"},
         mutate=set_logs("chat-site", logs("AppServiceHTTPLogs"))),
    Case("split-over-two-settings", "DIAG010", {},
         mutate=chain(set_logs("flow-site", logs(*APP_LOGS[:2])),
                      add_setting("flow-site", "more", logs(*APP_LOGS[2:])))),
    Case("split-over-two-workspaces", "DIAG010", {"app-chat-flow": "fail"},
         mutate=chain(set_logs("flow-site", logs(*APP_LOGS[:2])),
                      add_setting("flow-site", "more", logs(*APP_LOGS[2:]), workspace=OTHER_LAW))),
    Case("settings-unreadable", "DIAG010", {"app-chat-ui": "not_assessed"},
         errors=denied(DIAG, settings_scope("chat-site"))),
    # Issue 13: the unlisted web apps' settings could change which workspace is the workload's.
    Case("sites-unreadable", "DIAG010", {"rg-chat-{v}": "not_assessed"}, others="not_assessed",
         errors=denied("Microsoft.Web/sites", rg)),
]  # fmt: skip


# --- data stores (Foundry): the thread store's and the agent storage's logs -------------------------

FOUNDRY = ("foundry",)


def _foundry_setting(res: list[Resource], target_id: str) -> Resource:
    return by_id(res, f"{target_id}/providers/Microsoft.Insights/diagnosticSettings/default")


def foundry_logs(target_id: str, entries: list[dict[str, Any]]) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        _foundry_setting(res, target_id)["properties"]["logs"] = copy.deepcopy(entries)

    return mutate


def foundry_drop_setting(target_id: str) -> Mutation:
    wanted = armid.norm(f"{target_id}/providers/Microsoft.Insights/diagnosticSettings/default")
    return lambda res, variant: estates.remove(res, lambda r: armid.norm(r["id"]) == wanted)


def _stores() -> tuple[str, str]:
    from tests.foundry import AGENT_STORAGE, COSMOS

    return COSMOS, f"{AGENT_STORAGE}/blobServices/default"


_COSMOS, _AGENT_BLOB = _stores()
COSMOS_LOGS = [
    "DataPlaneRequests",
    "PartitionKeyRUConsumption",
    "ControlPlaneRequests",
    "DataPlaneRequests5M",
    "DataPlaneRequests15M",
]

FOUNDRY_DATA: list[Case] = [
    # DIAG020: Cosmos DB
    Case("compliant", "DIAG020", {"cosmos-chat-threads": "pass"}, variants=FOUNDRY),
    Case("reference-categories", "DIAG020", {"cosmos-chat-threads": "pass"}, variants=FOUNDRY,
         mutate=foundry_logs(_COSMOS, logs(*COSMOS_LOGS))),
    Case("control-plane-missing", "DIAG020", {"cosmos-chat-threads": "fail"}, variants=FOUNDRY,
         mutate=foundry_logs(_COSMOS, logs(*COSMOS_LOGS[:2], *COSMOS_LOGS[3:])),
         contains="ControlPlaneRequests"),
    Case("no-setting", "DIAG020", {"cosmos-chat-threads": "fail"}, variants=FOUNDRY,
         mutate=foundry_drop_setting(_COSMOS), contains="has no diagnostic setting"),
    Case("settings-unreadable", "DIAG020", {"cosmos-chat-threads": "not_assessed"}, variants=FOUNDRY,
         errors=denied(DIAG, lambda v: f"{_COSMOS}/providers/Microsoft.Insights/diagnosticSettings")),
    # DIAG004 on the agent's storage
    Case("agent-storage-no-delete-logs", "DIAG004", {"stagentchat/blobServices/default": "fail"},
         variants=FOUNDRY, mutate=foundry_logs(_AGENT_BLOB, logs("StorageRead", "StorageWrite")),
         contains="StorageDelete"),
]  # fmt: skip
CASES += FOUNDRY_DATA
