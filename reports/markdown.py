"""A compact Markdown summary for a pull-request comment or $GITHUB_STEP_SUMMARY.

Score (and its change since `--compare previous.json`), the families, the failing
findings grouped by family, and the rest folded in `<details>`. Everything that
comes from Azure is escaped, so a resource name cannot add links, HTML or tables.
Long lists are cut (a PR comment holds 65,536 characters); the JSON report has all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from contextvars import ContextVar
from itertools import groupby
from typing import Any

from auditor.model import AuditReport, Control, Finding, Level, Reference, Status

from . import PLAIN, RenderOptions
from .console import baselines_text, score_basis, short_id
from .links import first_references
from .neutral import printable

MAX_FAILING = 60
MAX_FOLDED = 40
MAX_CHARS = 60_000  # a PR comment holds 65,536; leave room for a bot's own header
# Text never starts a line here (newlines become spaces), so only inline syntax needs escaping:
# emphasis, code, links and images (their brackets), tables, strikethrough, and the escape itself.
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
SEVERITY_MARK = {"critical": "🟥", "high": "🟧", "medium": "🟨", "low": "🟦"}


def escape(text: Any) -> str:
    """Plain text for Markdown: HTML entities first, then a backslash before inline Markdown characters.

    Control and direction characters are replaced first.
    """
    value = " ".join(printable(text).split())
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", value)


def render(result: AuditReport, options: RenderOptions = PLAIN) -> str:
    """The Markdown summary, cut to fit a pull-request comment."""
    text = _render(result, fixes=True)
    if len(text) > MAX_CHARS:
        # Too long for a PR comment: drop the remediation texts (the HTML and JSON reports keep them).
        text = _render(result, fixes=False)
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS].rsplit("\n", 1)[0] + "\n\n… cut here; the full report has the rest.\n"
    return text


# Whether the report judged several workloads (rows then name theirs); set for one render.
_SEVERAL: ContextVar[bool] = ContextVar("several_workloads", default=False)


def _render(result: AuditReport, fixes: bool) -> str:
    token = _SEVERAL.set(len(result.workloads) > 1)
    try:
        return _render_all(result, fixes)
    finally:
        _SEVERAL.reset(token)


def _render_all(result: AuditReport, fixes: bool) -> str:
    out: list[str] = []
    b = result.baseline
    card = result.card
    previous = result.previous
    refs = first_references(result)
    several_baselines = len(result.baselines) > 1
    out.append(f"## auditor: {'several baselines' if several_baselines else escape(b.title)}")
    out.append("")
    headline = f"**Score {result.score:.1f}/100**"
    if previous is not None:
        headline += f" ({_delta(result.score, previous.get('score'))} since the previous report)"
    t = card.overall
    headline += (
        f" · coverage {result.coverage:.0%} · {t.failed} failed · {t.passed} passed"
        f" · {t.not_assessed} not assessed · {t.waived} waived"
    )
    if card.recommended_failed:
        # Beside the totals, not in them: a recommendation never fails the gate.
        n = card.recommended_failed
        headline += f" · {n} recommendation{'s' if n != 1 else ''} not met"
    out.append(headline)
    out.append("")
    if len(result.workloads) > 1:
        out += [_score_basis(result), ""]
    subs = ", ".join(result.scope.get("subscriptions") or []) or "-"
    used = (
        "Baselines " + escape(baselines_text(result))
        if several_baselines
        else f"Baseline {escape(b.name)} {escape(b.version)}"
    )
    out.append(
        f"{used} · scope {escape(result.scope.get('source', ''))}"
        f" · subscriptions {escape(subs)} · {escape(result.generated_at)}"
    )
    out += _workloads(result)
    if result.gate is not None:
        mark = "✅" if result.gate.passed else "❌"
        out += ["", f"{mark} **{escape(result.gate.message)}**"]
    out += ["", *_families(result), ""]
    if previous is not None:
        out += [*_changes(result, previous), ""]
    failing = [f for f in result.findings if f.status is Status.FAIL]
    required = [f for f in failing if f.level is Level.REQUIRED]
    recommended = [f for f in failing if f.level is Level.RECOMMENDED]
    if required:
        out.append(f"### Failing findings ({len(required)})")
        out += _grouped(required[:MAX_FAILING], fixes, refs)
        if len(required) > MAX_FAILING:
            out += ["", f"… and {len(required) - MAX_FAILING} more in the full report."]
        out.append("")
    else:
        out += ["### No failing finding of a required rule", ""]
    out += _folded("Recommendations not met", recommended, fixes, refs)
    out += _folded(
        "Not assessed", [f for f in result.findings if f.status is Status.NOT_ASSESSED], fixes, refs
    )
    out += _folded("Waived", [f for f in result.findings if f.status is Status.WAIVED], fixes, refs)
    out += _folded("Rule errors", [f for f in result.findings if f.status is Status.ERROR], fixes, refs)
    out += _waiver_notes(result)
    return "\n".join(out).rstrip() + "\n"


def _score_basis(result: AuditReport) -> str:
    """Which score the headline gives when there are several workloads."""
    return f"The score and coverage are {escape(score_basis(result))}; the counts are of all workloads."


def _workloads(result: AuditReport) -> list[str]:
    """The workload line (one workload) or the tenant summary table (several, worst first)."""
    if result.no_workload:
        return ["", f"**No workload found:** {escape(result.no_workload)}"]
    lines: list[str] = []
    if len(result.workloads) == 1:
        w = result.workloads[0]
        lines += [
            "",
            f"Workload {escape(w.name)} ({escape(w.variant or 'no variant')}): "
            f"baseline {escape(w.baseline_reason)}",
        ]
    elif result.workloads:
        lines += [
            "",
            "| workload | subscription | baseline | score | coverage | failed |",
            "|---|---|---|--:|--:|--:|",
        ]
        for w in result.workloads:
            subs = ", ".join(w.subscriptions) or "-"
            lines.append(
                f"| {escape(w.name)} | {escape(subs)} | {escape(w.baseline.name)} | {w.card.score:.1f} "
                f"| {w.card.coverage:.0%} | {w.card.overall.failed} |"
            )
    mismatches = [f"⚠️ {escape(w.mismatch)}" for w in result.workloads if w.mismatch]
    if mismatches:
        lines += ["", *mismatches]
    out = sum(1 for p in result.placements if p.workload is None)
    if out:
        lines += [
            "",
            f"{out} resource{'s' if out != 1 else ''} of no workload out of scope"
            " (`--explain-roles` says why).",
        ]
    return lines


def _families(result: AuditReport) -> list[str]:
    prev_controls: dict[str, Any] = (result.previous or {}).get("controls") or {}
    rows = ["| family | score | passed | failed | not assessed | waived |", "|---|---:|---:|---:|---:|---:|"]
    if result.previous is not None:
        rows = [
            "| family | score | change | passed | failed | not assessed | waived |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
    for control, tally in result.card.controls.items():
        if not tally.active:
            continue
        score = "–" if tally.score is None else f"{tally.score:.0f}"
        cells = [control.value, score]
        if result.previous is not None:
            before = (prev_controls.get(control.value) or {}).get("score")
            cells.append(_delta(tally.score, before) if tally.score is not None else "–")
        cells += [str(tally.passed), str(tally.failed), str(tally.not_assessed), str(tally.waived)]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def _delta(now: float | None, before: Any) -> str:
    if now is None or not isinstance(before, int | float):
        return "new"
    change = now - float(before)
    if abs(change) < 0.05:
        return "±0"
    return f"{'▲' if change > 0 else '▼'} {change:+.1f}"


def _changes(result: AuditReport, previous: Mapping[str, Any]) -> list[str]:
    # Failing findings of required rules only, like the totals; recommendations are counted apart.
    def failing_keys(items: list[tuple[str, str, str, str, str]]) -> set[tuple[str, str, str]]:
        return {
            (rule, rid.lower(), workload.lower())
            for rule, rid, workload, status, level in items
            if status == Status.FAIL.value and level == Level.REQUIRED.value
        }

    before = failing_keys(
        [
            (
                str(f["rule_id"]),
                str(f["resource_id"]),
                str(f.get("workload_id") or ""),
                str(f["status"]),
                str(f.get("level", "required")),
            )
            for f in previous.get("findings", [])
        ]
    )
    now = failing_keys(
        [(f.rule_id, f.resource_id, f.workload_id, f.status.value, f.level.value) for f in result.findings]
    )
    before, now = _matched(before, now), _matched(now, before)
    new, fixed = len(now - before), len(before - now)
    return [f"Since the previous report: {new} newly failing, {fixed} fixed."]


def _matched(side: set[tuple[str, str, str]], other: set[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    """`side` with each key of no workload (a report of before workloads) taken as the first key of the
    same rule and resource in a workload on the `other` side: the same finding, not one fixed and one new.
    A shared resource judged in two workloads is two findings, each compared with its own workload's."""
    judged: dict[tuple[str, str], tuple[str, str, str]] = {}
    for key in sorted(other):
        if key[2]:
            judged.setdefault(key[:2], key)
    out: set[tuple[str, str, str]] = set()
    for key in sorted(side):
        taken = judged.get(key[:2]) if not key[2] else None
        out.add(taken if taken is not None and taken not in side else key)
    return out


def _grouped(findings: list[Finding], fixes: bool, refs: Mapping[str, Reference]) -> list[str]:
    order = list(Control)
    lines: list[str] = []
    for control, group in groupby(
        sorted(findings, key=lambda f: order.index(f.control)), key=lambda f: f.control
    ):
        items = list(group)
        lines += ["", f"#### {control.value} ({len(items)})", ""]
        lines += [_item(f, fixes, refs) for f in items]
    return lines


def _item(f: Finding, fixes: bool, refs: Mapping[str, Reference]) -> str:
    sev = f.severity.value
    resource = escape(short_id(f.resource_id))
    if f.workload and _SEVERAL.get():
        resource = f"[{escape(f.workload)}] {resource}"
    rule = f"`{f.rule_id}`"
    if f.rule_id in refs:
        # The rule id links to the section of the article it rests on (the URL is percent-encoded).
        rule = f"[{rule}]({refs[f.rule_id].url})"
    line = f"- {SEVERITY_MARK[sev]} **{sev}** {rule} {resource}: {escape(f.message)}"
    if fixes and f.status in (Status.FAIL, Status.WAIVED) and f.remediation:
        line += f"<br>Fix: {escape(f.remediation)}"
    if f.waiver:
        w = f.waiver
        state = "waiver expired on" if w.get("expired") else "waived until"
        line += (
            f"<br>{state} {escape(w.get('expires', '?'))} ({escape(w.get('owner', '?'))}):"
            f" {escape(w.get('justification', ''))}"
        )
    return line


def _folded(title: str, findings: list[Finding], fixes: bool, refs: Mapping[str, Reference]) -> list[str]:
    if not findings:
        return []
    lines = ["<details>", f"<summary>{title} ({len(findings)})</summary>", ""]
    lines += [_item(f, fixes, refs) for f in findings[:MAX_FOLDED]]
    if len(findings) > MAX_FOLDED:
        lines.append(f"- … and {len(findings) - MAX_FOLDED} more in the full report.")
    lines += ["", "</details>", ""]
    return lines


def _waiver_notes(result: AuditReport) -> list[str]:
    report = result.waivers
    if report is None or not (report.expired or report.stale):
        return []
    lines = ["#### Waivers to review", ""]
    for w, n in report.expired:
        lines.append(
            f"- expired on {w.expires.isoformat()}: `{w.rule}` {escape(w.resource)} ({escape(w.owner)}),"
            f" {n} finding{'s' if n != 1 else ''} failing again"
        )
    for w in report.stale:
        lines.append(
            f"- stale (matches no failing finding): `{w.rule}` {escape(w.resource)} ({escape(w.owner)})"
        )
    return [*lines, ""]
