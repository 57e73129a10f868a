"""Azure OpenAI and other Cognitive Services accounts, their model deployments, content-filter (RAI)
policies and custom blocklists (the lists only: their items, the blocked terms, are not read)."""

from __future__ import annotations

from azure.mgmt.cognitiveservices import CognitiveServicesManagementClient

from auditor.arm import types
from auditor.arm.types import Resource
from auditor.collect.context import Sub, name, resource_group

ACCOUNTS = types.COGNITIVE_ACCOUNTS
DEPLOYMENTS = types.COGNITIVE_DEPLOYMENTS
RAI_POLICIES = types.RAI_POLICIES
RAI_BLOCKLISTS = types.RAI_BLOCKLISTS

TYPES = (ACCOUNTS, DEPLOYMENTS, RAI_POLICIES, RAI_BLOCKLISTS)
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

    sub.list_resources(
        ACCOUNTS,
        cs.accounts.list,
        cs.accounts.list_by_resource_group,
        diagnostics=True,
        each=children,
        area=AREA,
    )
