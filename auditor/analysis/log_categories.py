"""Which log categories a diagnostic-settings category group covers, per resource type, as Azure defines it.

Azure defines the groups (`audit`, `allLogs`) per resource type and returns them with each category
from `{resourceId}/providers/Microsoft.Insights/diagnosticSettingsCategories` (`properties.categoryGroups`).
The collector reads that list once per resource type and keeps it in the snapshot as resources of type
`Microsoft.Insights/diagnosticSettingsCategories`; `groups_of` answers from it. A snapshot without it
(taken before the read existed, or where the read failed) falls back to `DOCUMENTED_AUDIT`, a table of
the categories the `audit` group covers for the resource types of the architecture whose audit logs
Microsoft Learn names; for any other type the group cannot be resolved, and the rules say so (not
assessed) rather than guess.

`allLogs` needs no table: it is every resource log category of the type, by definition (Microsoft
Learn, "Diagnostic settings in Azure Monitor", section "Category groups").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from auditor.arm import ids, types
from auditor.arm.estate import Estate, dig

CATEGORIES_TYPE = types.DIAGNOSTIC_CATEGORIES
ALL_LOGS = "alllogs"

# The categories the `audit` group covers, lower case, for the resource types whose audit logs the
# Microsoft Learn "Supported logs" pages name as such (the category's display name or its log table
# says audit): every other log category of these types is outside the group. Sources, all under
# https://learn.microsoft.com/en-us/azure/azure-monitor/reference/supported-logs/ :
# microsoft-cognitiveservices-accounts-logs (Audit, "Audit Logs"; RequestResponse, Trace and
# AzureOpenAIRequestUsage are not audit logs), microsoft-keyvault-vaults-logs (AuditEvent, "Audit
# Logs"; AzurePolicyEvaluationDetails is not), microsoft-containerregistry-registries-logs (both
# categories: "Azure Container Registry Login Auditing Logs" and "Repository Auditing Logs"),
# microsoft-network-bastionhosts-logs (BastionAuditLogs, its only category).
DOCUMENTED_AUDIT: Mapping[str, frozenset[str]] = {
    types.COGNITIVE_ACCOUNTS.lower(): frozenset({"audit"}),
    types.KEY_VAULTS.lower(): frozenset({"auditevent"}),
    types.CONTAINER_REGISTRIES.lower(): frozenset(
        {"containerregistryloginevents", "containerregistryrepositoryevents"}
    ),
    types.BASTION_HOSTS.lower(): frozenset({"bastionauditlogs"}),
}
DOCUMENTED_SOURCE = "the documented table of audit categories (Microsoft Learn, Supported logs)"


@dataclass(frozen=True)
class Groups:
    """The log categories (lower case) each category group of one resource type covers, and the source."""

    resource_type: str
    members: Mapping[str, frozenset[str]]
    source: str

    def covers(self, group: str, category: str) -> bool | None:
        """Whether `group` covers `category`; None when this source does not say."""
        if group.lower() == ALL_LOGS:
            return True
        found = self.members.get(group.lower())
        return None if found is None else category.lower() in found


def resource_type_of(resource_id: str) -> str | None:
    """The ARM type an id names (`Microsoft.Storage/storageAccounts/blobServices`); None if it names none."""
    split = ids.split_at_provider(resource_id)
    if split is None or len(split[1]) < 3:
        return None
    tail = split[1]
    return "/".join([tail[0], *tail[1:-1:2]])


def groups_of(estate: Estate, resource_type: str) -> Groups | None:
    """What the category groups of `resource_type` cover: read from Azure when the snapshot holds it,
    else from the documented table (the `audit` group only); None when neither knows the type."""
    estate.note_read(CATEGORIES_TYPE)
    wanted = resource_type.lower()
    # Every resource of a type asks the same question: answered once per audit.
    return estate.memo(("log_categories.groups_of", wanted), lambda: _groups_of(estate, resource_type))


def _groups_of(estate: Estate, resource_type: str) -> Groups | None:
    wanted = resource_type.lower()
    members: dict[str, set[str]] = {}
    scopes: set[str] = set()
    for category in estate.of_type(CATEGORIES_TYPE):
        owner = ids.parent_of(category["id"])
        owner_type = resource_type_of(owner) if owner else None
        if owner is None or owner_type is None or owner_type.lower() != wanted:
            continue
        if str(dig(category, "properties.categoryType") or "Logs").lower() != "logs":
            continue
        name = str(category.get("name") or ids.name_of(category["id"])).lower()
        scopes.add(owner)
        for group in dig(category, "properties.categoryGroups") or []:
            if isinstance(group, str):
                members.setdefault(group.lower(), set()).add(name)
    if scopes:
        # A group the type does not list covers nothing of it: the read is Azure's whole answer.
        members.setdefault("audit", set())
        source = f"diagnosticSettingsCategories of {ids.name_of(sorted(scopes)[0])} (read from Azure)"
        return Groups(resource_type, {g: frozenset(c) for g, c in members.items()}, source)
    documented = DOCUMENTED_AUDIT.get(wanted)
    if documented is not None:
        return Groups(resource_type, {"audit": documented}, DOCUMENTED_SOURCE)
    return None
