"""What a read-only client may send the fake server, and every request of a test run that it may not.

Independent of the collector's own request hook on purpose: a bug there must not hide here.

* Methods: GET, and POST only to the endpoints named in `ALLOWED_POSTS` (each a read or a sign-in).
* Paths: no action that returns or replaces a secret, matched by whole path segment after
  `providers`, case-insensitively: the actions in `FORBIDDEN_ACTIONS`, any action whose name
  starts with `list` or `regenerate` (ARM's POST actions that hand out keys, SAS tokens and
  credentials are all named so), and the web app configuration documents in `SECRET_CONFIGS`.
* A web app's basic-auth publishing policies: exactly `basicPublishingCredentialsPolicies/ftp` and
  `/scm` (a flag each), nothing below or beside them (not the list, no other name): the path sits
  next to the publishing credentials, so only the two reads the collector needs pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol

# The only POSTs a read-only audit sends, by name. A new one is added here, with its reason.
ALLOWED_POSTS: dict[str, re.Pattern[str]] = {
    # Microsoft Entra ID: a token for the client-secret credential (v1 and v2 endpoints).
    "token": re.compile(r"^/[^/]+/oauth2(?:/v2\.0)?/token$", re.IGNORECASE),
    # Azure Resource Graph: a query is a POST that only reads.
    "resource graph query": re.compile(r"^/providers/Microsoft\.ResourceGraph/resources$", re.IGNORECASE),
    # Logs ingestion API: findings sent to a data collection rule's stream (the tool's own output).
    "logs ingestion": re.compile(r"^/dataCollectionRules/[^/]+/streams/[^/]+$", re.IGNORECASE),
}
# Actions that return secrets or replace keys, as whole type segments (lower case).
FORBIDDEN_ACTIONS = frozenset(
    {
        "listkeys",
        "listsecrets",
        "listcredentials",
        "listadminkeys",
        "listquerykeys",
        "listconnectionstrings",
        "listkeyvalue",
        "listaccountsas",
        "listservicesas",
        "liststorageaccountsas",
        "listnotebookkeys",
        "liststorageaccountkeys",
        "listbuildsecrets",
        "regeneratekey",
        "regeneratekeys",
        "publishxml",
        "publishingprofile",
        "publishingcredentials",
        "publishingusers",
        "hostkeys",
        "getkeys",
        "secrets",
    }
)
# ...and any other action so named: ARM's POST actions that hand out keys, SAS tokens and credentials.
FORBIDDEN_PREFIXES = ("list", "regenerate")
# Web app configuration documents that hold secrets (`sites/x/config/appsettings[/list]`).
SECRET_CONFIGS = frozenset(
    {
        "appsettings",
        "connectionstrings",
        "publishingcredentials",
        "authsettings",
        "authsettingsv2",
        "azurestorageaccounts",
        "backup",
        "metadata",
        "pushsettings",
    }
)

# The basic-auth publishing policies a read may name (`sites/x/basicPublishingCredentialsPolicies/ftp`).
PUBLISHING_POLICIES = "basicpublishingcredentialspolicies"
PUBLISHING_POLICY_NAMES = frozenset({"ftp", "scm"})


class Request(Protocol):
    """A logged request: its method and path."""

    @property
    def method(self) -> str: ...

    @property
    def path(self) -> str: ...


def allowed_post(path: str) -> str | None:
    """The name of the allowed POST endpoint `path` is, or None."""
    return next((name for name, pattern in ALLOWED_POSTS.items() if pattern.match(path)), None)


def forbidden_action(path: str) -> str | None:
    """The secret-bearing action in `path`, or None.

    After each `providers` come a namespace, then type and name segments in turn (an extension
    resource starts again with `providers`). Only type segments are actions: a storage account
    called `listings` is not one. Under `config`, the name is the document (`config/web` is fine).
    """
    segments = [s.lower() for s in path.split("/") if s]
    starts = [i for i, s in enumerate(segments) if s == "providers"]
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(segments)
        tail = segments[start + 2 : end]
        for i in range(0, len(tail), 2):
            segment = tail[i]
            if segment in FORBIDDEN_ACTIONS or segment.startswith(FORBIDDEN_PREFIXES):
                return segment
            if segment == "config" and i + 1 < len(tail) and tail[i + 1] in SECRET_CONFIGS:
                return f"config/{tail[i + 1]}"
            if segment == PUBLISHING_POLICIES and (
                len(tail) != i + 2 or tail[i + 1] not in PUBLISHING_POLICY_NAMES
            ):
                return "/".join(tail[i:]) + " (beside the ftp and scm flags)"
    return None


def violations(log: Iterable[Request]) -> list[str]:
    """Every request in `log` a read-only audit must not send, as `METHOD path: why`."""
    found = []
    for r in log:
        method = r.method.upper()
        if method == "POST" and allowed_post(r.path) is None:
            found.append(f"POST {r.path}: not an allowed POST ({', '.join(ALLOWED_POSTS)})")
        elif method not in ("GET", "POST"):
            found.append(f"{method} {r.path}: not a read")
        action = forbidden_action(r.path)
        if action is not None:
            found.append(f"{method} {r.path}: {action} returns secrets")
    return found
