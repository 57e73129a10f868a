"""Waivers: strict parsing with the line at fault, matching, expiry, stale waivers, their place in reports."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from auditor.arm.snapshot import Snapshot
from auditor.cli import main
from auditor.engine.baseline import load_baseline
from auditor.engine.run import run_audit
from auditor.engine.waivers import Waiver, apply_waivers, load_waivers, parse_waivers
from auditor.errors import InputError
from auditor.model import Control, Severity, Status
from auditor.reports.json_report import report_dict, schema
from tests.report_samples import RG, finding, gate_estate, write_json

OAI = (
    "/subscriptions/3f2c9a1e-5b7d-4e8a-9c61-2d4f8b0a7e15/resourceGroups/rg-chat-aistudio"
    "/providers/Microsoft.CognitiveServices/accounts/aoai-chat"
)

VALID = """\
# accepted deviations of the test environment
- rule: PUB001
  resource: /subscriptions/*/resourceGroups/RG-CHAT-*/providers/Microsoft.CognitiveServices/accounts/*
  justification: Public access stays on until the private DNS zone is delegated (CHG-1234).
  owner: platform-team@contoso.example
  expires: 2999-12-31
- rule: PUB001
  resource: /subscriptions/x/resourceGroups/y/providers/Microsoft.CognitiveServices/accounts/z
  justification: quoted date
  owner: someone
  expires: "2030-01-15"
"""


def waiver(resource: str, expires: date = date(2999, 1, 1), rule: str = "SMP002") -> Waiver:
    return Waiver(rule, resource, "because", "owner", expires, 1)


def test_valid_file_parses_with_lines_and_dates() -> None:
    waivers = parse_waivers(VALID, "w.yaml")
    assert [w.line for w in waivers] == [2, 7]
    assert waivers[0].expires == date(2999, 12, 31)
    assert waivers[1].expires == date(2030, 1, 15)
    assert waivers[0].owner == "platform-team@contoso.example"


def test_mapping_form_and_empty_file() -> None:
    text = "waivers:\n" + "".join("  " + line + "\n" for line in VALID.splitlines())
    assert len(parse_waivers(text)) == 2
    assert parse_waivers("") == []
    assert parse_waivers("waivers:\n") == []


def entry(**fields: str) -> str:
    """One waiver entry as YAML; a field set to "" is left out, "rule2" adds a duplicate key."""
    values = {"rule": "PUB001", "resource": "x", "justification": "j", "owner": "o", "expires": "2030-01-01"}
    values.update(fields)
    lines = [f"{k.rstrip('2')}: {v}" for k, v in values.items() if v != ""]
    return "- " + "\n  ".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("- rule: PUB001\n  resource: [unclosed\n", "w.yaml:3:"),
        ("rule: PUB001\n", "w.yaml:1: expected a list of waivers"),
        ("- just a string\n", "w.yaml:1: waiver #1: expected a mapping"),
        (VALID + entry(reason="typo"), "w.yaml:17: waiver #3: unknown key 'reason'"),
        (VALID + entry(justification=""), "w.yaml:12: waiver #3: missing 'justification'"),
        (VALID + entry(expires="next year"), "w.yaml:16: waiver #3: 'expires' must be a date"),
        (VALID + entry(expires="2030-02-30"), "w.yaml:16: waiver #3: 'expires' must be a date"),
        (entry(rule="pub-1"), "w.yaml:1: waiver #1: 'rule' 'pub-1' is not a rule id"),
        (entry(rule="ZZZ999"), "w.yaml:1: waiver #1: unknown rule id ZZZ999"),
        (entry(justification="''"), "w.yaml:3: waiver #1: 'justification' must be a non-empty string"),
        (entry(resource="42"), "w.yaml:2: waiver #1: 'resource' must be a non-empty string"),
        (entry(rule2="PUB001"), "w.yaml:6: waiver #1: duplicate key 'rule'"),
    ],
)
def test_invalid_files_name_the_line(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as exc:
        parse_waivers(text, "w.yaml")
    assert fragment in str(exc.value)


def test_matching_is_case_insensitive_and_glob() -> None:
    f = finding(
        "SMP002",
        Control.PUBLIC_ACCESS,
        Status.FAIL,
        Severity.HIGH,
        f"{RG}/Microsoft.Storage/storageAccounts/St1",
    )
    assert waiver(f.resource_id.upper()).matches(f)
    assert waiver(f"{RG.lower()}/microsoft.storage/*").matches(f)
    assert waiver("*/storageAccounts/st?").matches(f)
    assert not waiver("*/storageAccounts/st2").matches(f)
    assert not waiver(f.resource_id, rule="SMP003").matches(f)


def test_apply_waives_failing_marks_expired_and_stale() -> None:
    storage = f"{RG}/Microsoft.Storage/storageAccounts/st1"
    search = f"{RG}/Microsoft.Search/searchServices/srch"
    findings = [
        finding("SMP002", Control.PUBLIC_ACCESS, Status.FAIL, Severity.HIGH, storage),
        finding("SMP003", Control.PRIVATE_ENDPOINTS, Status.FAIL, Severity.HIGH, search),
        finding("SMP006", Control.IDENTITY, Status.PASS, Severity.HIGH, storage),
    ]
    waivers = [
        waiver(storage, date(2026, 6, 30)),
        waiver(search, date(2026, 6, 29), rule="SMP003"),
        waiver(storage, rule="SMP006"),  # the check passes: nothing to waive
        waiver("*/gone"),
    ]
    judged, report = apply_waivers(findings, waivers, "w.yaml", today=date(2026, 6, 30))
    waived, lapsed, passing = judged
    assert waived.status is Status.WAIVED
    assert waived.waiver == {
        "justification": "because",
        "owner": "owner",
        "expires": "2026-06-30",
        "expired": False,
        "pattern": storage,
    }
    # The expiry date itself is still covered; the day after is not.
    assert lapsed.status is Status.FAIL
    assert lapsed.waiver is not None and lapsed.waiver["expired"] is True
    assert passing.status is Status.PASS and passing.waiver is None
    assert [(w.rule, n) for w, n in report.applied] == [("SMP002", 1)]
    assert [(w.rule, n) for w, n in report.expired] == [("SMP003", 1)]
    assert [w.resource for w in report.stale] == [storage, "*/gone"]


def test_first_current_waiver_wins_and_both_count_as_used() -> None:
    storage = f"{RG}/Microsoft.Storage/storageAccounts/st1"
    f = finding("SMP002", Control.PUBLIC_ACCESS, Status.FAIL, Severity.HIGH, storage)
    old = Waiver("SMP002", storage, "old reason", "a", date(2000, 1, 1), 1)
    specific = Waiver("SMP002", storage, "specific", "b", date(2999, 1, 1), 6)
    broad = Waiver("SMP002", "*", "broad", "c", date(2999, 1, 1), 11)
    (f,), report = apply_waivers([f], [old, specific, broad], "w.yaml", today=date(2026, 1, 1))
    assert f.status is Status.WAIVED and f.waiver is not None and f.waiver["justification"] == "specific"
    assert report.stale == ()
    assert [w.justification for w, _ in report.applied] == ["specific", "broad"]


def test_waived_findings_leave_the_score_and_show_in_the_json_report(tmp_path: Path) -> None:
    snapshot = Snapshot.from_data(gate_estate())
    baseline = load_baseline("openai-e2e-chat-aistudio")
    plain = run_audit(snapshot, baseline, "test")
    assert plain.card.overall.failed >= 1
    path = tmp_path / "w.yaml"
    path.write_text(VALID, encoding="utf-8")
    result = run_audit(snapshot, baseline, "test", waivers=load_waivers(path), today=date(2026, 11, 21))
    pub = [f for f in result.findings if f.rule_id == "PUB001"]
    assert [f.status for f in pub] == [Status.WAIVED]
    assert result.card.overall.failed == plain.card.overall.failed - 1
    assert result.card.overall.waived == 1
    report = report_dict(result)
    jsonschema.validate(report, schema())
    assert report["waivers"]["file"] == str(path)
    assert [w["matched"] for w in report["waivers"]["applied"]] == [1]
    assert [w["line"] for w in report["waivers"]["stale"]] == [7]
    waived = next(f for f in report["findings"] if f["rule_id"] == "PUB001")
    assert waived["status"] == "waived" and waived["waiver"]["owner"] == "platform-team@contoso.example"


def test_expired_waiver_keeps_the_finding_failing_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(VALID.replace("2999-12-31", "2020-01-01"), encoding="utf-8")
    result = run_audit(
        Snapshot.from_data(gate_estate()),
        load_baseline("openai-e2e-chat-aistudio"),
        "test",
        waivers=load_waivers(path),
        today=date(2026, 11, 21),
    )
    pub = next(f for f in result.findings if f.rule_id == "PUB001")
    assert pub.status is Status.FAIL
    assert pub.waiver is not None and pub.waiver["expired"] is True
    report = report_dict(result)
    jsonschema.validate(report, schema())
    assert report["waivers"]["expired"][0]["expires"] == "2020-01-01"
    assert report["waivers"]["expired"][0]["matched"] == 1


def test_cli_rejects_an_invalid_waiver_file_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    snap = write_json(tmp_path / "snap.json", gate_estate())
    bad = tmp_path / "w.yaml"
    bad.write_text(
        VALID + "- rule: PUB001\n  resource: x\n  owner: o\n  expires: 2030-01-01\n", encoding="utf-8"
    )
    monkeypatch.setattr(sys, "argv", ["auditor", "audit", "--snapshot", str(snap), "--waivers", str(bad)])
    with pytest.raises(SystemExit) as exc:
        main()
    out, err = capsys.readouterr()
    assert exc.value.code == 2
    assert err.strip().splitlines() == [f"auditor: error: {bad}:12: waiver #3: missing 'justification'"]
    assert out == ""


def test_cli_missing_waiver_file_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    snap = write_json(tmp_path / "snap.json", gate_estate())
    monkeypatch.setattr(sys, "argv", ["auditor", "audit", "--snapshot", str(snap), "--waivers", "nope.yaml"])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 2
    assert "waiver file not found: nope.yaml" in capsys.readouterr().err


def test_waived_report_round_trips_through_json(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(VALID, encoding="utf-8")
    result = run_audit(
        Snapshot.from_data(gate_estate()),
        load_baseline("openai-e2e-chat-aistudio"),
        "t",
        waivers=load_waivers(path),
    )
    text = json.dumps(report_dict(result))
    assert json.loads(text)["summary"]["waived"] == 1
    assert OAI.lower() in text.lower()
