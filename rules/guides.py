"""Per rule: a minimal ARM body that passes it, how to break it, and the fix in Azure CLI and Bicep.

The rule pages (docs/rules/<ID>.md) show these. tests/engine/test_guides.py puts every example in
place of the matching resources of a compliant sample estate and audits it with the rule (it must
pass), then applies `broken` (it must fail). Addresses follow the reference implementation's
network (10.0.0.0/16: App Service 10.0.0.0/24, gateway 10.0.1.0/24, private endpoints
10.0.2.0/27, Bastion 10.0.2.64/26, jump box 10.0.2.128/28); values in angle brackets are the
user's own. Where no Azure CLI command sets a property, the fix uses `az resource update --set`.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from auditor.arm import types
from auditor.engine.guide import Guide

ROLE_DEFINITIONS = "/providers/Microsoft.Authorization/roleDefinitions"
OWNER = f"{ROLE_DEFINITIONS}/8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
ACR_PULL = f"{ROLE_DEFINITIONS}/7f951dda-4ed3-4680-a7ca-43fe172d538d"
_NO_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
STORAGE_BLOB_DATA_CONTRIBUTOR = f"{ROLE_DEFINITIONS}/ba92f5b4-2d11-453d-a403-e96b0029c9fe"


class Ref(str):
    """A Bicep expression (a symbolic reference such as `logWorkspace.id`), written without quotes."""

    __slots__ = ()


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def bicep(value: Any, indent: int = 0) -> str:
    """A JSON value as a Bicep literal: objects and arrays one entry a line, strings in single quotes."""
    pad = "  " * (indent + 1)
    if isinstance(value, Ref):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, dict):
        if not value:
            return "{}"
        lines = [
            f"{pad}{key if _IDENTIFIER.match(key) else bicep(key)}: {bicep(item, indent + 1)}"
            for key, item in value.items()
        ]
        return "{\n" + "\n".join(lines) + "\n" + "  " * indent + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        return (
            "[\n"
            + "\n".join(f"{pad}{bicep(item, indent + 1)}" for item in value)
            + "\n"
            + "  " * indent
            + "]"
        )
    raise TypeError(f"no Bicep literal for {value!r}")


def resource(symbol: str, type_version: str, body: dict[str, Any]) -> str:
    """A Bicep resource declaration."""
    return f"resource {symbol} '{type_version}' = {bicep(body)}"


def _rule(
    name: str,
    priority: int,
    direction: str,
    access: str,
    protocol: str,
    source: str,
    destination: str,
    ports: str,
) -> dict[str, Any]:
    """An NSG security rule as ARM returns it (a comma in `ports` makes a port list)."""
    props: dict[str, Any] = {
        "priority": priority,
        "direction": direction,
        "access": access,
        "protocol": protocol,
        "sourcePortRange": "*",
        "sourceAddressPrefix": source,
        "destinationAddressPrefix": destination,
    }
    if "," in ports:
        props["destinationPortRanges"] = ports.split(",")
    else:
        props["destinationPortRange"] = ports
    return {"name": name, "properties": props}


def _nsg(name: str, *rules: dict[str, Any]) -> dict[str, Any]:
    """An NSG body with these security rules."""
    return {
        "type": types.NETWORK_SECURITY_GROUPS,
        "name": name,
        "properties": {"securityRules": list(rules)},
    }


def _rule_cli(nsg: str, rule: dict[str, Any]) -> str:
    """`az network nsg rule create` for one rule of `_rule`."""
    p = rule["properties"]
    ports = " ".join(f"'{port}'" for port in p.get("destinationPortRanges") or [p["destinationPortRange"]])
    return (
        f"az network nsg rule create -g <rg> --nsg-name {nsg} --name {rule['name']} \\\n"
        f"  --priority {p['priority']} --direction {p['direction']} --access {p['access']} "
        f"--protocol '{p['protocol']}' \\\n"
        f"  --source-address-prefixes '{p['sourceAddressPrefix']}' --source-port-ranges '*' \\\n"
        f"  --destination-address-prefixes '{p['destinationAddressPrefix']}' \\\n"
        f"  --destination-port-ranges {ports}"
    )


def _nsg_guide(nsg: dict[str, Any], broken: dict[str, Any], cli_rules: list[int] | None = None) -> Guide:
    """The guide of an NSG rule: the NSG, its rules in Azure CLI (those listed), the NSG in Bicep."""
    rules = nsg["properties"]["securityRules"]
    chosen = [rules[i] for i in cli_rules] if cli_rules is not None else rules
    return Guide(
        example=nsg,
        broken=broken,
        cli="\n".join(_rule_cli(nsg["name"], r) for r in chosen),
        bicep=resource(
            "nsg",
            f"{types.NETWORK_SECURITY_GROUPS}@2024-05-01",
            {"name": nsg["name"], "location": Ref("location"), "properties": {"securityRules": rules}},
        ),
    )


# --- content filter ------------------------------------------------------------------------------

_HARM = ("hate", "sexual", "selfharm", "violence")
STRICT_FILTERS: list[dict[str, Any]] = [
    *(
        {"name": c, "source": "Prompt", "enabled": True, "blocking": True, "severityThreshold": "Low"}
        for c in _HARM
    ),
    {"name": "jailbreak", "source": "Prompt", "enabled": True, "blocking": True},
    {"name": "profanity", "source": "Prompt", "enabled": True, "blocking": True},
    *(
        {"name": c, "source": "Completion", "enabled": True, "blocking": True, "severityThreshold": "Low"}
        for c in _HARM
    ),
    {"name": "profanity", "source": "Completion", "enabled": True, "blocking": True},
]
_POLICY: dict[str, Any] = {
    "type": types.RAI_POLICIES,
    "name": "strict-blocking",
    "properties": {
        "type": "UserManaged",
        "basePolicyName": "Microsoft.Default",
        "mode": "Default",
        "contentFilters": STRICT_FILTERS,
    },
}
_POLICY_CLI = """az rest --method put \\
  --url "<account id>/raiPolicies/strict-blocking?api-version=2024-10-01" \\
  --body @strict-blocking.json   # the body of the example above"""
_POLICY_BICEP = resource(
    "blockingFilter",
    f"{types.RAI_POLICIES}@2024-10-01",
    {
        "parent": Ref("openAiAccount"),
        "name": "strict-blocking",
        "properties": {k: v for k, v in _POLICY["properties"].items() if k != "type"},
    },
)
_MODEL = {"format": "OpenAI", "name": "gpt-35-turbo", "version": "0125"}

CONTENT_FILTER: dict[str, Guide] = {
    "CF001": Guide(
        example={
            "type": types.COGNITIVE_DEPLOYMENTS,
            "name": "chat-model",
            "sku": {"name": "Standard", "capacity": 25},
            "properties": {
                "model": _MODEL,
                "raiPolicyName": "<a user-managed raiPolicies child of the account>",
            },
        },
        broken={"properties.raiPolicyName": None},
        cli=(
            'az rest --method put --url "<deployment id>?api-version=2024-10-01" \\\n'
            "  --body '"
            + json.dumps(
                {
                    "sku": {"name": "Standard", "capacity": 25},
                    "properties": {"model": _MODEL, "raiPolicyName": "strict-blocking"},
                }
            )
            + "'"
        ),
        bicep=resource(
            "chatModel",
            f"{types.COGNITIVE_DEPLOYMENTS}@2024-10-01",
            {
                "parent": Ref("openAiAccount"),
                "name": "chat-model",
                "sku": {"name": "Standard", "capacity": 25},
                "properties": {"model": _MODEL, "raiPolicyName": Ref("blockingFilter.name")},
            },
        ),
    ),
    "CF002": Guide(
        example=_POLICY,
        broken={"properties.contentFilters.0.severityThreshold": "High"},
        cli=_POLICY_CLI,
        bicep=_POLICY_BICEP,
    ),
    "CF003": Guide(
        example=_POLICY,
        broken={"properties.contentFilters.4.blocking": False},
        cli=_POLICY_CLI,
        bicep=_POLICY_BICEP,
    ),
    "CF004": Guide(
        example=_POLICY,
        broken={"properties.mode": "Asynchronous_filter"},
        cli=_POLICY_CLI,
        bicep=_POLICY_BICEP,
    ),
    "CF005": Guide(
        example=_POLICY,
        broken={"properties.contentFilters.5.enabled": False},
        cli=_POLICY_CLI,
        bicep=_POLICY_BICEP,
    ),
}


# --- diagnostics ---------------------------------------------------------------------------------


def _diagnostics(scope: str, scope_bicep: str, logs: list[dict[str, Any]] | None = None) -> Guide:
    """A diagnostic setting of `scope` sending `logs` (all logs by default) to the workload's workspace."""
    logs = logs or [{"categoryGroup": "allLogs", "enabled": True}]
    return Guide(
        example={
            "type": types.DIAGNOSTIC_SETTINGS,
            "name": "default",
            "properties": {"workspaceId": "<the workload's Log Analytics workspace id>", "logs": logs},
        },
        broken={"properties.logs": []},
        cli=(
            "az monitor diagnostic-settings create -n default \\\n"
            f"  --resource {scope} \\\n"
            "  --workspace <Log Analytics workspace id> \\\n"
            f"  --logs '{json.dumps(logs, separators=(',', ':'))}'"
        ),
        bicep=resource(
            "diagnostics",
            f"{types.DIAGNOSTIC_SETTINGS}@2021-05-01-preview",
            {
                "name": "default",
                "scope": Ref(scope_bicep),
                "properties": {"workspaceId": Ref("logWorkspace.id"), "logs": logs},
            },
        ),
    )


DIAGNOSTICS: dict[str, Guide] = {
    "DIAG001": _diagnostics("<Azure OpenAI account id>", "openAiAccount"),
    "DIAG002": _diagnostics("<key vault id>", "keyVault"),
    "DIAG003": _diagnostics("<container registry id>", "containerRegistry"),
    "DIAG004": _diagnostics("<storage account id>/blobServices/default", "blobService"),
    "DIAG005": _diagnostics("<application gateway id>", "applicationGateway"),
    "DIAG006": _diagnostics("<bastion host id>", "bastionHost"),
    "DIAG007": _diagnostics("<search service id>", "searchService"),
    "DIAG008": _diagnostics("<workspace, hub or project id>", "hub"),
    "DIAG009": _diagnostics("<online endpoint id>", "onlineEndpoint"),
    "DIAG010": _diagnostics(
        "<web app id>",
        "chatUiApp",
        [
            {"category": c, "enabled": True}
            for c in (
                "AppServiceHTTPLogs",
                "AppServiceConsoleLogs",
                "AppServiceAppLogs",
                "AppServicePlatformLogs",
                # The Foundry edition's three more; the prompt flow editions need only the four above.
                "AppServiceAuditLogs",
                "AppServiceIPSecAuditLogs",
                "AppServiceAuthenticationLogs",
            )
        ],
    ),
}


# --- identity ------------------------------------------------------------------------------------


def _assignment(role: str, principal: str, principal_type: str, scope: str) -> dict[str, Any]:
    return {
        "type": types.ROLE_ASSIGNMENTS,
        "name": "<a GUID>",
        "properties": {
            "roleDefinitionId": role,
            "principalId": principal,
            "principalType": principal_type,
            "scope": scope,
        },
    }


def _assignment_bicep(
    role_definition: str, principal: str, scope: str, principal_type: str = "ServicePrincipal"
) -> str:
    return resource(
        "assignment",
        f"{types.ROLE_ASSIGNMENTS}@2022-04-01",
        {
            "name": Ref(f"guid({scope}.id, {principal}, '{role_definition}')"),
            "scope": Ref(scope),
            "properties": {
                "roleDefinitionId": Ref(
                    f"subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '{role_definition}')"
                ),
                "principalId": Ref(principal),
                "principalType": principal_type,
            },
        },
    )


_ACR_PULL_GUID = ACR_PULL.rsplit("/", 1)[1]
_ENDPOINT_ACR_PULL = _assignment(
    "<the role the table names, here AcrPull: .../roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d>",
    "<the online endpoint identity's principal id>",
    "ServicePrincipal",
    "<the workspace's container registry id>",
)
_ENDPOINT_ACR_PULL_CLI = """az role assignment create \\
  --assignee-object-id <the online endpoint identity's principal id> \\
  --assignee-principal-type ServicePrincipal \\
  --role 7f951dda-4ed3-4680-a7ca-43fe172d538d \\
  --scope <the workspace's container registry id>"""
_ENDPOINT_ACR_PULL_BICEP = _assignment_bicep(
    _ACR_PULL_GUID, "onlineEndpoint.identity.principalId", "containerRegistry"
)

IDENTITY: dict[str, Guide] = {
    "IAM001": Guide(
        example=_ENDPOINT_ACR_PULL,
        broken={"properties.principalId": "00000000-0000-0000-0000-000000000000"},
        cli=_ENDPOINT_ACR_PULL_CLI,
        bicep=_ENDPOINT_ACR_PULL_BICEP,
    ),
    "IAM002": Guide(
        example=_ENDPOINT_ACR_PULL,
        broken={"properties.roleDefinitionId": OWNER},
        cli="az role assignment delete --ids <id of the privileged assignment>\n" + _ENDPOINT_ACR_PULL_CLI,
        bicep=_ENDPOINT_ACR_PULL_BICEP,
    ),
    "IAM003": Guide(
        example=_assignment(
            "<a data-plane role, for example Storage Blob Data Reader>",
            "<the identity's principal id>",
            "ServicePrincipal",
            "<the one storage account the table names, not its resource group>",
        ),
        broken={"properties.roleDefinitionId": STORAGE_BLOB_DATA_CONTRIBUTOR},
        cli="""az role assignment delete --ids <id of the assignment at resource-group scope>
az role assignment create \\
  --assignee-object-id <the identity's principal id> --assignee-principal-type ServicePrincipal \\
  --role 2a2b9908-6ea1-4ae2-8e65-a410df84e7d1 \\
  --scope <storage account id>""",
        bicep=_assignment_bicep(
            "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", "identity.properties.principalId", "storageAccount"
        ),
    ),
    "IAM004": Guide(
        example={
            "type": types.ML_WORKSPACES,
            "name": "<hub or project>",
            "identity": {"type": "SystemAssigned", "principalId": "<a principal no other resource holds>"},
        },
        broken={"identity.principalId": "11111111-1111-1111-1111-111111111111"},
        cli="""az identity create -g <rg> --name id-<resource>   # one identity per resource
az ml workspace update -g <rg> -n <workspace> \\
  --system-datastores-auth-mode identity --primary-user-assigned-identity <identity id>""",
        bicep=resource(
            "hub",
            f"{types.ML_WORKSPACES}@2024-10-01",
            {
                "name": "<hub>",
                "location": Ref("location"),
                "kind": "Hub",
                "identity": {"type": "SystemAssigned"},
            },
        ),
    ),
    "IAM005": Guide(
        example={
            "type": types.COGNITIVE_ACCOUNTS,
            "kind": "OpenAI",
            "properties": {"disableLocalAuth": True},
        },
        broken={"properties.disableLocalAuth": False},
        cli="az resource update --ids <account id> --set properties.disableLocalAuth=true",
        bicep=resource(
            "openAiAccount",
            f"{types.COGNITIVE_ACCOUNTS}@2024-10-01",
            {
                "name": "<account>",
                "location": Ref("location"),
                "kind": "OpenAI",
                "sku": {"name": "S0"},
                "properties": {"customSubDomainName": Ref("customSubDomainName"), "disableLocalAuth": True},
            },
        ),
    ),
    "IAM006": Guide(
        example={"type": types.SEARCH_SERVICES, "properties": {"disableLocalAuth": True}},
        broken={"properties.disableLocalAuth": False},
        cli="az search service update -g <rg> -n <search service> --disable-local-auth true",
        bicep=resource(
            "searchService",
            f"{types.SEARCH_SERVICES}@2024-06-01-preview",
            {
                "name": "<search service>",
                "location": Ref("location"),
                "sku": {"name": "standard"},
                "properties": {"disableLocalAuth": True, "authOptions": None},
            },
        ),
    ),
    "IAM007": Guide(
        example={"type": types.KEY_VAULTS, "properties": {"enableRbacAuthorization": True}},
        broken={"properties.enableRbacAuthorization": False},
        cli="az keyvault update -g <rg> -n <vault> --enable-rbac-authorization true",
        bicep=resource(
            "keyVault",
            f"{types.KEY_VAULTS}@2023-07-01",
            {
                "name": "<vault>",
                "location": Ref("location"),
                "properties": {
                    "tenantId": Ref("subscription().tenantId"),
                    "sku": {"family": "A", "name": "standard"},
                    "enableRbacAuthorization": True,
                },
            },
        ),
    ),
    "IAM008": Guide(
        example={
            "type": types.ML_ONLINE_ENDPOINTS,
            "kind": "Managed",
            "properties": {"authMode": "AADToken"},
        },
        broken={"properties.authMode": "Key"},
        cli="""# the authentication mode is chosen when the endpoint is created
az ml online-endpoint create -g <rg> --workspace-name <workspace or project> \\
  -n <endpoint> --set auth_mode=aad_token""",
        bicep=resource(
            "onlineEndpoint",
            f"{types.ML_ONLINE_ENDPOINTS}@2024-10-01",
            {
                "parent": Ref("project"),
                "name": "<endpoint>",
                "location": Ref("location"),
                "kind": "Managed",
                "identity": {"type": "SystemAssigned"},
                "properties": {"authMode": "AADToken", "publicNetworkAccess": "Disabled"},
            },
        ),
    ),
    "IAM009": Guide(
        example=_assignment(
            "<a role the table gives portal users, for example Azure AI Developer>",
            "<the user's or group's object id>",
            "User",
            "<the project id>",
        ),
        broken={"properties.roleDefinitionId": OWNER},
        cli="""az role assignment delete --ids <id of the assignment the table does not list>
az role assignment create --assignee-object-id <group object id> --assignee-principal-type Group \\
  --role "Azure AI Developer" --scope <project id>""",
        bicep=_assignment_bicep(
            "64702f94-c441-49e6-a78b-ef80e0188fee", "authorsGroupObjectId", "project", "Group"
        ),
    ),
}


# --- network security groups ---------------------------------------------------------------------

_DENY_IN = _rule("DenyAllInBound", 1000, "Inbound", "Deny", "*", "*", "*", "*")
_GATEWAY_NSG = _nsg(
    "nsg-appGatewaySubnet",
    _rule("AppGw.In.Allow.ControlPlane", 100, "Inbound", "Allow", "*", "*", "*", "65200-65535"),
    _rule("AppGw.In.Allow443.Internet", 110, "Inbound", "Allow", "Tcp", "Internet", "10.0.1.0/24", "443"),
    _rule("AppGw.In.Allow.LoadBalancer", 120, "Inbound", "Allow", "*", "AzureLoadBalancer", "*", "*"),
    _DENY_IN,
)
_PRIVATE_ENDPOINT_NSG = _nsg(
    "nsg-privateEndpointsSubnet",
    _rule("DenyAllOutBound", 1000, "Outbound", "Deny", "*", "10.0.2.0/27", "*", "*"),
)
_OPEN_RDP = [_rule("Allow-RDP-Internet", 100, "Inbound", "Allow", "Tcp", "Internet", "*", "3389")]
_JUMPBOX_NSG = _nsg(
    "nsg-jumpboxSubnet",
    _rule(
        "Jumpbox.In.Allow.SshRdp", 100, "Inbound", "Allow", "Tcp", "10.0.2.64/26", "10.0.2.128/28", "22,3389"
    ),
    _DENY_IN,
)
_APP_SERVICE_NSG = _nsg(
    "nsg-appServicesSubnet",
    _rule(
        "AppPlan.Out.Allow.PrivateEndpoints",
        100,
        "Outbound",
        "Allow",
        "Tcp",
        "10.0.0.0/24",
        "10.0.2.0/27",
        "443",
    ),
    _rule(
        "AppPlan.Out.Allow.AzureMonitor", 110, "Outbound", "Allow", "*", "10.0.0.0/24", "AzureMonitor", "*"
    ),
    _rule("DenyAllOutBound", 1000, "Outbound", "Deny", "*", "10.0.0.0/24", "*", "*"),
)
_BASTION_NSG = _nsg(
    "nsg-bastionSubnet",
    _rule("Bastion.In.Allow.Https", 100, "Inbound", "Allow", "Tcp", "Internet", "*", "443"),
    _rule(
        "Bastion.In.Allow.GatewayManager", 110, "Inbound", "Allow", "Tcp", "GatewayManager", "*", "443,4443"
    ),
    _rule("Bastion.In.Allow.LoadBalancer", 120, "Inbound", "Allow", "Tcp", "AzureLoadBalancer", "*", "443"),
    _rule(
        "Bastion.In.Allow.BastionHostCommunication",
        130,
        "Inbound",
        "Allow",
        "*",
        "VirtualNetwork",
        "VirtualNetwork",
        "8080,5701",
    ),
    _DENY_IN,
    _rule("Bastion.Out.Allow.SshRdp", 100, "Outbound", "Allow", "Tcp", "*", "VirtualNetwork", "22,3389"),
    _rule(
        "Bastion.Out.Allow.AzureMonitor", 110, "Outbound", "Allow", "*", "10.0.2.64/26", "AzureMonitor", "*"
    ),
    _rule(
        "Bastion.Out.Allow.AzureCloudCommunication", 120, "Outbound", "Allow", "Tcp", "*", "AzureCloud", "443"
    ),
    _rule(
        "Bastion.Out.Allow.BastionHostCommunication",
        130,
        "Outbound",
        "Allow",
        "*",
        "VirtualNetwork",
        "VirtualNetwork",
        "8080,5701",
    ),
    _rule(
        "Bastion.Out.Allow.GetSessionInformation", 140, "Outbound", "Allow", "*", "*", "Internet", "80,443"
    ),
    _rule("DenyAllOutBound", 1000, "Outbound", "Deny", "*", "*", "*", "*"),
)

NSG: dict[str, Guide] = {
    "NSG001": Guide(
        example={
            "type": types.SUBNETS,
            "name": "snet-privateEndpoints",
            "properties": {
                "addressPrefix": "<the subnet's prefix>",
                "networkSecurityGroup": {"id": "<NSG id>"},
            },
        },
        broken={"properties.networkSecurityGroup": None},
        cli="""az network vnet subnet update -g <rg> --vnet-name <vnet> -n <subnet> \\
  --network-security-group <NSG name or id>""",
        bicep="""// in the virtual network's subnets
{
  name: 'snet-privateEndpoints'
  properties: {
    addressPrefix: '10.0.2.0/27'
    networkSecurityGroup: {
      id: privateEndpointsSubnetNsg.id
    }
  }
}""",
    ),
    "NSG002": _nsg_guide(_GATEWAY_NSG, {"properties.securityRules.1": None}),
    "NSG003": _nsg_guide(_PRIVATE_ENDPOINT_NSG, {"properties.securityRules": _OPEN_RDP}),
    "NSG004": _nsg_guide(_PRIVATE_ENDPOINT_NSG, {"properties.securityRules": []}),
    "NSG005": _nsg_guide(
        _JUMPBOX_NSG, {"properties.securityRules.0.properties.sourceAddressPrefix": "Internet"}
    ),
    "NSG006": _nsg_guide(_APP_SERVICE_NSG, {"properties.securityRules.2": None}),
    "NSG007": _nsg_guide(_PRIVATE_ENDPOINT_NSG, {"properties.securityRules": _OPEN_RDP}),
    "NSG008": _nsg_guide(_BASTION_NSG, {"properties.securityRules.1": None}, cli_rules=[1, 3, 8, 9]),
}


# --- private endpoints ---------------------------------------------------------------------------

_OPENAI_ENDPOINT: dict[str, Any] = {
    "type": types.PRIVATE_ENDPOINTS,
    "name": "pep-openai",
    "properties": {
        "subnet": {"id": "<id of the private-endpoint subnet>"},
        "privateLinkServiceConnections": [
            {
                "name": "pep-openai",
                "properties": {
                    "privateLinkServiceId": "<Azure OpenAI account id>",
                    "groupIds": ["account"],
                    "privateLinkServiceConnectionState": {"status": "Approved"},
                },
            }
        ],
    },
}
_ENDPOINT_CLI = """az network private-endpoint create -g <rg> --name pep-openai \\
  --vnet-name <vnet> --subnet snet-privateEndpoints \\
  --private-connection-resource-id <Azure OpenAI account id> \\
  --group-id account --connection-name pep-openai"""
_ENDPOINT_BICEP = resource(
    "openAiPrivateEndpoint",
    f"{types.PRIVATE_ENDPOINTS}@2024-05-01",
    {
        "name": "pep-openai",
        "location": Ref("location"),
        "properties": {
            "subnet": {"id": Ref("privateEndpointsSubnet.id")},
            "privateLinkServiceConnections": [
                {
                    "name": "pep-openai",
                    "properties": {"privateLinkServiceId": Ref("openAiAccount.id"), "groupIds": ["account"]},
                }
            ],
        },
    },
)

PRIVATE_ENDPOINTS: dict[str, Guide] = {
    "PE001": Guide(
        example=_OPENAI_ENDPOINT,
        broken={"properties.privateLinkServiceConnections.0.properties.groupIds": ["blob"]},
        cli=_ENDPOINT_CLI,
        bicep=_ENDPOINT_BICEP,
    ),
    "PE002": Guide(
        example=_OPENAI_ENDPOINT,
        broken={
            "properties.privateLinkServiceConnections.0.properties"
            ".privateLinkServiceConnectionState.status": "Pending"
        },
        cli="""az network private-endpoint-connection approve \\
  --id <Azure OpenAI account id>/privateEndpointConnections/<connection name> --description "Approved\"""",
        bicep=_ENDPOINT_BICEP,
    ),
    "PE003": Guide(
        example={
            "type": types.PRIVATE_DNS_ZONE_GROUPS,
            "name": "default",
            "properties": {
                "privateDnsZoneConfigs": [
                    {
                        "name": "privatelink-openai-azure-com",
                        "properties": {"privateDnsZoneId": "<id of the privatelink.openai.azure.com zone>"},
                    }
                ]
            },
        },
        broken={"properties.privateDnsZoneConfigs": []},
        cli="""az network private-endpoint dns-zone-group create -g <rg> --endpoint-name pep-openai \\
  -n default --private-dns-zone <id of the privatelink.openai.azure.com zone> --zone-name openai""",
        bicep=resource(
            "openAiDnsZoneGroup",
            f"{types.PRIVATE_DNS_ZONE_GROUPS}@2024-05-01",
            {
                "parent": Ref("openAiPrivateEndpoint"),
                "name": "default",
                "properties": {
                    "privateDnsZoneConfigs": [
                        {
                            "name": "privatelink-openai-azure-com",
                            "properties": {"privateDnsZoneId": Ref("openAiDnsZone.id")},
                        }
                    ]
                },
            },
        ),
    ),
    "PE004": Guide(
        example={
            "type": types.ML_WORKSPACES,
            "name": "<hub or workspace>",
            "properties": {
                "managedNetwork": {
                    "isolationMode": "AllowOnlyApprovedOutbound",
                    "outboundRules": {
                        "OpenAI": {
                            "type": "PrivateEndpoint",
                            "destination": {
                                "serviceResourceId": "<Azure OpenAI account id>",
                                "subresourceTarget": "account",
                            },
                            "category": "UserDefined",
                        },
                        "Search": {
                            "type": "PrivateEndpoint",
                            "destination": {
                                "serviceResourceId": "<AI Search service id>",
                                "subresourceTarget": "searchService",
                            },
                            "category": "UserDefined",
                        },
                    },
                }
            },
        },
        broken={"properties.managedNetwork.outboundRules.OpenAI.destination.subresourceTarget": "blob"},
        cli="""az ml workspace outbound-rule set -g <rg> --workspace-name <hub or workspace> \\
  --rule OpenAI --type private_endpoint \\
  --service-resource-id <Azure OpenAI account id> --subresource-target account
az ml workspace outbound-rule set -g <rg> --workspace-name <hub or workspace> \\
  --rule Search --type private_endpoint \\
  --service-resource-id <AI Search service id> --subresource-target searchService""",
        bicep="""// in the hub's (or workspace's) properties
managedNetwork: {
  isolationMode: 'AllowOnlyApprovedOutbound'
  outboundRules: {
    OpenAI: {
      type: 'PrivateEndpoint'
      destination: {
        serviceResourceId: openAiAccount.id
        subresourceTarget: 'account'
      }
      category: 'UserDefined'
    }
    Search: {
      type: 'PrivateEndpoint'
      destination: {
        serviceResourceId: searchService.id
        subresourceTarget: 'searchService'
      }
      category: 'UserDefined'
    }
  }
}""",
    ),
}


# --- public access -------------------------------------------------------------------------------


def _simple(
    resource_type: str,
    body: dict[str, Any],
    broken: dict[str, Any],
    cli: str,
    symbol: str,
    type_version: str,
    bicep_body: dict[str, Any] | None = None,
) -> Guide:
    """A guide whose Bicep declares the example's own properties on the resource."""
    example = {"type": resource_type, **body}
    declared = (
        bicep_body if bicep_body is not None else {"name": "<name>", "location": Ref("location"), **body}
    )
    return Guide(example=example, broken=broken, cli=cli, bicep=resource(symbol, type_version, declared))


_OPENAI = (
    types.COGNITIVE_ACCOUNTS,
    "openAiAccount",
    f"{types.COGNITIVE_ACCOUNTS}@2024-10-01",
)
_WORKSPACE = (
    types.ML_WORKSPACES,
    "hub",
    f"{types.ML_WORKSPACES}@2024-10-01",
)
_VAULT = (types.KEY_VAULTS, "keyVault", f"{types.KEY_VAULTS}@2023-07-01")
_REGISTRY = (
    types.CONTAINER_REGISTRIES,
    "containerRegistry",
    f"{types.CONTAINER_REGISTRIES}@2023-07-01",
)
_STORAGE = (
    types.STORAGE_ACCOUNTS,
    "storageAccount",
    f"{types.STORAGE_ACCOUNTS}@2023-05-01",
)
_SEARCH = (
    types.SEARCH_SERVICES,
    "searchService",
    f"{types.SEARCH_SERVICES}@2024-06-01-preview",
)
_SITE = (types.WEB_SITES, "chatUiApp", f"{types.WEB_SITES}@2023-12-01")
_GATEWAY = (
    types.APPLICATION_GATEWAYS,
    "applicationGateway",
    f"{types.APPLICATION_GATEWAYS}@2024-05-01",
)
_WAF = (
    types.WAF_POLICIES,
    "wafPolicy",
    f"{types.WAF_POLICIES}@2024-05-01",
)
_PUBLIC_IP = (
    types.PUBLIC_IP_ADDRESSES,
    "gatewayPublicIp",
    f"{types.PUBLIC_IP_ADDRESSES}@2024-05-01",
)
_PLAN = (types.SERVER_FARMS, "appServicePlan", f"{types.SERVER_FARMS}@2023-12-01")


def _on(
    kind: tuple[str, str, str],
    body: dict[str, Any],
    broken: dict[str, Any],
    cli: str,
    bicep_body: dict[str, Any] | None = None,
) -> Guide:
    """A guide for a resource of one of the kinds above; `bicep_body` where Bicep refers to others."""
    resource_type, symbol, type_version = kind
    return _simple(resource_type, body, broken, cli, symbol, type_version, bicep_body)


_WEB_CONFIG = {
    "type": types.SITE_CONFIG,
    "name": "web",
}


def _web_config(properties: dict[str, Any], broken: dict[str, Any], cli: str) -> Guide:
    return Guide(
        example={**_WEB_CONFIG, "properties": properties},
        broken=broken,
        cli=cli,
        bicep=resource(
            "chatUiApp",
            f"{types.WEB_SITES}@2023-12-01",
            {"name": "<web app>", "location": Ref("location"), "properties": {"siteConfig": properties}},
        ),
    )


PUBLIC_ACCESS: dict[str, Guide] = {
    "PUB001": _on(
        _OPENAI,
        {
            "kind": "OpenAI",
            "properties": {"publicNetworkAccess": "Disabled", "networkAcls": {"defaultAction": "Deny"}},
        },
        {"properties.publicNetworkAccess": "Enabled", "properties.networkAcls.defaultAction": "Allow"},
        "az resource update --ids <account id> \\\n"
        "  --set properties.publicNetworkAccess=Disabled properties.networkAcls.defaultAction=Deny",
    ),
    "PUB002": _on(
        _WORKSPACE,
        {"properties": {"publicNetworkAccess": "Disabled", "allowPublicAccessWhenBehindVnet": False}},
        {"properties.publicNetworkAccess": "Enabled"},
        "az ml workspace update -g <rg> -n <workspace, hub or project> --public-network-access Disabled\n"
        "az resource update --ids <workspace id> --set properties.allowPublicAccessWhenBehindVnet=false",
    ),
    "PUB003": _on(
        _WORKSPACE,
        {"properties": {"managedNetwork": {"isolationMode": "AllowOnlyApprovedOutbound"}}},
        {"properties.managedNetwork.isolationMode": "AllowInternetOutbound"},
        "az ml workspace update -g <rg> -n <hub or workspace> --managed-network allow_only_approved_outbound",
    ),
    "PUB004": _simple(
        types.ML_ONLINE_ENDPOINTS,
        {"kind": "Managed", "properties": {"authMode": "AADToken", "publicNetworkAccess": "Disabled"}},
        {"properties.publicNetworkAccess": "Enabled"},
        "az ml online-endpoint update -g <rg> --workspace-name <workspace or project> \\\n"
        "  -n <endpoint> --set public_network_access=disabled",
        "onlineEndpoint",
        f"{types.ML_ONLINE_ENDPOINTS}@2024-10-01",
        {
            "parent": Ref("project"),
            "name": "<endpoint>",
            "location": Ref("location"),
            "kind": "Managed",
            "identity": {"type": "SystemAssigned"},
            "properties": {"authMode": "AADToken", "publicNetworkAccess": "Disabled"},
        },
    ),
    "PUB005": _simple(
        types.ML_COMPUTES,
        {
            "properties": {
                "computeType": "ComputeInstance",
                "properties": {"enableNodePublicIp": False, "sshSettings": {"sshPublicAccess": "Disabled"}},
            }
        },
        {"properties.properties.enableNodePublicIp": True},
        "# network settings are fixed when the instance is created\n"
        "az ml compute create -g <rg> --workspace-name <workspace> -n <instance> \\\n"
        "  --type ComputeInstance --size STANDARD_DS3_V2 \\\n"
        "  --enable-node-public-ip false --ssh-public-access-enabled false",
        "computeInstance",
        f"{types.ML_COMPUTES}@2024-10-01",
        {
            "parent": Ref("workspace"),
            "name": "<instance>",
            "location": Ref("location"),
            "properties": {
                "computeType": "ComputeInstance",
                "disableLocalAuth": True,
                "properties": {
                    "vmSize": "STANDARD_DS3_V2",
                    "enableNodePublicIp": False,
                    "sshSettings": {"sshPublicAccess": "Disabled"},
                },
            },
        },
    ),
    "PUB006": _on(
        _VAULT,
        {
            "properties": {
                "publicNetworkAccess": "Disabled",
                "networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices"},
            }
        },
        {"properties.publicNetworkAccess": "Enabled", "properties.networkAcls.defaultAction": "Allow"},
        "az keyvault update -g <rg> -n <vault> --public-network-access Disabled --default-action Deny",
    ),
    "PUB007": _on(
        _REGISTRY,
        {
            "sku": {"name": "Premium"},
            "properties": {"publicNetworkAccess": "Disabled", "networkRuleSet": {"defaultAction": "Deny"}},
        },
        {"properties.publicNetworkAccess": "Enabled", "properties.networkRuleSet.defaultAction": "Allow"},
        "az acr update -g <rg> -n <registry> --public-network-enabled false --default-action Deny",
    ),
    "PUB008": _on(
        _REGISTRY,
        {"properties": {"adminUserEnabled": False}},
        {"properties.adminUserEnabled": True},
        "az acr update -g <rg> -n <registry> --admin-enabled false",
    ),
    "PUB009": _on(
        _STORAGE,
        {
            "kind": "StorageV2",
            "properties": {
                "publicNetworkAccess": "Disabled",
                "networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices"},
            },
        },
        {"properties.publicNetworkAccess": "Enabled", "properties.networkAcls.defaultAction": "Allow"},
        "az storage account update -g <rg> -n <account> \\\n"
        "  --public-network-access Disabled --default-action Deny",
    ),
    "PUB010": _on(
        _STORAGE,
        {"kind": "StorageV2", "properties": {"allowBlobPublicAccess": False}},
        {"properties.allowBlobPublicAccess": True},
        "az storage account update -g <rg> -n <account> --allow-blob-public-access false",
    ),
    "PUB011": _on(
        _STORAGE,
        {
            "kind": "StorageV2",
            "properties": {"minimumTlsVersion": "TLS1_2", "supportsHttpsTrafficOnly": True},
        },
        {"properties.minimumTlsVersion": "TLS1_0"},
        "az storage account update -g <rg> -n <account> --min-tls-version TLS1_2 --https-only true",
    ),
    "PUB012": _on(
        _STORAGE,
        {"kind": "StorageV2", "properties": {"allowSharedKeyAccess": False}},
        {"properties.allowSharedKeyAccess": True},
        "az storage account update -g <rg> -n <account> --allow-shared-key-access false",
    ),
    "PUB013": _on(
        _SEARCH,
        {"properties": {"publicNetworkAccess": "disabled"}},
        {"properties.publicNetworkAccess": "enabled"},
        "az search service update -g <rg> -n <search service> --public-access disabled",
    ),
    "PUB014": _on(
        _VAULT,
        {"properties": {"enableSoftDelete": True, "enablePurgeProtection": True}},
        {"properties.enablePurgeProtection": None},
        "az keyvault update -g <rg> -n <vault> --enable-purge-protection true   # cannot be undone",
    ),
    "PUB015": _on(
        _SITE,
        {"properties": {"publicNetworkAccess": "Disabled"}},
        {"properties.publicNetworkAccess": "Enabled"},
        "az resource update --ids <web app id> --set properties.publicNetworkAccess=Disabled",
    ),
    "PUB016": _on(
        _SITE,
        {"properties": {"httpsOnly": True}},
        {"properties.httpsOnly": False},
        "az webapp update -g <rg> -n <web app> --https-only true",
    ),
    "PUB017": _web_config(
        {"ftpsState": "Disabled"},
        {"properties.ftpsState": "AllAllowed"},
        "az webapp config set -g <rg> -n <web app> --ftps-state Disabled",
    ),
    "PUB018": _web_config(
        {"minTlsVersion": "1.2", "scmMinTlsVersion": "1.2"},
        {"properties.minTlsVersion": "1.0"},
        "az webapp config set -g <rg> -n <web app> --min-tls-version 1.2\n"
        "az resource update --ids <web app id>/config/web --set properties.scmMinTlsVersion=1.2",
    ),
    "PUB019": _on(
        _SITE,
        {
            "properties": {
                "virtualNetworkSubnetId": "<id of the App Service integration subnet>",
                "vnetRouteAllEnabled": True,
            }
        },
        {"properties.virtualNetworkSubnetId": None},
        "az webapp vnet-integration add -g <rg> -n <web app> --vnet <vnet> --subnet snet-appServicePlan\n"
        "az resource update --ids <web app id> --set properties.vnetRouteAllEnabled=true",
        {
            "name": "<web app>",
            "location": Ref("location"),
            "properties": {
                "serverFarmId": Ref("appServicePlan.id"),
                "virtualNetworkSubnetId": Ref("appServiceSubnet.id"),
                "vnetRouteAllEnabled": True,
            },
        },
    ),
    "PUB020": _on(
        _WAF,
        {"properties": {"policySettings": {"state": "Enabled", "mode": "Prevention"}}},
        {"properties.policySettings.mode": "Detection"},
        "az network application-gateway waf-policy policy-setting update -g <rg> --policy-name <policy> \\\n"
        "  --state Enabled --mode Prevention\n"
        "az network application-gateway update -g <rg> -n <gateway> --waf-policy <policy id>",
    ),
    "PUB021": _on(
        _WAF,
        {
            "properties": {
                "managedRules": {"managedRuleSets": [{"ruleSetType": "OWASP", "ruleSetVersion": "3.2"}]}
            }
        },
        {"properties.managedRules.managedRuleSets": [{"ruleSetType": "OWASP", "ruleSetVersion": "2.2.9"}]},
        "az network application-gateway waf-policy managed-rule rule-set add -g <rg> \\\n"
        "  --policy-name <policy> --type OWASP --version 3.2",
    ),
    "PUB022": _on(
        _GATEWAY,
        {"properties": {"sslPolicy": {"policyType": "Predefined", "policyName": "AppGwSslPolicy20220101"}}},
        {"properties.sslPolicy": {"policyType": "Predefined", "policyName": "AppGwSslPolicy20150501"}},
        "az network application-gateway ssl-policy set -g <rg> --gateway-name <gateway> \\\n"
        "  --policy-type Predefined --name AppGwSslPolicy20220101",
    ),
    "PUB023": _on(
        _PUBLIC_IP,
        {
            "sku": {"name": "Standard", "tier": "Regional"},
            "properties": {
                "publicIPAllocationMethod": "Static",
                "ipConfiguration": {"id": "<id of the gateway's frontendIPConfigurations entry>"},
            },
        },
        {
            "properties.ipConfiguration.id": f"/subscriptions/{_NO_SUBSCRIPTION}/resourceGroups/rg"
            "/providers/Microsoft.Network/networkInterfaces/nic-vm/ipConfigurations/ipconfig1"
        },
        "az network nic ip-config update -g <rg> --nic-name <nic> -n <ip configuration> \\\n"
        "  --remove publicIpAddress\n"
        "az network public-ip delete -g <rg> -n <address>",
        {
            "name": "pip-gateway",
            "location": Ref("location"),
            "sku": {"name": "Standard", "tier": "Regional"},
            "zones": ["1", "2", "3"],
            "properties": {"publicIPAllocationMethod": "Static"},
        },
    ),
}


PUBLIC_ACCESS["PUB023"] = replace(
    PUBLIC_ACCESS["PUB023"],
    bicep=PUBLIC_ACCESS["PUB023"].bicep
    + "\n\n// attach it only to the gateway's frontend (or Bastion's ipConfigurations):\n"
    "// frontendIPConfigurations[].properties.publicIPAddress.id: gatewayPublicIp.id",
)


# --- reliability ---------------------------------------------------------------------------------

RELIABILITY: dict[str, Guide] = {
    "REL001": _on(
        _PLAN,
        {
            "kind": "linux",
            "sku": {"name": "P1v3", "capacity": 3},
            "properties": {"zoneRedundant": True, "reserved": True},
        },
        {"properties.zoneRedundant": False},
        "# zone redundancy is chosen when the plan is created\n"
        "az appservice plan create -g <rg> -n <plan> --sku P1V3 --is-linux \\\n"
        "  --zone-redundant --number-of-workers 3",
    ),
    "REL002": _on(
        _PLAN,
        {"kind": "linux", "sku": {"name": "P1v3", "capacity": 3}, "properties": {"numberOfWorkers": 3}},
        {"sku.capacity": 1, "properties.numberOfWorkers": 1},
        "az appservice plan update -g <rg> -n <plan> --number-of-workers 3",
    ),
    "REL003": _simple(
        types.ML_ONLINE_DEPLOYMENTS,
        {
            "kind": "Managed",
            "sku": {"name": "Default", "capacity": 3},
            "properties": {
                "endpointComputeType": "Managed",
                "instanceType": "Standard_D2as_v4",
                "scaleSettings": {"scaleType": "Default"},
            },
        },
        {"sku.capacity": 1},
        "az ml online-deployment update -g <rg> --workspace-name <workspace or project> \\\n"
        "  --endpoint-name <endpoint> -n <deployment> --set instance_count=3",
        "deployment",
        f"{types.ML_ONLINE_DEPLOYMENTS}@2024-10-01",
        {
            "parent": Ref("onlineEndpoint"),
            "name": "<deployment>",
            "location": Ref("location"),
            "kind": "Managed",
            "sku": {"name": "Default", "capacity": 3},
            "properties": {
                "endpointComputeType": "Managed",
                "instanceType": "Standard_D2as_v4",
                "scaleSettings": {"scaleType": "Default"},
            },
        },
    ),
    "REL004": _on(
        _SEARCH,
        {"sku": {"name": "standard"}, "properties": {"replicaCount": 3, "partitionCount": 1}},
        {"sku.name": "basic"},
        "# the tier is chosen when the service is created\n"
        "az search service create -g <rg> -n <search service> --sku standard \\\n"
        "  --replica-count 3 --partition-count 1",
    ),
    "REL005": _on(
        _SEARCH,
        {"sku": {"name": "standard"}, "properties": {"replicaCount": 3}},
        {"properties.replicaCount": 1},
        "az search service update -g <rg> -n <search service> --replica-count 3",
    ),
    "REL006": _on(
        _REGISTRY,
        {"sku": {"name": "Premium"}, "properties": {"zoneRedundancy": "Enabled"}},
        {"properties.zoneRedundancy": "Disabled"},
        "# zone redundancy is chosen when the registry is created\n"
        "az acr create -g <rg> -n <registry> --sku Premium --zone-redundancy enabled",
    ),
    "REL007": _on(
        _GATEWAY,
        {"zones": ["1", "2", "3"]},
        {"zones": ["1"]},
        "# zones are chosen when the gateway is created\n"
        "az network application-gateway create -g <rg> -n <gateway> --sku WAF_v2 \\\n"
        "  --zones 1 2 3 --public-ip-address <zone-redundant Standard address> --vnet-name <vnet> \\\n"
        "  --subnet snet-appGateway --priority 100 --waf-policy <policy id>",
    ),
    "REL008": _on(
        _GATEWAY,
        {
            "properties": {
                "sku": {"name": "WAF_v2", "tier": "WAF_v2"},
                "autoscaleConfiguration": {"minCapacity": 2, "maxCapacity": 5},
            }
        },
        {"properties.autoscaleConfiguration.minCapacity": 1},
        "az resource update --ids <gateway id> \\\n"
        "  --set properties.autoscaleConfiguration.minCapacity=2 \\\n"
        "        properties.autoscaleConfiguration.maxCapacity=5",
    ),
    "REL009": _on(
        _STORAGE,
        {"kind": "StorageV2", "sku": {"name": "Standard_ZRS"}},
        {"sku.name": "Standard_LRS"},
        "az storage account migration start -g <rg> --account-name <account> --sku Standard_ZRS",
    ),
    "REL010": _simple(
        types.ML_ONLINE_ENDPOINTS,
        {"kind": "Managed", "properties": {"traffic": {"<deployment name>": 100}}},
        {"properties.traffic": {}},
        "az ml online-endpoint update -g <rg> --workspace-name <workspace or project> \\\n"
        '  -n <endpoint> --traffic "<deployment name>=100"',
        "onlineEndpoint",
        f"{types.ML_ONLINE_ENDPOINTS}@2024-10-01",
        {
            "parent": Ref("project"),
            "name": "<endpoint>",
            "location": Ref("location"),
            "kind": "Managed",
            "identity": {"type": "SystemAssigned"},
            "properties": {
                "authMode": "AADToken",
                "publicNetworkAccess": "Disabled",
                "traffic": {"blue": 100},
            },
        },
    ),
    "REL011": _on(
        _PUBLIC_IP,
        {
            "sku": {"name": "Standard", "tier": "Regional"},
            "zones": ["1", "2", "3"],
            "properties": {"publicIPAllocationMethod": "Static"},
        },
        {"zones": None},
        "# the zones of an address are fixed when it is created: create a new one, move the gateway to it\n"
        "az network public-ip create -g <rg> -n <address> --sku Standard --tier Regional \\\n"
        "  --allocation-method Static --zone 1 2 3",
    ),
}

GUIDES: dict[str, Guide] = {
    **CONTENT_FILTER,
    **DIAGNOSTICS,
    **IDENTITY,
    **NSG,
    **PRIVATE_ENDPOINTS,
    **PUBLIC_ACCESS,
    **RELIABILITY,
}
