"""Merge the JSON reports of shards (one audit split by subscription) into one report.

The findings, roles and failed reads of every shard, with the scores, coverage and family tallies
computed again from the merged findings, each under the weights of its workload's baseline (shards of
a tenant hold workloads of several variants, each judged with its own baseline). The merge is generic over the
report's blocks, so that fields a newer report carries (per finding or as blocks of their own) pass
through: lists are joined (an item given twice is kept once), objects merged key by key. A gate
applied to a shard does not hold for the whole: the merged report has none (`auditor gate` applies one).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from auditor.arm import ids
from auditor.engine.baseline import Baseline
from auditor.engine.scoring import ScoreCard, combine, score
from auditor.engine.workloads import finish_merged, rename_merged
from auditor.errors import MergeConflictError
from auditor.model import Control, Finding, Level, Severity, Status, sort_key

__all__ = ["merge_reports"]

# Blocks computed again from the merged findings, or that only hold for one shard.
_RECOMPUTED = ("score", "coverage", "summary", "controls", "gate")
# Blocks that must agree between the shards.
_SAME = ("schema_version",)


def merge_reports(
    shards: Sequence[tuple[str, Mapping[str, Any]]], baselines: Mapping[str, Baseline]
) -> dict[str, Any]:
    """One report of every shard's (name, report); the shards must share the schema, and `baselines`
    holds (by name) every baseline their workloads were judged with."""
    if not shards:
        raise MergeConflictError("nothing to merge")
    first_name, first = shards[0]
    for name, report in shards[1:]:
        for key in _SAME:
            if report.get(key) != first.get(key):
                raise MergeConflictError(
                    f"{name} and {first_name} differ in {key} ({_short(report.get(key))} and "
                    f"{_short(first.get(key))}): merge reports of one audit only"
                )
    _check_overlaps(shards)
    shards = _without_empty_shards(shards)
    # Workloads are told apart by identity, not by their short names (hub-chat of two subscriptions).
    shards = rename_merged(shards)
    merged: dict[str, Any] = {}
    for key in dict.fromkeys(k for _, r in shards for k in r):
        if key in _RECOMPUTED:
            continue
        values = [r[key] for _, r in shards if key in r]
        merged[key] = _merge_values(key, values)
    merged["scope"] = _scope([r.get("scope") or {} for _, r in shards])
    merged["generated_at"] = max(str(r.get("generated_at", "")) for _, r in shards)
    findings = sorted(merged.get("findings", []), key=lambda f: sort_key(_finding(f)))
    merged["findings"] = findings
    card = _combined(findings, shards, baselines)
    scored = {
        "score": card.score,
        "coverage": card.coverage,
        "summary": {**card.overall.to_dict(), "recommended_failed": card.recommended_failed},
        "controls": {c.value: t.to_dict() for c, t in card.controls.items()},
    }
    # The report's own key order: the scores after generated_at, as an audit writes them.
    out: dict[str, Any] = {}
    for key in merged:
        out[key] = merged[key]
        if key == "generated_at":
            out.update(scored)
    out.update({k: v for k, v in scored.items() if k not in out})
    return finish_merged(out)


def _combined(
    findings: Sequence[Mapping[str, Any]],
    shards: Sequence[tuple[str, Mapping[str, Any]]],
    baselines: Mapping[str, Baseline],
) -> ScoreCard:
    """The card of every finding, each scored with its workload's baseline, as an audit combines them."""
    judged_with: dict[str, str] = {}
    # A finding of no workload (a report of one estate) is scored with its own shard's baseline; the
    # merged findings are the shards' own objects (lists are joined, not copied), so identity finds it.
    shard_of: dict[int, str] = {}
    for _, report in shards:
        own = str((report.get("baseline") or {}).get("name", ""))
        for w in report.get("workloads") or []:
            judged_with[str(w.get("id") or w.get("name"))] = str((w.get("baseline") or {}).get("name") or own)
        for f in report.get("findings") or []:
            shard_of.setdefault(id(f), own)
    first = str((shards[0][1].get("baseline") or {}).get("name", ""))
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        key = str(f.get("workload_id") or f.get("workload") or "")
        name = judged_with.get(key, first) if key else shard_of.get(id(f), first)
        groups.setdefault(name, []).append(_finding(f))
    cards = []
    for name, members in groups.items():
        if name not in baselines:
            raise MergeConflictError(f"baseline {name} of the reports is not installed: it cannot be scored")
        cards.append(score(members, {rid: s.weight for rid, s in baselines[name].rules.items()}))
    return cards[0] if len(cards) == 1 else combine(cards)


def _without_empty_shards(
    shards: Sequence[tuple[str, Mapping[str, Any]]],
) -> list[tuple[str, Mapping[str, Any]]]:
    """The shards as one audit of all their subscriptions would see them: once any shard found a
    workload, a shard that found none holds only resources of no workload (its `out_of_scope`, its
    subscriptions and failed reads), not the findings of judging its whole estate, nor a
    `no_workload` note that would fail the gate of the tenant."""
    if not any(r.get("workloads") for _, r in shards):
        return list(shards)
    dropped = ("findings", "roles", "rules", "no_workload", "baseline", "baselines", "tenant", "workloads")
    judged = [(n, r) for n, r in shards if r.get("workloads")]
    empty = [
        (n, {k: v for k, v in r.items() if k not in dropped}) for n, r in shards if not r.get("workloads")
    ]
    return judged + empty


def _short(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)[:120]


def _check_overlaps(shards: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
    """A subscription two shards judged must have been judged alike."""
    owner: dict[str, tuple[str, list[str]]] = {}
    for name, report in shards:
        mine: dict[str, list[str]] = {}
        for sub in (report.get("scope") or {}).get("subscriptions") or []:
            mine.setdefault(str(sub).lower(), [])
        for f in report.get("findings") or []:
            sub = (ids.subscription_of(str(f.get("resource_id", ""))) or "").lower()
            if sub:
                mine.setdefault(sub, []).append(json.dumps(f, sort_keys=True, default=str))
        for sub, texts in mine.items():
            texts.sort()
            if sub in owner and owner[sub][1] != texts:
                raise MergeConflictError(
                    f"{name} and {owner[sub][0]} both judged subscription {sub}, with different findings:"
                    " merge the shards of one audit only"
                )
            owner.setdefault(sub, (name, texts))


def _merge_values(key: str, values: list[Any]) -> Any:
    """Lists joined without repeats (rules by id), objects merged key by key, other values: the first."""
    if all(isinstance(v, list) for v in values):
        seen: set[str] = set()
        out: list[Any] = []
        for items in values:
            for item in items:
                ident = (
                    f"rule:{item['id']}"
                    if key == "rules" and isinstance(item, dict) and "id" in item
                    else json.dumps(item, sort_keys=True, default=str)
                )
                if ident not in seen:
                    seen.add(ident)
                    out.append(item)
        return out
    if all(isinstance(v, dict) for v in values):
        keys = dict.fromkeys(k for v in values for k in v)
        return {k: _merge_values(k, [v[k] for v in values if k in v]) for k in keys}
    return values[0]


def _scope(scopes: list[Mapping[str, Any]]) -> dict[str, Any]:
    """The shards' scopes as one: every subscription, the resources of all, partial when one was."""
    out: dict[str, Any] = dict(_merge_values("scope", list(scopes)))
    sources = list(dict.fromkeys(str(s.get("source", "")) for s in scopes))
    out["source"] = sources[0] if len(sources) == 1 else f"merge of {len(scopes)} reports"
    subs = {str(s).lower(): str(s) for sc in scopes for s in sc.get("subscriptions") or []}
    out["subscriptions"] = sorted(subs.values(), key=str.lower)
    out["resources"] = sum(int(s.get("resources") or 0) for s in scopes)
    if any(s.get("partial") is True for s in scopes):
        out["partial"] = True
    return out


def _finding(data: Mapping[str, Any]) -> Finding:
    """The finding a report's item describes, enough to sort and score it."""
    return Finding(
        rule_id=str(data["rule_id"]),
        control=Control(data["control"]),
        resource_id=str(data["resource_id"]),
        resource_type=str(data.get("resource_type", "")),
        status=Status(data["status"]),
        severity=Severity(data["severity"]),
        title=str(data.get("title", "")),
        message=str(data.get("message", "")),
        expected=data.get("expected"),
        actual=data.get("actual"),
        remediation=str(data.get("remediation", "")),
        level=Level(data.get("level", Level.REQUIRED.value)),
    )
