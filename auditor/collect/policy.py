"""The collector's own retry policy: per-call timeouts under one deadline, patient with 429s.

azure-core's RetryPolicy sleeps through any `Retry-After` ARM sends (an hour, if asked),
gives a throttled read three tries, and knows nothing of a deadline. This policy replaces it
on every client the collector builds:

* every attempt gets the connect and read timeouts, cut to what is left of the run's deadline,
  and no attempt starts once the deadline has passed;
* a 429 is waited out for its `Retry-After` up to a cap, as many times as the deadline allows;
  a longer `Retry-After` ends the read as throttled at once (recorded, never slept through);
  the wait holds every read of the same subscription, as ARM's throttling is per subscription;
* 5xx answers, resets and read timeouts are retried a few times with a short backoff;
* a list that pages in a loop, or pages on far past any plausible size, is stopped;
* a `200` whose body is empty or not a JSON object ends the read (the SDKs would crash on it).

The exceptions it raises are `ReadStopped` errors that the collection records for the read.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from azure.core.exceptions import (
    AzureError,
    ClientAuthenticationError,
    ServiceRequestError,
    ServiceResponseError,
)
from azure.core.pipeline.policies import RetryPolicy

# Answers worth another try: ARM's transient errors (429 is handled on its own).
TRANSIENT = {408, 500, 502, 503, 504}


class ReadStopped(AzureError):
    """A read the policy ended; `code` and `status` are what the collection records."""

    code = "ReadStopped"

    def __init__(self, message: str, path: str | None, status: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.status = status


class Probed(Exception):
    """A request built only to learn its URL (the api-version a list would use); never sent.

    Not an AzureError: no SDK or collector handler takes it for a failed read.
    """

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


class Throttled(ReadStopped):
    """ARM kept answering 429 (or asked for a wait longer than the cap)."""

    code = "Throttled"


class DeadlineExceeded(ReadStopped):
    """The run's time limit ran out before this read finished."""

    code = "DeadlineExceeded"


class PagingStopped(ReadStopped):
    """A list whose nextLinks loop or never end."""

    code = "PagingStopped"


class UnreadableAnswer(ReadStopped):
    """A `200` whose body is empty, not JSON, or not a JSON object."""

    code = "UnreadableAnswer"


@dataclass(frozen=True)
class Limits:
    """The numbers the policy works with (see `context.Settings`)."""

    connect_timeout: float
    read_timeout: float
    retry_total: int
    retry_connect: int
    retry_read: int
    retry_backoff_factor: float
    retry_after_cap: float
    throttle_retries: int
    max_pages: int


class Clock:
    """The run's deadline (monotonic seconds); None: no deadline."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.ends = None if seconds is None else time.monotonic() + seconds

    def left(self) -> float:
        """Seconds left (infinite without a deadline; never below 0)."""
        return float("inf") if self.ends is None else max(0.0, self.ends - time.monotonic())

    def expired(self) -> bool:
        """True once the deadline has passed."""
        return self.left() <= 0


class Throttle:
    """One quota's client-side token bucket: no request starts before a token is there, nor
    before a `Retry-After` has passed.

    ARM's read quota is a bucket per principal and subscription (250 requests, refilled at 25 a
    second); Resource Graph's is 15 queries per 5 seconds per principal. The bucket spends a
    token as a request leaves and trusts the server's count when it is lower (another client of
    the same principal), so a run paces itself at what the quota allows instead of meeting 429s.
    """

    def __init__(self, capacity: float = 250, rate: float = 25, remaining: str | None = None) -> None:
        self._lock = threading.Lock()
        self._not_before = 0.0
        self.capacity = capacity
        self.rate = rate
        self.remaining_header = remaining
        self.name = "ARM"
        self._tokens = capacity
        self._stamp = time.monotonic()
        # Tokens a second, the quota's rate until a 429 says the server refills more slowly.
        self._pace = rate
        # Seconds spent waiting for this quota (shown in the progress and the summary).
        self.waited = 0.0

    def _refill(self, now: float) -> None:
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self._pace)
        self._stamp = now

    def hold(self, seconds: float) -> None:
        """Every request of the quota waits `seconds` from now."""
        with self._lock:
            self._not_before = max(self._not_before, time.monotonic() + seconds)

    def refused(self, seconds: float) -> None:
        """A 429: hold for `seconds`, empty the bucket and halve the pace.

        The server has no token left, so the waiting requests leave one by one at the bucket's
        pace once the hold passes instead of all at once (where most would meet another 429);
        a quota slower than assumed (another client of the principal) is met by slowing down.
        """
        self.hold(seconds)
        with self._lock:
            self._refill(time.monotonic())
            self._tokens = min(self._tokens, 0.0)
            self._pace = max(self.rate / 25, self._pace / 2)

    def answered(self) -> None:
        """An answer that was not a 429: the pace climbs back towards the quota's rate."""
        if self._pace < self.rate:
            with self._lock:
                self._pace = min(self.rate, self._pace + self.rate / 50)

    def held(self) -> float:
        """Seconds until a `hold` passes (0: none)."""
        with self._lock:
            return max(0.0, self._not_before - time.monotonic())

    def ready(self) -> float:
        """Seconds until a request may start (0: now)."""
        with self._lock:
            now = time.monotonic()
            self._refill(now)
            return max(0.0, self._not_before - now, (1 - self._tokens) / self._pace)

    def wait(self, clock: Clock) -> float:
        """Sleep until a token is there and any hold has passed, then spend the token (never
        past the deadline); the seconds slept."""
        slept = 0.0
        while True:
            with self._lock:
                now = time.monotonic()
                self._refill(now)
                pause = max(self._not_before - now, (1 - self._tokens) / self._pace)
                if pause <= 0:
                    self._tokens -= 1
                    self.waited += slept
                    return slept
            pause = min(pause, clock.left())
            if pause <= 0:
                self.waited += slept
                return slept  # the deadline: the caller stops the read
            time.sleep(pause)
            slept += pause

    def observe(self, headers: Any) -> None:
        """Take the server's count of what is left when it is lower than ours."""
        if self.remaining_header is None:
            return
        try:
            left = float(headers.get(self.remaining_header))
        except (TypeError, ValueError):
            return
        with self._lock:
            self._refill(time.monotonic())
            self._tokens = min(self._tokens, left)


class QuotaThrottle(Throttle):
    """Resource Graph's quota: a window that `x-ms-user-quota-resets-after` says when it ends."""

    def __init__(self, queries: int = 15, window: float = 5.0) -> None:
        super().__init__(capacity=queries, rate=queries / window, remaining="x-ms-user-quota-remaining")
        self.name = "Resource Graph"

    def observe(self, headers: Any) -> None:
        """With no query left, hold every query until the window resets."""
        super().observe(headers)
        try:
            left = int(headers.get("x-ms-user-quota-remaining"))
        except (TypeError, ValueError):
            return
        if left <= 0:
            self.hold(_hms(headers.get("x-ms-user-quota-resets-after")))


def _hms(value: Any) -> float:
    """Seconds of an `hh:mm:ss` header (1 when it cannot be read)."""
    try:
        h, m, s = (float(part) for part in str(value).split(":"))
    except ValueError:
        return 1.0
    return h * 3600 + m * 60 + s


class Pages:
    """The pages one read has fetched: a repeated URL or too many pages stop the list."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.seen: set[str] = set()

    def check(self, url: str) -> None:
        """Raise PagingStopped when `url` was fetched before in this read, or the list is too long."""
        path = _path(url)
        if url in self.seen:
            raise PagingStopped(
                f"nextLink repeats an earlier page after {len(self.seen)} pages; "
                "the rest of the list was not read",
                path,
            )
        if len(self.seen) >= self.limit:
            raise PagingStopped(
                f"the list ran past {self.limit} pages, more than any estate this tool reads; "
                "the rest was not read",
                path,
            )
        self.seen.add(url)


class CollectorRetryPolicy(RetryPolicy[Any, Any]):
    """The retry policy of every client of one subscription (see the module docstring)."""

    def __init__(
        self,
        limits: Limits,
        clock: Clock,
        throttle: Throttle,
        pages: Callable[[], Pages | None],
        say: Callable[[str], None],
        probing: Callable[[], bool] = lambda: False,
    ) -> None:
        super().__init__(retry_total=limits.retry_total, retry_backoff_factor=limits.retry_backoff_factor)
        self._probing = probing
        self.limits = limits
        self.clock = clock
        self.throttle = throttle
        self._pages = pages
        self._say = say

    def send(self, request: Any) -> Any:
        """Send with the timeouts, retries and throttling described above."""
        url = str(request.http_request.url)
        if self._probing():
            # Before the throttle and the transport: a probe spends no token and sends nothing.
            raise Probed(url)
        path = _path(url)
        pages = self._pages()
        if pages is not None:
            pages.check(url)
        failures = 0
        broken = {ServiceRequestError: 0, ServiceResponseError: 0}
        allowed = {
            ServiceRequestError: self.limits.retry_connect,
            ServiceResponseError: self.limits.retry_read,
        }
        throttled = 0
        while True:
            self.throttle.wait(self.clock)
            left = self.clock.left()
            if left <= 0:
                raise DeadlineExceeded(self._late(), path)
            options = request.context.options
            options["connection_timeout"] = min(self.limits.connect_timeout, left)
            options["read_timeout"] = min(self.limits.read_timeout, left)
            try:
                response = self.next.send(request)
            except ClientAuthenticationError:
                raise  # the credential failed: no response will ever come
            except (ServiceRequestError, ServiceResponseError) as exc:
                if self.clock.expired():
                    raise DeadlineExceeded(self._late(), path) from None
                kind = ServiceRequestError if isinstance(exc, ServiceRequestError) else ServiceResponseError
                broken[kind] += 1
                if broken[kind] > allowed[kind]:
                    raise
                self._backoff(broken[kind])
                continue
            status = response.http_response.status_code
            self.throttle.observe(response.http_response.headers)
            if status == 429:
                throttled += 1
                wait = self._retry_after(response) or self._backoff_time(throttled)
                if wait > self.limits.retry_after_cap:
                    raise Throttled(
                        f"throttled: ARM asked to wait {wait:.0f} s (Retry-After), more than the cap of "
                        f"{self.limits.retry_after_cap:.0f} s; the read was not retried",
                        path,
                        429,
                    )
                if throttled > self.limits.throttle_retries or wait >= self.clock.left():
                    raise Throttled(
                        f"throttled: still 429 after {throttled} tries"
                        + (" and the time limit is near" if wait >= self.clock.left() else ""),
                        path,
                        429,
                    )
                self.throttle.refused(wait)
                self._say(
                    f"throttled by {self.throttle.name}: waiting {wait:.0f} s (Retry-After) "
                    f"before retrying {path}"
                )
                continue
            self.throttle.answered()
            if status in TRANSIENT and failures < self.limits.retry_total and not self.clock.expired():
                failures += 1
                wait = min(
                    self._retry_after(response) or self._backoff_time(failures), self.limits.retry_after_cap
                )
                time.sleep(min(wait, self.clock.left()))
                continue
            if status == 200:
                _check_body(response.http_response, path)
            return response

    def _late(self) -> str:
        return (
            f"the run's time limit ({self.clock.seconds:.0f} s) ran out before this read finished; "
            "the audit ends with what it has"
        )

    def _retry_after(self, response: Any) -> float | None:
        value = self.get_retry_after(response)
        return float(value) if value is not None and value >= 0 else None

    def _backoff_time(self, attempt: int) -> float:
        # Exponential with jitter, so that the reads of one subscription do not retry in step.
        base = self.limits.retry_backoff_factor * (2 ** (attempt - 1))
        return float(min(base, 30.0) * (0.5 + random.random() / 2))

    def _backoff(self, attempt: int) -> None:
        time.sleep(min(self._backoff_time(attempt), self.clock.left()))


def _check_body(response: Any, path: str) -> None:
    """A 200 must carry a JSON object; the SDK's deserialisers crash on anything else."""
    try:
        text = response.text()
    except Exception:
        raise UnreadableAnswer("the answer's body could not be decoded", path, 200) from None
    if not text.strip():
        raise UnreadableAnswer("the answer was 200 with an empty body", path, 200)
    try:
        body = json.loads(text)
    except ValueError:
        kind = str(response.headers.get("Content-Type") or "unknown type").split(";")[0]
        raise UnreadableAnswer(f"the answer was 200 but its body is not JSON ({kind})", path, 200) from None
    if not isinstance(body, dict):
        raise UnreadableAnswer(f"the answer was 200 but its body is a JSON {type(body).__name__}", path, 200)


def _path(url: str) -> str:
    return unquote(urlsplit(url).path)
