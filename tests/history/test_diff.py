"""`auditor diff` and `--fail-on-new` from the command line: waivers, formats, usage errors, the gate."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from auditor.history import schemas
from tests.history.scenario import BASELINE, sample, write
from tests.report_samples import run_cli

PUB009 = "PUB009"
WAIVER = """waivers:
  - rule: PUB009
    resource: /subscriptions/*/resourceGroups/rg-chat-aml/providers/*/storageAccounts/stwebchataml
    justification: The web storage account stays public until the CDN moves (CHG-1).
    owner: web@contoso.example
    expires: {expires}
"""


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    def run(*args: str) -> tuple[int, str, str]:
        return run_cli(list(args), capsys, monkeypatch, tmp_path)

    return run


def report(cli, tmp_path: Path, name: str, estate: str, *extra: str) -> Path:  # type: ignore[no-untyped-def]
    snapshot = write(tmp_path, f"{name}-snapshot", sample(estate))
    out = tmp_path / f"{name}.json"
    code, _, err = cli(
        "audit", "--snapshot", str(snapshot), "--baseline", BASELINE, "-f", "json", "-o", str(out), *extra
    )
    assert code == 0, err
    return out


def test_waivers_added_and_expired(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    live = tmp_path / "live.yaml"
    live.write_text(WAIVER.format(expires="2999-12-31"))
    lapsed = tmp_path / "lapsed.yaml"
    lapsed.write_text(WAIVER.format(expires="2001-01-31"))
    before = report(cli, tmp_path, "before", "drifted")
    waived = report(cli, tmp_path, "waived", "drifted", "--waivers", str(live))
    after = report(cli, tmp_path, "after", "drifted", "--waivers", str(lapsed))
    code, out, _ = cli("diff", str(before), str(waived), "-f", "json")
    assert code == 0
    doc = json.loads(out)
    jsonschema.validate(doc, schemas.load("diff"))
    assert [e["rule_id"] for e in doc["waivers"]["added"]] == [PUB009] and doc["summary"][
        "waivers_added"
    ] == 1
    assert doc["summary"]["new"] == 0
    assert PUB009 not in {e["rule_id"] for e in doc["findings"]["persisting"]}
    _, out, _ = cli("diff", str(waived), str(after), "-f", "json")
    doc = json.loads(out)
    assert [e["rule_id"] for e in doc["waivers"]["expired"]] == [PUB009]
    # The failure the lapsed waiver no longer covers is new against the waived report.
    assert [e["rule_id"] for e in doc["findings"]["new"]] == [PUB009]


def test_formats(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    old, new = report(cli, tmp_path, "old", "compliant"), report(cli, tmp_path, "new", "drifted")
    # Every failing finding of the drifted sample (required or recommended) is new against the compliant one.
    drifted = json.loads(new.read_text())
    failing = sum(f["status"] == "fail" for f in drifted["findings"])
    score = drifted["score"]
    assert failing > 20 and score < 90
    code, out, _ = cli("diff", str(old), str(new))
    assert code == 0 and out.splitlines()[1].startswith(f"{failing} new, 0 regressed, 0 resolved")
    code, out, _ = cli("diff", str(old), str(new), "--format", "markdown", "-o", str(tmp_path / "d.md"))
    text = (tmp_path / "d.md").read_text()
    assert out == "" and text.startswith("## What changed since the previous audit")
    assert (
        f"| **overall** | 100.0 | {score:.1f} | {score - 100:.1f} |" in text
        and f"### New ({failing})" in text
    )
    code, out, _ = cli("diff", str(new), str(new), "-f", "json")
    same = json.loads(out)
    assert same["summary"]["persisting"] == sum(
        1 for f in json.loads(new.read_text())["findings"] if f["status"] == "fail"
    )
    assert same["scores"]["overall"]["delta"] == 0.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("diff", "a.json"), "give both OLD and NEW"),
        (("diff",), "or --history URL for the last two runs"),
        (("diff", "1", "2"), "a run id needs --history URL"),
        (("diff", "missing.json", "other.json"), "not found"),
    ],
)
def test_usage_errors(cli, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli(*args)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_a_history_with_one_run_has_nothing_to_diff(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'h.db'}"
    code, _, err = cli("diff", "--history", url)
    assert code == 2 and "no runs yet" in err
    report(cli, tmp_path, "first", "compliant", "--history", url)
    code, _, err = cli("diff", "--history", url)
    assert code == 2 and "nothing to compare it with" in err
    code, _, err = cli("diff", "--history", url, "1", "7")
    assert code == 2 and "no run 7" in err


def test_fail_on_new_counts_only_new_or_regressed_at_or_above_the_severity(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'h.db'}"
    snapshot = write(tmp_path, "drifted", sample("drifted"))
    compliant = write(tmp_path, "compliant", sample("compliant"))

    def audit(gate: str, estate: Path = snapshot) -> tuple[int, str]:
        code, _, err = cli(
            "audit",
            "--snapshot",
            str(estate),
            "--baseline",
            BASELINE,
            "--history",
            url,
            "--fail-on-new",
            gate,
            "-f",
            "json",
            "-o",
            str(tmp_path / "r.json"),
        )
        return code, err

    # The first run has nothing to compare with: it records, and the gate holds.
    code, err = audit("critical", snapshot)
    assert code == 0 and "nothing to compare with" in err
    code, err = audit("critical", compliant)
    assert code == 0 and "no new or regressed finding at or above critical" in err
    code, err = audit("critical")
    assert code == 1 and "2 finding(s) at or above critical new or regressed" in err
    # The same estate again: everything persists, nothing is new.
    code, err = audit("low")
    assert code == 0 and "no new or regressed finding at or above low" in err
    assert (tmp_path / "r.json").exists()
    code, _, err = cli("audit", "--snapshot", str(snapshot), "--history", url, "--fail-on-new", "severe")
    assert code == 2 and "unknown severity" in err


def test_history_since_scope_and_prune_on_the_command_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'h.db'}"
    report(cli, tmp_path, "one", "compliant", "--history", url)
    report(cli, tmp_path, "two", "drifted", "--history", url)
    code, out, _ = cli("history", "--history", url, "--since", "2999-01-01", "-f", "json")
    assert code == 0 and json.loads(out)["series"] == []
    code, out, _ = cli(
        "history", "--history", url, "--since", "2000-01-01", "--scope", "default", "-f", "json"
    )
    assert [len(s["runs"]) for s in json.loads(out)["series"]] == [2]
    code, out, _ = cli("history", "--history", url, "--scope", "no-such-label", "-f", "json")
    assert json.loads(out)["series"] == []
    code, _, err = cli("history", "--history", url, "--since", "last tuesday")
    assert code == 2 and "not a date" in err
    # Both runs are older than 0 days; the latest of the series (and of its subscription) stays.
    code, out, _ = cli("history", "prune", "--history", url, "--keep-days", "0")
    assert code == 0 and out.strip() == "pruned 1 run(s) older than 0 days"
    code, out, _ = cli("history", "--history", url, "-f", "json")
    (series,) = json.loads(out)["series"]
    assert [p["run_id"] for p in series["runs"]] == [2]
    code, _, err = cli("history", "prune", "--history", url, "--keep-days", "-1")
    assert code == 2
