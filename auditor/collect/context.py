"""One collection run: the clients, a bounded thread pool, and everything read so far.

Every area collector (network, cognitive, ...) hands its calls to a `Sub` (one
subscription of the run). A call that ARM refuses (403, 404, 409, 500 after retries) is
recorded as a `CollectionError` and the run goes on; an authentication failure or an
unreachable endpoint stops it. A request hook on every client lets nothing but a GET to
the configured ARM host leave the process, so the auditor stays read-only even if an SDK
policy tries to register a resource provider or follows a nextLink to another host.
"""

from __future__ import annotations

import contextlib
import functools
import json
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

from azure.core.exceptions import (
    AzureError,
    ClientAuthenticationError,
    HttpResponseError,
    ServiceRequestError,
)

from auditor.arm import ids
from auditor.arm.redact import mask_text, redact_resource
from auditor.arm.snapshot import CollectionError
from auditor.arm.types import Resource
from auditor.collect.cloud import Cloud
from auditor.collect.convert import arm_item, arm_items, entry
from auditor.collect.diagnostics import collect_diagnostics
from auditor.errors import first_line

T = TypeVar("T")
Progress = Callable[[str], None]


class RefusedRequest(Exception):
    """A request the auditor will not send: not a GET, or not to the configured ARM host."""


@dataclass(frozen=True)
class Settings:
    """How hard to work and how patiently to retry."""

    workers: int = 8
    retry_total: int = 4
    # Connection failures are retried once: an unreachable endpoint should fail fast.
    retry_connect: int = 1
    retry_read: int = 2
    retry_backoff_factor: float = 0.8
    read_timeout: float = 120


class Collection:
    """Shared state of one run; safe to use from the pool's threads."""

    def __init__(self, cloud: Cloud, credential: Any, settings: Settings, progress: Progress | None) -> None:
        self.cloud = cloud
        self.credential = credential
        self.settings = settings
        self.progress = progress
        self.arm_host = urlsplit(cloud.arm_endpoint).netloc.lower()
        self.resources: list[Resource] = []
        self.errors: list[CollectionError] = []
        self.types: set[str] = set()
        self.api_versions: dict[str, str] = {}
        self.request_count = 0
        self._seen_once: set[str] = set()
        self._lock = threading.RLock()
        self._local = threading.local()
        self._clients: dict[tuple[str, str], Any] = {}
        self._pool = ThreadPoolExecutor(max_workers=max(1, settings.workers), thread_name_prefix="collect")
        self._pending: set[Future[None]] = set()
        self._fatal: BaseException | None = None

    # --- clients -------------------------------------------------------------

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for every client: the cloud, the retry policy and the request hooks."""
        return {
            **self.cloud.client_kwargs(),
            "retry_total": self.settings.retry_total,
            "retry_connect": self.settings.retry_connect,
            "retry_read": self.settings.retry_read,
            "retry_backoff_factor": self.settings.retry_backoff_factor,
            "read_timeout": self.settings.read_timeout,
            "raw_request_hook": self._on_request,
            "raw_response_hook": self._on_response,
        }

    def client(self, factory: Callable[..., T], *args: Any) -> T:
        """One client per (class, subscription), created on first use."""
        key = (getattr(factory, "__qualname__", repr(factory)), "/".join(str(a) for a in args))
        with self._lock:
            if key not in self._clients:
                self._clients[key] = factory(self.credential, *args, **self.client_kwargs())
            return self._clients[key]  # type: ignore[no-any-return]

    def close(self) -> None:
        """Stop the pool and close every client."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            clients = list(self._clients.values())
            self._clients.clear()
        for c in clients:
            closer = getattr(c, "close", None)
            if callable(closer):
                closer()

    def _on_request(self, pipeline_request: Any) -> None:
        request = pipeline_request.http_request
        url = urlsplit(request.url)
        if request.method.upper() != "GET":
            raise RefusedRequest(f"refused {request.method} {url.path}: the auditor only reads")
        if url.netloc.lower() != self.arm_host:
            raise RefusedRequest(f"refused a request to {url.netloc}: not the configured ARM endpoint")
        version = parse_qs(url.query).get("api-version")
        rtype = getattr(self._local, "rtype", None)
        with self._lock:
            self.request_count += 1
            if version and rtype:
                self.api_versions.setdefault(rtype, version[0])

    def _on_response(self, pipeline_response: Any) -> None:
        # Keep the body the SDK received, for the read running in this thread (see convert.py).
        bodies = getattr(self._local, "bodies", None)
        response = pipeline_response.http_response
        if bodies is None or response.status_code != 200:
            return
        with contextlib.suppress(ValueError):  # not JSON: the model's own serialisation is used
            bodies.append(json.loads(response.text()))

    # --- tasks ---------------------------------------------------------------

    def submit(self, fn: Callable[..., None], *args: Any) -> None:
        """Run a task on the pool; nothing more starts once a task has failed."""
        with self._lock:
            if self._fatal is not None:
                return
            future = self._pool.submit(self._run, fn, *args)
            self._pending.add(future)
        future.add_done_callback(self._done)

    def _done(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    def _run(self, fn: Callable[..., None], *args: Any) -> None:
        if self._fatal is not None:
            return
        try:
            fn(*args)
        except BaseException as exc:  # handed to the main thread by wait()
            with self._lock:
                if self._fatal is None:
                    self._fatal = exc

    def wait(self) -> None:
        """Block until every task, and every task those tasks started, has finished."""
        while True:
            with self._lock:
                pending = list(self._pending)
            if not pending:
                break
            wait(pending)
        if self._fatal is not None:
            raise self._fatal

    # --- results -------------------------------------------------------------

    def say(self, message: str) -> None:
        """Report progress, when someone listens."""
        if self.progress is not None:
            with self._lock:
                self.progress(message)

    def add(self, resource: Resource) -> None:
        """Add a resource read, its secrets masked first (in place: follow-up reads see no secret either)."""
        redact_resource(resource)
        with self._lock:
            self.resources.append(resource)

    def record(self, scope: str, resource_type: str, status: int | None, code: str, message: str) -> None:
        """Record a read that failed."""
        with self._lock:
            self.errors.append(CollectionError(scope, resource_type, status, code, mask_text(message)))

    def first_time(self, key: str) -> bool:
        """True once per key for the whole run (e.g. one read per role definition)."""
        with self._lock:
            if key in self._seen_once:
                return False
            self._seen_once.add(key)
            return True

    def read(
        self, rtype: str, scope: str, call: Callable[[], T], bodies: list[Any] | None = None
    ) -> T | None:
        """Run one read for `rtype`; a failure ARM reports is recorded and gives None.

        `bodies` receives the JSON of every successful response the read got.
        """
        self._local.rtype = rtype
        self._local.bodies = bodies
        try:
            return call()
        except (ClientAuthenticationError, ServiceRequestError):
            raise  # no credential or no network: nothing else will work either
        except HttpResponseError as exc:
            status = exc.status_code if isinstance(exc.status_code, int) else None
            code, message = _error_details(exc)
            self.record(_request_path(exc) or scope, rtype, status, code, message)
        except AzureError as exc:  # timeouts, bodies the SDK cannot read
            self.record(_request_path(exc) or scope, rtype, None, type(exc).__name__, first_line(str(exc)))
        except RefusedRequest as exc:
            self.record(scope, rtype, None, "RefusedRequest", str(exc))
        finally:
            self._local.rtype = None
            self._local.bodies = None
        return None


class Sub:
    """The reads of one subscription, each run as a task on the collection's pool.

    `groups` (None: the whole subscription) are the resource groups to read; the types
    that live in resource groups are then listed group by group.
    """

    def __init__(
        self, collection: Collection, subscription_id: str, groups: Sequence[str] | None = None
    ) -> None:
        self.collection = collection
        self.id = subscription_id
        self.prefix = f"/subscriptions/{subscription_id}"
        self.groups = None if groups is None else tuple(groups)

    def client(self, factory: Callable[..., T]) -> T:
        """The subscription's client of one SDK class."""
        return self.collection.client(factory, self.id)

    def list_resources(
        self,
        rtype: str,
        in_subscription: Callable[[], Iterable[Any]],
        in_group: Callable[[str], Iterable[Any]],
        *,
        diagnostics: bool = False,
        each: Callable[[Resource], None] | None = None,
        area: str | None = None,
    ) -> None:
        """List a top-level type: with one subscription-wide list, or one list per resource group.

        A failed list is recorded at its own path, `{subscription}[/resourceGroups/{g}]/providers/{rtype}`.
        """
        if self.groups is None:
            self.list(
                rtype,
                f"{self.prefix}/providers/{rtype}",
                in_subscription,
                diagnostics=diagnostics,
                each=each,
                area=area,
            )
            return
        for group in self.groups:
            self.list(
                rtype,
                f"{self.prefix}/resourceGroups/{group}/providers/{rtype}",
                functools.partial(in_group, group),
                diagnostics=diagnostics,
                each=each,
                area=area,
            )

    def list(
        self,
        rtype: str,
        path: str,
        pager: Callable[[], Iterable[Any]],
        *,
        child: bool = False,
        diagnostics: bool = False,
        each: Callable[[Resource], None] | None = None,
        area: str | None = None,
    ) -> None:
        """List `path`; add every item as an entry of `rtype`, then its follow-up reads.

        `child` marks a collection under a resource: item ids that do not lie under `path`
        (placeholders in examples, short forms) are rebuilt from the item's name.
        """
        self.collection.submit(self._list, rtype, path, pager, child, diagnostics, each, area)

    def _list(
        self,
        rtype: str,
        path: str,
        pager: Callable[[], Iterable[Any]],
        child: bool,
        diagnostics: bool,
        each: Callable[[Resource], None] | None,
        area: str | None,
    ) -> None:
        models: list[Any] = []
        bodies: list[Any] = []

        def consume() -> None:
            for model in pager():  # one by one: a failing later page keeps the earlier ones
                models.append(model)

        self.collection.read(rtype, path, consume, bodies)
        items = [entry(b, rtype, collection=path if child else None) for b in arm_items(models, bodies)]
        items = [b for b in items if isinstance(b.get("id"), str) and b["id"].strip("/")]
        for body in items:
            self.collection.add(body)
        if area is not None:
            self.collection.say(f"{area}: {len(items)} {rtype.rsplit('/', 1)[-1]}")
        for body in items:
            if diagnostics:
                self.diagnostics(body["id"])
            if each is not None:
                each(body)

    def get(
        self,
        rtype: str,
        path: str,
        call: Callable[[], Any],
        *,
        each: Callable[[Resource], None] | None = None,
    ) -> None:
        """Read one resource at a known path (a singleton child such as `config/web`)."""
        self.collection.submit(self._get, rtype, path, call, each)

    def _get(
        self, rtype: str, path: str, call: Callable[[], Any], each: Callable[[Resource], None] | None
    ) -> None:
        bodies: list[Any] = []
        found = self.collection.read(rtype, path, call, bodies)
        if found is None:
            return
        body = entry(arm_item(found, bodies), rtype, expected_id=path)
        self.collection.add(body)
        if each is not None:
            each(body)

    def diagnostics(self, resource_id: str) -> None:
        """Queue the read of a resource's diagnostic settings."""
        collect_diagnostics(self, resource_id)


def _request_path(exc: AzureError) -> str | None:
    response = getattr(exc, "response", None)
    request = getattr(response, "request", None)
    url = getattr(request, "url", None)
    return unquote(urlsplit(url).path) if isinstance(url, str) else None


def _error_details(exc: HttpResponseError) -> tuple[str, str]:
    """ARM's error code and message, from the parsed error or the raw body."""
    error = getattr(exc, "error", None)
    code = getattr(error, "code", None)
    message = getattr(error, "message", None)
    if not code or not message:
        try:
            body = json.loads(exc.response.text()) if exc.response is not None else None
        except ValueError:  # not JSON: keep what the exception says
            body = None
        inner = body.get("error") if isinstance(body, dict) else None
        if isinstance(inner, dict):
            code = code or inner.get("code")
            message = message or inner.get("message")
    return str(code or exc.reason or "HttpError"), first_line(str(message or exc.message or ""))


def resource_group(resource: Resource) -> str:
    """The resource group of a resource (empty when it lies in none)."""
    return ids.resource_group_of(resource["id"]) or ""


def name(resource: Resource) -> str:
    """The name of a resource, from its id."""
    return ids.name_of(resource["id"])
