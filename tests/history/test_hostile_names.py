"""Hostile names in the history (escape sequences, control characters, direction overrides, markup) are
neutralised in every rendering of `auditor diff` and `auditor history`; JSON keeps them, escaped and valid."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.history import record, store
from tests.history.scenario import sample
from tests.history.test_store import report_of
from tests.report_samples import run_cli

HOSTILE = "cr\x1b[31mRED\u202e|x<b>"
LABEL = "nightly\x1b]0;owned\x07\u202e[bold]<i>"
RAW = ("\x1b", "\u202e", "\x07")


def _renamed(value: Any) -> Any:
    """The estate with its web storage account (which fails in the drifted sample) named HOSTILE."""
    if isinstance(value, str):
        return value.replace("stwebchataml", HOSTILE)
    if isinstance(value, dict):
        return {k: _renamed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v) for v in value]
    return value


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    with store.opened(url) as engine:
        record.record_run(engine, report_of(sample("compliant")), label=LABEL)
        record.record_run(engine, report_of(_renamed(sample("drifted"))), label=LABEL)
    return url


def _run(capsys, monkeypatch, tmp_path: Path, *args: str) -> str:  # type: ignore[no-untyped-def]
    code, out, err = run_cli(list(args), capsys, monkeypatch, tmp_path)
    assert code == 0, err
    assert not any(c in err for c in RAW)
    return out


@pytest.mark.parametrize(
    ("command", "fmt"), [("diff", "console"), ("diff", "markdown"), ("history", "table")]
)
def test_text_outputs_replace_control_and_direction_characters(  # type: ignore[no-untyped-def]
    url: str, command: str, fmt: str, capsys, monkeypatch, tmp_path: Path
) -> None:
    out = _run(capsys, monkeypatch, tmp_path, command, "--history", url, "-f", fmt)
    assert not any(c in out for c in RAW)
    if command == "diff":
        assert "cr\ufffd[31mRED\ufffd" in out  # the name is still there, neutralised
    else:
        assert "nightly\ufffd]0;owned\ufffd\ufffd[bold]<i>" in out  # the label, markup shown literally
    if fmt == "markdown":
        row = next(line for line in out.splitlines() if "RED" in line)
        # Inside a code span: `<b>` is literal text, and the pipe cannot end the table cell.
        assert row.endswith("RED\ufffd\\|x<b>` |") and row.count("`") == 4


def test_the_markdown_diff_escapes_a_name_that_ends_its_code_span(  # type: ignore[no-untyped-def]
    tmp_path: Path, capsys, monkeypatch
) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    name = "st`<img src=x>`|"
    with store.opened(url) as engine:
        record.record_run(engine, report_of(sample("compliant")), label="n")
        drifted = json.loads(
            json.dumps(sample("drifted")).replace("stwebchataml", name.replace("`", "\\u0060"))
        )
        record.record_run(engine, report_of(drifted), label="n")
    out = _run(capsys, monkeypatch, tmp_path, "diff", "--history", url, "-f", "markdown")
    row = next(line for line in out.splitlines() if "img" in line)
    assert "<img" not in row and "&lt;img src=x&gt;" in row and "\\`" in row and "\\|" in row


def test_the_html_page_replaces_them_and_json_keeps_them(  # type: ignore[no-untyped-def]
    url: str, capsys, monkeypatch, tmp_path: Path
) -> None:
    html = _run(capsys, monkeypatch, tmp_path, "history", "--history", url, "-f", "html")
    assert not any(c in html for c in RAW) and "\ufffd" in html
    assert "<i>" not in html and "&lt;i&gt;" in html
    doc = json.loads(_run(capsys, monkeypatch, tmp_path, "history", "--history", url, "-f", "json"))
    assert doc["series"][0]["label"] == LABEL
    diff = json.loads(_run(capsys, monkeypatch, tmp_path, "diff", "--history", url, "-f", "json"))
    assert any(HOSTILE in e["resource_id"] for e in diff["findings"]["new"])


def test_the_new_since_previous_gate_lists_the_name_neutralised(  # type: ignore[no-untyped-def]
    url: str, capsys, monkeypatch, tmp_path: Path
) -> None:
    snapshot = tmp_path / "hostile.json"
    snapshot.write_text(json.dumps(_renamed(sample("drifted"))), encoding="utf-8")
    args = ["audit", "--snapshot", str(snapshot), "--baseline", "openai-e2e-chat-aml", "-f", "json"]
    with store.opened(url) as engine:
        record.record_run(engine, report_of(sample("compliant")), label="gate")
    code, _, err = run_cli(
        [*args, "--history", url, "--history-label", "gate", "--fail-on-new", "low"],
        capsys,
        monkeypatch,
        tmp_path,
    )
    assert code != 0 and "cr\ufffd[31mRED\ufffd" in err
    assert not any(c in err for c in RAW)
