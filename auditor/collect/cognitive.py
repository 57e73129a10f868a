"""Azure OpenAI and other Cognitive Services accounts, their model deployments, content-filter (RAI)
policies and custom blocklists (the lists only: their items, the blocked terms, are not read); for a
Foundry account (kind AIServices) also its connections, capability hosts and projects, and each
project's connections and capability hosts.

Connections are read with the list calls only, which return no credentials (never `listsecrets`).
azure-mgmt-cognitiveservices has no list of capability hosts (only a get by name, and nothing in
the account or project says the name), while ARM lists them at api-version 2025-09-01: those two
lists go through the client's own pipeline (same credential, retries, read-only hook), and a list
that fails is recorded, so the rules that need a capability host say not assessed.
"""

from __future__ import annotations

from collections.abc import Iterator

from azure.mgmt.cognitiveservices import CognitiveServicesManagementClient

from auditor.arm import types
from auditor.arm.types import Resource
from auditor.collect.context import Sub, name, resource_group
from auditor.collect.ml import list_pages

ACCOUNTS = types.COGNITIVE_ACCOUNTS
DEPLOYMENTS = types.COGNITIVE_DEPLOYMENTS
RAI_POLICIES = types.RAI_POLICIES
RAI_BLOCKLISTS = types.RAI_BLOCKLISTS

PROJECTS = types.FOUNDRY_PROJECTS
PROJECT_CONNECTIONS = types.FOUNDRY_PROJECT_CONNECTIONS
ACCOUNT_CONNECTIONS = types.COGNITIVE_CONNECTIONS
ACCOUNT_CAPABILITY_HOSTS = types.COGNITIVE_CAPABILITY_HOSTS
PROJECT_CAPABILITY_HOSTS = types.FOUNDRY_PROJECT_CAPABILITY_HOSTS
FOUNDRY_TYPES = (
    PROJECTS,
    PROJECT_CONNECTIONS,
    ACCOUNT_CONNECTIONS,
    ACCOUNT_CAPABILITY_HOSTS,
    PROJECT_CAPABILITY_HOSTS,
)
# The api-version of the capability host lists (the SDK's own default for everything else).
CAPABILITY_HOSTS_API_VERSION = "2025-09-01"

TYPES = (ACCOUNTS, DEPLOYMENTS, RAI_POLICIES, RAI_BLOCKLISTS, *FOUNDRY_TYPES)
AREA = "cognitive services"


def collect_cognitive(sub: Sub) -> None:
    """Queue the reads of Azure AI services accounts and their children."""
    cs = sub.client(CognitiveServicesManagementClient)

    def children(account: Resource) -> None:
        rg, acct = resource_group(account), name(account)
        sub.list(
            DEPLOYMENTS, f"{account['id']}/deployments", lambda: cs.deployments.list(rg, acct), child=True
        )
        sub.list(
            RAI_POLICIES, f"{account['id']}/raiPolicies", lambda: cs.rai_policies.list(rg, acct), child=True
        )
        sub.list(
            RAI_BLOCKLISTS,
            f"{account['id']}/raiBlocklists",
            lambda: cs.rai_blocklists.list(rg, acct),
            child=True,
        )
        if str(account.get("kind", "")).lower() == "aiservices":
            foundry_children(account, rg, acct)

    def foundry_children(account: Resource, rg: str, acct: str) -> None:
        aid = account["id"]
        sub.list(
            ACCOUNT_CONNECTIONS,
            f"{aid}/connections",
            lambda: cs.account_connections.list(rg, acct),
            child=True,
        )
        sub.list(ACCOUNT_CAPABILITY_HOSTS, f"{aid}/capabilityHosts", lambda: hosts(aid), child=True)

        def project_children(project: Resource) -> None:
            pid, proj = project["id"], name(project)
            sub.list(
                PROJECT_CONNECTIONS,
                f"{pid}/connections",
                lambda: cs.project_connections.list(rg, acct, proj),
                child=True,
            )
            sub.list(PROJECT_CAPABILITY_HOSTS, f"{pid}/capabilityHosts", lambda: hosts(pid), child=True)

        sub.list(
            PROJECTS,
            f"{aid}/projects",
            lambda: cs.projects.list(rg, acct),
            child=True,
            each=project_children,
        )

    def hosts(parent: str) -> Iterator[Resource]:
        return list_pages(
            cs, sub.collection.arm_host, f"{parent}/capabilityHosts", CAPABILITY_HOSTS_API_VERSION
        )

    sub.list_resources(
        ACCOUNTS,
        cs.accounts.list,
        cs.accounts.list_by_resource_group,
        diagnostics=True,
        each=children,
        area=AREA,
    )
