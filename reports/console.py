"""The terminal report: header, findings grouped by control family, a one-line summary.

Three levels of detail (`RenderOptions`): quiet lists the failing findings and rule
errors without fix text, then the summary; the default adds the header, the family
table, not-assessed and waived findings with their fix text, and what could not be read;
verbose adds each finding's rationale, the fix of not-assessed findings and every read error.
"""

from __future__ import annotations

import io
from itertools import groupby

from rich.console import Console, Group
from rich.markup import escape as _markup_escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from auditor.model import AuditReport, Control, Finding, Level, Severity, Status

from . import PLAIN, RenderOptions
from .neutral import terminal

SEVERITY_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
}
STATUS_STYLE = {
    Status.PASS: "green",
    Status.FAIL: "bold red",
    Status.NOT_ASSESSED: "magenta",
    Status.WAIVED: "blue",
    Status.ERROR: "bold magenta",
}
# Widest status word plus one space, so the severity after it never touches it.
STATUS_WIDTH = max(len(s.value) for s in Status) + 1
SEVERITY_WIDTH = max(len(s.value) for s in Severity) + 1


def escape(text: object) -> str:
    """A value from Azure or a file for a rich markup string: control characters gone, markup literal."""
    return _markup_escape(terminal(text))


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """`n` and the noun, singular for one: "1 read error", "2 read errors"."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def short_id(resource_id: str) -> str:
    """The part of an ARM id a person recognises: provider type and name onwards."""
    parts = resource_id.split("/")
    lowered = [p.lower() for p in parts]
    if "providers" in lowered:
        first = lowered.index("providers")
        return "/".join(parts[first + 2 :]) or resource_id
    return resource_id or "(estate)"


def summary_line(result: AuditReport) -> str:
    """The totals in one line: the console report's last line but the gate, and `wrote FILE: ...`."""
    t = result.card.overall
    worst = " (worst workload)" if len(result.workloads) > 1 else ""
    return (
        f"score {result.score:.1f}/100{worst}, coverage {result.coverage:.0%}: "
        f"{t.failed} failed, {t.passed} passed, {t.not_assessed} not assessed, {t.waived} waived"
        + (f", {counted(t.errors, 'error')}" if t.errors else "")
        + (
            f"; {counted(result.card.recommended_failed, 'recommendation')}"
            if result.card.recommended_failed
            else ""
        )
    )


def scope_prefix(result: AuditReport) -> dict[str, str]:
    """What to put before each short id so rows say where they are; empty within one resource group.

    Across subscriptions a row starts with `subscription/resource-group/`, across resource
    groups of one subscription with `resource-group/`. Subscription-wide resources (role
    assignments) have no group: they get the subscription alone, or nothing.
    """
    places = {f.resource_id: _place(f.resource_id) for f in result.findings}
    subscriptions = {sub.lower() for sub, _ in places.values() if sub}
    groups = {(sub.lower(), rg.lower()) for sub, rg in places.values() if sub and rg}
    if len(subscriptions) > 1:
        return {rid: "/".join(p for p in (sub, rg) if p) + "/" for rid, (sub, rg) in places.items() if sub}
    if len(groups) > 1:
        return {rid: f"{rg}/" for rid, (_, rg) in places.items() if rg}
    return {}


def _place(resource_id: str) -> tuple[str, str]:
    """The subscription id and resource group of an ARM id ("" when absent)."""
    parts = resource_id.split("/")
    lowered = [p.lower() for p in parts]
    sub = parts[2] if len(parts) > 2 and lowered[1] == "subscriptions" else ""
    rg = parts[4] if sub and len(parts) > 4 and lowered[3] == "resourcegroups" else ""
    return sub, rg


def render(result: AuditReport, options: RenderOptions = PLAIN) -> str:
    """The terminal report; in colour, and at the terminal's width, when the options say so."""
    color = options.color
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        width=options.width,
        highlight=False,
        emoji=False,  # `:warning:` in a resource name stays text
    )
    b = result.baseline
    if not options.quiet:
        if len({w.baseline.name for w in result.workloads}) > 1:
            console.rule(
                f"[bold]auditor[/bold]: {len(result.workloads)} workloads, each with its variant's baseline"
            )
        else:
            console.rule(f"[bold]auditor[/bold]: {escape(b.title)} ({escape(b.name)} {escape(b.version)})")
        subs = ", ".join(result.scope.get("subscriptions") or []) or "-"
        console.print(f"Scope: {escape(str(result.scope.get('source')))}; subscriptions: {escape(subs)}")
        if result.scope.get("partial") is True:
            console.print(
                "Partial: the time limit of the read ran out; what was not read is listed under read "
                "errors and not assessed",
                style="bold yellow",
            )
        for line in workload_lines(result):
            console.print(escape(line))
        score_line = Text.assemble(
            ("Score ", "bold"),
            (f"{result.score:.1f}/100", _score_style(result.score)),
            ("   Coverage ", "bold"),
            (f"{result.coverage:.0%}", "bold"),
        )
        if len(result.workloads) > 1:
            score_line.append(f"   ({score_basis(result)})")
        console.print(score_line)
        console.print(_controls_table(result))
        if len(result.workloads) > 1:
            console.print(_workloads_table(result))
    elif result.no_workload:
        console.print(escape(result.no_workload), style="bold red")
    prefixes = scope_prefix(result)
    if len(result.workloads) > 1:
        prefixes = {}
        for f in result.findings:
            prefixes.setdefault(f.resource_id, "")
    several = len(result.workloads) > 1
    for control, group in groupby(
        sorted(_shown(result, options), key=lambda f: list(Control).index(f.control)), key=lambda f: f.control
    ):
        console.rule(f"[bold]{control.value}[/bold]", align="left")
        for finding in group:
            prefix = f"[{finding.workload}] " if several and finding.workload else ""
            prefix += prefixes.get(finding.resource_id, "")
            console.print(_finding_text(finding, prefix, options))
    if result.collection_errors and not options.quiet:
        console.rule("[bold]could not read[/bold]", align="left")
        errors = result.collection_errors
        shown_errors = errors if options.verbose else errors[:20]
        for err in shown_errors:
            status, code, rtype = (escape(str(err.get(k) or "")) for k in ("status", "code", "resource_type"))
            where = escape(short_id(str(err.get("scope", ""))))
            console.print(f"  HTTP {status} {code} reading {rtype}\n    at {where}")
        if len(errors) > len(shown_errors):
            console.print(f"  ... and {len(errors) - 20} more (the JSON report lists them all)")
    if not options.quiet and result.waivers is not None and (result.waivers.expired or result.waivers.stale):
        console.rule("[bold]waivers to review[/bold]", align="left")
        for w, n in result.waivers.expired:
            where = f"{escape(w.rule)} {escape(w.resource)}"
            console.print(f"  expired {w.expires.isoformat()}: {where} ({n} failing again)")
        for w in result.waivers.stale:
            console.print(f"  stale (matches no failing finding): {escape(w.rule)} {escape(w.resource)}")
    console.rule()
    console.print(summary_line(result))
    if result.gate is not None:
        # The last line: the verdict a pipeline log reader looks for.
        style = "bold green" if result.gate.passed else "bold red"
        console.print(escape(result.gate.message), style=style, soft_wrap=True)
    text = buffer.getvalue()
    if not color:  # rich pads wrapped lines to the width; files and pipes need no trailing blanks
        text = "\n".join(line.rstrip() for line in text.splitlines()) + "\n"
    return text


def workload_lines(result: AuditReport) -> list[str]:
    """The header's workload lines: which workload(s), the variant and the baseline each was judged with."""
    lines = []
    if result.no_workload:
        lines.append(f"Workloads: none. {result.no_workload}")
    elif len(result.workloads) == 1:
        w = result.workloads[0]
        lines.append(f"Workload: {w.name} ({w.variant or 'no variant'}); baseline {w.baseline_reason}")
    elif result.workloads:
        lines.append(f"Workloads: {len(result.workloads)} ({result.discovery}), worst first below")
    if len(result.baselines) > 1:
        lines.append("Baselines: " + baselines_text(result))
    lines += [f"Warning: {w.mismatch}" for w in result.workloads if w.mismatch]
    out = sum(1 for p in result.placements if p.workload is None)
    if out:
        lines.append(f"Out of scope: {counted(out, 'resource')} of no workload (--explain-roles says why)")
    return lines


def baselines_text(result: AuditReport) -> str:
    """Every baseline used, with how many workloads each judged: `a 1.0 (2 workloads), b 1.1 (1 workload)`."""
    parts = []
    for b in result.baselines:
        n = sum(1 for w in result.workloads if (w.baseline.name, w.baseline.version) == (b.name, b.version))
        parts.append(f"{b.name} {b.version} ({counted(n, 'workload')})")
    return ", ".join(parts)


def score_basis(result: AuditReport) -> str:
    """What the score of a report of several workloads is: the worst one's, beside all of them together."""
    worst = min(result.workloads, key=lambda w: (w.card.score, w.card.coverage))
    return (
        f"the lowest of the workloads' (worst: {worst.name}), which the gate judges; "
        f"all {len(result.workloads)} together: score {result.card.score:.1f}, "
        f"coverage {result.card.coverage:.0%}"
    )


def _workloads_table(result: AuditReport) -> Table:
    """The tenant summary: every workload, worst first, with its subscription(s), baseline and score."""
    table = Table(box=None, pad_edge=False, show_edge=False)
    for col in ("workload", "subscription", "baseline", "score", "coverage", "failed"):
        table.add_column(col, justify="right" if col in ("score", "coverage", "failed") else "left")
    for w in result.workloads:
        table.add_row(
            escape(w.name),
            escape(", ".join(w.subscriptions) or "-"),
            escape(w.baseline.name),
            Text(f"{w.card.score:.1f}", style=_score_style(w.card.score)),
            f"{w.card.coverage:.0%}",
            Text(str(w.card.overall.failed), style="red" if w.card.overall.failed else ""),
        )
    return table


def _shown(result: AuditReport, options: RenderOptions) -> list[Finding]:
    """The findings the report lists at this level of detail."""
    if options.quiet:
        return [f for f in result.findings if f.status in (Status.FAIL, Status.ERROR)]
    return [f for f in result.findings if options.show_passed or f.status is not Status.PASS]


def _score_style(value: float) -> str:
    return "bold green" if value >= 90 else "bold yellow" if value >= 70 else "bold red"


def _controls_table(result: AuditReport) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False)
    for col in ("control", "score", "passed", "failed", "not assessed", "waived"):
        table.add_column(col, justify="left" if col == "control" else "right")
    for control, tally in result.card.controls.items():
        if not tally.active:
            continue
        s = tally.score
        table.add_row(
            control.value,
            Text("-" if s is None else f"{s:.0f}", style="" if s is None else _score_style(s)),
            str(tally.passed),
            Text(str(tally.failed), style="red" if tally.failed else ""),
            str(tally.not_assessed),
            str(tally.waived),
        )
    return table


def _finding_text(f: Finding, prefix: str = "", options: RenderOptions = PLAIN) -> Group:
    head = Text("  ")
    # The padding stays unstyled: a background colour (critical) ends with the word.
    head.append(f.status.value.upper(), style=STATUS_STYLE[f.status])
    head.append(" " * (STATUS_WIDTH - len(f.status.value)))
    head.append(f.severity.value, style=SEVERITY_STYLE[f.severity])
    head.append(" " * (SEVERITY_WIDTH - len(f.severity.value)))
    head.append(f"{f.rule_id} ", style="bold")
    if f.level is Level.RECOMMENDED:
        head.append("(recommended) ", style="dim")
    head.append(terminal(prefix + short_id(f.resource_id)))
    body = Text(terminal(f.message))
    judged = f.status in (Status.FAIL, Status.WAIVED)
    fix = judged or (options.verbose and f.status is Status.NOT_ASSESSED)
    if fix and f.remediation and not options.quiet:
        body.append(f"\nfix: {terminal(f.remediation)}", style="dim")
    if options.verbose and f.rationale and (judged or f.status is Status.NOT_ASSESSED):
        body.append(f"\nwhy: {terminal(f.rationale)}", style="dim")
    if f.waiver and not options.quiet:
        w = f.waiver
        why = terminal(w.get("justification", ""))
        expires, owner = terminal(w.get("expires")), terminal(w.get("owner"))
        if w.get("expired"):
            body.append(f"\nwaiver expired {expires}: {why}", style="red")
        else:
            body.append(f"\nwaived until {expires} ({owner}): {why}", style="blue")
    # Padding keeps wrapped lines of long messages under the finding, not at column 0.
    return Group(head, Padding(body, (0, 0, 0, 6), expand=False))
