"""The HTTP session under every client's azure-core RequestsTransport, with less work per request.

`requests.Session.request` does per call what a collection needs once: it looks the proxies
and the CA bundle up in the environment for every URL, reads `~/.netrc` for credentials, merges
cookie jars, and runs the redirect machinery although azure-core turns redirects off. On a
run of thousands of small GETs that was about a third of the collector's CPU time.

`LeanSession` keeps what matters and skips the rest:

* the environment's settings (`HTTPS_PROXY`, `NO_PROXY`, `REQUESTS_CA_BUNDLE`...) are looked up
  with requests' own `merge_environment_settings`, once per scheme and host, not per request;
* no `~/.netrc` lookup: the bearer token policy sets the Authorization header, and a netrc entry
  for the ARM host would have replaced it with basic credentials;
* no cookies: ARM reads need none, and none are kept between requests;
* the request goes straight to the mounted adapter (urllib3's pool, one TLS connection per socket
  kept alive), with the same timeouts, verification and proxies as `Session.send` would pass.

`before_send` and `on_answer` are called around the adapter, the closest the collector gets to the
wire: a quota's 429 holds its other requests as soon as it arrives, and a request that passed its
throttle before that is held at the last moment before it leaves (see context.py).

Anything else (files, redirects, proxies per call, unknown arguments) takes requests' own path.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from time import perf_counter
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.hooks import default_hooks
from requests.models import PreparedRequest
from requests.structures import CaseInsensitiveDict


class LeanSession(requests.Session):
    """A requests session whose plain GETs and POSTs skip per-request environment lookups."""

    def __init__(self) -> None:
        super().__init__()
        self._lean_lock = threading.Lock()
        # (scheme, host, stream, verify, cert) -> what merge_environment_settings gave for them.
        self._lean_settings: dict[tuple[str, str, Any, Any, Any], dict[str, Any]] = {}
        # Called with the URL just before a request leaves, and with the URL and answer on arrival.
        self.before_send: Callable[[str], None] | None = None
        self.on_answer: Callable[[str, requests.Response], None] | None = None

    def request(  # type: ignore[override]
        self,
        method: str,
        url: Any,
        headers: Any = None,
        data: Any = None,
        files: Any = None,
        verify: Any = None,
        timeout: Any = None,
        cert: Any = None,
        allow_redirects: bool = True,
        proxies: Any = None,
        stream: Any = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Send one request; the lean path when the call is a plain one azure-core makes."""
        if kwargs or files or proxies or allow_redirects or not isinstance(url, str):
            if self.before_send is not None:
                self.before_send(str(url))
            answer = super().request(
                method,
                url,
                headers=headers,
                data=data,
                files=files,
                verify=verify,
                timeout=timeout,
                cert=cert,
                allow_redirects=allow_redirects,
                proxies=proxies,
                stream=stream,
                **kwargs,
            )
            if self.on_answer is not None:
                self.on_answer(str(url), answer)
            return answer
        prepared = PreparedRequest()
        prepared.prepare(
            method=method.upper(),
            url=url,
            headers=self._headers(headers),
            data=data or {},
            hooks=default_hooks(),
        )
        settings = self._environment(str(prepared.url), stream, verify, cert)
        adapter = self.get_adapter(url=str(prepared.url))
        if self.before_send is not None:
            self.before_send(url)
        started = perf_counter()
        response = adapter.send(prepared, timeout=timeout, **settings)
        if self.on_answer is not None:
            self.on_answer(url, response)
        response.elapsed = timedelta(seconds=perf_counter() - started)
        if not settings["stream"]:
            _ = response.content  # read the body now, as Session.send does
        return response

    def _headers(self, headers: Any) -> CaseInsensitiveDict[Any]:
        """The session's headers overridden by the request's, None dropping one (as requests merges)."""
        merged: CaseInsensitiveDict[Any] = CaseInsensitiveDict(self.headers)
        if headers:
            merged.update(headers)
            for name in [k for k, v in merged.items() if v is None]:
                del merged[name]
        return merged

    def _environment(self, url: str, stream: Any, verify: Any, cert: Any) -> dict[str, Any]:
        """requests' environment settings for `url`'s scheme and host, looked up once."""
        parts = urlsplit(url)
        key = (parts.scheme.lower(), parts.netloc.lower(), stream, verify, cert)
        with self._lean_lock:
            found = self._lean_settings.get(key)
        if found is None:
            found = self.merge_environment_settings(url, {}, stream, verify, cert)
            with self._lean_lock:
                self._lean_settings[key] = found
        return dict(found)
