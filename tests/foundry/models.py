"""The Foundry sample's models: the account's model deployments, content filters and blocklists.

As the reference (infra-as-code/bicep/ai-foundry.bicep): one chat model deployment, DataZoneStandard
with capacity 50, the model pinned (NoAutoUpgrade), bound to the system policy Microsoft.DefaultV2.
Listing an account's RAI policies returns the system policies too, with `properties.type`
SystemManaged, mode Blocking and the filters Microsoft Learn's "Default safety policies" page
tabulates, so the sample lists Microsoft.DefaultV2 beside the account's own (it has none).
`custom_policy` builds a user-managed policy at least as strict, for the rule cases.
"""

from __future__ import annotations

import copy
from typing import Any

from tests.estates import Builder, find
from tests.foundry import ACCOUNT

Resource = dict[str, Any]

POLICIES = "Microsoft.CognitiveServices/accounts/raiPolicies"
DEPLOYMENTS = "Microsoft.CognitiveServices/accounts/deployments"
BLOCKLISTS = "Microsoft.CognitiveServices/accounts/raiBlocklists"

DEPLOYMENT = f"{ACCOUNT}/deployments/chat-agent-model"
DEFAULT_V2 = "Microsoft.DefaultV2"

# The types this part reads beyond every sample's (tests.estates.COLLECTED_TYPES).
COLLECTED: list[str] = [BLOCKLISTS]

HARMS = ("Hate", "Sexual", "Selfharm", "Violence")


def default_v2_filters() -> list[dict[str, Any]]:
    """Microsoft.DefaultV2's filters as ARM lists them (names as the REST spec's examples write them)."""
    filters: list[dict[str, Any]] = []
    for source in ("Prompt", "Completion"):
        filters += [
            {"name": h, "blocking": True, "enabled": True, "severityThreshold": "Medium", "source": source}
            for h in HARMS
        ]
    filters.append({"name": "Jailbreak", "blocking": True, "enabled": True, "source": "Prompt"})
    for kind in ("Text", "Code"):
        filters.append(
            {"name": f"Protected Material {kind}", "blocking": True, "enabled": True, "source": "Completion"}
        )
    return filters


def system_policy() -> Resource:
    """Microsoft.DefaultV2 as the account's raiPolicies list returns it."""
    return {
        "id": f"{ACCOUNT}/raiPolicies/{DEFAULT_V2}",
        "name": DEFAULT_V2,
        "type": POLICIES,
        "properties": {"type": "SystemManaged", "mode": "Blocking", "contentFilters": default_v2_filters()},
    }


def custom_policy(name: str = "chat-strict", base: str = DEFAULT_V2, level: str = "Low") -> Resource:
    """A user-managed policy at least as strict as Microsoft.DefaultV2: harm filters at `level`, the
    rest as DefaultV2, indirect attacks blocked too."""
    filters = default_v2_filters()
    for f in filters:
        if "severityThreshold" in f:
            f["severityThreshold"] = level
    filters.append({"name": "Indirect Attack", "blocking": True, "enabled": True, "source": "Prompt"})
    return {
        "id": f"{ACCOUNT}/raiPolicies/{name}",
        "name": name,
        "type": POLICIES,
        "properties": {
            "type": "UserManaged",
            "basePolicyName": base,
            "mode": "Default",
            "contentFilters": filters,
        },
    }


def blocklist(name: str = "chat-terms") -> Resource:
    """A custom blocklist of the account (its items are not read: the rules judge the bindings)."""
    return {
        "id": f"{ACCOUNT}/raiBlocklists/{name}",
        "name": name,
        "type": BLOCKLISTS,
        "properties": {"description": "Terms the chat must not carry"},
    }


def add(b: Builder) -> None:
    """Add this part's compliant resources to the sample."""
    b.add(system_policy())
    b.add(
        {
            "id": DEPLOYMENT,
            "name": DEPLOYMENT.rsplit("/", 1)[-1],
            "type": DEPLOYMENTS,
            "sku": {"name": "DataZoneStandard", "capacity": 50},
            "properties": {
                "model": {"format": "OpenAI", "name": "gpt-4.1", "version": "2025-04-14"},
                "versionUpgradeOption": "NoAutoUpgrade",
                "raiPolicyName": DEFAULT_V2,
                "provisioningState": "Succeeded",
            },
        }
    )


def drift(resources: list[Resource]) -> None:
    """Break the settings the drifted sample breaks in this part (in place).

    The chat deployment moves to a looser custom policy (hate at High on completions, violence not
    blocking on prompts, the jailbreak filter left to a base that turns it off, streaming before the
    filter has judged, a blocklist bound without blocking), an unused blocklist is added, and a second
    deployment, regional Standard, unpinned and below the reference's capacity, names no policy."""
    loose = custom_policy("chat-relaxed", level="Medium")
    for f in loose["properties"]["contentFilters"]:
        if f["name"] == "Hate" and f["source"] == "Completion":
            f["severityThreshold"] = "High"
        if f["name"] == "Violence" and f["source"] == "Prompt":
            f["blocking"] = False
    loose["properties"]["contentFilters"] = [
        f for f in loose["properties"]["contentFilters"] if f["name"] != "Jailbreak"
    ]
    # Unset in the custom policy, the jailbreak filter is inherited from a base that has none enabled.
    loose["properties"]["basePolicyName"] = "chat-base-off"
    base = custom_policy("chat-base-off")
    for f in base["properties"]["contentFilters"]:
        if f["name"] == "Jailbreak":
            f["enabled"] = False
    base["properties"].pop("basePolicyName")
    loose["properties"]["mode"] = "Asynchronous_filter"
    loose["properties"]["customBlocklists"] = [
        {"blocklistName": "chat-terms", "blocking": False, "source": "Completion"}
    ]
    resources += [loose, base, blocklist("chat-terms"), blocklist("unused-terms")]
    chat = find(resources, DEPLOYMENTS)
    chat["properties"]["raiPolicyName"] = "chat-relaxed"
    extra = copy.deepcopy(chat)
    extra["id"] = f"{ACCOUNT}/deployments/chat-fallback"
    extra["name"] = "chat-fallback"
    extra["sku"] = {"name": "Standard", "capacity": 10}
    extra["properties"].pop("raiPolicyName")
    extra["properties"]["versionUpgradeOption"] = "OnceNewDefaultVersionAvailable"
    resources.append(extra)
