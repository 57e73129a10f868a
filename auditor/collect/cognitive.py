"""Azure OpenAI and other Cognitive Services accounts, their model deployments and
content-filter (RAI) policies."""

from __future__ import annotations

from azure.mgmt.cognitiveservices import CognitiveServicesManagementClient

from auditor.arm import types
from auditor.arm.types import Resource
from auditor.collect.context import Sub, name, resource_group

ACCOUNTS = types.COGNITIVE_ACCOUNTS
DEPLOYMENTS = types.COGNITIVE_DEPLOYMENTS
RAI_POLICIES = types.RAI_POLICIES

TYPES = (ACCOUNTS, DEPLOYMENTS, RAI_POLICIES)
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

    sub.list_resources(
        ACCOUNTS,
        cs.accounts.list,
        cs.accounts.list_by_resource_group,
        diagnostics=True,
        each=children,
        area=AREA,
    )
