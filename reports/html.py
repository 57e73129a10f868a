"""One self-contained HTML page a person opens from a pipeline artifact.

Inline CSS, inline SVG (score gauge, one bar per control family), a small inline
script for the filters and the search, and nothing fetched from the network. Jinja2 escapes every
value (names, tags and messages come from Azure), and the page's Content Security
Policy admits only our own script, by its hash: an injected `<script>` would not
run even if a value slipped through unescaped.

The page is an overview first: the findings per group (subscription, or workload where the report
has one), and the passes counted per rule rather than listed (`--show-passed` lists them on a
small report). A small report lists its findings in the page itself, complete without the script.
A large one (a tenant of a hundred subscriptions) would be tens of megabytes of markup that no
browser opens: its findings travel as compact JSON in a data block (each rule's texts once, not
once per finding), and the script shows the ones the filters and the search select, a page at a
time. One file, not a page per group: an artifact is downloaded and opened as one file, and the
filters and the search work across every group.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from functools import lru_cache
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup

from auditor.arm import ids
from auditor.model import AuditReport, Control, Finding, Level, Severity, Status, sort_key

from . import PLAIN, RenderOptions
from .console import baselines_text, score_basis, short_id
from .links import first_references
from .neutral import printable

GAUGE_RADIUS = 58
BAR_LABEL = 130
BAR_TRACK = 220
BAR_ROW = 24
# Up to this many findings are listed in the page as markup; more travel as JSON, shown on demand.
LISTED_LIMIT = 1000
# No group: findings on the estate as a whole (a resource id of none).
NO_GROUP = "(estate)"


def group_of(finding: Finding) -> str:
    """The group a finding is shown under: its workload when the report has one, else its subscription."""
    workload = getattr(finding, "workload", None)
    if isinstance(workload, str) and workload:
        return workload
    return ids.subscription_of(finding.resource_id) or NO_GROUP


def render(result: AuditReport, options: RenderOptions = PLAIN) -> str:
    """The self-contained HTML page."""
    script = _asset("report.js")
    findings = sorted(result.findings, key=_worst_first)
    unpassed = [f for f in findings if f.status is not Status.PASS]
    lazy = len(unpassed if not options.show_passed else findings) > LISTED_LIMIT
    # Passes are listed only when asked for, and only where the page stays small.
    listed = findings if options.show_passed and not lazy else unpassed
    sources = first_references(result)
    return _template().render(
        baseline=result.baseline,
        scope=result.scope,
        subscriptions=", ".join(result.scope.get("subscriptions") or []) or "-",
        generated_at=result.generated_at,
        version=result.tool.version,
        score=result.score,
        coverage=result.coverage,
        # Workloads of several variants: the header lists every baseline, and says which score leads.
        baselines=baselines_text(result) if len(result.baselines) > 1 else "",
        score_basis=score_basis(result) if len(result.workloads) > 1 else "",
        totals=result.card.overall,
        recommended_failed=result.card.recommended_failed,
        gate=result.gate,
        waivers=result.waivers,
        gauge=_gauge(result.score),
        bars=_bars(result),
        findings=[] if lazy else listed,
        total=len(listed),
        lazy=lazy,
        data=Markup(_data(listed, sources)) if lazy else "",
        groups=_groups(findings),
        group_of=group_of,
        passes=[] if listed is findings else _passes(findings),
        controls=[c.value for c in Control if any(f.control is c for f in result.findings)],
        severities=[s.value for s in Severity],
        statuses=[s.value for s in Status],
        collection_errors=result.collection_errors,
        # The workloads judged one by one (worst first); the page gives each a header for now.
        workloads=result.workloads,
        no_workload=result.no_workload,
        out_of_scope=sum(1 for p in result.placements if p.workload is None),
        css=Markup(_asset("report.css")),
        script=Markup(script),
        script_hash="sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode(),
        short=short_id,
        show=_show,
        # Each finding's rule links to the article section it rests on; Jinja2 escapes the attribute.
        sources=sources,
    )


def _groups(findings: list[Finding]) -> list[dict[str, Any]]:
    """Per group: its name and counts per status, the most failures first."""
    counts: dict[str, dict[str, int]] = {}
    for f in findings:
        row = counts.setdefault(group_of(f), {s.value: 0 for s in Status})
        row[f.status.value] += 1
    rows = [{"name": name, **row} for name, row in counts.items()]
    return sorted(rows, key=lambda r: (-r["fail"], -r["error"], -r["not_assessed"], r["name"]))


def _passes(findings: list[Finding]) -> list[dict[str, Any]]:
    """The passes counted per rule, in rule order."""
    out: dict[str, dict[str, Any]] = {}
    for f in findings:
        if f.status is Status.PASS:
            row = out.setdefault(f.rule_id, {"rule_id": f.rule_id, "title": f.title, "count": 0})
            row["count"] += 1
    return [out[k] for k in sorted(out)]


def _data(findings: list[Finding], sources: dict[str, Any]) -> str:
    """The findings as compact JSON for the page's data block: each rule's texts once, then one short
    row per finding. Every string is made printable; `<`, `>` and `&` are escaped so that no value can
    end the block (the script reads it as text, and sets text, never markup)."""
    rules: dict[str, int] = {}
    groups: dict[str, int] = {}
    types: dict[str, int] = {}
    values: dict[str, int] = {}
    rule_rows: list[list[Any]] = []
    rows: list[list[Any]] = []
    for f in findings:
        if f.rule_id not in rules:
            rules[f.rule_id] = len(rule_rows)
            source = sources.get(f.rule_id)
            rule_rows.append(
                [
                    f.rule_id,
                    f.rule_name or f.rule_id,
                    f.title,
                    f.control.value,
                    f.severity.value,
                    f.level.value,
                    f.remediation,
                    f.rationale,
                    source.url if source else "",
                    source.title if source else "",
                ]
            )
        group = groups.setdefault(group_of(f), len(groups))
        waiver = ""
        if f.waiver:
            w = f.waiver
            word = "Expired" if w.get("expired") else "Waived"
            waiver = f"{word} until {w.get('expires')} by {w.get('owner')}: {w.get('justification')}"
        shown_actual = f.actual is not None or f.status is Status.FAIL
        rows.append(
            [
                rules[f.rule_id],
                group,
                f.status.value,
                f.resource_id,
                types.setdefault(f.resource_type, len(types)),
                f.message,
                # Expected and actual values as their shown text, each distinct text once (a rule's
                # expected value is often the same for every resource): an index, None for no entry.
                _value_index(values, f.expected, absent=None),
                _value_index(values, f.actual, absent="(absent)") if shown_actual else None,
                waiver,
            ]
        )
    doc = {
        "rules": rule_rows,
        "groups": list(groups),
        "types": list(types),
        "values": list(values),
        "findings": rows,
    }
    text = json.dumps(_printable_tree(doc), ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _value_index(values: dict[str, int], value: Any, absent: str | None) -> int | None:
    """The index of the value's shown text in `values` (added when new); `absent` for a None value."""
    if value is None:
        if absent is None:
            return None
        text = absent
    else:
        text = _show(value)
    return values.setdefault(text, len(values))


def _printable_tree(value: Any) -> Any:
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, (list, tuple)):
        return [_printable_tree(v) for v in value]
    if isinstance(value, dict):
        return {printable(k): _printable_tree(v) for k, v in value.items()}
    return value


def _worst_first(f: Finding) -> tuple[Any, ...]:
    status, *rest = sort_key(f)
    # Within one status, the architecture's requirements come before the extra hardening.
    return (status, f.level is Level.RECOMMENDED, *rest)


def _show(value: Any) -> str:
    if value is None:
        return "(absent)"
    return value if isinstance(value, str) else json.dumps(value, indent=2, default=str, ensure_ascii=False)


def _score_color(value: float) -> str:
    """The colour of a score: green, amber or red."""
    return "#1a7f37" if value >= 90 else "#bf8700" if value >= 70 else "#cf222e"


def _gauge(score: float) -> dict[str, float | str]:
    circumference = 2 * math.pi * GAUGE_RADIUS
    return {
        "r": GAUGE_RADIUS,
        "circumference": circumference,
        "filled": circumference * max(0.0, min(score, 100.0)) / 100.0,
        "color": _score_color(score),
    }


def _bars(result: AuditReport) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for control, tally in result.card.controls.items():
        if not tally.active:
            continue
        s = tally.score
        rows.append(
            {
                "name": control.value,
                "y": len(rows) * BAR_ROW,
                "score": s,
                "length": 0.0 if s is None else BAR_TRACK * s / 100.0,
                "color": "#8c959f" if s is None else _score_color(s),
                "tooltip": (
                    f"{tally.passed} passed, {tally.failed} failed, {tally.not_assessed} not assessed,"
                    f" {tally.waived} waived"
                ),
            }
        )
    return {
        "rows": rows,
        "label_width": BAR_LABEL,
        "track": BAR_TRACK,
        "width": BAR_LABEL + BAR_TRACK + 100,
        "height": max(len(rows), 1) * BAR_ROW,
    }


def _printable(value: Any) -> Any:
    """A template value with control and direction characters replaced; markup of our own is left alone."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return printable(value)
    return value


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("auditor.reports", "templates"),
        autoescape=True,
        # Every {{ value }} passes here before escaping: control and direction characters go.
        finalize=_printable,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("report.html.j2")


@lru_cache(maxsize=4)
def _asset(name: str) -> str:
    return resources.files("auditor.reports").joinpath("templates", name).read_text(encoding="utf-8")
