"""Cases of the identity family: a mutation of the compliant estate and the statuses it must give.

The case type is tests/cases/common.py's `ResourceCase`, which the diagnostics table uses too,
with the names of the sample estates' resources and principals below.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from auditor.analysis import builtin_roles
from auditor.arm import ids as armid
from auditor.engine.baseline import load_baseline
from tests import estates, foundry
from tests.cases import foundry_core
from tests.cases.common import Mutation, Resource, chain, denied, drop_type, set_path, subscription
from tests.cases.common import ResourceCase as Case
from tests.conftest import BASELINES
from tests.foundry import identity as foundry_identity

RA = "Microsoft.Authorization/roleAssignments"
RD = "Microsoft.Authorization/roleDefinitions"
WS = "Microsoft.MachineLearningServices/workspaces"
ENDPOINTS = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints"
COMPUTES = "Microsoft.MachineLearningServices/workspaces/computes"
CONNECTIONS = "Microsoft.MachineLearningServices/workspaces/connections"
R = builtin_roles


def rg(variant: str) -> str:
    return estates.Ids(variant).rg


# --- the sample estates' names ---------------------------------------------------------

# Principal seeds per variant (tests/estates.py principal()).
PRINCIPALS: dict[str, dict[str, str]] = {
    "workspace": {"aml": "id-ml-workspace", "aistudio": "hub"},
    "endpoint": {"aml": "id-ml-endpoint", "aistudio": "endpoint"},
    "compute": {"aml": "id-ml-compute"},
    "project": {"aistudio": "project"},
    "chat": {"aml": "id-chat-frontend", "aistudio": "id-chat-frontend"},
    "gateway": {"aml": "id-edge-gateway", "aistudio": "id-edge-gateway"},
    "flow-author": {"aistudio": "flow-author"},
}


def principal(who: str, variant: str) -> str:
    return estates.principal(PRINCIPALS[who][variant])


def resource_id(what: str, variant: str) -> str:
    ids = estates.Ids(variant)
    names = {
        "aoai": ("Microsoft.CognitiveServices/accounts", "aoai-chat"),
        "kv": ("Microsoft.KeyVault/vaults", f"kv-chat-{variant}"),
        "acr": ("Microsoft.ContainerRegistry/registries", f"crchat{variant}"),
        "ws-storage": ("Microsoft.Storage/storageAccounts", f"stmlchat{variant}"),
        "app-storage": ("Microsoft.Storage/storageAccounts", f"stwebchat{variant}"),
        "search": ("Microsoft.Search/searchServices", f"srch-chat-{variant}"),
        "workspace": (WS, "mlw-chat" if variant == "aml" else "hub-chat"),
        "project": (WS, "proj-chat"),
        "gateway": ("Microsoft.Network/applicationGateways", "agw-chat"),
        "bastion": ("Microsoft.Network/bastionHosts", "bas-chat"),
        "chat-site": ("Microsoft.Web/sites", "app-chat-ui"),
        "flow-site": ("Microsoft.Web/sites", "app-chat-flow"),
    }
    if what == "rg":
        return ids.rg
    if what == "endpoint":
        parent = resource_id("workspace" if variant == "aml" else "project", variant)
        return parent + "/onlineEndpoints/ept-chat"
    if what == "compute":
        return resource_id("workspace", variant) + "/computes/ci-flow-author"
    if what == "connection":
        return resource_id("workspace", variant) + "/connections/aoai"
    return ids.res(*names[what])


def container(variant: str) -> str:
    return resource_id("ws-storage", variant) + "/blobServices/default/containers/flows"


def by_id(res: list[Resource], rid: str) -> Resource:
    for r in res:
        if armid.norm(r["id"]) == armid.norm(rid):
            return r
    raise KeyError(rid)


# --- mutations -------------------------------------------------------------------------


def drop_assignment(who: str, role: str, scope: str | None = None) -> Mutation:
    """Remove a principal's assignment of a role (at one scope, or everywhere)."""

    def mutate(res: list[Resource], variant: str) -> list[Resource]:
        pid = principal(who, variant)
        target = resource_id(scope, variant) if scope else None

        def hit(r: Resource) -> bool:
            if r["type"] != RA:
                return False
            props = r["properties"]
            return (
                props["principalId"] == pid
                and builtin_roles.guid_of(props["roleDefinitionId"]) == role
                and (target is None or armid.norm(props["scope"]) == armid.norm(target))
            )

        kept = estates.remove(res, hit)
        assert len(kept) < len(res), f"no {role} assignment of {who} to remove"
        return kept

    return mutate


def add_assignment(
    who: str | None, scope: str | Callable[[str], str], role: str, principal_type: str = "ServicePrincipal"
) -> Mutation:
    """Assign a role to a principal of the estate (or, with who=None, to an unknown one)."""

    def mutate(res: list[Resource], variant: str) -> None:
        pid = principal(who, variant) if who else estates.principal("someone-else")
        where = scope(variant) if callable(scope) else resource_id(scope, variant)
        b = estates.Builder(variant)
        b.assign(pid, where, role, principal_type=principal_type)
        res.extend(b.resources)

    return mutate


def move_assignment(who: str, role: str, to: str | Callable[[str], str]) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> list[Resource]:
        kept = drop_assignment(who, role)(res, variant) or res
        add_assignment(who, to, role)(kept, variant)
        return kept

    return mutate


def set_prop(what: str, path: str, value: Any) -> Mutation:
    """Set (or with value None, remove) a dotted property of one resource."""

    def mutate(res: list[Resource], variant: str) -> None:
        set_path(by_id(res, resource_id(what, variant)), path, value)

    return mutate


def second_endpoint(res: list[Resource], variant: str) -> None:
    """Another online endpoint with the same identity as the first (a shared user-assigned one in aml)."""
    extra = copy.deepcopy(by_id(res, resource_id("endpoint", variant)))
    extra["id"] += "-2"
    extra["name"] += "-2"
    res.append(extra)


def no_assignments(res: list[Resource], variant: str) -> list[Resource]:
    """What the collector saves when it could not read role assignments: none."""
    return estates.remove(res, lambda r: r["type"] == RA)


def upper_case_assignment_ids(res: list[Resource], variant: str) -> None:
    """ARM returns ids in whatever case they were written; comparisons must not care."""
    for r in res:
        if r["type"] == RA:
            props = r["properties"]
            props["scope"] = props["scope"].upper()
            props["roleDefinitionId"] = props["roleDefinitionId"].upper()


def endpoint_uses_workspace_identity(res: list[Resource], variant: str) -> None:
    ws = by_id(res, resource_id("workspace", variant))
    by_id(res, resource_id("endpoint", variant))["identity"] = copy.deepcopy(ws["identity"])


def project_shares_hub_principal(res: list[Resource], variant: str) -> None:
    hub = by_id(res, resource_id("workspace", variant))
    by_id(res, resource_id("project", variant))["identity"]["principalId"] = hub["identity"]["principalId"]


def principal_only_on_uami(res: list[Resource], variant: str) -> None:
    """The identity block names the UAMI without its principal id; the UAMI resource holds it."""
    for details in by_id(res, resource_id("endpoint", variant))["identity"][
        "userAssignedIdentities"
    ].values():
        details.pop("principalId")


def uami_unknown(res: list[Resource], variant: str) -> list[Resource]:
    principal_only_on_uami(res, variant)
    uami = estates.Ids(variant).res("Microsoft.ManagedIdentity/userAssignedIdentities", "id-ml-endpoint")
    return estates.remove(res, lambda r: armid.norm(r["id"]) == armid.norm(uami))


def custom_definition(
    guid: str, actions: list[str], not_actions: list[str] | None = None, data_actions: list[str] | None = None
) -> Mutation:
    """A custom role definition as the collector reads it (properties.permissions)."""

    def mutate(res: list[Resource], variant: str) -> None:
        res.append(
            {
                "id": f"/subscriptions/{estates.SUB}/providers/{RD}/{guid}",
                "name": guid,
                "type": RD,
                "properties": {
                    "roleName": f"Team role {guid[:8]}",
                    "type": "CustomRole",
                    "permissions": [
                        {
                            "actions": actions,
                            "notActions": not_actions or [],
                            "dataActions": data_actions or [],
                            "notDataActions": [],
                        }
                    ],
                    "assignableScopes": [estates.Ids(variant).rg],
                },
            }
        )

    return mutate


CUSTOM_ROLE = "11111111-2222-4333-8444-555555555555"
UNKNOWN_ROLE = "99999999-8888-4777-8666-555555555555"


def custom_role(data_actions: list[str]) -> Mutation:
    """A custom role with these DataActions assigned to the chat UI at the resource group."""
    return chain(custom_definition(CUSTOM_ROLE, [], data_actions=data_actions),
                 add_assignment("chat", rg, CUSTOM_ROLE))  # fmt: skip


def endpoint_custom_role(actions: list[str], not_actions: list[str] | None = None) -> Mutation:
    """A custom role with these Actions assigned to the online endpoint at the resource group."""
    return chain(
        custom_definition(CUSTOM_ROLE, actions, not_actions), add_assignment("endpoint", rg, CUSTOM_ROLE)
    )


# The Contributor definition's notActions (Azure built-in roles reference).
CONTRIBUTOR_NOT_ACTIONS = [
    "Microsoft.Authorization/*/Delete",
    "Microsoft.Authorization/*/Write",
    "Microsoft.Authorization/elevateAccess/Action",
    "Microsoft.Blueprint/blueprintAssignments/write",
    "Microsoft.Blueprint/blueprintAssignments/delete",
    "Microsoft.Compute/galleries/share/action",
]

# Private IPs of the web apps' private endpoints (a gateway backend may name the chat UI by its IP).
CHAT_IP, FLOW_IP = "10.20.2.10", "10.20.2.11"


def site_private_endpoint(res: list[Resource], variant: str, site: str) -> Resource:
    target = armid.norm(resource_id(site, variant))
    for r in res:
        if r["type"] == "Microsoft.Network/privateEndpoints" and any(
            armid.norm(c["properties"]["privateLinkServiceId"]) == target
            for c in r["properties"]["privateLinkServiceConnections"]
        ):
            return r
    raise KeyError(site)


def private_endpoint_ips(where: str) -> Mutation:
    """The web apps' private endpoints carry their IPs in `customDnsConfigs` or `ipConfigurations`
    (both in the ARM GET body)."""

    def mutate(res: list[Resource], variant: str) -> None:
        for site, ip in (("chat-site", CHAT_IP), ("flow-site", FLOW_IP)):
            props = site_private_endpoint(res, variant, site)["properties"]
            host = by_id(res, resource_id(site, variant))["properties"]["defaultHostName"]
            if where == "customDnsConfigs":
                props["customDnsConfigs"] = [{"fqdn": host, "ipAddresses": [ip]}]
            else:
                props["ipConfigurations"] = [
                    {
                        "name": "sites",
                        "properties": {"groupId": "sites", "memberName": "sites", "privateIPAddress": ip},
                    }
                ]

    return mutate


def gateway_backend(address: dict[str, str]) -> Mutation:
    """The gateway's backend pool names one address (`fqdn` or `ipAddress`)."""

    def mutate(res: list[Resource], variant: str) -> None:
        pool = by_id(res, resource_id("gateway", variant))["properties"]["backendAddressPools"][0]
        pool["properties"]["backendAddresses"] = [dict(address)]

    return mutate


def chat_behind_ip(where: str) -> Mutation:
    return chain(private_endpoint_ips(where), gateway_backend({"ipAddress": CHAT_IP}))


# The backend IP is no web app's known address: the fallback decides the roles.
unmatched_backend = gateway_backend({"ipAddress": "10.99.0.4"})


def custom_domain(res: list[Resource], variant: str) -> None:
    """The chat UI is reached through a custom domain, which the gateway's backend names."""
    by_id(res, resource_id("chat-site", variant))["properties"]["hostNames"].append("chat.contoso.com")
    gateway_backend({"fqdn": "chat.contoso.com"})(res, variant)


# A body read without identity.principalId: the endpoint's system-assigned principal is unknown.
ENDPOINT_PRINCIPAL_UNREAD = set_prop("endpoint", "identity", {"type": "SystemAssigned"})


def drop_system_principal(what: str) -> Mutation:
    """The identity block keeps its SystemAssigned type but lost identity.principalId."""

    def mutate(res: list[Resource], variant: str) -> None:
        block = by_id(res, resource_id(what, variant))["identity"]
        assert "SystemAssigned" in block["type"], block
        del block["principalId"]

    return mutate


def management_group_assignment(res: list[Resource], variant: str) -> None:
    scope = "/providers/Microsoft.Management/managementGroups/contoso"
    b = estates.Builder(variant)
    b.assign(estates.principal("someone-else"), scope, R.COGNITIVE_SERVICES_OPENAI_USER)
    res.extend(b.resources)


def extra_row(variant: str) -> dict[str, Any]:
    """The variant's table plus a resource-group row for the chat UI (a team's own decision)."""
    table = load_baseline(BASELINES[variant]).rules["IAM003"].params.table
    row = {"identity": "chat-ui-app", "scope": "resource-group", "role": R.STORAGE_BLOB_DATA_READER}
    return {"table": [*table, row]}


# --- the table -------------------------------------------------------------------------

AML, HUB = ("aml",), ("aistudio",)
SUB_ID = estates.SUB

CASES: list[Case] = [
    # IAM001: the role-assignment table
    Case("compliant", "IAM001", {}),
    Case("endpoint-lacks-openai-user", "IAM001", {"ept-chat": "fail"}, variants=HUB,
         mutate=drop_assignment("endpoint", R.COGNITIVE_SERVICES_OPENAI_USER),
         contains="Cognitive Services OpenAI User"),
    Case("endpoint-lacks-secrets-reader", "IAM001", {"ept-chat": "fail"}, variants=AML,
         mutate=drop_assignment("endpoint", R.AZUREML_CONNECTION_SECRETS_READER)),
    Case("compute-lacks-acr-pull", "IAM001", {"ci-flow-author": "fail"}, variants=AML,
         mutate=drop_assignment("compute", R.ACR_PULL), contains="AcrPull on workspace-registry"),
    Case("hub-lacks-table-contributor", "IAM001", {"hub-chat": "fail"}, variants=HUB,
         mutate=drop_assignment("workspace", R.STORAGE_TABLE_DATA_CONTRIBUTOR)),
    Case("gateway-lacks-secrets-user", "IAM001", {"agw-chat": "fail"},
         mutate=drop_assignment("gateway", R.KEY_VAULT_SECRETS_USER)),
    Case("flow-app-lacks-openai-user", "IAM001", {"app-chat-flow": "fail"}, variants=HUB,
         mutate=lambda res, v: estates.remove(res, lambda r: r["type"] == RA
                                              and r["properties"]["principalId"]
                                              == estates.principal("flow-app"))),
    Case("role-on-wrong-resource", "IAM001", {"ept-chat": "fail"},
         mutate=move_assignment("endpoint", R.ACR_PULL, "kv")),
    Case("inherited-not-accepted", "IAM001", {"app-chat-ui": "fail"},
         mutate=move_assignment("chat", R.STORAGE_BLOB_DATA_READER, rg)),
    Case("inherited-accepted-by-baseline", "IAM001", {},
         mutate=move_assignment("chat", R.STORAGE_BLOB_DATA_READER, rg), params={"accept_inherited": True}),
    Case("ids-in-upper-case", "IAM001", {}, mutate=upper_case_assignment_ids),
    Case("principal-only-on-uami", "IAM001", {}, variants=AML, mutate=principal_only_on_uami),
    Case("endpoints-share-a-uami", "IAM001", {"ept-chat": "pass", "ept-chat-2": "pass"}, variants=AML,
         mutate=second_endpoint),
    Case("uami-unknown", "IAM001", {"ept-chat": "not_assessed"}, variants=AML, mutate=uami_unknown),
    Case("endpoint-without-identity", "IAM001", {"ept-chat": "fail"},
         mutate=set_prop("endpoint", "identity", None), contains="no managed identity (no identity block)"),
    Case("endpoint-identity-type-none", "IAM001", {"ept-chat": "fail"},
         mutate=set_prop("endpoint", "identity", {"type": "None"}), contains="identity.type is None"),
    Case("endpoint-system-principal-not-in-body", "IAM001", {"ept-chat": "not_assessed"},
         mutate=ENDPOINT_PRINCIPAL_UNREAD, contains="principalId is missing"),
    Case("flow-app-system-principal-not-in-body", "IAM001", {"app-chat-flow": "not_assessed"}, variants=HUB,
         mutate=drop_system_principal("flow-site"), contains="principalId is missing"),
    # The chat UI behind the gateway by its private endpoint's IP, not by host name.
    Case("chat-ui-by-private-ip-lacks-secrets-user", "IAM001", {"app-chat-ui": "fail"},
         mutate=chain(chat_behind_ip("ipConfigurations"), drop_assignment("chat", R.KEY_VAULT_SECRETS_USER)),
         contains="Key Vault Secrets User"),
    Case("chat-ui-by-unmatched-ip-falls-back", "IAM001", {"app-chat-ui": "fail"},
         mutate=chain(unmatched_backend, drop_assignment("chat", R.KEY_VAULT_SECRETS_USER)),
         contains="Key Vault Secrets User"),
    Case("chat-ui-on-custom-domain-is-not-the-flow-app", "IAM001", {"app-chat-ui": "pass"},
         mutate=custom_domain),
    Case("assignments-unreadable", "IAM001", {}, others="not_assessed", mutate=no_assignments,
         errors=denied(RA, subscription)),
    Case("assignments-not-collected", "IAM001", {}, others="not_assessed", mutate=no_assignments,
         drop_types=(RA,)),
    Case("missing-row-unreadable-scope", "IAM001", {"ept-chat": "not_assessed"}, variants=AML,
         mutate=drop_assignment("endpoint", R.ACR_PULL), errors=denied(RA, lambda v: resource_id("acr", v))),
    # IAM002: privileged roles beyond the table
    Case("compliant", "IAM002", {}),
    Case("endpoint-contributor-on-rg", "IAM002", {"ept-chat": "fail"},
         mutate=add_assignment("endpoint", rg, R.CONTRIBUTOR), contains="Contributor"),
    Case("hub-owner-on-rg", "IAM002", {"hub-chat": "fail"}, variants=HUB,
         mutate=add_assignment("workspace", rg, R.OWNER)),
    Case("gateway-uaa-on-subscription", "IAM002", {"agw-chat": "fail"},
         mutate=add_assignment("gateway", subscription, R.USER_ACCESS_ADMINISTRATOR)),
    Case("project-contributor-on-rg", "IAM002", {"proj-chat": "fail"}, variants=HUB,
         mutate=add_assignment("project", rg, R.CONTRIBUTOR)),
    Case("workspace-contributor-within-its-rg", "IAM002", {}, variants=AML,
         mutate=add_assignment("workspace", "ws-storage", R.CONTRIBUTOR)),
    Case("compute-contributor-on-registry", "IAM002", {"ci-flow-author": "fail"}, variants=AML,
         mutate=add_assignment("compute", "acr", R.CONTRIBUTOR)),
    Case("assignments-unreadable", "IAM002", {}, others="not_assessed", mutate=no_assignments,
         errors=denied(RA, rg)),
    Case("excess-found-despite-unreadable-scope", "IAM002", {"ept-chat": "fail"}, others="not_assessed",
         mutate=add_assignment("endpoint", rg, R.OWNER), errors=denied(RA, rg)),
    Case("chat-ui-by-private-ip-owner", "IAM002", {"app-chat-ui": "fail", "app-chat-flow": "fail"},
         mutate=chain(chat_behind_ip("customDnsConfigs"), add_assignment("chat", rg, R.OWNER))),
    Case("chat-ui-by-unmatched-ip-owner", "IAM002", {"app-chat-ui": "fail", "app-chat-flow": "fail"},
         mutate=chain(unmatched_backend, add_assignment("chat", rg, R.OWNER))),
    Case("endpoint-rbac-administrator-on-rg", "IAM002", {"ept-chat": "fail"},
         mutate=add_assignment("endpoint", rg, R.ROLE_BASED_ACCESS_CONTROL_ADMINISTRATOR),
         contains="Role Based Access Control Administrator"),
    Case("custom-role-writes-role-assignments", "IAM002", {"ept-chat": "fail"},
         mutate=endpoint_custom_role(["Microsoft.Authorization/roleAssignments/write", "*/read"]),
         contains="grants Microsoft.Authorization/roleAssignments/write"),
    Case("custom-role-with-authorization-wildcard", "IAM002", {"ept-chat": "fail"},
         mutate=endpoint_custom_role(["microsoft.authorization/*"]),
         contains="grants Microsoft.Authorization/*"),
    Case("custom-role-like-contributor", "IAM002", {"ept-chat": "fail"},
         mutate=endpoint_custom_role(["*"], CONTRIBUTOR_NOT_ACTIONS), contains="grants *"),
    Case("custom-role-reads-authorization-only", "IAM002", {"ept-chat": "pass"},
         mutate=endpoint_custom_role(["Microsoft.Authorization/*/read", "Microsoft.Storage/*/read"])),
    Case("custom-role-assignments-write-excluded", "IAM002", {"ept-chat": "pass"},
         mutate=endpoint_custom_role(["Microsoft.Authorization/roleAssignments/*"],
                                     ["Microsoft.Authorization/roleAssignments/write"])),
    Case("unknown-role-definition-not-collected", "IAM002", {"ept-chat": "not_assessed"},
         mutate=add_assignment("endpoint", rg, UNKNOWN_ROLE), drop_types=(RD,), contains=UNKNOWN_ROLE),
    Case("endpoint-system-principal-not-in-body", "IAM002", {"ept-chat": "not_assessed"},
         mutate=ENDPOINT_PRINCIPAL_UNREAD, contains="principalId is missing"),
    # IAM003: data-plane roles at broad scope
    Case("compliant", "IAM003", {}),
    Case("openai-user-subscription-wide", "IAM003", {SUB_ID: "fail"},
         mutate=add_assignment(None, subscription, R.COGNITIVE_SERVICES_OPENAI_USER)),
    Case("chat-blob-reader-on-rg", "IAM003", {"rg-chat-{v}": "fail"},
         mutate=add_assignment("chat", rg, R.STORAGE_BLOB_DATA_READER)),
    Case("secrets-user-on-rg", "IAM003", {"rg-chat-aml": "fail"}, variants=AML,
         mutate=add_assignment(None, rg, R.KEY_VAULT_SECRETS_USER)),
    Case("reader-on-rg-is-not-data-plane", "IAM003", {}, mutate=add_assignment(None, rg, R.READER)),
    # Issue 13: a custom role whose definition was not read may grant data actions.
    Case("custom-role-definition-unread", "IAM003", {"rg-chat-{v}": "not_assessed"},
         mutate=add_assignment(None, rg, "6d5c2f4e-0000-4000-8000-00000000c0de"),
         contains="its definition was not read"),
    Case("storage-account-contributor-on-rg", "IAM003", {"rg-chat-{v}": "fail"},
         mutate=add_assignment(None, rg, R.STORAGE_ACCOUNT_CONTRIBUTOR),
         contains="Storage Account Contributor"),
    Case("search-service-contributor-on-subscription", "IAM003", {SUB_ID: "fail"},
         mutate=add_assignment(None, subscription, R.SEARCH_SERVICE_CONTRIBUTOR),
         contains="Search Service Contributor"),
    Case("storage-account-contributor-on-the-account", "IAM003", {},
         mutate=add_assignment(None, "ws-storage", R.STORAGE_ACCOUNT_CONTRIBUTOR)),
    Case("custom-role-with-data-actions", "IAM003", {"rg-chat-aistudio": "fail"}, variants=HUB,
         mutate=custom_role(["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"])),
    Case("custom-role-without-data-actions", "IAM003", {}, variants=HUB, mutate=custom_role([])),
    Case("table-allows-rg-scope", "IAM003", {}, mutate=add_assignment("chat", rg, R.STORAGE_BLOB_DATA_READER),
         params=extra_row),
    Case("management-group-assignment", "IAM003", {SUB_ID: "fail"}, mutate=management_group_assignment),
    Case("assignments-unreadable", "IAM003", {SUB_ID: "not_assessed"}, others="not_assessed",
         mutate=no_assignments, errors=denied(RA, subscription)),
    # IAM004: separate identities
    Case("compliant", "IAM004", {}),
    Case("endpoint-uses-workspace-uami", "IAM004", {"mlw-chat": "fail", "ept-chat": "fail"}, variants=AML,
         mutate=endpoint_uses_workspace_identity, contains="shares its identity"),
    Case("project-shares-hub-principal", "IAM004", {"hub-chat": "fail", "proj-chat": "fail"}, variants=HUB,
         mutate=project_shares_hub_principal),
    Case("endpoints-share-a-uami", "IAM004", {"ept-chat": "fail", "ept-chat-2": "fail"}, variants=AML,
         mutate=second_endpoint),
    Case("endpoints-not-collected", "IAM004", {SUB_ID: "not_assessed"}, drop_types=(ENDPOINTS,)),
    Case("endpoint-system-principal-not-in-body", "IAM004", {"ept-chat": "not_assessed"},
         mutate=ENDPOINT_PRINCIPAL_UNREAD, contains="principalId is missing"),
    Case("endpoint-without-identity", "IAM004", {"ept-chat": "pass"},
         mutate=set_prop("endpoint", "identity", None), contains="has no managed identity"),
    # IAM005: Azure OpenAI local auth
    Case("compliant", "IAM005", {}),
    Case("keys-enabled", "IAM005", {"aoai-chat": "fail"},
         mutate=set_prop("aoai", "properties.disableLocalAuth", False)),
    Case("unset-means-keys", "IAM005", {"aoai-chat": "fail"},
         mutate=set_prop("aoai", "properties.disableLocalAuth", None), contains="absent"),
    Case("names-the-azure-openai-account", "IAM005", {"aoai-chat": "fail"},
         mutate=set_prop("aoai", "properties.disableLocalAuth", False),
         contains="Azure OpenAI account: properties.disableLocalAuth is false"),
    Case("accounts-unreadable", "IAM005", {SUB_ID: "not_assessed"},
         errors=denied("Microsoft.CognitiveServices/accounts", subscription)),
    # IAM006: AI Search local auth
    Case("compliant", "IAM006", {}),
    Case("api-keys-enabled", "IAM006", {"srch-chat-{v}": "fail"},
         mutate=set_prop("search", "properties.disableLocalAuth", False)),
    Case("unset-means-keys", "IAM006", {"srch-chat-{v}": "fail"},
         mutate=set_prop("search", "properties.disableLocalAuth", None)),
    Case("search-not-collected", "IAM006", {SUB_ID: "not_assessed"},
         drop_types=("Microsoft.Search/searchServices",)),
    # IAM007: Key Vault RBAC
    Case("compliant", "IAM007", {}),
    Case("access-policies", "IAM007", {"kv-chat-{v}": "fail"},
         mutate=set_prop("kv", "properties.enableRbacAuthorization", False)),
    Case("unset-means-access-policies", "IAM007", {"kv-chat-{v}": "fail"},
         mutate=set_prop("kv", "properties.enableRbacAuthorization", None)),
    Case("vaults-unreadable", "IAM007", {"rg-chat-{v}": "not_assessed"},
         errors=denied("Microsoft.KeyVault/vaults", rg)),
    # IAM008: online endpoint auth mode
    Case("compliant", "IAM008", {}),
    Case("key-auth-as-the-reference", "IAM008", {"ept-chat": "fail"},
         mutate=set_prop("endpoint", "properties.authMode", "Key")),
    Case("aml-token-not-accepted-by-default", "IAM008", {"ept-chat": "fail"},
         mutate=set_prop("endpoint", "properties.authMode", "AMLToken")),
    Case("aml-token-accepted-by-baseline", "IAM008", {},
         mutate=set_prop("endpoint", "properties.authMode", "AMLToken"),
         params={"accepted_auth_modes": ["AADToken", "AMLToken"]}),
    Case("endpoints-not-collected", "IAM008", {SUB_ID: "not_assessed"}, drop_types=(ENDPOINTS,)),
    # IAM009: people (hub variant only)
    Case("compliant-flow-author", "IAM009", {}, variants=HUB),
    Case("user-with-key-vault-administrator", "IAM009", {"kv-chat-{v}": "fail"}, variants=HUB,
         mutate=add_assignment("flow-author", "kv", R.KEY_VAULT_ADMINISTRATOR, principal_type="User")),
    Case("group-blob-contributor-on-container", "IAM009", {}, variants=HUB,
         mutate=add_assignment("flow-author", container, R.STORAGE_BLOB_DATA_CONTRIBUTOR,
                               principal_type="Group")),
    Case("user-owner-of-rg-is-not-a-workload-resource", "IAM009", {}, variants=HUB,
         mutate=add_assignment("flow-author", rg, R.OWNER, principal_type="User")),
    Case("assignments-unreadable", "IAM009", {SUB_ID: "not_assessed"}, variants=HUB, mutate=no_assignments,
         errors=denied(RA, subscription)),
    # IAM010: every table role held by its own identity, at its own scope
    Case("compliant", "IAM010", {}),
    Case("gateway-with-acr-pull", "IAM010", {"agw-chat": "fail"},
         mutate=add_assignment("gateway", "acr", R.ACR_PULL), contains="the table gives it to "),
    Case("chat-identity-with-workspace-blob-contributor", "IAM010",
         {"app-chat-ui": "fail", "app-chat-flow": "fail"},
         mutate=add_assignment("chat", "ws-storage", R.STORAGE_BLOB_DATA_CONTRIBUTOR),
         contains="Storage Blob Data Contributor on stmlchat"),
    Case("chat-secrets-user-on-rg", "IAM010", {"app-chat-ui": "fail", "app-chat-flow": "fail"},
         mutate=add_assignment("chat", rg, R.KEY_VAULT_SECRETS_USER),
         contains="outside the scopes the table gives this identity"),
    Case("endpoint-contributor-on-rg", "IAM010", {"ept-chat": "fail"},
         mutate=add_assignment("endpoint", rg, R.CONTRIBUTOR), contains="Contributor on rg-chat-"),
    Case("role-nobody-gets-ignored-by-default", "IAM010", {},
         mutate=add_assignment("gateway", "kv", R.OWNER)),
    Case("role-nobody-gets-when-asked", "IAM010", {"agw-chat": "fail"},
         mutate=add_assignment("gateway", "kv", R.OWNER), params={"only_table_roles": False},
         contains="gives it to no identity"),
    Case("assignments-unreadable", "IAM010", {}, others="not_assessed", mutate=no_assignments,
         errors=denied(RA, rg)),
    Case("endpoint-system-principal-not-in-body", "IAM010", {"ept-chat": "not_assessed"}, variants=HUB,
         mutate=ENDPOINT_PRINCIPAL_UNREAD, contains="principalId is missing"),
    # IAM011: the workspace or hub reaches its storage with its identity
    Case("compliant", "IAM011", {}),
    Case("datastores-with-account-key", "IAM011", {"mlw-chat": "fail"}, variants=AML,
         mutate=set_prop("workspace", "properties.systemDatastoresAuthMode", "accessKey"),
         contains="systemDatastoresAuthMode is accessKey"),
    Case("hub-datastores-mode-absent", "IAM011", {"hub-chat": "fail"}, variants=HUB,
         mutate=set_prop("workspace", "properties.systemDatastoresAuthMode", None),
         contains="absent (platform default accessKey)"),
    Case("workspaces-not-collected", "IAM011", {SUB_ID: "not_assessed"}, drop_types=(WS,)),
    # IAM012: computes accept only Microsoft Entra ID (the hub edition has no compute)
    Case("compliant", "IAM012", {}, variants=AML),
    Case("compute-local-auth-on", "IAM012", {"ci-flow-author": "fail"}, variants=AML,
         mutate=set_prop("compute", "properties.disableLocalAuth", False),
         contains="disableLocalAuth is false (ComputeInstance)"),
    Case("compute-local-auth-absent", "IAM012", {"ci-flow-author": "fail"}, variants=AML,
         mutate=set_prop("compute", "properties.disableLocalAuth", None),
         contains="absent (platform default false)"),
    Case("computes-not-collected", "IAM012", {"mlw-chat": "not_assessed"}, variants=AML,
         mutate=drop_type(COMPUTES), drop_types=(COMPUTES,), contains="computes of mlw-chat unknown"),
    Case("hub-computes-not-collected", "IAM012", {"hub-chat": "not_assessed", "proj-chat": "not_assessed"},
         variants=HUB, drop_types=(COMPUTES,)),
    # IAM013: the hub and its projects keep each project's data apart (no hub in the other edition)
    Case("compliant", "IAM013", {}, variants=HUB),
    Case("project-without-isolation", "IAM013", {"proj-chat": "fail"}, variants=HUB,
         mutate=set_prop("project", "properties.enableDataIsolation", None),
         contains="enableDataIsolation is absent (platform default false)"),
    Case("hub-without-isolation", "IAM013", {"hub-chat": "fail"}, variants=HUB,
         mutate=set_prop("workspace", "properties.enableDataIsolation", False)),
    Case("hubs-not-collected", "IAM013", {SUB_ID: "not_assessed"}, variants=HUB, drop_types=(WS,)),
    # IAM014: the hub's Azure OpenAI connection authenticates with Microsoft Entra ID
    Case("compliant", "IAM014", {"connections/aoai": "pass"}, variants=HUB,
         contains="authType is AAD; properties.peRequirement is Required"),
    Case("connection-with-key", "IAM014", {"connections/aoai": "fail"}, variants=HUB,
         mutate=set_prop("connection", "properties.authType", "ApiKey"), contains="authType is ApiKey"),
    Case("connections-not-collected", "IAM014", {"hub-chat": "not_assessed", "proj-chat": "not_assessed"},
         variants=HUB, mutate=drop_type(CONNECTIONS), drop_types=(CONNECTIONS,),
         contains="connections of"),
]  # fmt: skip

# --- data stores (Foundry): AI Search without API keys ---------------------------------------------


def _search_keys_on(res: list[Resource], variant: str) -> None:
    props = estates.find(res, "Microsoft.Search/searchServices")["properties"]
    props.update(disableLocalAuth=False, authOptions={"aadOrApiKey": {}})


CASES += [
    Case("compliant", "IAM006", {"srch-chat-agents": "pass"}, variants=("foundry",)),
    Case("api-keys-enabled", "IAM006", {"srch-chat-agents": "fail"}, variants=("foundry",),
         mutate=_search_keys_on),
]  # fmt: skip


# --- Foundry identity (area: identity): the Foundry design's role table, ABAC condition, Cosmos DB data
# roles and the project's own identity ------------------------------------------------------------

FOUNDRY = (estates.FOUNDRY,)
SQL_RA = foundry_identity.SQL_ROLE_ASSIGNMENTS
FOUNDRY_PRINCIPALS = {
    "project": foundry.PROJECT_PRINCIPAL,
    "chat": foundry.CHAT_UI_PRINCIPAL,
    "gateway": foundry.GATEWAY_PRINCIPAL,
    "account": foundry.ACCOUNT_PRINCIPAL,
}


def foundry_assign(who: str, scope: str, role: str, principal_type: str = "ServicePrincipal") -> Mutation:
    """Assign a role to one of the Foundry sample's principals (or a person)."""

    def mutate(res: list[Resource], variant: str) -> None:
        b = estates.Builder(variant)
        b.assign(FOUNDRY_PRINCIPALS.get(who, who), scope, role, principal_type=principal_type)
        res.extend(b.resources)

    return mutate


def foundry_drop(who: str, role: str) -> Mutation:
    """Remove a Foundry principal's assignments of a role."""

    def mutate(res: list[Resource], variant: str) -> list[Resource]:
        pid = FOUNDRY_PRINCIPALS[who]
        kept = estates.remove(
            res,
            lambda r: (
                r["type"] == RA
                and r["properties"]["principalId"] == pid
                and builtin_roles.guid_of(r["properties"]["roleDefinitionId"]) == role
            ),
        )
        assert len(kept) < len(res)
        return kept

    return mutate


def blob_owner(change: Callable[[dict[str, Any]], None]) -> Mutation:
    """Change the properties of the project's Storage Blob Data Owner assignment."""

    def mutate(res: list[Resource], variant: str) -> None:
        for r in res:
            props = r.get("properties", {})
            if (
                r["type"] == RA
                and props.get("principalId") == foundry.PROJECT_PRINCIPAL
                and builtin_roles.guid_of(props["roleDefinitionId"]) == R.STORAGE_BLOB_DATA_OWNER
            ):
                change(props)
                return
        raise AssertionError("no Storage Blob Data Owner of the project")

    return mutate


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(props: dict[str, Any]) -> None:
        if value is None:
            props.pop(key, None)
        else:
            props[key] = value

    return change


abac = foundry_identity.abac_condition
PROJECT_GUID = foundry_identity.workspace_guid(foundry_identity.PROJECT_INTERNAL_ID)
# The reference's condition without the filter action among the confined ones.
_CONDITION_WITHOUT_FILTER = foundry_identity.abac_condition(PROJECT_GUID).replace(
    "!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/filter/action'})"
    "  AND  ",
    "",
)
# A second OR branch lets every container through.
_CONDITION_WITH_ESCAPE = (
    foundry_identity.abac_condition(PROJECT_GUID)[:-1]
    + " OR (@Resource[Microsoft."
    + ("Storage/storageAccounts/blobServices/containers:name] StringLike '*'))")
)


def set_project(path: str, value: Any) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        set_path(by_id(res, foundry.PROJECT), path, value, remove=None)

    return mutate


def sql_scope(scope: str, principal_id: str = foundry.PROJECT_PRINCIPAL) -> Mutation:
    """Move a principal's Cosmos DB data-plane assignment to another scope."""

    def mutate(res: list[Resource], variant: str) -> None:
        for r in res:
            if r["type"] == SQL_RA and r["properties"]["principalId"] == principal_id:
                r["properties"]["scope"] = scope
                return
        raise AssertionError("no sqlRoleAssignment")

    return mutate


def add_sql(principal_id: str, scope: str, role: str = foundry_identity.DATA_CONTRIBUTOR) -> Mutation:
    return lambda res, variant: res.append(foundry_identity.sql_role_assignment(principal_id, scope, role))


def project_identity(block: dict[str, Any]) -> Mutation:
    return set_project("identity", block)


def chat_ui_uses_project_identity(res: list[Resource], variant: str) -> None:
    site = by_id(res, foundry.CHAT_UI_SITE)
    site["identity"] = copy.deepcopy(by_id(res, foundry.PROJECT)["identity"])


FOUNDRY_DB = foundry_identity.DATABASE_SCOPE

CASES += [
    # IAM001: the Foundry table's rows
    Case("foundry-compliant", "IAM001", {"chat-agents": "pass", "app-chat-ui": "pass", "agw-chat": "pass"},
         variants=FOUNDRY),
    Case("foundry-ui-without-foundry-user", "IAM001", {"app-chat-ui": "fail"}, variants=FOUNDRY,
         mutate=foundry_drop("chat", R.FOUNDRY_USER), contains="Foundry User on foundry-account"),
    Case("foundry-project-without-cosmos-operator", "IAM001", {"chat-agents": "fail"}, variants=FOUNDRY,
         mutate=foundry_drop("project", R.COSMOS_DB_OPERATOR), contains="Cosmos DB Operator"),
    Case("foundry-gateway-without-secrets-user", "IAM001", {"agw-chat": "fail"}, variants=FOUNDRY,
         mutate=foundry_drop("gateway", R.KEY_VAULT_SECRETS_USER),
         contains="Key Vault Secrets User on key-vault"),
    Case("foundry-project-without-identity", "IAM001", {"chat-agents": "fail"}, variants=FOUNDRY,
         mutate=project_identity({"type": "None"}), contains="has no managed identity"),
    Case("foundry-assignments-unreadable", "IAM001", {}, others="not_assessed", variants=FOUNDRY,
         mutate=no_assignments, errors=denied(RA, rg)),
    # IAM002: nothing privileged beyond the table
    Case("foundry-project-contributor-on-rg", "IAM002", {"chat-agents": "fail"}, variants=FOUNDRY,
         mutate=foundry_assign("project", foundry.RG, R.CONTRIBUTOR),
         contains="Contributor on /subscriptions/"),
    Case("foundry-account-user-access-administrator", "IAM002", {"ais-chat": "fail"}, variants=FOUNDRY,
         mutate=foundry_assign("account", foundry.AGENT_STORAGE, R.USER_ACCESS_ADMINISTRATOR),
         contains="User Access Administrator"),
    Case("foundry-ui-owner-of-account", "IAM002", {"app-chat-ui": "fail"}, variants=FOUNDRY,
         mutate=foundry_assign("chat", foundry.ACCOUNT, R.OWNER)),
    Case("foundry-assignments-unreadable", "IAM002", {}, others="not_assessed", variants=FOUNDRY,
         mutate=no_assignments, errors=denied(RA, rg)),
    # IAM009: the deploying user's rows are allowed, others reported
    Case("foundry-deployer-cognitive-services-user", "IAM009", {"ais-chat": "pass"}, variants=FOUNDRY),
    Case("foundry-user-contributor-on-app-storage", "IAM009", {"stwebchatfoundry": "fail"}, variants=FOUNDRY,
         mutate=foundry_assign(estates.principal("someone"), foundry.APP_STORAGE, R.CONTRIBUTOR, "User"),
         contains="not a portal-user row"),
    Case("foundry-assignments-unreadable", "IAM009", {SUB_ID: "not_assessed"}, variants=FOUNDRY,
         mutate=no_assignments, errors=denied(RA, subscription)),
    # IAM010: roles the table gives another identity, or another scope
    Case("foundry-compliant", "IAM010", {}, variants=FOUNDRY),
    Case("foundry-ui-with-search-index-contributor", "IAM010", {"app-chat-ui": "fail"}, variants=FOUNDRY,
         mutate=foundry_assign("chat", foundry.SEARCH, R.SEARCH_INDEX_DATA_CONTRIBUTOR),
         contains="the table gives it to foundry-project"),
    Case("foundry-gateway-secrets-user-on-rg", "IAM010", {"agw-chat": "fail"}, variants=FOUNDRY,
         mutate=foundry_assign("gateway", foundry.RG, R.KEY_VAULT_SECRETS_USER),
         contains="outside the scopes the table gives this identity"),
    Case("foundry-assignments-unreadable", "IAM010", {}, others="not_assessed", variants=FOUNDRY,
         mutate=no_assignments, errors=denied(RA, rg)),
    # IAM030: the project's Storage Blob Data Owner under the ABAC condition
    Case("foundry-compliant", "IAM030", {"stagentchat": "pass"}, variants=FOUNDRY,
         contains=f"containers starting with {PROJECT_GUID}"),
    Case("foundry-agent-setup-form", "IAM030", {"stagentchat": "pass"}, variants=FOUNDRY,
         mutate=blob_owner(_set("condition", abac(PROJECT_GUID, agent_suffix=True)))),
    Case("foundry-internal-id-as-prefix", "IAM030", {"stagentchat": "pass"}, variants=FOUNDRY,
         mutate=blob_owner(_set("condition", abac(foundry_identity.PROJECT_INTERNAL_ID)))),
    Case("foundry-narrower-prefix", "IAM030", {"stagentchat": "pass"}, variants=FOUNDRY,
         mutate=blob_owner(_set("condition", abac(PROJECT_GUID + "-azureml-agent")))),
    Case("foundry-no-condition", "IAM030", {"stagentchat": "fail"}, variants=FOUNDRY,
         mutate=chain(blob_owner(_set("condition", None)), blob_owner(_set("conditionVersion", None))),
         contains="no condition"),
    Case("foundry-condition-version-1", "IAM030", {"stagentchat": "fail"}, variants=FOUNDRY,
         mutate=blob_owner(_set("conditionVersion", "1.0")), contains="not 2.0"),
    Case("foundry-condition-other-project", "IAM030", {"stagentchat": "fail"}, variants=FOUNDRY,
         mutate=blob_owner(_set("condition", abac("0a0a0a0a-1111-2222-3333-444444444444"))),
         contains="does not restrict the containers to the project's"),
    Case("foundry-condition-any-container", "IAM030", {"stagentchat": "fail"}, variants=FOUNDRY,
         mutate=blob_owner(_set("condition", abac(""))), contains="prefixes ''"),
    Case("foundry-condition-leaves-filter", "IAM030", {"stagentchat": "fail"}, variants=FOUNDRY,
         mutate=blob_owner(_set("condition", _CONDITION_WITHOUT_FILTER)),
         contains="leaves blobs/filter/action"),
    Case("foundry-condition-escape-branch", "IAM030", {"stagentchat": "fail"}, variants=FOUNDRY,
         mutate=blob_owner(_set("condition", _CONDITION_WITH_ESCAPE)), contains="not of the form"),
    Case("foundry-owner-at-rg-without-condition", "IAM030", {foundry.RG: "fail"}, variants=FOUNDRY,
         mutate=foundry_assign("project", foundry.RG, R.STORAGE_BLOB_DATA_OWNER)),
    Case("foundry-internal-id-not-read", "IAM030", {"stagentchat": "not_assessed"}, variants=FOUNDRY,
         mutate=set_project("properties.internalId", None), contains="internalId is not in its body"),
    Case("foundry-assignments-unreadable", "IAM030", {"chat-agents": "not_assessed"}, others=None,
         variants=FOUNDRY, mutate=no_assignments, errors=denied(RA, rg)),
    # IAM031: the Cosmos DB data role on the enterprise_memory database
    Case("foundry-compliant", "IAM031", {"cosmos-chat-threads": "pass"}, variants=FOUNDRY,
         contains="Built-in Data Contributor on database enterprise_memory"),
    Case("foundry-data-role-on-a-container", "IAM031", {"cosmos-chat-threads": "pass"}, variants=FOUNDRY,
         mutate=sql_scope(f"{FOUNDRY_DB}/colls/{PROJECT_GUID}-thread-message-store")),
    Case("foundry-data-role-on-sqldatabases-id", "IAM031", {"cosmos-chat-threads": "pass"}, variants=FOUNDRY,
         mutate=sql_scope(foundry.COSMOS_DATABASE)),
    Case("foundry-data-role-at-account", "IAM031", {"cosmos-chat-threads": "fail"}, variants=FOUNDRY,
         mutate=sql_scope(foundry.COSMOS), contains="at account (not the enterprise_memory database)"),
    Case("foundry-data-role-at-slash", "IAM031", {"cosmos-chat-threads": "fail"}, variants=FOUNDRY,
         mutate=sql_scope("/"), contains="at account"),
    Case("foundry-data-role-on-another-database", "IAM031", {"cosmos-chat-threads": "fail"}, variants=FOUNDRY,
         mutate=sql_scope(f"{foundry.COSMOS}/dbs/other"), contains="at database other"),
    Case("foundry-data-reader-only", "IAM031", {"cosmos-chat-threads": "fail"}, variants=FOUNDRY,
         mutate=chain(
             lambda res, v: estates.remove(res, lambda r: r["type"] == SQL_RA
                                           and r["properties"]["principalId"] == foundry.PROJECT_PRINCIPAL),
             add_sql(foundry.PROJECT_PRINCIPAL, FOUNDRY_DB, "00000000-0000-0000-0000-000000000001")),
         contains="no project identity holds"),
    Case("foundry-ui-with-data-role", "IAM031", {"cosmos-chat-threads": "fail"}, variants=FOUNDRY,
         mutate=add_sql(foundry.CHAT_UI_PRINCIPAL, FOUNDRY_DB), contains="only to the project"),
    Case("foundry-sql-assignments-not-collected", "IAM031", {"cosmos-chat-threads": "not_assessed"},
         variants=FOUNDRY, mutate=drop_type(SQL_RA), drop_types=(SQL_RA,), contains="not collected"),
    Case("foundry-sql-assignments-denied", "IAM031", {"cosmos-chat-threads": "not_assessed"},
         variants=FOUNDRY, mutate=drop_type(SQL_RA),
         errors=denied(SQL_RA, lambda v: f"{foundry.COSMOS}/sqlRoleAssignments")),
    Case("foundry-project-without-identity", "IAM031", {"cosmos-chat-threads": "not_assessed"},
         variants=FOUNDRY, mutate=project_identity({"type": "None"}), contains="no Foundry project identity"),
]  # fmt: skip
# --- Foundry account and project (fcore) ---------------------------------------------------
FOUNDRY_CORE_RULES = (
    "IAM005",
    "IAM020",
    "IAM021",
    "IAM022",
    "IAM023",
    "IAM024",
)  # their cases: tests/cases/foundry_core.py
CASES += foundry_core.IDENTITY
