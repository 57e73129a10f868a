"""One collection run: the clients, a bounded thread pool, and everything read so far.

Every area collector (network, cognitive, ...) hands its calls to a `Sub` (one
subscription of the run). A call that ARM refuses (403, 404, 409, 500 after retries, a 401 on
one path, a 429 past the cap), an answer that cannot be read, and every read still open when
the run's deadline passes are recorded as a `CollectionError` and the run goes on; a credential
that fails, a token ARM rejects on every call, or an unreachable endpoint stops it. A request
hook on every client lets nothing but a GET to the configured ARM host leave the process, so
the auditor stays read-only even if an SDK policy tries to register a resource provider or
follows a nextLink to another host.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import json
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, wait
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
from auditor.collect.policy import (
    Clock,
    CollectorRetryPolicy,
    DeadlineExceeded,
    Limits,
    Pages,
    Probed,
    QuotaThrottle,
    ReadStopped,
    Throttle,
)
from auditor.collect.progress import Stats
from auditor.errors import first_line

T = TypeVar("T")
Progress = Callable[[str], None]
# The quota key of Resource Graph queries, and the only POST the auditor sends (a query only reads).
GRAPH = "resourcegraph"
GRAPH_PATH = "/providers/microsoft.resourcegraph/resources"
# What ARM says is left of a subscription's read quota, on every answer.
REMAINING_READS = "x-ms-ratelimit-remaining-subscription-reads"


class RefusedRequest(Exception):
    """A request the auditor will not send: not a GET, or not to the configured ARM host."""


# A run that is not watched (a nightly pipeline) must end: 30 minutes is several times what
# a large subscription takes (a few thousand reads at 8 at a time) and well inside the hour
# most CI jobs are given, so a report with what was read still comes out.
DEFAULT_DEADLINE = 1800.0


@dataclass(frozen=True)
class Settings:
    """How hard to work, how patiently to retry, and when to give up (seconds)."""

    # Reads in flight at once, across every subscription: each subscription's own token bucket
    # (policy.Throttle) keeps it under ARM's limit, so this only bounds sockets and threads.
    workers: int = 64
    retry_total: int = 4
    # Connection failures are retried once: an unreachable endpoint should fail fast.
    retry_connect: int = 1
    retry_read: int = 2
    retry_backoff_factor: float = 0.8
    # ARM answers a GET in well under a second; a minute without a byte is a stuck call.
    connect_timeout: float = 10
    read_timeout: float = 60
    # The whole run (None: no limit); what is still unread then is recorded and the audit goes on.
    deadline: float | None = DEFAULT_DEADLINE
    # The longest Retry-After waited out; ARM's own throttling windows are under a minute.
    retry_after_cap: float = 60
    # 429s waited out per request before it is recorded as throttled.
    throttle_retries: int = 10
    # Pages of one list; ARM pages hold 100 or more items, so this is 100,000 resources or more.
    max_pages: int = 1000
    # Inventory through Azure Resource Graph (False: per-type ARM lists only, as --no-resource-graph).
    resource_graph: bool = True

    def limits(self) -> Limits:
        """The numbers the retry policy needs."""
        return Limits(
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            retry_total=self.retry_total,
            retry_connect=self.retry_connect,
            retry_read=self.retry_read,
            retry_backoff_factor=self.retry_backoff_factor,
            retry_after_cap=self.retry_after_cap,
            throttle_retries=self.throttle_retries,
            max_pages=self.max_pages,
        )


class Collection:
    """Shared state of one run; safe to use from the pool's threads."""

    def __init__(self, cloud: Cloud, credential: Any, settings: Settings, progress: Progress | None) -> None:
        self.cloud = cloud
        self.credential = credential
        self.settings = settings
        self.progress = progress
        self.clock = Clock(settings.deadline)
        self.arm_host = urlsplit(cloud.arm_endpoint).netloc.lower()
        self.resources: list[Resource] = []
        self.errors: list[CollectionError] = []
        self.types: set[str] = set()
        self.api_versions: dict[str, str] = {}
        self.request_count = 0
        # True when the deadline ended the run with reads still open.
        self.partial = False
        # Reads ARM answered with anything but 401, and reads refused with 401: a token that
        # ARM rejects on every read stops the run, one rejected on some paths does not.
        self.answered = 0
        self.unauthorized = 0
        self._seen_once: set[str] = set()
        self._lock = threading.RLock()
        self._local = threading.local()
        self._clients: dict[tuple[str, str], Any] = {}
        self._operations: dict[tuple[int, str], Any] = {}
        self._throttles: dict[str, Throttle] = {}
        # 429 answers received, and requests by kind ("ARM", "Resource Graph").
        self.throttled = 0
        self.requests_by_kind: dict[str, int] = {}
        self._transport: Any = None
        # What Resource Graph listed (collect/graph.py); None: every list is read from ARM.
        self.inventory: Any = None
        # Tasks still open per subscription, and how many subscriptions the run reads (progress).
        self._open: dict[str, int] = {}
        self._keys: dict[Future[None], str] = {}
        self.subscriptions_total = 0
        self._pool = _Pool(max(1, settings.workers), self._ready)
        self._pending: dict[Future[None], tuple[str, str] | None] = {}
        self._fatal: BaseException | None = None
        self._closed = False

    # --- clients -------------------------------------------------------------

    def client_kwargs(self, subscription: str = "") -> dict[str, Any]:
        """Keyword arguments for every client: the cloud, the retry policy and the request hooks.

        The retry policy is the collector's own (see policy.py), one throttle per subscription.
        """
        policy = CollectorRetryPolicy(
            self.settings.limits(),
            self.clock,
            self.throttle(subscription),
            self._pages,
            self.say,
            self._probing,
        )
        return {
            **self.cloud.client_kwargs(),
            "transport": self.transport(),
            "retry_policy": policy,
            "connection_timeout": self.settings.connect_timeout,
            "read_timeout": self.settings.read_timeout,
            "raw_request_hook": self._on_request,
            "raw_response_hook": self._on_response,
        }

    def throttle(self, key: str) -> Throttle:
        """The token bucket of one quota: a subscription's ARM reads, or GRAPH for Resource Graph."""
        with self._lock:
            found = self._throttles.get(key.lower())
            if found is None:
                found = QuotaThrottle() if key == GRAPH else Throttle(remaining=REMAINING_READS)
                self._throttles[key.lower()] = found
            return found

    def _ready(self, key: str) -> float:
        """Seconds until a task of `key` (a subscription) could send its first request."""
        # No lock: the pool asks while holding its own, and a dict read is atomic.
        found = self._throttles.get(key.lower())
        return 0.0 if found is None else found.ready()

    def transport(self) -> Any:
        """One HTTP transport for every client: one connection pool, as large as the concurrency."""
        with self._lock:
            if self._transport is None:
                import requests
                from azure.core.pipeline.transport import RequestsTransport

                from auditor.collect.transport import LeanSession

                session = LeanSession()
                session.before_send = self._before_send
                session.on_answer = self._on_answer
                size = max(10, self.settings.workers)
                adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=size)
                session.mount("https://", adapter)
                session.mount("http://", adapter)
                self._transport = RequestsTransport(session=session, session_owner=False)
                self._session = session
            return self._transport

    def waited(self) -> float:
        """Seconds spent waiting for quotas, summed over them."""
        with self._lock:
            return sum(t.waited for t in self._throttles.values())

    def client(self, factory: Callable[..., T], *args: Any, quota: str | None = None) -> T:
        """One client per (class, subscription), created on first use; its requests are paced by
        the quota `quota` names (default: the subscription's)."""
        key = (getattr(factory, "__qualname__", repr(factory)), "/".join(str(a) for a in args))
        with self._lock:
            if key not in self._clients:
                kwargs = self.client_kwargs(key[1] if quota is None else quota)
                self._clients[key] = factory(self.credential, *args, **kwargs)
            return self._clients[key]  # type: ignore[no-any-return]

    def operations(self, client: Any, group: str) -> Any:
        """A client's operations group `group`, built once (multi-API clients build one per access)."""
        key = (id(client), group)
        with self._lock:
            found = self._operations.get(key)
            if found is None:
                found = self._operations[key] = getattr(client, group)
            return found

    def close(self) -> None:
        """Stop the pool (threads still blocked in a call end with their timeouts) and close every client."""
        with self._lock:
            self._closed = True
        stuck = self._pool.shutdown()
        with self._lock:
            clients = list(self._clients.values())
            self._clients.clear()
        if stuck:
            return  # a thread may still use a client; its sockets go with the process
        for c in clients:
            closer = getattr(c, "close", None)
            if callable(closer):
                closer()
        session = getattr(self, "_session", None)
        if session is not None:
            session.close()

    def _pages(self) -> Pages | None:
        return getattr(self._local, "pages", None)

    def _probing(self) -> bool:
        return bool(getattr(self._local, "probing", False))

    def probe(self, rtype: str, call: Callable[[], Iterable[Any]]) -> None:
        """Record the api-version the ARM read `call` would use for `rtype`, without sending it.

        For lists Resource Graph answered: its rows carry no api-version, and the snapshot's
        `api_versions` must name, per type, the version the ARM client reads it with, whichever
        path listed it. The SDK builds the first request as for a real read; the retry policy
        stops it before the throttle, the sign-in hook and the transport (policy.Probed).
        """
        with self._lock:
            if rtype in self.api_versions:
                return
        self._local.probing = True
        try:
            for _ in call():
                break
        except Probed as exc:
            version = parse_qs(urlsplit(exc.url).query).get("api-version")
            if version:
                with self._lock:
                    self.api_versions.setdefault(rtype, version[0])
        finally:
            self._local.probing = False

    def _on_request(self, pipeline_request: Any) -> None:
        request = pipeline_request.http_request
        url = urlsplit(request.url)
        query = request.method.upper() == "POST" and unquote(url.path).lower() == GRAPH_PATH
        if request.method.upper() != "GET" and not query:
            raise RefusedRequest(f"refused {request.method} {url.path}: the auditor only reads")
        if url.netloc.lower() != self.arm_host:
            raise RefusedRequest(f"refused a request to {url.netloc}: not the configured ARM endpoint")
        version = parse_qs(url.query).get("api-version")
        rtype = getattr(self._local, "rtype", None)
        kind = "Resource Graph" if query else "ARM"
        with self._lock:
            self.request_count += 1
            self.requests_by_kind[kind] = self.requests_by_kind.get(kind, 0) + 1
            if version and rtype:
                self.api_versions.setdefault(rtype, version[0])

    def _before_send(self, url: str) -> None:
        """The last moment before a request leaves: a 429 that another thread of the quota received
        after this one passed its throttle holds it too (ARM counts a read when it arrives)."""
        quota = self._quota_of(unquote(urlsplit(url).path))
        while quota is not None and (pause := min(quota.held(), self.clock.left())) > 0:
            time.sleep(pause)

    def _on_answer(self, url: str, response: Any) -> None:
        """A 429 holds the quota's other threads as it arrives, before the pipeline above the
        transport (logging, the hooks, the retry policy) has read it."""
        if response.status_code != 429:
            return
        quota = self._quota_of(unquote(urlsplit(url).path))
        wait = _seconds(response.headers.get("Retry-After"))
        if quota is not None and wait is not None and wait <= self.settings.retry_after_cap:
            quota.hold(wait)

    def _quota_of(self, path: str) -> Throttle | None:
        """The throttle of the quota a request path is charged to (None: none yet)."""
        parts = [p for p in path.lower().split("/") if p]
        if len(parts) >= 2 and parts[0] == "subscriptions":
            return self._throttles.get(parts[1])
        return self._throttles.get(GRAPH.lower()) if path.lower() == GRAPH_PATH else None

    def _on_response(self, pipeline_response: Any) -> None:
        response = pipeline_response.http_response
        if response.status_code == 429:
            with self._lock:
                self.throttled += 1
        # Keep the body the SDK received, for the read running in this thread (see convert.py).
        bodies = getattr(self._local, "bodies", None)
        if bodies is None or response.status_code != 200:
            return
        with contextlib.suppress(ValueError):  # not JSON: the retry policy ends such reads
            bodies.append(json.loads(response.text()))

    # --- tasks ---------------------------------------------------------------

    def submit(
        self, fn: Callable[..., None], *args: Any, read: tuple[str, str] | None = None, key: str = ""
    ) -> None:
        """Run a task on the pool; nothing more starts once a task has failed or time is up.

        `read` (type, path) names the read the task makes, recorded if the deadline cuts it off;
        `key` (a subscription) lets the pool start tasks whose quota has room before others.
        """
        with self._lock:
            if self._fatal is not None or self._closed:
                return
            if self.clock.expired():
                self._cut_off(read)
                return
            future = self._pool.submit(self._run, fn, *args, key=key)
            self._pending[future] = read
            self._keys[future] = key
            self._open[key] = self._open.get(key, 0) + 1
        future.add_done_callback(self._done)

    def submit_job(self, fn: Callable[..., T], *args: Any, key: str = "") -> Future[T]:
        """Run `fn` on the pool and hand back its future (a setup step the caller waits for)."""
        return self._pool.submit(fn, *args, key=key)

    def _done(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.pop(future, None)
            key = self._keys.pop(future, None)
            if key is not None:
                self._open[key] -= 1

    def stats(self) -> Stats:
        """Where the run stands, for the progress display."""
        with self._lock:
            # A subscription is done once none of its tasks is open: a task queues its follow-up
            # reads before it ends, so the count cannot touch 0 while reads remain.
            done = sum(1 for key, n in self._open.items() if key not in ("", GRAPH) and n == 0)
            return Stats(
                subscriptions_done=done,
                subscriptions=self.subscriptions_total,
                requests=self.request_count,
                by_kind=tuple(sorted(self.requests_by_kind.items())),
                throttled=self.throttled,
                waited=sum(t.waited for t in self._throttles.values()),
            )

    def _run(self, fn: Callable[..., None], *args: Any) -> None:
        if self._fatal is not None or self._closed:
            return
        try:
            fn(*args)
        except BaseException as exc:  # handed to the main thread by wait()
            with self._lock:
                if self._fatal is None:
                    self._fatal = exc

    def wait(self) -> None:
        """Block until every task, and every task those tasks started, has finished, or time is up.

        At the deadline every read still queued or running is recorded as cut off, and the
        run is marked partial; its threads are left to end with their (shortened) timeouts.
        """
        while True:
            with self._lock:
                pending = list(self._pending)
            if not pending:
                break
            left = self.clock.left()
            if left <= 0:
                self._expire()
                break
            wait(pending, timeout=min(left, 3600.0))
        if self._fatal is not None:
            raise self._fatal
        if self.unauthorized and not self.answered:
            raise ClientAuthenticationError(
                message=f"ARM rejected the token on all {self.unauthorized} calls (401)"
            )

    def guarded(self, fn: Callable[[], T], what: str) -> T:
        """Run `fn` on the pool and wait for it, no longer than the deadline (setup steps)."""
        box: list[T] = []
        errors: list[BaseException] = []

        def task() -> None:
            try:
                box.append(fn())
            except BaseException as exc:  # handed back below
                errors.append(exc)

        future = self._pool.submit(task)
        done, _ = wait([future], timeout=None if self.clock.ends is None else self.clock.left())
        if not done:
            raise DeadlineError(f"the run's time limit ({self.clock.seconds:.0f} s) ran out while {what}")
        if errors:
            raise errors[0]
        return box[0]

    def _expire(self) -> None:
        with self._lock:
            reads = [r for r in self._pending.values()]
            self._pending.clear()
            self.partial = True
        for r in reads:
            self._cut_off(r)
        with self._lock:
            self._closed = True

    def _cut_off(self, read: tuple[str, str] | None) -> None:
        with self._lock:
            self.partial = True
            if read is None or self._closed:
                return
            rtype, path = read
            message = (
                f"the run's time limit ({self.clock.seconds:.0f} s) ran out before this read finished; "
                "the audit ends with what it has"
            )
            self.errors.append(CollectionError(path, rtype, None, "DeadlineExceeded", message))

    # --- results -------------------------------------------------------------

    def say(self, message: str) -> None:
        """Report progress, when someone listens."""
        if self.progress is not None:
            with self._lock:
                self.progress(message)

    def add(self, resource: Resource) -> None:
        """Add a resource read, its secrets masked first (in place: follow-up reads see no secret either);
        ignored once the run has ended."""
        redact_resource(resource)
        with self._lock:
            if not self._closed:
                self.resources.append(resource)

    def record(self, scope: str, resource_type: str, status: int | None, code: str, message: str) -> None:
        """Record a read that failed (ignored once the run has ended)."""
        with self._lock:
            if not self._closed:
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
        self._local.pages = Pages(self.settings.max_pages)
        rejected = False
        try:
            return call()
        except ReadStopped as exc:
            if isinstance(exc, DeadlineExceeded):
                # A read the deadline cut off in the retry policy (a hung answer whose read timeout was
                # cut to the deadline) leaves the run as partial as one still queued when time ran out.
                with self._lock:
                    self.partial = True
            self.record(exc.path or scope, rtype, exc.status, exc.code, first_line(str(exc.message or exc)))
        except ClientAuthenticationError as exc:
            path = self._arm_path(exc)
            if path is None:
                raise  # the credential itself failed: nothing else will work either
            # ARM refused the token for this path only (a 401 everywhere stops the run in wait()).
            code, message = _error_details(exc)
            self.record(path, rtype, 401, code, message)
            rejected = True
        except ServiceRequestError:
            raise  # no network: nothing else will work either
        except HttpResponseError as exc:
            status = exc.status_code if isinstance(exc.status_code, int) else None
            code, message = _error_details(exc)
            self.record(_request_path(exc) or scope, rtype, status, code, message)
        except AzureError as exc:  # timeouts, bodies the SDK cannot read
            self.record(_request_path(exc) or scope, rtype, None, type(exc).__name__, first_line(str(exc)))
        except RefusedRequest as exc:
            self.record(scope, rtype, None, "RefusedRequest", str(exc))
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            # An answer of a shape the SDK's models cannot take: that read is lost, not the run.
            message = f"the answer could not be read ({type(exc).__name__}: {first_line(str(exc))})"
            self.record(scope, rtype, None, "UnreadableAnswer", message)
        finally:
            self._local.rtype = None
            self._local.bodies = None
            self._local.pages = None
            with self._lock:
                if rejected:
                    self.unauthorized += 1
                else:
                    self.answered += 1
        return None

    def _arm_path(self, exc: AzureError) -> str | None:
        """The ARM path a 401 answered, or None when the error came from the credential."""
        response = getattr(exc, "response", None)
        url = getattr(getattr(response, "request", None), "url", None)
        if getattr(response, "status_code", None) != 401 or not isinstance(url, str):
            return None
        parts = urlsplit(url)
        if parts.netloc.lower() != self.arm_host or "/oauth2/" in parts.path.lower():
            return None
        return unquote(parts.path)


class DeadlineError(AzureError):
    """The deadline passed before a step the run cannot go without (finding the subscriptions)."""


_Task = tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]


class _Pool:
    """A fixed set of daemon worker threads taking tasks subscription by subscription.

    Unlike ThreadPoolExecutor's, these threads do not hold up the interpreter's exit: a call
    stuck past the deadline (a token endpoint that never answers) cannot keep the process alive.
    Tasks queue per key (a subscription); a free thread takes the next task, in turn, of a key
    whose quota has room (`ready(key)` is 0), so threads do not all sleep on one throttled
    subscription while others could read.
    """

    def __init__(self, workers: int, ready: Callable[[str], float] | None = None) -> None:
        self._ready = ready or (lambda key: 0.0)
        self._queues: dict[str, collections.deque[_Task]] = {}
        self._order: collections.deque[str] = collections.deque()
        self._cond = threading.Condition()
        self._stopping = False
        self._busy = 0
        # When the idle thread that waits for a quota's next token wakes (inf: none waits; see _take).
        self._timer_at = float("inf")
        self._threads = [
            threading.Thread(target=self._work, name=f"collect-{i}", daemon=True) for i in range(workers)
        ]
        for t in self._threads:
            t.start()

    def submit(self, fn: Callable[..., Any], *args: Any, key: str = "") -> Future[Any]:
        future: Future[Any] = Future()
        with self._cond:
            if key not in self._queues:
                self._queues[key] = collections.deque()
                self._order.append(key)
            self._queues[key].append((future, fn, args))
            self._cond.notify()
        return future

    def _take(self) -> _Task | None:
        with self._cond:
            while True:
                if self._stopping:
                    return None
                soonest: float | None = None
                for _ in range(len(self._order)):
                    key = self._order[0]
                    self._order.rotate(-1)
                    tasks = self._queues[key]
                    if not tasks:
                        continue
                    wait_for = self._ready(key)
                    if wait_for <= 0:
                        task = tasks.popleft()
                        if any(self._queues.values()):
                            self._cond.notify()  # hand the rest to one more idle thread
                        return task
                    soonest = wait_for if soonest is None else min(soonest, wait_for)
                wake = None if soonest is None else time.monotonic() + min(soonest, 0.25)
                if wake is None or wake >= self._timer_at:
                    # Nothing queued, or an idle thread already waits for a quota's next token at
                    # least as soon: sleep until a submit or a handover wakes this one (not a herd of
                    # threads waking at every token to scan the same queues).
                    self._cond.wait()
                    continue
                self._timer_at = wake
                try:
                    self._cond.wait(timeout=wake - time.monotonic())
                finally:
                    if self._timer_at == wake:
                        self._timer_at = float("inf")

    def _work(self) -> None:
        while True:
            item = self._take()
            if item is None:
                return
            future, fn, args = item
            if not future.set_running_or_notify_cancel():
                continue
            with self._cond:
                self._busy += 1
            try:
                future.set_result(fn(*args))
            except BaseException as exc:  # the task's own error, for whoever waits on it
                future.set_exception(exc)
            finally:
                with self._cond:
                    self._busy -= 1

    def shutdown(self) -> bool:
        """Cancel what is queued and let the threads go; True when some are still busy."""
        with self._cond:
            queued = [item for tasks in self._queues.values() for item in tasks]
            self._queues.clear()
            self._order.clear()
            self._stopping = True
            self._cond.notify_all()
            busy = self._busy > 0
        for item in queued:
            item[0].cancel()
        return busy


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
        self.collection.submit(
            self._list, rtype, path, pager, child, diagnostics, each, area, read=(rtype, path), key=self.id
        )

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

        inventory = self.collection.inventory
        known = None if inventory is None or child else inventory.items(rtype, path)
        if known is None:
            self.collection.read(rtype, path, consume, bodies)
            known = arm_items(models, bodies)
        else:
            self.collection.probe(rtype, pager)
        listed = [entry(b, rtype, collection=path if child else None) for b in known]
        items = [b for b in listed if isinstance(b.get("id"), str) and b["id"].strip("/")]
        if len(items) < len(listed):
            # Nothing can be judged without an id, and dropping the item quietly would let a
            # check pass on a list that is not whole: the list counts as not fully read.
            missing = len(listed) - len(items)
            self.collection.record(
                path,
                rtype,
                None,
                "ItemWithoutId",
                f"{missing} of the {len(listed)} items listed have no id; they could not be judged",
            )
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
        self.collection.submit(self._get, rtype, path, call, each, read=(rtype, path), key=self.id)

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


def _seconds(value: Any) -> float | None:
    """A `Retry-After` in seconds (None: absent or not a number of seconds)."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if seconds >= 0 else None
