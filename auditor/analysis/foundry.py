"""The Foundry Agent Service's wiring, read from structure: projects, their connections, and the stores
the project's capability host names through those connections.

A project's capability host of kind Agents lists connection names per store: threads
(`threadStorageConnections`), files (`storageConnections`) and vectors (`vectorStoreConnections`).
Each name is a connection of the project, whose `metadata.ResourceId` is the resource it reaches.
Nothing here depends on names: the roles come from these links alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.arm import ids, types
from auditor.arm.estate import Estate, dig, same
from auditor.arm.types import Resource

THREADS = "threads"
FILES = "files"
VECTORS = "vectors"
# Store -> (the capability host's property, the ARM type the store must be).
STORES: dict[str, tuple[str, str]] = {
    THREADS: ("threadStorageConnections", types.COSMOS_ACCOUNTS),
    FILES: ("storageConnections", types.STORAGE_ACCOUNTS),
    VECTORS: ("vectorStoreConnections", types.SEARCH_SERVICES),
}
STORE_LABELS = {
    THREADS: "thread store (Cosmos DB)",
    FILES: "file store (Storage)",
    VECTORS: "vector store (AI Search)",
}


@dataclass(frozen=True)
class StoreLink:
    """One store a project's capability host names: through which connection, to which resource.

    `connection_id` is None when the project has no connection of that name; `resource_id` is None
    when the connection names no resource (no `metadata.ResourceId`).
    """

    project_id: str
    host_id: str
    store: str
    connection_name: str
    connection_id: str | None
    resource_id: str | None


def projects(estate: Estate) -> list[Resource]:
    """Every Foundry project (a child of a Foundry account)."""
    return estate.of_type(types.FOUNDRY_PROJECTS)


def account_of(project_id: str) -> str:
    """The account a project belongs to."""
    return ids.parent_of(project_id) or project_id


def is_foundry_account(estate: Estate, account: Resource) -> bool:
    """An AIServices account that manages projects (allowProjectManagement, or projects under it)."""
    if not same(account.get("kind"), "AIServices"):
        return False
    if dig(account, "properties.allowProjectManagement") is True:
        return True
    return bool(estate.children(account["id"], types.FOUNDRY_PROJECTS))


def account_label(estate: Estate, account: Resource) -> str:
    """What a Cognitive Services account of the design is, in words: a Foundry account or Azure OpenAI."""
    return "Foundry account" if is_foundry_account(estate, account) else "Azure OpenAI account"


def agent_hosts(estate: Estate, project_id: str) -> list[Resource]:
    """The project's capability hosts of kind Agents."""
    return [
        h
        for h in estate.children(project_id, types.FOUNDRY_PROJECT_CAPABILITY_HOSTS)
        if same(dig(h, "properties.capabilityHostKind"), "Agents")
    ]


def connection_named(estate: Estate, parent_id: str, name: str) -> Resource | None:
    """The connection of a project (or account) with this name, compared case-insensitively."""
    child_type = (
        types.FOUNDRY_PROJECT_CONNECTIONS
        if "/projects/" in parent_id.lower()
        else types.COGNITIVE_CONNECTIONS
    )
    for conn in estate.children(parent_id, child_type):
        if ids.name_of(conn["id"]).lower() == name.lower():
            return conn
    return None


def connection_resource(conn: Resource) -> str | None:
    """The resource a connection reaches: `metadata.ResourceId` (its key in any case)."""
    metadata = dig(conn, "properties.metadata")
    if not isinstance(metadata, dict):
        return None
    for key, value in metadata.items():
        if key.lower() == "resourceid" and isinstance(value, str) and value.startswith("/"):
            return value
    return None


def store_links(estate: Estate, project_id: str) -> list[StoreLink]:
    """Every store the project's Agents capability hosts name, in host, store and list order."""
    found: list[StoreLink] = []
    for host in agent_hosts(estate, project_id):
        for store, (prop, _) in STORES.items():
            names = dig(host, f"properties.{prop}")
            for name in names if isinstance(names, list) else []:
                if not isinstance(name, str) or not name:
                    continue
                conn = connection_named(estate, project_id, name)
                found.append(
                    StoreLink(
                        project_id,
                        host["id"],
                        store,
                        name,
                        conn["id"] if conn else None,
                        connection_resource(conn) if conn else None,
                    )
                )
    return found


def agent_stores(estate: Estate) -> dict[str, list[StoreLink]]:
    """Store -> the links of every project that reach a resource of the store's type."""
    found: dict[str, list[StoreLink]] = {store: [] for store in STORES}
    for project in projects(estate):
        for link in store_links(estate, project["id"]):
            target = estate.get(link.resource_id) if link.resource_id else None
            if target is not None and same(target.get("type"), STORES[link.store][1]):
                found[link.store].append(link)
    return found
