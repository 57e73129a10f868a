"""Collect a snapshot: read every area of every subscription, concurrently, read-only."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from azure.core.exceptions import AzureError, ClientAuthenticationError, ServiceRequestError

from auditor import TOOL_NAME, __version__
from auditor.arm import ids
from auditor.arm.scope import restrict
from auditor.arm.snapshot import Snapshot
from auditor.collect import cognitive, data, diagnostics, graph, identity, ml, network, protection, scope, web
from auditor.collect.cloud import Cloud
from auditor.collect.context import Collection, DeadlineError, Settings, Sub
from auditor.errors import AzureAccessError, first_line

# (area collector, the ARM types it reads)
AREAS: tuple[tuple[Callable[[Sub], None], tuple[str, ...]], ...] = (
    (network.collect_network, network.TYPES),
    (cognitive.collect_cognitive, cognitive.TYPES),
    (ml.collect_ml, ml.TYPES),
    (web.collect_web, web.TYPES),
    (data.collect_data, data.TYPES),
    (identity.collect_identity, identity.TYPES),
    (protection.collect_protection, protection.TYPES),
)
# How a connection failure reads inside azure-identity's authentication error.
UNREACHABLE_MARKERS = (
    "Failed to establish a new connection",
    "Connection refused",
    "Name or service not known",
)
# One attempt in DefaultAzureCredential's message: "\tAzureCliCredential: Azure CLI not found on path".
_ATTEMPT = re.compile(r"^(\w+Credential): (.*)$")


def collect_snapshot(
    cloud: Cloud,
    subscriptions: list[str] | None,
    progress: Callable[[str], None] | None = None,
    settings: Settings | None = None,
    resource_groups: Sequence[str] = (),
    management_group: str | None = None,
    shard: tuple[int, int] | None = None,
) -> Snapshot:
    """Read the estate of `subscriptions` (None: every subscription the credential can list).

    `management_group` reads every subscription below that group instead (those the
    credential cannot read are recorded as errors, not fatal); `shard` (index, count) keeps
    the subscriptions of one shard (scope.shard_of), for runs split over several runners.

    Subscriptions are given by id or display name. With `resource_groups`, only those
    groups are listed, and the snapshot is what `arm.scope.restrict` would make of a full
    one: role assignments at or above the groups stay (they are read subscription-wide).
    """
    groups = scope.check_group_names(resource_groups)
    started = _now()
    _quiet_sdk_logs()
    settings = settings or Settings()
    credential = _credential(cloud, settings)
    collection = Collection(cloud, credential, settings, progress)
    try:
        subs, tenant = collection.guarded(
            lambda: _scope(collection, subscriptions, management_group, shard), "finding the subscriptions"
        )
        collection.subscriptions_total = len(subs)
        attach = getattr(progress, "attach", None)
        if callable(attach):
            attach(collection.stats)
        in_groups = (
            collection.guarded(lambda: scope.resource_groups(collection, subs, groups), "finding the groups")
            if groups
            else None
        )
        if settings.resource_graph:
            collection.say(f"inventory of {len(subs)} subscription(s) through Resource Graph")
            everything = [t for _, area_types in AREAS for t in area_types]
            collection.inventory = graph.inventory(collection, subs, everything)
        for sub_id in subs:
            collection.say(f"subscription {sub_id}")
            sub = Sub(collection, sub_id, None if in_groups is None else in_groups[sub_id])
            for collect_area, types in AREAS:
                collection.types.update(types)
                collect_area(sub)
        collection.types.update(diagnostics.TYPES)
        collection.wait()
    except ClientAuthenticationError as exc:
        raise _sign_in_error(exc, credential, cloud) from None
    except ServiceRequestError as exc:
        raise AzureAccessError(
            f"cannot reach the ARM endpoint {cloud.arm_endpoint}: {_reason(exc)}"
        ) from None
    except OSError as exc:  # e.g. REQUESTS_CA_BUNDLE names a file that is not there
        raise AzureAccessError(f"cannot connect to Azure: {_reason(exc)}") from None
    except DeadlineError as exc:
        raise AzureAccessError(f"no answer from Azure in time: {_reason(exc)}") from None
    except AzureError as exc:  # a setup read (the subscriptions) that could not be completed
        raise AzureAccessError(
            f"cannot read the subscriptions from {cloud.arm_endpoint}: {_reason(exc)}"
        ) from None
    finally:
        collection.close()
    snapshot = Snapshot(
        resources=_unique_sorted(collection.resources),
        errors=sorted(collection.errors, key=lambda e: (e.scope.lower(), e.resource_type.lower(), e.code)),
        metadata={
            "tool": TOOL_NAME,
            "tool_version": __version__,
            "source": "azure",
            "tenant": tenant,
            "subscriptions": subs,
            "arm_endpoint": cloud.arm_endpoint,
            "started": started,
            "finished": _now(),
            "api_versions": dict(sorted(collection.api_versions.items())),
            "requests": collection.request_count,
            "workers": collection.settings.workers,
            **_partial(collection),
            **({"management_group": management_group} if management_group else {}),
            **({"shard": f"{shard[0]}/{shard[1]}"} if shard else {}),
        },
        collected_types=sorted(collection.types, key=str.lower),
    )
    if groups:
        snapshot = restrict(snapshot, groups)
    collection.say(f"done: {len(snapshot.resources)} resources, {len(snapshot.errors)} read errors")
    return snapshot


def _scope(
    collection: Collection,
    subscriptions: list[str] | None,
    management_group: str | None,
    shard: tuple[int, int] | None,
) -> tuple[list[str], str | None]:
    """The subscriptions to read and their tenant (the token is fetched here, before any fan-out)."""
    if management_group:
        below = scope.management_group(collection, management_group)
        if shard is not None:
            below = scope.in_shard(below, shard)
            if not below:
                return [], None
        return scope.readable(collection, below)
    subs, tenant = scope.subscriptions(collection, subscriptions)
    return (subs if shard is None else scope.in_shard(subs, shard)), tenant


def signed_in(cloud: Cloud, scope: str) -> Any:
    """The collectors' credential, holding a token for `scope`; a failed sign-in as one AzureAccessError.

    For the code that writes the audit's results to Azure (the Log Analytics export): the same
    credential chain as the collection, the same one-line errors, the SDKs' warnings off stderr.
    """
    _quiet_sdk_logs()
    credential = _credential(cloud)
    try:
        credential.get_token(scope)
    except ClientAuthenticationError as exc:
        credential.close()
        raise _sign_in_error(exc, credential, cloud) from None
    except OSError as exc:  # e.g. REQUESTS_CA_BUNDLE names a file that is not there
        credential.close()
        raise AzureAccessError(f"cannot connect to Azure: {_reason(exc)}") from None
    return credential


def _credential(cloud: Cloud, settings: Settings | None = None) -> Any:
    """The credential chain, its token requests under the same timeouts as ARM calls: a sign-in
    endpoint that never answers must not hold the run."""
    settings = settings or Settings()
    try:
        return cloud.credential(
            connection_timeout=settings.connect_timeout, read_timeout=settings.read_timeout
        )
    except ValueError as exc:  # e.g. a bad AZURE_TOKEN_CREDENTIALS value
        raise AzureAccessError(f"cannot set up Azure credentials: {exc}") from None


def _sign_in_error(exc: ClientAuthenticationError, credential: Any, cloud: Cloud) -> AzureAccessError:
    """The one-line error of a failed sign-in: the endpoint out of reach, or why Entra ID said no."""
    reason = _auth_reason(exc, len(getattr(credential, "credentials", ())))
    if any(marker in reason for marker in UNREACHABLE_MARKERS):
        where = cloud.authority_host or "the sign-in endpoint"
        return AzureAccessError(f"cannot reach {where} to sign in: {reason}")
    return AzureAccessError(f"could not authenticate to Azure: {reason}")


def _partial(collection: Collection) -> dict[str, Any]:
    """`partial` and the deadline when the run's time limit cut reads off."""
    if not collection.partial:
        return {}
    return {"partial": True, "deadline_seconds": collection.clock.seconds}


def _unique_sorted(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per id (the first read wins), in a stable order."""
    seen: dict[str, dict[str, Any]] = {}
    for resource in resources:
        seen.setdefault(ids.norm(resource["id"]), resource)
    return sorted(seen.values(), key=lambda r: (ids.norm(r["id"]), r["type"].lower()))


def _auth_reason(exc: ClientAuthenticationError, chain_length: int = 0) -> str:
    """One short line out of azure-identity's multi-line message, naming the credential that matters.

    DefaultAzureCredential tries its credentials in turn and stops at the first that fails
    outright; the ones before it were only unavailable. So: the AADSTS code if Entra ID
    answered; the credential that could not reach its endpoint; the one the chain stopped
    at; else no credential worked, and the hint names the usual ways to sign in.
    """
    lines = [line.strip() for line in str(exc.message or exc).splitlines() if line.strip()]
    for line in lines:
        if "AADSTS" in line:
            return line[line.index("AADSTS") :]
    attempts = [(m[1], m[2]) for m in map(_ATTEMPT.match, lines) if m]
    if not attempts:
        return lines[0] if lines else type(exc).__name__
    for name, text in attempts:
        if any(marker in text for marker in UNREACHABLE_MARKERS):
            return f"{name}: {text}"  # whole, so that the caller finds the marker again
    if len(attempts) < chain_length:
        name, text = attempts[-1]
        return f"{name} failed: {_short(text)}"
    tried = ", ".join(name.removesuffix("Credential") or name for name, _ in attempts)
    # What `az login` users need to see is the Azure CLI's answer; else the last credential's.
    label, text = next(
        (("Azure CLI", text) for name, text in attempts if name == "AzureCliCredential"), attempts[-1]
    )
    detail = f"; {label}: {_short(text)}"
    return (
        f"no credential in DefaultAzureCredential's chain worked (tried {tried}{detail}); "
        "sign in with az login, or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET"
    )


def _short(text: str, limit: int = 120) -> str:
    """The first sentence of a credential's message, cut to `limit` characters."""
    sentence = first_line(text).split(". ")[0].rstrip(".")
    return sentence if len(sentence) <= limit else sentence[: limit - 1] + "…"


def _reason(exc: Exception) -> str:
    return first_line(str(exc)) or type(exc).__name__


def _quiet_sdk_logs() -> None:
    """Keep the SDKs' warnings (azure-identity prints multi-line ones) off a bare stderr.

    Without any handler Python prints WARNING records to stderr; a NullHandler on the
    `azure` logger stops that and leaves handlers an application configured untouched.
    """
    logger = logging.getLogger("azure")
    if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
        logger.addHandler(logging.NullHandler())


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
