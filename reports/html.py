"""One self-contained HTML page a person opens from a pipeline artifact.

Inline CSS, inline SVG (score gauge, one bar per control family), a small inline
script for the filters, and nothing fetched from the network. Jinja2 escapes every
value (names, tags and messages come from Azure), and the page's Content Security
Policy admits only our own script, by its hash: an injected `<script>` would not
run even if a value slipped through unescaped.
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

from auditor.model import AuditReport, Control, Finding, Level, Severity, Status, sort_key

from . import PLAIN, RenderOptions
from .console import short_id
from .links import first_references
from .neutral import printable

GAUGE_RADIUS = 58
BAR_LABEL = 130
BAR_TRACK = 220
BAR_ROW = 24


def render(result: AuditReport, options: RenderOptions = PLAIN) -> str:
    """The self-contained HTML page."""
    script = _asset("report.js")
    return _template().render(
        baseline=result.baseline,
        scope=result.scope,
        subscriptions=", ".join(result.scope.get("subscriptions") or []) or "-",
        generated_at=result.generated_at,
        version=result.tool.version,
        score=result.card.score,
        coverage=result.card.coverage,
        totals=result.card.overall,
        recommended_failed=result.card.recommended_failed,
        gate=result.gate,
        waivers=result.waivers,
        gauge=_gauge(result.card.score),
        bars=_bars(result),
        findings=sorted(result.findings, key=_worst_first),
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
        sources=first_references(result),
    )


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
