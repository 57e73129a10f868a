"""Azure's read limits, as the fake server enforces them.

* ARM reads: a token bucket per principal and subscription (Azure's current throttling: 250
  requests of burst, refilled at 25 a second). Every answer carries what is left in
  `x-ms-ratelimit-remaining-subscription-reads`; an empty bucket answers 429 with a
  `Retry-After` in whole seconds, as ARM does.
* Resource Graph: 15 queries per principal in a window of 5 seconds, with
  `x-ms-user-quota-remaining` and `x-ms-user-quota-resets-after` (hh:mm:ss) on every answer.

`early` lists the requests that came before a `Retry-After` this server had sent had passed:
a client that honours the header leaves it empty. The server alone cannot tell a request sent
after the client received the 429 from one already on its way (sent, but not yet read by the
server's threads, or answered while the client had yet to read the 429): on a busy machine both
arrive late. With `client_timed` on (the in-process harness turns it on), requests are instead
judged where the client sends them and the 429s where it receives them (`sent`, `received`).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Bucket:
    """A token bucket: `capacity` tokens, `rate` added per second."""

    capacity: float
    rate: float
    tokens: float = -1.0
    stamp: float = 0.0

    def take(self, now: float) -> tuple[bool, float, float]:
        """(allowed, tokens left, seconds until one token is back)."""
        if self.tokens < 0:
            self.tokens, self.stamp = self.capacity, now
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True, self.tokens, 0.0
        return False, self.tokens, (1 - self.tokens) / self.rate


@dataclass(frozen=True)
class Early:
    """A request sent before the `Retry-After` of an earlier 429 had passed."""

    key: str
    path: str
    at: float
    allowed_at: float


@dataclass
class Limits:
    """The limits of one fake server; `None` rates switch a limit off."""

    burst: float = 250
    refill: float = 25
    graph_queries: int = 15
    graph_window: float = 5.0
    _buckets: dict[tuple[str, str], Bucket] = field(default_factory=dict)
    _windows: dict[str, tuple[float, int]] = field(default_factory=dict)
    # Seconds the server holds every answer (its latency): a request is judged by when it was sent.
    latency: float = 0.0
    _retry_at: dict[str, tuple[float, float]] = field(default_factory=dict)
    early: list[Early] = field(default_factory=list)
    throttled: int = 0
    # Judge by the client's send and receive times (see the module docstring), not the server's.
    client_timed: bool = False
    _client_retry_at: dict[str, tuple[float, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def restart(self) -> None:
        """Every bucket full and every window new, as for a principal that has not read for a while."""
        with self._lock:
            self._buckets.clear()
            self._windows.clear()
            self._retry_at.clear()
            self._client_retry_at.clear()
            self.early.clear()
            self.throttled = 0

    def arm_read(self, principal: str, subscription: str, path: str) -> tuple[bool, dict[str, str]]:
        """Charge one read; (allowed, headers to send)."""
        now = time.monotonic()
        key = f"{principal}|{subscription.lower()}"
        with self._lock:
            self._check_early(key, path, now)
            bucket = self._buckets.setdefault(
                (principal, subscription.lower()), Bucket(self.burst, self.refill)
            )
            allowed, left, wait = bucket.take(now)
            headers = {"x-ms-ratelimit-remaining-subscription-reads": str(int(left))}
            if not allowed:
                self.throttled += 1
                seconds = max(1, math.ceil(wait))
                self._retry_at[key] = (now, now + seconds)
                headers["Retry-After"] = str(seconds)
            return allowed, headers

    def graph_query(self, principal: str, path: str) -> tuple[bool, dict[str, str]]:
        """Charge one Resource Graph query; (allowed, headers to send)."""
        now = time.monotonic()
        key = f"{principal}|resourcegraph"
        with self._lock:
            self._check_early(key, path, now)
            start, used = self._windows.get(principal, (now, 0))
            if now - start >= self.graph_window:
                start, used = now, 0
            resets = max(0.0, start + self.graph_window - now)
            allowed = used < self.graph_queries
            if allowed:
                used += 1
            self._windows[principal] = (start, used)
            headers = {
                "x-ms-user-quota-remaining": str(self.graph_queries - used),
                "x-ms-user-quota-resets-after": _hms(resets),
            }
            if not allowed:
                self.throttled += 1
                seconds = max(1, math.ceil(resets))
                self._retry_at[key] = (now, now + seconds)
                headers["Retry-After"] = str(seconds)
            return allowed, headers

    def _check_early(self, key: str, path: str, now: float) -> None:
        """Note a request sent after a 429 had reached the client and before its Retry-After passed.

        The server holds each request `latency` seconds before judging it, so it was sent that
        long ago; requests already in flight when the 429 went out are not the client's fault.
        """
        if self.client_timed:
            return
        window = self._retry_at.get(key)
        if window is None:
            return
        answered, allowed_at = window
        sent = now - self.latency
        # 50 ms of slack either side: the two ends' clocks start at slightly different moments.
        if answered + 0.05 < sent < allowed_at - 0.05:
            self.early.append(Early(key, path, sent, allowed_at))

    def sent(self, path: str, at: float) -> None:
        """The client sends a request for `path` at `at`: early if a 429 of its quota had reached the
        client and its `Retry-After` had not passed."""
        key = _quota(path)
        if key is None:
            return
        with self._lock:
            window = self._client_retry_at.get(key)
            if window is None:
                return
            received, allowed_at = window
            # 50 ms after the 429 arrived: the thread that read it needs that long to tell the others.
            if received + 0.05 < at < allowed_at:
                self.early.append(Early(key, path, at, allowed_at))

    def received(self, path: str, at: float, status: int, retry_after: str | None) -> None:
        """The client receives the answer to a request for `path` at `at`."""
        key = _quota(path)
        if key is None or status != 429 or retry_after is None:
            return
        try:
            seconds = float(retry_after)
        except ValueError:
            return
        with self._lock:
            _, until = self._client_retry_at.get(key, (0.0, 0.0))
            self._client_retry_at[key] = (at, max(until, at + seconds))


def _quota(path: str) -> str | None:
    """The quota a request path is charged to: its subscription's reads, or Resource Graph."""
    parts = [p.lower() for p in path.split("/") if p]
    if len(parts) >= 2 and parts[0] == "subscriptions":
        return parts[1]
    if parts[:3] == ["providers", "microsoft.resourcegraph", "resources"]:
        return "resourcegraph"
    return None


def _hms(seconds: float) -> str:
    whole = math.ceil(seconds)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"
