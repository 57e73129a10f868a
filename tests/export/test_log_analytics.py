"""The export against the fake ingestion endpoint: the real azure-monitor-ingestion client, over
HTTPS on 127.0.0.1, with a token from the fake Entra ID; chunks, a 429, a partial failure."""

from __future__ import annotations

import json
import socket
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.collect.cloud import Cloud
from auditor.errors import ExportError, InputError
from auditor.export.log_analytics import FINDINGS_STREAM, RUNS_STREAM, Sent, Target, send
from auditor.export.rows import rows_of
from auditor.reports.json_report import load_report
from tests.export.report import DRIFTED, drifted_report, large_report
from tests.fakearm import FakeArm
from tests.fakearm.harness import azure_env, run_cli
from tests.fakearm.ingestion import Ingestion

pytestmark = pytest.mark.live  # the real client against the fake server

# The scope azure-monitor-ingestion asks its token for (its default credential scope).
INGESTION_SCOPE = "https://monitor.azure.com/.default"
MIB = 1024 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeArm]:
    with FakeArm(workdir=tmp_path_factory.mktemp("fakearm")) as fake:
        yield fake


@pytest.fixture
def fake(server: FakeArm) -> FakeArm:
    server.reset()
    server.ingestion = Ingestion(server._authorized)
    return server


def target(fake: FakeArm, **overrides: str) -> Target:
    return Target(fake.url, overrides.pop("rule_id", fake.ingestion.rule_id), **overrides)


def export(fake: FakeArm, report: dict[str, Any], **options: Any) -> Sent:
    """In-process, with the collectors' credential chain pointed at the fake server."""
    chosen = {"retry_backoff_factor": 0.01, **options}
    with azure_env(fake):
        credential = Cloud.from_options(fake.url, fake.url).credential()
        with credential:
            return send(report, target(fake), credential, **chosen)


def test_rows_arrive_gzipped_with_a_token_for_the_ingestion_scope(fake: FakeArm) -> None:
    report = drifted_report()
    sent = export(fake, report)
    rows = rows_of(report)
    assert sent.failed_rows == 0 and sent.check() is sent
    assert sent.accepted == {RUNS_STREAM: 1, FINDINGS_STREAM: len(rows.findings)}
    assert fake.ingestion.received(RUNS_STREAM) == [rows.run]
    assert fake.ingestion.received(FINDINGS_STREAM) == list(rows.findings)
    assert all(u.gzipped for u in fake.ingestion.uploads)
    assert INGESTION_SCOPE in fake.scopes
    assert sent.run_id == rows.run_id


def test_a_large_report_goes_in_chunks_of_about_one_mib(fake: FakeArm) -> None:
    report = large_report()
    sent = export(fake, report)
    chunks = [u for u in fake.ingestion.uploads if u.stream == FINDINGS_STREAM]
    assert len(chunks) >= 2
    # The client sums its rows' sizes up to 1 MiB; the array's brackets and ", " come on top.
    assert all(u.size <= MIB + 2 * u.rows + 2 for u in chunks)
    assert all(u.size > MIB // 2 for u in chunks[:-1])
    received = fake.ingestion.received(FINDINGS_STREAM)
    assert [r["ResourceId"] for r in received] == [f["resource_id"] for f in report["findings"]]
    assert sent.accepted[FINDINGS_STREAM] == len(report["findings"])


def test_a_429_is_waited_out_and_retried_by_the_client(fake: FakeArm) -> None:
    fault = fake.ingestion.add_fault(429, stream=FINDINGS_STREAM, retry_after=1, times=1)
    report = drifted_report()
    started = time.monotonic()
    sent = export(fake, report)
    assert fault.hits == 1
    assert time.monotonic() - started >= 1.0  # Retry-After was honoured
    statuses = [u.status for u in fake.ingestion.uploads if u.stream == FINDINGS_STREAM]
    assert statuses == [429, 204]
    assert sent.failed_rows == 0
    assert len(fake.ingestion.received(FINDINGS_STREAM)) == len(report["findings"])


def test_a_500_is_retried_and_succeeds(fake: FakeArm) -> None:
    fault = fake.ingestion.add_fault(500, stream=RUNS_STREAM, times=1)
    sent = export(fake, drifted_report())
    assert fault.hits == 1 and sent.failed_rows == 0
    assert len(fake.ingestion.received(RUNS_STREAM)) == 1


def test_a_rejected_chunk_fails_only_its_rows(fake: FakeArm) -> None:
    # The second findings chunk is refused as too large (no retry for a 413); the others arrive.
    fake.ingestion.add_fault(413, stream=FINDINGS_STREAM, skip=1, times=1)
    report = large_report()
    sent = export(fake, report)
    arrived = len(fake.ingestion.received(FINDINGS_STREAM))
    lost = len(report["findings"]) - arrived
    assert 0 < lost < len(report["findings"])
    assert sent.failed == {RUNS_STREAM: 0, FINDINGS_STREAM: lost}
    assert sent.accepted[FINDINGS_STREAM] == arrived
    with pytest.raises(ExportError) as caught:
        sent.check()
    message = str(caught.value)
    assert f"{lost} of {len(report['findings']) + 1} rows were not accepted" in message
    assert "HTTP 413" in message and "\n" not in message
    assert caught.value.exit_code == 5


def test_a_5xx_that_persists_fails_after_the_retries(fake: FakeArm) -> None:
    fault = fake.ingestion.add_fault(500, stream=RUNS_STREAM, times=None)
    sent = export(fake, drifted_report(), retry_total=2)
    assert fault.hits == 3  # the first try and two retries
    assert sent.failed == {RUNS_STREAM: 1, FINDINGS_STREAM: 0}
    assert fake.ingestion.received(RUNS_STREAM) == []


def test_a_wrong_rule_id_fails_every_row(fake: FakeArm) -> None:
    report = drifted_report()
    with azure_env(fake):
        credential = Cloud.from_options(fake.url, fake.url).credential()
        with credential:
            sent = send(report, target(fake, rule_id="dcr-ffffffffffffffffffffffffffffffff"), credential)
    assert sent.failed_rows == len(report["findings"]) + 1
    assert sent.first_error is not None and "HTTP 404" in sent.first_error


@pytest.mark.parametrize(
    ("endpoint", "rule_id", "stream", "fragment"),
    [
        (None, "dcr-1", None, "needs --endpoint"),
        ("https://x.example", None, None, "needs --endpoint"),
        ("http://dce.example", "dcr-1", None, "must be the https URL"),
        ("https://dce.example", "/subscriptions/x/dataCollectionRules/r", None, "immutable id"),
        ("https://dce.example", "dcr-1", "AuditorRuns_CL", "custom stream"),
    ],
)
def test_a_malformed_target_is_an_input_error(
    endpoint: str | None, rule_id: str | None, stream: str | None, fragment: str
) -> None:
    with pytest.raises(InputError, match=fragment):
        Target.from_options(endpoint, rule_id, stream, None)


# --- the command line ----------------------------------------------------------------------------


def _secrets_of(fake: FakeArm) -> list[str]:
    return [fake.client_secret, *fake.tokens]


def _assert_no_secret(fake: FakeArm, *texts: str) -> None:
    assert fake.tokens, "no token was issued: the check below would prove nothing"
    for text in texts:
        for secret in _secrets_of(fake):
            assert secret not in text


def _write_report(folder: Path, report: dict[str, Any]) -> Path:
    path = folder / "report.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    return path


def _target_args(fake: FakeArm) -> list[str]:
    return ["--endpoint", fake.url, "--rule-id", fake.ingestion.rule_id]


def test_export_command_sends_a_saved_report(fake: FakeArm, tmp_path: Path) -> None:
    report = drifted_report()
    path = _write_report(tmp_path, report)
    done = run_cli(fake, ["export", "log-analytics", str(path), *_target_args(fake)], tmp_path)
    assert done.returncode == 0, done.stderr
    rows = rows_of(load_report(path))
    assert f"exported run {rows.run_id} to Log Analytics" in done.stderr
    assert len(fake.ingestion.received(FINDINGS_STREAM)) == len(report["findings"])
    _assert_no_secret(fake, done.stdout, done.stderr)


@pytest.mark.parametrize("debug", [False, True])
def test_export_command_names_the_failed_rows_and_exits_5(fake: FakeArm, tmp_path: Path, debug: bool) -> None:
    fake.ingestion.add_fault(413, stream=FINDINGS_STREAM, skip=1, times=1)
    report = large_report()
    path = _write_report(tmp_path, report)
    args = ["export", "log-analytics", str(path), *_target_args(fake)]
    done = run_cli(fake, ["--debug", *args] if debug else args, tmp_path)
    assert done.returncode == 5, done.stderr
    lost = len(report["findings"]) - len(fake.ingestion.received(FINDINGS_STREAM))
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(f"auditor: error: Log Analytics export: {lost} of ")
    if not debug:
        assert len(done.stderr.strip().splitlines()) == 1
    _assert_no_secret(fake, done.stdout, done.stderr)


def test_a_failed_sign_in_is_one_line_sends_nothing_and_exits_5(fake: FakeArm, tmp_path: Path) -> None:
    path = _write_report(tmp_path, drifted_report())
    args = ["export", "log-analytics", str(path), *_target_args(fake)]
    done = run_cli(fake, args, tmp_path, {"AZURE_CLIENT_SECRET": "not-the-secret"})
    assert done.returncode == 5, done.stderr
    (line,) = done.stderr.strip().splitlines()  # no multi-line warnings of the SDK
    assert line.startswith("auditor: error: Log Analytics export: could not authenticate to Azure: AADSTS")
    assert fake.ingestion.uploads == []
    assert "not-the-secret" not in done.stderr and fake.client_secret not in done.stderr


def test_export_command_refuses_a_file_that_is_not_a_report(fake: FakeArm, tmp_path: Path) -> None:
    path = _write_report(tmp_path, {"findings": []})
    done = run_cli(fake, ["export", "log-analytics", str(path), *_target_args(fake)], tmp_path)
    assert done.returncode == 2 and "not an auditor JSON report" in done.stderr
    assert fake.ingestion.uploads == []


def test_audit_exports_after_writing_and_keeps_the_reports_when_export_fails(
    fake: FakeArm, tmp_path: Path
) -> None:
    fake.ingestion.add_fault(413, stream=RUNS_STREAM, times=None)
    args = ["audit", "--snapshot", str(DRIFTED), "-f", "json", "-o", "report.json"]
    done = run_cli(fake, [*args, "--export", "log-analytics", *_target_args(fake)], tmp_path)
    assert done.returncode == 5, done.stderr
    assert "1 of " in done.stderr.strip().splitlines()[-1]
    written = load_report(tmp_path / "report.json")  # written whole, and valid
    # The findings that did arrive carry the run id of the written report.
    assert {r["RunId"] for r in fake.ingestion.received(FINDINGS_STREAM)} == {rows_of(written).run_id}
    _assert_no_secret(fake, done.stdout, done.stderr)


def test_audit_export_and_gate_each_keep_their_exit_code(fake: FakeArm, tmp_path: Path) -> None:
    args = ["audit", "--snapshot", str(DRIFTED), "-f", "json", "-o", "report.json", "--min-score", "99"]
    done = run_cli(fake, [*args, "--export", "log-analytics", *_target_args(fake)], tmp_path)
    assert done.returncode == 1, done.stderr  # the export went through; the gate failed
    assert "exported run" in done.stderr
    assert len(fake.ingestion.received(RUNS_STREAM)) == 1


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--endpoint", "https://dce.example"], "only work with --export"),
        (["--export", "log-analytics", "--endpoint", "https://dce.example"], "needs --endpoint"),
        (["--export", "splunk", "--endpoint", "https://d.example", "--rule-id", "dcr-1"], "must be one of"),
    ],
)
def test_audit_export_flags_are_checked_before_the_audit(
    fake: FakeArm, tmp_path: Path, extra: list[str], fragment: str
) -> None:
    done = run_cli(fake, ["audit", "--snapshot", str(DRIFTED), "-o", "report.json", *extra], tmp_path)
    assert done.returncode == 2 and fragment in done.stderr
    assert not (tmp_path / "report.json").exists()


# --- the fake endpoint checks what the service checks ------------------------------------------


def _post(fake: FakeArm, path: str, headers: dict[str, str]) -> int:
    context = ssl.create_default_context(cafile=str(fake.ca_path))
    request = urllib.request.Request(f"{fake.url}{path}", data=b"[]", headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_the_fake_endpoint_wants_a_token_and_the_api_version(fake: FakeArm) -> None:
    path = f"/dataCollectionRules/{fake.ingestion.rule_id}/streams/{RUNS_STREAM}"
    assert _post(fake, f"{path}?api-version=2023-01-01", {}) == 401
    assert _post(fake, f"{path}?api-version=2023-01-01", {"Authorization": "Bearer made-up"}) == 401
    export(fake, drifted_report())  # a real token now exists
    token = next(iter(fake.tokens))
    assert _post(fake, path, {"Authorization": f"Bearer {token}"}) == 400  # no api-version
    assert _post(fake, f"{path}?api-version=2023-01-01", {"Authorization": f"Bearer {token}"}) == 204


def test_an_unreachable_endpoint_fails_every_row_with_one_line(fake: FakeArm) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    report = drifted_report()
    with azure_env(fake):
        credential = Cloud.from_options(fake.url, fake.url).credential()
        with credential:
            closed = Target(f"https://127.0.0.1:{port}", fake.ingestion.rule_id)
            sent = send(report, closed, credential, retry_total=1, retry_backoff_factor=0.01)
    assert sent.failed_rows == len(report["findings"]) + 1
    with pytest.raises(ExportError, match=r"^Log Analytics export: \d+ of \d+ rows were not accepted"):
        sent.check()
    assert sent.first_error is not None and "\n" not in sent.first_error
