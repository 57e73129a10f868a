"""Names, tags and messages carrying terminal escapes, direction overrides, markup or formulas: data in
every format, never an effect on whoever reads the report."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re

import pytest

from auditor.model import AuditReport, Status
from auditor.reports import Format, RenderOptions, render
from auditor.reports.neutral import printable, terminal
from tests.report_samples import RG, sample_result

CLEAR = "\x1b[2J\x1b[H"
TITLE = "\x1b]0;owned\x07"
LINK = "\x1b]8;;https://evil.example\x07click\x1b]8;;\x07"
C1 = "\x9b31m"
RTL = "\u202e"
HOSTILE = f"app{CLEAR}{TITLE}{LINK}{C1}{RTL}[bold]loud[/bold]:warning:"
FORMULA = '=HYPERLINK("https://evil.example","x")'
# What no report may contain, whatever the format: escapes, the C1 CSI, bells, direction overrides.
FORBIDDEN = ("\x1b", "\x07", "\x9b", RTL)


def hostile_report() -> AuditReport:
    report = sample_result()
    findings = list(report.findings)
    index = next(i for i, f in enumerate(findings) if f.status is Status.FAIL)
    findings[index] = dataclasses.replace(
        findings[index],
        resource_id=f"{RG}/Microsoft.Web/sites/{HOSTILE}",
        message=f"{FORMULA} tag owner={HOSTILE}",
        actual={"tag": HOSTILE},
    )
    return dataclasses.replace(report, findings=tuple(findings))


def _strings(value: object) -> str:
    """Every string in a JSON value, one per line."""
    if isinstance(value, dict):
        return "\n".join(_strings(k) + "\n" + _strings(v) for k, v in value.items())
    if isinstance(value, list):
        return "\n".join(_strings(v) for v in value)
    return value if isinstance(value, str) else ""


@pytest.mark.parametrize("fmt", list(Format))
def test_no_control_or_direction_character_in_any_format(fmt: Format) -> None:
    text = render(fmt, hostile_report(), RenderOptions(show_passed=True, verbose=True))
    text.encode("utf-8")
    if fmt in (Format.JSON, Format.SARIF):
        # JSON keeps the data as it was, escaped (\u001b), so nothing raw reaches a viewer.
        assert not any(c in text for c in FORBIDDEN[:3])
        assert HOSTILE in _strings(json.loads(text))
        return
    for char in FORBIDDEN:
        assert char not in text, (fmt, repr(char))


def test_console_prints_markup_literally_and_strips_escapes_in_colour() -> None:
    text = render(Format.CONSOLE, hostile_report(), RenderOptions(color=True, width=400))
    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)  # rich's own colours are the only escapes left
    assert "\x1b" not in plain and "\x07" not in plain
    assert "[bold]loud[/bold]" in plain
    assert ":warning:" in plain and "\u26a0" not in plain


def test_markdown_escapes_and_strips() -> None:
    text = render(Format.MARKDOWN, hostile_report())
    assert "\\[bold\\]loud\\[/bold\\]" in text
    assert "]8;;" in text.replace("\ufffd", "")  # the payload is shown as text, its escape gone


def test_html_escapes_and_strips() -> None:
    text = render(Format.HTML, hostile_report(), RenderOptions(show_passed=True))
    assert "[bold]loud[/bold]" in text
    assert "\u202e" not in text and "\x1b" not in text


def test_csv_cells_that_start_a_formula_are_prefixed() -> None:
    rows = list(csv.reader(io.StringIO(render(Format.CSV, hostile_report()))))
    messages = [row[9] for row in rows[1:]]
    assert f"'{FORMULA} tag owner=" in "\n".join(messages)
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_the_helpers() -> None:
    assert terminal("a\tb\x1b[2Jc\u202ed\ud800") == "a b\ufffd[2Jc\ufffdd\ufffd"
    assert printable("line\nnext\ttab") == "line\nnext\ttab"


@pytest.mark.parametrize("fmt", [Format.JSON, Format.SARIF])
def test_a_nan_never_reaches_a_json_report(fmt: Format) -> None:
    """The score guard refuses non-finite weights; should a NaN get past it, JSON output refuses it too."""
    from auditor.model import ScoreCard, Tally

    report = sample_result()
    broken = Tally(passed=1, failed=1, pass_weight=float("nan"), fail_weight=1.0)
    card = ScoreCard(overall=broken, controls=report.card.controls, recommended_failed=0)
    with pytest.raises(ValueError, match="not JSON compliant"):
        render(fmt, dataclasses.replace(report, card=card))
