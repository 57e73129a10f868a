"""The web apps' basic-auth publishing policies: read live as two GETs a site, and nothing near them.

`basicPublishingCredentialsPolicies/ftp` and `/scm` hold one flag each (`properties.allow`); the
publishing credentials beside them (`config/publishingcredentials/list`, `publishxml`) hold passwords.
The collector reads the flags through the real azure-mgmt-web client; its request hook refuses the
credential actions (POSTs) even when a collector asks for them, and the fake server's read-only check
lets exactly the two policy GETs pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from azure.mgmt.web import WebSiteManagementClient

from auditor.arm.types import SITE_PUBLISHING_POLICIES
from auditor.collect import run, web
from auditor.collect.context import Sub, name, resource_group
from auditor.engine.baseline import load_baseline
from auditor.engine.run import run_audit
from auditor.model import Status
from tests.fakearm import FakeArm, LoggedRequest, load_estate, readonly
from tests.fakearm.harness import collect, sample_path

SUB = "3f2c9a1e-5b7d-4e8a-9c61-2d4f8b0a7e15"
RG = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Web/sites/app"

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeArm]:
    with FakeArm(workdir=tmp_path_factory.mktemp("fakearm")) as fake:
        yield fake


def serve(fake: FakeArm, sample: str) -> list[dict[str, Any]]:
    resources = load_estate(sample_path(sample))
    fake.load(resources)
    fake.reset()
    return resources


def sites(resources: list[dict[str, Any]]) -> list[str]:
    return [r["id"] for r in resources if r["type"] == "Microsoft.Web/sites"]


def publishing_requests(log: list[LoggedRequest]) -> list[tuple[str, str]]:
    return sorted((r.method, r.path.lower()) for r in log if "publish" in r.path.lower())


def test_the_two_policies_of_each_site_are_read_with_two_gets(server: FakeArm) -> None:
    resources = serve(server, "microsoft-foundry-chat-drifted")
    snap = collect(server, [SUB])
    assert snap.errors == []
    expected = sorted(
        ("GET", f"{site}/basicPublishingCredentialsPolicies/{policy}".lower())
        for site in sites(resources)
        for policy in ("ftp", "scm")
    )
    assert expected and publishing_requests(server.requests()) == expected
    assert readonly.violations(server.requests()) == []
    read = {r["id"].lower(): r for r in snap.resources if r["type"] == SITE_PUBLISHING_POLICIES}
    served = {r["id"].lower(): r for r in resources if r["type"] == SITE_PUBLISHING_POLICIES}
    assert set(read) == set(served) and len(read) == 2
    assert {i.rsplit("/", 1)[-1]: r["properties"]["allow"] for i, r in read.items()} == {
        "ftp": False,
        "scm": True,
    }
    assert SITE_PUBLISHING_POLICIES in snap.collected_types


def test_a_site_without_policies_in_the_estate_gets_the_platform_default(server: FakeArm) -> None:
    # ARM answers both policies of every web app; the prompt flow samples do not hold them.
    resources = serve(server, "openai-e2e-chat-aml-compliant")
    snap = collect(server, [SUB])
    assert snap.errors == []
    read = [r for r in snap.resources if r["type"] == SITE_PUBLISHING_POLICIES]
    assert len(read) == 2 * len(sites(resources)) > 0
    assert {r["properties"]["allow"] for r in read} == {True}


def test_a_denied_policy_read_is_recorded_and_the_rule_is_not_assessed(server: FakeArm) -> None:
    resources = serve(server, "microsoft-foundry-chat-compliant")
    [site] = [s for s in sites(resources) if s.endswith("/app-chat-ui")]
    path = f"{site}/basicPublishingCredentialsPolicies/scm"
    server.add_fault(f"^{re.escape(path)}$", 403, code="AuthorizationFailed")
    snap = collect(server, [SUB])
    assert [(e.scope, e.resource_type, e.status) for e in snap.errors] == [
        (path, SITE_PUBLISHING_POLICIES, 403)
    ]
    report = run_audit(snap, load_baseline("microsoft-foundry-chat"), "test")
    [finding] = [f for f in report.findings if f.rule_id == "PUB084"]
    assert finding.status is Status.NOT_ASSESSED and finding.resource_id.lower() == site.lower()
    assert "basicPublishingCredentialsPolicies/scm unknown" in finding.message and "403" in finding.message


def test_the_request_hook_refuses_the_publishing_credentials_even_if_a_collector_asks(
    server: FakeArm, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A collector gone wrong: besides its reads it asks for the publishing credentials and profile.
    def rogue(sub: Sub) -> None:
        web.collect_web(sub)
        client = sub.client(WebSiteManagementClient)
        for site in [s for s in served if s["type"] == "Microsoft.Web/sites"]:
            rg, app = resource_group(site), name(site)
            sub.get(
                web.SITE_CONFIG,
                f"{site['id']}/config/publishingcredentials",
                lambda rg=rg, app=app: client.web_apps.begin_list_publishing_credentials(rg, app).result(),
            )
            sub.get(
                web.SITE_CONFIG,
                f"{site['id']}/publishxml",
                lambda rg=rg, app=app: client.web_apps.list_publishing_profile_xml_with_secrets(
                    rg, app, {"format": "Ftp"}
                ),
            )

    served = serve(server, "microsoft-foundry-chat-compliant")
    areas = tuple((rogue, types) if fn is web.collect_web else (fn, types) for fn, types in run.AREAS)
    monkeypatch.setattr(run, "AREAS", areas)
    snap = collect(server, [SUB])
    refused = [e for e in snap.errors if e.code == "RefusedRequest"]
    assert len(refused) == 2 * len(sites(served)) > 0, snap.errors
    assert all("POST" in e.message for e in refused)
    # Nothing but the sign-in was posted, and the only publishing paths the server saw are the policies.
    assert [r.path for r in server.requests() if r.method != "GET"] == [f"/{server.tenant}/oauth2/v2.0/token"]
    assert {p.rsplit("/", 1)[-1] for _, p in publishing_requests(server.requests())} == {"ftp", "scm"}


def logged(method: str, path: str) -> LoggedRequest:
    return LoggedRequest(method, path, "", 200, 0.0)


@pytest.mark.parametrize("policy", ["ftp", "scm", "FTP", "Scm"])
def test_the_read_only_check_lets_the_two_policy_gets_pass(policy: str) -> None:
    path = f"{RG}/basicPublishingCredentialsPolicies/{policy}"
    assert readonly.forbidden_action(path) is None
    assert readonly.violations([logged("GET", path)]) == []
    assert (
        readonly.violations([logged("GET", f"{RG}/slots/staging/basicPublishingCredentialsPolicies/ftp")])
        == []
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"{RG}/basicPublishingCredentialsPolicies"),  # the list: not what the collector reads
        ("GET", f"{RG}/basicPublishingCredentialsPolicies/web"),
        ("GET", f"{RG}/basicPublishingCredentialsPolicies/ftp/extra"),
        ("GET", f"{RG}/basicPublishingCredentialsPolicies/scm/list"),
        ("PUT", f"{RG}/basicPublishingCredentialsPolicies/scm"),
        ("PATCH", f"{RG}/basicPublishingCredentialsPolicies/ftp"),
        ("POST", f"{RG}/basicPublishingCredentialsPolicies/ftp"),
        ("POST", f"{RG}/config/publishingcredentials/list"),
        ("GET", f"{RG}/config/publishingcredentials"),
        ("GET", f"{RG}/publishingcredentials"),
        ("POST", f"{RG}/publishxml"),
        ("POST", f"{RG}/slots/staging/publishxml"),
        ("GET", f"/subscriptions/{SUB}/providers/Microsoft.Web/publishingUsers/web"),
        ("GET", "/providers/Microsoft.Web/publishingUsers/web"),
    ],
)
def test_the_read_only_check_flags_everything_near_them(method: str, path: str) -> None:
    assert readonly.violations([logged(method, path)]) != []
