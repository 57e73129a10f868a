"""The Logs Ingestion API of a data collection endpoint, faked on the fake ARM server.

`POST /dataCollectionRules/{immutable id}/streams/{stream}?api-version=2023-01-01` with a bearer
token from the fake token endpoint and a (gzipped) JSON array of rows; 204 on success, as the
service answers. Received rows are kept per stream. Faults answer a chosen request of a stream
with a status (429 with Retry-After, 500, 413), so tests see the real client retry and split.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.fakearm.store import Answer, error

PATH = re.compile(r"^/dataCollectionRules/([^/]+)/streams/([^/]+)$", re.I)
API_VERSION = "2023-01-01"
# The ingestion token's audience, as azure-monitor-ingestion asks for it (double slash included).
SCOPE = "https://monitor.azure.com//.default"


@dataclass
class IngestionFault:
    """Answer requests to `stream` (None: any) with `status`, after `skip` of them went through.

    `times` limits the fault to that many requests (None: every one after the skipped ones).
    """

    status: int
    stream: str | None = None
    skip: int = 0
    times: int | None = 1
    retry_after: float | None = None
    seen: int = 0
    hits: int = 0

    def applies(self, stream: str) -> bool:
        """Count the request; True when this one is to fail."""
        if self.stream is not None and self.stream != stream:
            return False
        self.seen += 1
        if self.seen <= self.skip or (self.times is not None and self.hits >= self.times):
            return False
        self.hits += 1
        return True


@dataclass(frozen=True)
class Upload:
    """One request as received: its stream, status, whether it came gzipped, its rows and their bytes."""

    rule_id: str
    stream: str
    status: int
    gzipped: bool
    rows: int
    size: int = 0  # the body's length uncompressed


@dataclass
class Ingestion:
    """The endpoint's state: accepted rows per stream, every upload, the faults to inject."""

    authorized: Callable[[str | None], bool]
    rule_id: str = "dcr-00000000000000000000000000000000"
    streams: tuple[str, ...] = ("Custom-AuditorRuns_CL", "Custom-AuditorFindings_CL")
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    uploads: list[Upload] = field(default_factory=list)
    faults: list[IngestionFault] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def add_fault(self, status: int, **kwargs: Any) -> IngestionFault:
        """Inject a fault (see IngestionFault); returns it so a test can read its hit count."""
        fault = IngestionFault(status, **kwargs)
        with self._lock:
            self.faults.append(fault)
        return fault

    def received(self, stream: str) -> list[dict[str, Any]]:
        """The rows accepted on `stream`, in arrival order."""
        with self._lock:
            return list(self.rows.get(stream, []))

    def post(
        self, path: str, query: Mapping[str, list[str]], headers: Mapping[str, str], body: bytes
    ) -> tuple[Answer, dict[str, str]]:
        """Answer one upload: check version, token, rule, stream and body, then keep the rows."""
        match = PATH.match(path)
        assert match is not None
        rule_id, stream = match.group(1), match.group(2)
        if (query.get("api-version") or [""])[0] != API_VERSION:
            return error(400, "InvalidApiVersion", "unsupported api-version"), {}
        if not self.authorized(headers.get("Authorization")):
            return error(401, "InvalidAuthenticationToken", "The access token is missing or invalid."), {}
        if rule_id != self.rule_id:
            return error(404, "NotFound", "Data collection rule not found."), {}
        if stream not in self.streams:
            return error(400, "InvalidStream", f"Stream {stream} is not declared in the rule."), {}
        gzipped = (headers.get("Content-Encoding") or "").lower() == "gzip"
        with self._lock:
            fault = next((f for f in self.faults if f.applies(stream)), None)
        if fault is not None:
            extra = {} if fault.retry_after is None else {"Retry-After": _seconds(fault.retry_after)}
            self._log(Upload(rule_id, stream, fault.status, gzipped, 0))
            return error(fault.status, "FaultInjected", f"fault injected for {stream}"), extra
        try:
            raw = gzip.decompress(body) if gzipped else body
            rows = json.loads(raw)
        except (OSError, ValueError) as exc:
            return error(400, "InvalidPayload", f"body is not JSON: {exc}"), {}
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            return error(400, "InvalidPayload", "the body must be a JSON array of objects"), {}
        with self._lock:
            self.rows.setdefault(stream, []).extend(rows)
        self._log(Upload(rule_id, stream, 204, gzipped, len(rows), len(raw)))
        return Answer(204, None), {}

    def _log(self, upload: Upload) -> None:
        with self._lock:
            self.uploads.append(upload)


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
