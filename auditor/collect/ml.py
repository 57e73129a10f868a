"""Azure Machine Learning: workspaces (plain, hub and project), their managed online
endpoints and deployments, computes, managed-network outbound rules and connections.

Connections are read with the list call only, which returns no credentials (never
`listsecrets`); the snapshot masks any credential field a body carries all the same.

azure-mgmt-machinelearningservices 1.0.1 is generated from api-version 2020-08-01, which
predates `publicNetworkAccess`, `managedNetwork`, workspace kinds Hub/Project and online
endpoints, and its models drop what they do not know. So these reads go through the
client's own pipeline (same credential, retries, read-only hook) with a current GA
api-version, and the bodies are kept exactly as ARM sends them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

from azure.core.exceptions import (
    AzureError,
    ClientAuthenticationError,
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
    map_error,
)
from azure.core.rest import HttpRequest
from azure.mgmt.core.exceptions import ARMErrorFormat
from azure.mgmt.machinelearningservices import MachineLearningServicesMgmtClient

from auditor.arm import types
from auditor.arm.types import Resource
from auditor.collect.context import Sub

API_VERSION = "2025-09-01"

WORKSPACES = types.ML_WORKSPACES
ONLINE_ENDPOINTS = types.ML_ONLINE_ENDPOINTS
ONLINE_DEPLOYMENTS = types.ML_ONLINE_DEPLOYMENTS
COMPUTES = types.ML_COMPUTES
OUTBOUND_RULES = types.ML_OUTBOUND_RULES
CONNECTIONS = types.ML_CONNECTIONS

TYPES = (WORKSPACES, ONLINE_ENDPOINTS, ONLINE_DEPLOYMENTS, COMPUTES, OUTBOUND_RULES, CONNECTIONS)
AREA = "machine learning"
ERROR_MAP: dict[int, type[HttpResponseError]] = {
    401: ClientAuthenticationError,
    404: ResourceNotFoundError,
    409: ResourceExistsError,
}


class NextLinkRefused(AzureError):
    """A nextLink that leaves the configured ARM host (or loops): the rest is not read."""


class NotAList(AzureError):
    """A successful answer whose body is not an ARM list (`{"value": [...]}`)."""


def collect_ml(sub: Sub) -> None:
    """Queue the reads of Azure Machine Learning workspaces and their children."""
    client = sub.client(MachineLearningServicesMgmtClient)
    arm_host = sub.collection.arm_host

    def pages(path: str) -> Iterator[Resource]:
        return list_pages(client, arm_host, path)

    def endpoint_children(endpoint: Resource) -> None:
        path = f"{endpoint['id']}/deployments"
        sub.list(ONLINE_DEPLOYMENTS, path, lambda: pages(path), child=True)

    def workspace_children(ws: Resource) -> None:
        wid = ws["id"]
        sub.list(
            ONLINE_ENDPOINTS,
            f"{wid}/onlineEndpoints",
            lambda: pages(f"{wid}/onlineEndpoints"),
            child=True,
            diagnostics=True,
            each=endpoint_children,
        )
        sub.list(COMPUTES, f"{wid}/computes", lambda: pages(f"{wid}/computes"), child=True)
        sub.list(CONNECTIONS, f"{wid}/connections", lambda: pages(f"{wid}/connections"), child=True)
        if str(ws.get("kind", "")).lower() != "project":  # a project uses its hub's managed network
            sub.list(
                OUTBOUND_RULES, f"{wid}/outboundRules", lambda: pages(f"{wid}/outboundRules"), child=True
            )

    def workspaces(scope: str) -> Iterator[Resource]:
        return pages(f"{scope}/providers/{WORKSPACES}")

    sub.list_resources(
        WORKSPACES,
        lambda: workspaces(sub.prefix),
        lambda group: workspaces(f"{sub.prefix}/resourceGroups/{group}"),
        diagnostics=True,
        each=workspace_children,
        area=AREA,
    )


def list_pages(client: Any, arm_host: str, path: str, api_version: str = API_VERSION) -> Iterator[Resource]:
    """GET a list through the client's pipeline and follow its nextLinks, staying on the ARM host (for
    the lists an SDK lacks: this module's, the Foundry capability hosts)."""
    url: str | None = f"{path}?api-version={api_version}"
    seen: set[str] = set()
    while url:
        seen.add(url)
        response = client._send_request(HttpRequest("GET", url))
        if response.status_code != 200:
            map_error(status_code=response.status_code, response=response, error_map=ERROR_MAP)
            raise HttpResponseError(response=response, error_format=ARMErrorFormat)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("value", []), list):
            raise NotAList(f"the answer to {path} is not an ARM list")
        for item in body.get("value") or []:
            if isinstance(item, dict):
                yield item
        url = _next(body.get("nextLink"), arm_host, seen, api_version)


def _next(link: Any, arm_host: str, seen: set[str], api_version: str) -> str | None:
    if not link:
        return None
    parts = urlsplit(str(link))
    if parts.scheme != "https" or parts.netloc.lower() != arm_host:
        raise NextLinkRefused(
            f"nextLink {str(link)[:120]!r} is not on the ARM endpoint; the rest of the list was not read"
        )
    if "api-version" not in parse_qs(parts.query):
        link = f"{link}{'&' if parts.query else '?'}api-version={api_version}"
    if link in seen:
        raise NextLinkRefused("nextLink repeats an earlier page; the rest of the list was not read")
    return str(link)
