"""The history in a terminal (a table and a trend line) and as a self-contained HTML trend page.

The page follows the HTML report's rules: inline CSS and SVG, nothing fetched, every
value escaped by Jinja2, and a Content Security Policy that runs no script at all.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup
from rich.console import Console
from rich.table import Table

from auditor.reports.console import escape

from .shown import neutral
from .trend import sparkline

CHART_WIDTH = 640
CHART_HEIGHT = 200
BAR_HEIGHT = 120
# One colour per family line; the overall score is drawn in ink.
PALETTE = ("#0969da", "#cf222e", "#1a7f37", "#9a6700", "#8250df", "#bf3989", "#1b7c83", "#57606a")


def render_table(doc: Mapping[str, Any], width: int = 120, color: bool = False) -> str:
    """One table per series (run, time, score, coverage, counts, states) and its trend line.

    Every value from the history reaches rich as escaped markup, its control characters replaced.
    """
    out = io.StringIO()
    console = Console(file=out, width=width, color_system="standard" if color else None, highlight=False)
    if not doc["series"]:
        console.print("no runs recorded (record one with: auditor audit ... --history URL)")
    for s in doc["series"]:
        table = Table(title=f"{escape(s['label'])} · {escape(s['baseline'])}", title_justify="left")
        for name in (
            "run",
            "started",
            "score",
            "change",
            "coverage",
            "failed",
            "new",
            "resolved",
            "regressed",
            "gone",
            "carried",
        ):
            table.add_column(name, justify="left" if name in ("run", "started", "carried") else "right")
        previous: float | None = None
        for p in s["runs"]:
            delta = "" if previous is None else f"{p['score'] - previous:+.1f}"
            previous = p["score"]
            st = p["states"]
            carried = ", ".join(
                f"{escape(c['unit'][:8])} ({c['age_days']:g} d)" for c in p["carried_forward"]
            )
            table.add_row(
                escape(p["run_id"]),
                escape(p["started_at"]),
                f"{p['score']:.1f}",
                delta,
                f"{p['coverage']:.0%}",
                str(p["counts"]["failed"]),
                str(st["new"]),
                str(st["resolved"]),
                str(st["regressed"]),
                str(st["disappeared"]),
                carried or "-",
            )
        console.print(table)
        scores = [p["score"] for p in s["runs"]]
        if scores:
            console.print(f"score trend {sparkline(scores)}  {scores[0]:.1f} -> {scores[-1]:.1f}")
        mttf = s["mean_time_to_fix_days"]
        console.print(
            f"mean time to fix: {'n/a' if mttf is None else f'{mttf:g} days'}; "
            f"open findings listed: {len(s['oldest_open'])}"
        )
    return out.getvalue()


def render_html(doc: Mapping[str, Any]) -> str:
    """The self-contained trend page: control and direction characters replaced, then escaped by Jinja2."""
    doc = neutral(doc)
    return _template().render(
        doc=doc,
        series=[_chart(s) for s in doc["series"]],
        css=Markup(_asset("trend.css")),
    )


def _x(i: int, n: int) -> float:
    return 40 + (CHART_WIDTH - 60) * (i / (n - 1) if n > 1 else 0.5)


def _y(score: float) -> float:
    return 10 + (CHART_HEIGHT - 30) * (1 - score / 100)


def _chart(s: Mapping[str, Any]) -> dict[str, Any]:
    points = s["runs"]
    n = len(points)
    families = sorted({name for p in points for name in p["families"]})
    lines = [
        {
            "name": "overall",
            "color": "#1b1f24",
            "points": " ".join(f"{_x(i, n):.1f},{_y(p['score']):.1f}" for i, p in enumerate(points)),
            "dots": [(_x(i, n), _y(p["score"]), p["score"]) for i, p in enumerate(points)],
        }
    ]
    for j, name in enumerate(families):
        coords = [
            (_x(i, n), _y(p["families"][name]["score"]))
            for i, p in enumerate(points)
            if p["families"].get(name, {}).get("score") is not None
        ]
        lines.append(
            {
                "name": name,
                "color": PALETTE[j % len(PALETTE)],
                "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in coords),
                "dots": [],
            }
        )
    top = max(
        [1]
        + [p["states"]["new"] + p["states"]["regressed"] for p in points]
        + [p["states"]["resolved"] for p in points]
    )
    bars = []
    slot = (CHART_WIDTH - 60) / max(n, 1)
    for i, p in enumerate(points):
        opened = p["states"]["new"] + p["states"]["regressed"]
        fixed = p["states"]["resolved"]
        left = 40 + slot * i + slot * 0.15
        width = slot * 0.33
        bars.append(
            {
                "run": p["run_id"],
                "new_x": left,
                "new_h": BAR_HEIGHT * opened / top,
                "new": opened,
                "fixed_x": left + width,
                "fixed_h": BAR_HEIGHT * fixed / top,
                "fixed": fixed,
                "width": width,
                "label_x": left + width,
            }
        )
    return {
        **s,
        "lines": lines,
        "bars": bars,
        "labels": [(_x(i, n), p["run_id"]) for i, p in enumerate(points)],
    }


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("auditor.history", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        width=CHART_WIDTH, height=CHART_HEIGHT, bar_height=BAR_HEIGHT, ticks=(0, 25, 50, 75, 100), y=_y
    )
    return env.get_template("trend.html.j2")


@lru_cache(maxsize=2)
def _asset(name: str) -> str:
    return resources.files("auditor.history").joinpath("templates", name).read_text(encoding="utf-8")


def names(values: Sequence[str]) -> str:
    """A list of names for a heading, or a dash."""
    return ", ".join(values) or "-"
