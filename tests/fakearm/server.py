"""A fake Azure Resource Manager and Entra ID token endpoint over HTTPS on 127.0.0.1.

The real azure-identity and azure-mgmt-* clients talk to it unchanged: they get a token
from `/{tenant}/oauth2/v2.0/token` with a client secret, then read ARM paths with it.
The server pages every list with `nextLink`, can inject faults and latency, and logs
every request so tests can assert that the auditor only read.
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import trustme

from tests.fakearm import graph, ingestion
from tests.fakearm.limits import Limits
from tests.fakearm.store import DEFAULT_TENANT, Answer, Resource, Store, error, norm

TOKEN_PATH = re.compile(r"^/([^/]+)/oauth2(?:/v2\.0)?/token$", re.I)
OPENID_PATH = re.compile(r"^/([^/]+)(?:/v2\.0)?/\.well-known/openid-configuration$", re.I)


# What a fault does besides answering with its status (see `Fault.kind`).
KINDS = ("status", "reset", "hang", "truncated", "empty", "html", "loop", "noid")


@dataclass
class Fault:
    """Answer GETs whose path matches `pattern` (regex, case-insensitive) with `status`.

    `times` limits the fault to the first N matching requests; `delay` holds the answer back.
    `kind` other than "status" changes the answer instead: "reset" closes the connection
    without a word, "hang" never answers (until `delay`, if set, or the server stops),
    "truncated", "empty" and "html" send a 200 whose body is cut in half, empty or a web
    page, "loop" gives a list a nextLink back to itself, "noid" strips the id (and name) of
    a list's first item. `later_pages` faults only the pages after the first.
    """

    pattern: str
    status: int = 500
    times: int | None = None
    retry_after: float | None = None
    code: str | None = None
    delay: float = 0.0
    hits: int = 0
    kind: str = "status"
    later_pages: bool = False

    def matches(self, path: str, query: dict[str, list[str]] | None = None) -> bool:
        if self.later_pages and not (query or {}).get("$skiptoken"):
            return False
        return re.search(self.pattern, path, re.I) is not None and (
            self.times is None or self.hits < self.times
        )


@dataclass(frozen=True)
class RawAnswer:
    """An answer that is not JSON, or no answer at all (`action` "reset" or "hang")."""

    status: int = 200
    payload: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    action: str | None = None
    hold: float = 0.0


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: str
    status: int
    at: float  # time.monotonic() when answered


# Every request any server of this process answered, never reset: tests/conftest.py checks each
# test's share of it against tests/fakearm/readonly.py.
TRAIL: list[LoggedRequest] = []
_TRAIL_LOCK = threading.Lock()

_DEFAULT_CODES = {
    401: "InvalidAuthenticationToken",
    403: "AuthorizationFailed",
    404: "ResourceNotFound",
    409: "Conflict",
    429: "TooManyRequests",
    500: "InternalServerError",
    503: "ServiceUnavailable",
}


@dataclass
class FakeArm:
    """The server. Use as a context manager, or `start()` and `stop()`."""

    resources: Iterable[Resource] = ()
    page_size: int = 2
    latency: float = 0.0
    tenant: str = DEFAULT_TENANT
    client_id: str = "5c0ffee0-0000-4000-8000-00000000c1d0"
    client_secret: str = field(default_factory=lambda: "fake-secret-" + secrets.token_urlsafe(18))
    workdir: Path | None = None
    subscriptions: Iterable[str] = ()
    # Seconds a token is valid; ARM answers 401 to an expired one, as Azure does.
    token_lifetime: int = 3599
    # Seconds the token endpoint holds its answer (a sign-in endpoint that does not answer).
    token_delay: float = 0.0
    # Azure's read limits (ARM's token bucket, Resource Graph's quota); None: unlimited.
    limits: Limits | None = None
    # Rows per Resource Graph page (Azure's is 1,000).
    graph_page_size: int = graph.MAX_PAGE

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self.faults: list[Fault] = []
        self.log: list[LoggedRequest] = []
        self.tokens: dict[str, float] = {}  # token -> time.monotonic() it expires
        self.scopes: list[str] = []  # the scope each token was asked for (its audience)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        # The Logs Ingestion API of a data collection endpoint (tests/fakearm/ingestion.py).
        self.ingestion = ingestion.Ingestion(self._authorized)
        # Resource Graph over the same store (tests/fakearm/graph.py); refused with `graph_status`.
        self.graph_status: int | None = None
        if self.limits is not None:
            self.limits.latency = self.latency
        self.load(self.resources)

    # --- lifecycle ---------------------------------------------------------

    def start(self) -> FakeArm:
        if self.workdir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="fakearm-")
            self.workdir = Path(self._tmp.name)
        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        self.ca_path = self.workdir / "fakearm-ca.pem"
        ca.cert_pem.write_to_path(str(self.ca_path))
        self._server = _Server(("127.0.0.1", 0), _Handler, self, context)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="fakearm", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()  # lets go of every answer held by a "hang" fault
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> FakeArm:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """Environment variables that point azure-identity and the auditor at this server."""
        return {
            "AZURE_TENANT_ID": self.tenant,
            "AZURE_CLIENT_ID": self.client_id,
            "AZURE_CLIENT_SECRET": self.client_secret,
            "AUDITOR_ARM_ENDPOINT": self.url,
            "AUDITOR_AUTHORITY_HOST": self.url,
            "REQUESTS_CA_BUNDLE": str(self.ca_path),
            # Only the client-secret credential: no managed-identity probe, no az CLI.
            "AZURE_TOKEN_CREDENTIALS": "EnvironmentCredential",
            "NO_PROXY": "127.0.0.1,localhost",
        }

    # --- control -----------------------------------------------------------

    def load(self, resources: Iterable[Resource], subscriptions: Iterable[str] = ()) -> Store:
        """Replace the served estate (faults and the log stay); returns it for extra routes."""
        store = Store(resources, tenant=self.tenant)
        for sub in [*self.subscriptions, *subscriptions]:
            store.add_subscription(sub)
        with self._lock:
            self.store = store
        return store

    def add_fault(self, pattern: str, status: int = 500, **kwargs: Any) -> Fault:
        fault = Fault(pattern, status, **kwargs)
        with self._lock:
            self.faults.append(fault)
        return fault

    def reset(self) -> None:
        """Forget faults, the request log and token settings (not the issued tokens)."""
        with self._lock:
            self.faults.clear()
            self.log.clear()
            self.token_lifetime = 3599
            self.token_delay = 0.0

    def requests(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self.log)

    # --- handling (called from the handler threads) -------------------------

    def _record(self, method: str, path: str, query: str, status: int) -> None:
        logged = LoggedRequest(method, path, query, status, time.monotonic())
        with self._lock:
            self.log.append(logged)
        with _TRAIL_LOCK:
            TRAIL.append(logged)

    def _fault_for(self, path: str, query: dict[str, list[str]] | None = None) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.matches(path, query):
                    fault.hits += 1
                    return fault
        return None

    def _issue_token(self, form: dict[str, list[str]], tenant: str) -> Answer | RawAnswer:
        if self.token_delay:
            return RawAnswer(action="hang", hold=self.token_delay)
        client_id = (form.get("client_id") or [""])[0]
        secret = (form.get("client_secret") or [""])[0]
        scope = (form.get("scope") or form.get("resource") or [""])[0]
        if tenant.lower() != self.tenant.lower():
            return Answer(
                400, {"error": "invalid_tenant", "error_description": "AADSTS90002: Tenant not found."}
            )
        if client_id != self.client_id or not secrets.compare_digest(secret, self.client_secret):
            return Answer(
                401,
                {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided.",
                },
            )
        if not scope.endswith("/.default"):
            return Answer(
                400, {"error": "invalid_scope", "error_description": f"AADSTS70011: bad scope {scope}"}
            )
        token = "fake-token-" + secrets.token_urlsafe(24)
        lifetime = self.token_lifetime
        with self._lock:
            self.tokens[token] = time.monotonic() + lifetime
            self.scopes.append(scope)
        return Answer(
            200,
            {
                "token_type": "Bearer",
                "expires_in": lifetime,
                "ext_expires_in": lifetime,
                "access_token": token,
            },
        )

    def _openid(self, tenant: str, v2: bool) -> dict[str, Any]:
        base = f"{self.url}/{tenant}"
        token = f"{base}/oauth2/v2.0/token" if v2 else f"{base}/oauth2/token"
        return {
            "token_endpoint": token,
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "issuer": f"{base}/v2.0" if v2 else f"{self.url}/{tenant}/",
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
        }

    def _authorized(self, header: str | None) -> bool:
        if not header or not header.lower().startswith("bearer "):
            return False
        with self._lock:
            expires = self.tokens.get(header[7:].strip())
        # Two seconds of grace, as Entra ID tolerates clock skew: a token fetched just before it
        # expires still reaches ARM on a busy machine.
        return expires is not None and time.monotonic() < expires + 2.0

    def _page(self, path: str, query: dict[str, list[str]], body: dict[str, Any]) -> dict[str, Any]:
        items = body["value"]
        start = int((query.get("$skiptoken") or ["0"])[0] or 0)
        page = dict(body)
        page.pop("nextLink", None)
        page["value"] = items[start : start + self.page_size]
        if start + self.page_size < len(items):
            rest = {k: v for k, v in query.items() if k != "$skiptoken"}
            rest["$skiptoken"] = [str(start + self.page_size)]
            page["nextLink"] = f"{self.url}{path}?{urlencode(rest, doseq=True)}"
        return page

    def handle_get(
        self, path: str, query: dict[str, list[str]], auth: str | None
    ) -> tuple[Answer | RawAnswer, dict[str, str]]:
        if self.latency:
            time.sleep(self.latency)
        match = OPENID_PATH.match(path)
        if match:
            return Answer(200, self._openid(match.group(1), "/v2.0/" in path.lower())), {}
        if not self._authorized(auth):
            return error(401, "InvalidAuthenticationToken", "The access token is missing or invalid."), {}
        limited = self._charge(path, auth)
        if limited is not None and not limited[0]:
            return error(429, "TooManyRequests", "The request was throttled."), limited[1]
        answer, headers = self._handle_read(path, query)
        return answer, {**(limited[1] if limited else {}), **headers}

    def _charge(self, path: str, auth: str | None) -> tuple[bool, dict[str, str]] | None:
        """Take one read from the principal's bucket for the subscription the path lies in."""
        parts = [p for p in path.split("/") if p]
        if self.limits is None or len(parts) < 2 or parts[0].lower() != "subscriptions":
            return None
        return self.limits.arm_read(self._principal(auth), parts[1], path)

    def _principal(self, auth: str | None) -> str:
        """Every token this server issues is the one client's (a single service principal)."""
        return self.client_id if auth else ""

    def _handle_read(
        self, path: str, query: dict[str, list[str]]
    ) -> tuple[Answer | RawAnswer, dict[str, str]]:
        fault = self._fault_for(path, query)
        if fault is not None and fault.kind != "status":
            return self._odd_answer(fault, path, query), {}
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.status >= 400:  # below 400 the fault only delays the normal answer
                headers = (
                    {"Retry-After": _seconds(fault.retry_after)} if fault.retry_after is not None else {}
                )
                return _fault_answer(fault, path), headers
        return self._answer(path, query), {}

    def graph_query(
        self, path: str, query: dict[str, list[str]], auth: str | None, body: bytes
    ) -> tuple[Answer | RawAnswer, dict[str, str]]:
        """A Resource Graph query (POST), under its quota, over the served estate."""
        if self.latency:
            time.sleep(self.latency)
        if not self._authorized(auth):
            return error(401, "InvalidAuthenticationToken", "The access token is missing or invalid."), {}
        headers: dict[str, str] = {}
        if self.limits is not None:
            allowed, headers = self.limits.graph_query(self._principal(auth), path)
            if not allowed:
                return error(
                    429, "RateLimiting", "Please provide below info when asking for support"
                ), headers
        fault = self._fault_for(path, query)
        status = self.graph_status or (fault.status if fault is not None else None)
        if status is not None and status >= 400:
            code = "AuthorizationFailed" if status == 403 else _DEFAULT_CODES.get(status, "Error")
            return error(status, code, f"Resource Graph refused the query ({status})"), headers
        with self._lock:
            store = self.store
        return graph.answer(store, body, self.graph_page_size), headers

    def _answer(self, path: str, query: dict[str, list[str]]) -> Answer:
        with self._lock:
            store = self.store
        answer = store.answer(path, query)
        listed = isinstance(answer.body, dict) and isinstance(answer.body.get("value"), list)
        if answer.status == 200 and listed and norm(path) not in store.verbatim and not _unpaged(path):
            return Answer(200, self._page(path, query, answer.body))
        return answer

    def _odd_answer(self, fault: Fault, path: str, query: dict[str, list[str]]) -> Answer | RawAnswer:
        """What a fault of a kind other than "status" answers (see `Fault`)."""
        if fault.kind in ("reset", "hang"):
            return RawAnswer(action=fault.kind, hold=fault.delay)
        if fault.kind == "empty":
            return RawAnswer()
        if fault.kind == "html":
            page = b"<!DOCTYPE html><html><body><h1>Service unavailable</h1></body></html>"
            return RawAnswer(payload=page, content_type="text/html; charset=utf-8")
        answer = self._answer(path, query)
        if fault.kind == "truncated":
            whole = json.dumps(answer.body).encode("utf-8")
            return RawAnswer(answer.status, whole[: len(whole) // 2])
        body = answer.body
        if answer.status != 200 or not isinstance(body, dict) or not isinstance(body.get("value"), list):
            return answer  # "loop" and "noid" change lists only
        body = dict(body)
        if fault.kind == "loop":
            body["nextLink"] = f"{self.url}{path}?{urlencode(query, doseq=True)}"
        elif fault.kind == "noid" and body["value"]:
            first = {k: v for k, v in body["value"][0].items() if k not in ("id", "name")}
            body["value"] = [first, *body["value"][1:]]
        return Answer(200, body)


# Lists ARM returns whole: their SDK operations follow no nextLink (the spec names none).
UNPAGED = ("/providers/microsoft.insights/diagnosticsettingscategories",)


def _unpaged(path: str) -> bool:
    return norm(path).endswith(UNPAGED)


def _fault_answer(fault: Fault, path: str) -> Answer:
    """The error body ARM would send, with the message texts SDK policies look for."""
    code = fault.code or _DEFAULT_CODES.get(fault.status, "Error")
    message = f"fault injected for {path}"
    if code == "MissingSubscriptionRegistration":
        # The SDK's registration policy reads the namespace from between the quotes.
        namespace = path.lower().rsplit("/providers/", 1)[-1].split("/")[0]
        message = f"The subscription is not registered to use namespace '{namespace}'."
    elif fault.status == 403:
        message = (
            "The client does not have authorization to perform action 'read' over scope "
            f"'{path}' or the scope is invalid."
        )
    return error(fault.status, code, message)


def _logged_status(answer: Answer | RawAnswer) -> int:
    """The status the log shows: 0 for a request that got no answer."""
    return 0 if isinstance(answer, RawAnswer) and answer.action is not None else answer.status


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(
        self, address: tuple[str, int], handler: type, fake: FakeArm, context: ssl.SSLContext
    ) -> None:
        super().__init__(address, handler)
        self.fake = fake
        self.ssl_context = context

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up early (a read timeout under test) is not a server bug

    def finish_request(self, request: Any, client_address: Any) -> None:
        # The TLS handshake happens here, in the connection's own thread, so a slow or
        # failing client cannot hold up the accept loop.
        try:
            tls = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        super().finish_request(tls, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the body waits for the client's
    # delayed ACK (~40 ms a request on loopback), which would swamp any timing.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the fake keeps its own log

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, answer: Answer | RawAnswer, headers: dict[str, str] | None = None) -> None:
        if isinstance(answer, RawAnswer):
            if answer.action is not None:
                self._withhold(answer)
                return
            payload, content_type = answer.payload, answer.content_type
        else:
            payload = b"" if answer.status == 204 else json.dumps(answer.body).encode("utf-8")
            content_type = "application/json; charset=utf-8"
        self.send_response(answer.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-ms-request-id", secrets.token_hex(8))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)

    def _withhold(self, answer: RawAnswer) -> None:
        """No answer: hang up at once ("reset") or after holding the connection ("hang")."""
        if answer.action == "hang":
            self.server.fake._stopped.wait(answer.hold or 600)
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def do_GET(self) -> None:
        fake = self.server.fake
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        try:
            answer, headers = fake.handle_get(parts.path, query, self.headers.get("Authorization"))
        except Exception as exc:  # a bug in the fake must show up as a 500, not a hang
            answer, headers = error(500, "FakeArmBug", f"{type(exc).__name__}: {exc}"), {}
        fake._record("GET", parts.path, parts.query, _logged_status(answer))
        self._send(answer, headers)

    def do_POST(self) -> None:
        fake = self.server.fake
        parts = urlsplit(self.path)
        body = self._read_body()
        match = TOKEN_PATH.match(parts.path)
        if match:
            form = parse_qs(body.decode("utf-8", "replace"))
            answer, headers = fake._issue_token(form, match.group(1)), {}
        elif graph.PATH.match(parts.path):
            query = parse_qs(parts.query, keep_blank_values=True)
            answer, headers = fake.graph_query(parts.path, query, self.headers.get("Authorization"), body)
        elif ingestion.PATH.match(parts.path):
            query = parse_qs(parts.query, keep_blank_values=True)
            answer, headers = fake.ingestion.post(parts.path, query, self.headers, body)
        else:
            answer, headers = error(405, "MethodNotAllowed", "the fake ARM server only reads"), {}
        fake._record("POST", parts.path, parts.query, _logged_status(answer))
        self._send(answer, headers)

    def _refuse(self) -> None:
        parts = urlsplit(self.path)
        self._read_body()
        answer = error(405, "MethodNotAllowed", "the fake ARM server only reads")
        self.server.fake._record(self.command, parts.path, parts.query, answer.status)
        if self.command == "HEAD":
            self.send_response(405)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._send(answer)

    do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _refuse
