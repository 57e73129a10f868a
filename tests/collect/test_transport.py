"""The collector's lean requests session: the same requests as requests' own path, less work per call."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from auditor.collect.transport import LeanSession
from tests.fakearm import FakeArm, load_estate
from tests.fakearm.harness import collect, sample_path

SUB = "3f2c9a1e-5b7d-4e8a-9c61-2d4f8b0a7e15"


@pytest.fixture(scope="module")
def fake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeArm]:
    estate = load_estate(sample_path("openai-e2e-chat-aml-drifted"))
    with FakeArm(estate, workdir=tmp_path_factory.mktemp("fakearm")) as server:
        yield server


def test_proxies_come_from_the_environment_per_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    session = LeanSession()
    plain = requests.Session()
    for url in ("https://management.azure.com/subscriptions?api-version=1", "https://127.0.0.1:8443/x"):
        expected = plain.merge_environment_settings(url, {}, None, None, None)
        assert session._environment(url, None, None, None) == expected
    proxies = session._environment("https://management.azure.com/x", None, None, None)["proxies"]
    assert proxies["https"] == "http://proxy.example:3128"
    assert "https" not in session._environment("https://127.0.0.1:8443/x", None, None, None)["proxies"]


def test_headers_merge_as_requests_merges() -> None:
    session = LeanSession()
    merged = session._headers({"accept": "application/json", "User-Agent": None, "x-ms-a": "1"})
    assert merged["Accept"] == "application/json"
    assert "user-agent" not in merged
    assert merged["X-MS-A"] == "1"
    assert merged["Accept-Encoding"] == session.headers["Accept-Encoding"]


def test_a_netrc_entry_does_not_replace_the_bearer_token(
    fake: FakeArm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # requests' own path would send the netrc's basic credentials instead of the token: 401 on every read.
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password not-a-token\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    fake.reset()
    snapshot = collect(fake, [SUB])
    assert snapshot.resources
    assert [e for e in snapshot.errors if e.status == 401] == []
    # the fake saw the bearer token on every ARM read: none was refused
    assert all(r.status != 401 for r in fake.requests())


def test_every_request_the_pipeline_counts_reaches_the_server_once(fake: FakeArm) -> None:
    fake.reset()
    snapshot = collect(fake, [SUB])
    log = fake.requests()
    reads: Any = [r for r in log if r.method == "GET" and r.path.lower().startswith("/subscriptions")]
    arm: Any = [r for r in log if "oauth2" not in r.path and "openid" not in r.path.lower()]
    assert reads and snapshot.metadata["requests"] == len(arm), [r.path for r in arm][:5]


def test_the_hooks_run_next_to_the_wire_and_see_the_429(tmp_path_factory: pytest.TempPathFactory) -> None:
    from tests.fakearm.harness import azure_env
    from tests.fakearm.limits import Limits

    # A bucket of one read: the second GET of the subscription is a 429 with its Retry-After.
    estate = load_estate(sample_path("openai-e2e-chat-aml-drifted"))
    limits = Limits(burst=1, refill=0.1)
    seen: list[tuple[str, str, int | None]] = []
    session = LeanSession()
    session.before_send = lambda url: seen.append(("send", url, None))
    session.on_answer = lambda url, answer: seen.append(("answer", url, answer.status_code))
    with (
        FakeArm(estate, workdir=tmp_path_factory.mktemp("hooks"), limits=limits) as server,
        azure_env(server),
    ):
        from auditor.collect import Cloud

        cloud = Cloud.from_options(server.url, server.url)
        token = cloud.credential().get_token(cloud.credential_scope).token
        path = f"/subscriptions/{SUB}/providers/Microsoft.Network/virtualNetworks"
        url = f"{server.url}{path}?api-version=2024-05-01"
        headers = {"Authorization": f"Bearer {token}"}
        first = session.request("GET", url, headers=headers, allow_redirects=False)
        second = session.request("GET", url, headers=headers, allow_redirects=False)
    assert (first.status_code, second.status_code) == (200, 429)
    assert second.headers["Retry-After"]
    assert seen == [("send", url, None), ("answer", url, 200), ("send", url, None), ("answer", url, 429)]
