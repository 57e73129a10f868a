"""No planted secret reaches a snapshot, a report in any format, stdout, stderr or a log record.

The fake ARM server serves a compliant estate with secret-looking values planted wherever Azure
keeps credentials (tests/planted.py). The real console script collects it and audits it live
with every report format, `--verbose`, `--show-passed` and `--debug`; an audit of a snapshot
that holds the secrets in clear (as a user might hand one over) must not echo them either. A
control run with redaction switched off shows the collector does receive the secrets, so the
checks can fail.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.arm import redact
from tests import estates
from tests.fakearm import FakeArm
from tests.fakearm.harness import collect, run_cli
from tests.planted import leaks, planted

SUB = estates.SUB
FORMATS = ("console", "json", "sarif", "junit", "html", "markdown", "csv")
BASELINES = {"aistudio": "openai-e2e-chat-aistudio", "aml": "openai-e2e-chat-aml"}

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def fake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeArm]:
    with FakeArm(workdir=tmp_path_factory.mktemp("fakearm")) as server:
        yield server


def serve(fake: FakeArm, variant: str) -> dict[str, str]:
    """Serve the planted estate of `variant`; return its secrets."""
    resources, secrets = planted(variant)
    fake.load(estates.with_role_definitions(resources))
    fake.reset()
    return secrets


def outputs(directory: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.iterdir()) if p.is_file()}


@pytest.mark.parametrize("variant", estates.VARIANTS)
def test_no_planted_secret_leaves_the_collector_or_an_audit(
    fake: FakeArm, variant: str, tmp_path: Path
) -> None:
    secrets = serve(fake, variant)
    snap = tmp_path / "snapshot.json"
    collected = run_cli(fake, ["--debug", "collect", "--subscription", SUB, "-o", str(snap)], tmp_path)
    assert collected.returncode == 0, collected.stderr
    out = tmp_path / "live"
    live = run_cli(
        fake,
        [
            "--debug",
            "audit",
            "--subscription",
            SUB,
            "--baseline",
            BASELINES[variant],
            "--verbose",
            "--show-passed",
            "--explain-roles",
            *[arg for fmt in FORMATS for arg in ("--format", fmt)],
            "--output-dir",
            str(out),
        ],
        tmp_path,
    )
    assert live.returncode == 0, live.stderr
    texts = {
        "snapshot": snap.read_text(encoding="utf-8"),
        "collect stdout": collected.stdout,
        "collect stderr": collected.stderr,
        "audit stdout": live.stdout,
        "audit stderr": live.stderr,
        **{f"report {name}": text for name, text in outputs(out).items()},
    }
    assert len(texts) == 5 + len(FORMATS)
    assert leaks(secrets, texts) == []
    assert redact.REDACTED in texts["snapshot"]
    # Nothing a rule needs was masked: the compliant estate still scores 100.
    assert json.loads(texts["report auditor-report.json"])["score"] == 100


@pytest.mark.parametrize("variant", estates.VARIANTS)
def test_an_audit_of_a_snapshot_with_secrets_in_clear_echoes_none(variant: str, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from auditor.cli import cli

    resources, secrets = planted(variant)
    given = tmp_path / "given.json"
    given.write_text(
        json.dumps(estates.snapshot_document(resources, variant, drifted=False)), encoding="utf-8"
    )
    out = tmp_path / "out"
    args = ["audit", "--snapshot", str(given), "--baseline", BASELINES[variant], "--verbose", "--show-passed"]
    result = CliRunner().invoke(
        cli, [*args, *[a for f in FORMATS for a in ("-f", f)], "--output-dir", str(out)]
    )
    assert result.exit_code == 0, result.output
    texts = {"output": result.output, **outputs(out)}
    assert len(texts) == 1 + len(FORMATS)
    assert leaks(secrets, texts) == []
    assert json.loads(texts["auditor-report.json"])["score"] == 100


def test_log_records_of_a_collection_hold_no_secret(
    fake: FakeArm, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = serve(fake, "aml")
    with caplog.at_level(logging.DEBUG):
        snapshot = collect(fake, [SUB])
    records = "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records)
    assert records, "nothing was logged at DEBUG: the check would prove nothing"
    assert leaks(secrets, {"log": records, "snapshot": json.dumps(snapshot.to_dict())}) == []


def test_control_without_redaction_the_collector_does_receive_the_secrets(
    fake: FakeArm, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Our own redaction switched off (not the SDK): the planted values come back from the server.
    secrets = serve(fake, "aml")
    monkeypatch.setattr("auditor.collect.context.redact_resource", lambda resource: 0)
    snapshot = collect(fake, [SUB])
    found = leaks(secrets, {"snapshot": json.dumps(snapshot.to_dict())})
    assert len(found) >= len(secrets) - 3, sorted(set(secrets) - {f.split(" -> ")[0] for f in found})
