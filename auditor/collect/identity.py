"""Identity: user-assigned managed identities, role assignments at every scope of each
subscription, and the role definitions those assignments reference (each read once)."""

from __future__ import annotations

from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.msi import ManagedServiceIdentityClient

from auditor.arm import ids, types
from auditor.arm.types import Resource
from auditor.collect.context import Sub

IDENTITIES = types.USER_ASSIGNED_IDENTITIES
ROLE_ASSIGNMENTS = types.ROLE_ASSIGNMENTS
ROLE_DEFINITIONS = types.ROLE_DEFINITIONS

TYPES = (IDENTITIES, ROLE_ASSIGNMENTS, ROLE_DEFINITIONS)
AREA = "identity"


def collect_identity(sub: Sub) -> None:
    """Queue the reads of managed identities, role assignments and role definitions."""
    msi = sub.client(ManagedServiceIdentityClient)
    auth = sub.client(AuthorizationManagementClient)

    def definition(assignment: Resource) -> None:
        rd_id = (assignment.get("properties") or {}).get("roleDefinitionId")
        if isinstance(rd_id, str) and rd_id and sub.collection.first_time(ids.norm(rd_id)):
            sub.get(ROLE_DEFINITIONS, rd_id, lambda: auth.role_definitions.get_by_id(rd_id))

    sub.list_resources(
        IDENTITIES,
        msi.user_assigned_identities.list_by_subscription,
        msi.user_assigned_identities.list_by_resource_group,
        area=AREA,
    )
    # Without a filter ARM returns the assignments at the subscription, its resource groups
    # and resources, and those inherited from management groups. Even when only some
    # resource groups are read, they are listed here, at subscription scope: an assignment
    # on the subscription reaches into the groups. The run keeps those at or above the
    # groups (see run.py), and reads the definitions of every assignment listed, so that
    # the snapshot equals a full one narrowed with `arm.scope.restrict`.
    sub.list(
        ROLE_ASSIGNMENTS,
        f"{sub.prefix}/providers/Microsoft.Authorization/roleAssignments",
        auth.role_assignments.list_for_subscription,
        each=definition,
        area=AREA,
    )
