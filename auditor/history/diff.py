"""What changed between two audits: findings by state, waivers, and score and coverage deltas.

Each side is a saved JSON report or a recorded run. Between two consecutive runs of a
series the states stored when the newer one was recorded are used (they know the whole
history: a regression is a failure that had been fixed); otherwise the two sides are
compared as they stand. A finding of the old side whose subscription the new side did
not audit is carried forward, not disappeared.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from auditor.model import Severity
from auditor.reports.markdown import escape
from auditor.reports.neutral import printable, terminal

from .keys import finding_key, group_of, unit_of
from .query import Item, Side
from .shown import neutral
from .states import FAILING, State

SCHEMA_VERSION = "1.1"
LISTED = (
    State.NEW,
    State.REGRESSED,
    State.RESOLVED,
    State.DISAPPEARED,
    State.NOT_ASSESSED,
    State.PERSISTING,
)
_SEVERITY_RANK = {s.value: s.rank for s in Severity}


def _keyed_like(side: Side, other: Side) -> Side:
    """`side` with each finding of no workload (a report or run of before workloads) keyed like the
    first finding of the same rule and resource in a workload on the `other` side, so that a diff
    across the upgrade compares a finding with itself instead of listing all as new and disappeared."""
    if all(item.workload for item in side.items.values()):
        return side
    judged: dict[str, str] = {}
    for key, item in other.items.items():
        if item.workload:
            judged.setdefault(finding_key(item.rule_id, item.resource_id), key)
    if not judged:
        return side
    items: dict[str, Item] = {}
    for key, item in side.items.items():
        taken = judged.get(key) if not item.workload else None
        if taken is not None and taken not in side.items and taken not in items:
            items[taken] = item
        else:
            items.setdefault(key, item)
    return replace(side, items=items)


def diff(old: Side, new: Side, consecutive: bool = False) -> dict[str, Any]:
    """The diff document (diff.schema.json) of `old` -> `new`."""
    old = _keyed_like(old, new)
    new = _keyed_like(new, old)
    lists: dict[str, list[dict[str, Any]]] = {s.value: [] for s in LISTED}
    added: list[dict[str, Any]] = []
    expired: list[dict[str, Any]] = []
    covered = new.coverage_of_scope
    for key, item in new.items.items():
        before = old.items.get(key)
        state = _state(item, before, consecutive)
        if state is not None:
            lists[state.value].append(_entry(item, before))
        if item.status == "waived" and (before is None or before.status != "waived"):
            added.append(_entry(item, before))
        if before is not None and before.status == "waived" and item.status != "waived":
            expired.append(_entry(item, before))
    carried: set[str] = set()
    for key, before in old.items.items():
        if key in new.items:
            continue
        unit, group = unit_of(before.resource_id), group_of(before.resource_id)
        if covered.covers(unit, group):
            lists[State.DISAPPEARED.value].append(_entry(None, before))
        else:
            carried.add(unit)
    for entries in lists.values():
        entries.sort(
            key=lambda e: (-_SEVERITY_RANK.get(e["severity"], 0), e["rule_id"], e["resource_id"].lower())
        )
    summary = {name: len(entries) for name, entries in lists.items()}
    summary["waivers_added"] = len(added)
    summary["waivers_expired"] = len(expired)
    summary["carried_forward"] = len(carried)
    return {
        "schema_version": SCHEMA_VERSION,
        "old": _side(old),
        "new": _side(new),
        "consecutive": consecutive,
        "same_baseline": old.baseline == new.baseline,
        "summary": summary,
        "findings": lists,
        "waivers": {"added": added, "expired": expired},
        "carried_forward": sorted(carried),
        "scores": {
            "overall": _delta(old.score, new.score, old.coverage, new.coverage),
            "families": {
                name: _delta(
                    (old.families.get(name) or {}).get("score"),
                    (new.families.get(name) or {}).get("score"),
                    (old.families.get(name) or {}).get("coverage"),
                    (new.families.get(name) or {}).get("coverage"),
                )
                for name in sorted(set(old.families) | set(new.families))
            },
            # By workload identity: a workload is compared with itself, whatever its short name.
            "workloads": {
                name: _delta(
                    (old.workloads.get(name) or {}).get("score"),
                    (new.workloads.get(name) or {}).get("score"),
                    (old.workloads.get(name) or {}).get("coverage"),
                    (new.workloads.get(name) or {}).get("coverage"),
                )
                for name in sorted(set(old.workloads) | set(new.workloads))
            },
        },
    }


def _state(item: Item, before: Item | None, consecutive: bool) -> State | None:
    """The listed state of a finding of the new side, or None for one that only passes or stays waived."""
    if item.status == "fail":
        if consecutive and item.state in FAILING:
            return State(item.state)
        if before is not None and before.status == "fail":
            return State.PERSISTING
        return State.NEW
    if item.status == "pass":
        return State.RESOLVED if before is not None and before.status == "fail" else None
    if item.status in ("not_assessed", "error"):
        # Only a failure that can no longer be judged is listed: it must not look fixed.
        return State.NOT_ASSESSED if before is not None and before.status == "fail" else None
    return None


def _entry(item: Item | None, before: Item | None) -> dict[str, Any]:
    shown = item or before
    assert shown is not None
    out: dict[str, Any] = {
        "rule_id": shown.rule_id,
        "resource_id": shown.resource_id,
        "severity": shown.severity,
        "level": shown.level,
        "family": shown.family,
        "old_status": before.status if before else None,
        "new_status": item.status if item else None,
        "message": shown.message,
    }
    if shown.workload:
        out["workload"] = shown.workload
    return out


def _side(side: Side) -> dict[str, Any]:
    return {
        "name": side.name,
        "run_id": side.run.id if side.run else None,
        "baseline": {"name": side.baseline, "version": side.baseline_version},
        "generated_at": side.generated_at,
        "score": side.score,
        "coverage": side.coverage,
        "subscriptions": list(side.scope.get("subscriptions") or []),
    }


def _delta(
    old: float | None, new: float | None, old_cov: float | None, new_cov: float | None
) -> dict[str, float | None]:
    def minus(a: float | None, b: float | None, digits: int) -> float | None:
        return None if a is None or b is None else round(b - a, digits)

    return {
        "old": old,
        "new": new,
        "delta": minus(old, new, 1),
        "old_coverage": old_cov,
        "new_coverage": new_cov,
        "coverage_delta": minus(old_cov, new_cov, 4),
    }


def render_json(doc: Mapping[str, Any]) -> str:
    """The diff as JSON, indented, with a final newline."""
    return json.dumps(doc, indent=2) + "\n"


def _signed(value: float | None, fmt: str) -> str:
    return "n/a" if value is None else format(value, "+" + fmt)


def _headline(doc: Mapping[str, Any]) -> str:
    s, overall = doc["summary"], doc["scores"]["overall"]
    return (
        f"{s['new']} new, {s['regressed']} regressed, {s['resolved']} resolved, "
        f"{s['persisting']} persisting, "
        f"{s['disappeared']} disappeared; score {overall['old']:.1f} -> {overall['new']:.1f} "
        f"({_signed(overall['delta'], '.1f')}), coverage {_signed(overall['coverage_delta'], '.1%')}"
    )


def render_console(doc: Mapping[str, Any], limit: int = 20) -> str:
    """The diff as plain text for a terminal or a log; control and direction characters replaced."""
    doc = neutral(doc, terminal)
    old, new = doc["old"], doc["new"]
    lines = [
        f"diff {old['name']} ({old['generated_at']}) -> {new['name']} ({new['generated_at']})",
        _headline(doc),
    ]
    if not doc["same_baseline"]:
        lines.append(f"warning: baselines differ ({old['baseline']['name']} -> {new['baseline']['name']})")
    if doc["carried_forward"]:
        lines.append("carried forward (not audited in the newer run): " + ", ".join(doc["carried_forward"]))
    for name in ("new", "regressed", "resolved", "disappeared", "not_assessed"):
        entries = doc["findings"][name]
        if not entries:
            continue
        lines.append(f"{name} ({len(entries)}):")
        for e in entries[:limit]:
            where = f"[{e['workload']}] " if e.get("workload") else ""
            lines.append(f"  {e['severity'] or '-':<9}{e['rule_id']}  {where}{e['resource_id']}")
        if len(entries) > limit:
            lines.append(f"  ... and {len(entries) - limit} more")
    w = doc["waivers"]
    if w["added"] or w["expired"]:
        lines.append(f"waivers: {len(w['added'])} added, {len(w['expired'])} expired or removed")
    families = doc["scores"]["families"]
    if families:
        lines.append("families:")
        for name, d in families.items():
            lines.append(
                f"  {name:<18} {_score(d['old'])} -> {_score(d['new'])}  ({_signed(d['delta'], '.1f')})"
            )
    return "\n".join(lines) + "\n"


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def _code(text: str) -> str:
    """A value as a code span in a table cell; escaped plain text when a backtick would end the span."""
    value = " ".join(printable(text).split())
    if "`" in value or not value:
        return escape(value)
    return "`" + value.replace("|", "\\|") + "`"


def render_markdown(doc: Mapping[str, Any], limit: int = 50) -> str:
    """The diff as GitHub-flavoured Markdown (a job summary); every value from a report escaped."""
    old, new = doc["old"], doc["new"]
    out = [
        "## What changed since the previous audit",
        "",
        f"{escape(old['name'])} ({escape(old['generated_at'])}) → {escape(new['name'])} "
        f"({escape(new['generated_at'])}): " + _headline(doc),
        "",
    ]
    if doc["carried_forward"]:
        out += [
            "Carried forward (not audited this time): " + ", ".join(_code(u) for u in doc["carried_forward"]),
            "",
        ]
    out += ["| | old | new | change |", "|---|---:|---:|---:|"]
    overall = doc["scores"]["overall"]
    out.append(
        f"| **overall** | {_score(overall['old'])} | {_score(overall['new'])} "
        f"| {_signed(overall['delta'], '.1f')} |"
    )
    for name, d in doc["scores"]["families"].items():
        out.append(
            f"| {escape(name)} | {_score(d['old'])} | {_score(d['new'])} | {_signed(d['delta'], '.1f')} |"
        )
    out.append("")
    for name in ("new", "regressed", "resolved", "disappeared", "not_assessed"):
        entries = doc["findings"][name]
        if not entries:
            continue
        out += [
            f"### {name.replace('_', ' ').capitalize()} ({len(entries)})",
            "",
            "| severity | rule | resource |",
            "|---|---|---|",
        ]
        out += [
            f"| {escape(e['severity'] or '-')} | {_code(e['rule_id'])} | "
            + (f"{_code(e['workload'])} " if e.get("workload") else "")
            + f"{_code(e['resource_id'])} |"
            for e in entries[:limit]
        ]
        if len(entries) > limit:
            out.append(f"| | | … and {len(entries) - limit} more |")
        out.append("")
    w = doc["waivers"]
    if w["added"] or w["expired"]:
        out += [f"Waivers: {len(w['added'])} added, {len(w['expired'])} expired or removed.", ""]
    return "\n".join(out)
