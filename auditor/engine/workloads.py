"""Judge each workload of an estate on its own: its own sub-estate, baseline, roles and scores.

`analysis.workloads` says which resources form which workload; here each workload's resources
are cut out of the snapshot (`arm.scope.select`), judged with the baseline of its variant (or
the one forced with --baseline), and the results put together: the findings of every workload
(each marked with its workload), the waivers applied once over all of them, a score card per
workload, and the tenant summary on top (the sum of the workloads' tallies). A scope without
any instance of the architecture is still judged as one estate, as before, and the report says
that no workload was found: the gate fails on it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from auditor.analysis.workloads import (
    AISTUDIO,
    AML,
    FOUNDRY,
    Definition,
    Discovery,
    Workload,
    defined,
    discover,
    short_names,
)
from auditor.arm import ids
from auditor.arm.estate import Estate
from auditor.arm.scope import Cutter
from auditor.arm.snapshot import Snapshot
from auditor.engine.baseline import DEFAULT_BASELINE, Baseline, load_baseline
from auditor.engine.describe import baseline_info, rule_infos
from auditor.engine.run import run_audit, scope_of
from auditor.engine.scoring import combine, score
from auditor.errors import InputError, MergeConflictError
from auditor.model import AuditReport, BaselineInfo, Finding, ScoreCard, ToolInfo, WorkloadReport, sort_key

if TYPE_CHECKING:
    from auditor.engine.waivers import Waiver

__all__ = ["BASELINE_OF_VARIANT", "Selection", "run_workloads"]

# The baseline each variant is judged with when --baseline is not given.
BASELINE_OF_VARIANT = {
    AML: "openai-e2e-chat-aml",
    AISTUDIO: "openai-e2e-chat-aistudio",
    FOUNDRY: "microsoft-foundry-chat",
}
_VARIANT_WORDS = {
    AML: "the Azure Machine Learning workspace variant",
    AISTUDIO: "the AI Studio hub variant",
    FOUNDRY: "the Foundry Agent Service design",
}


@dataclass(frozen=True)
class Selection:
    """Which workloads to judge: a definition file's (else discovery's), only those named (if any)."""

    definitions: tuple[Definition, ...] | None = None
    names: tuple[str, ...] = ()


def find(estate: Estate, selection: Selection) -> Discovery:
    """The workloads to judge: discovered or defined, narrowed to the names asked for."""
    found = defined(estate, selection.definitions) if selection.definitions is not None else discover(estate)
    if not selection.names:
        return found
    # A workload is named by its short name or by its identity (subscription/group/core name).
    known = {k.lower(): w for w in found.workloads for k in (w.name, w.id) if k}
    unknown = [n for n in selection.names if n.lower() not in known]
    if unknown:
        listed = ", ".join(w.name for w in found.workloads) or "none"
        raise InputError(f"workload {', '.join(unknown)} not found in the estate (its workloads: {listed})")
    wanted = {known[n.lower()].name.lower() for n in selection.names}
    kept = tuple(w for w in found.workloads if w.name.lower() in wanted)
    placements = tuple(p for p in found.placements if p.workload is None or p.workload.lower() in wanted)
    return replace(found, workloads=kept, placements=placements)


def run_workloads(
    snapshot: Snapshot,
    forced: Baseline | None,
    source: str,
    selection: Selection = Selection(),
    waivers: tuple[list[Waiver], str] | None = None,
    today: date | None = None,
    previous: Mapping[str, Any] | None = None,
    tool: ToolInfo | None = None,
) -> AuditReport:
    """Find the workloads and judge each with its baseline; `forced` is --baseline (None: by variant)."""
    try:
        estate = Estate(snapshot)
        found = find(estate, selection)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise InputError(f"malformed resource in the snapshot: {type(exc).__name__}: {exc}") from None
    if not found.workloads:
        # Judged as one estate, as before (absent components fail), and marked: the gate fails on it.
        baseline = forced or load_baseline(DEFAULT_BASELINE)
        report = run_audit(
            snapshot, baseline, source, waivers=waivers, today=today, previous=previous, tool=tool
        )
        note = found.note or "no workload of the definition file was selected"
        return replace(report, placements=found.placements, discovery=found.method, no_workload=note)
    # Indexed once: cutting each workload out by a scan of the snapshot would grow with workloads x resources.
    cutter = Cutter(snapshot)
    # One load and one description per baseline, not per workload.
    loaded: dict[str, Baseline] = {}
    described: dict[int, BaselineInfo] = {}
    parts = [_judge(cutter, w, forced, source, tool, loaded, described) for w in found.workloads]
    findings: tuple[Finding, ...] = tuple(f for part in parts for f in part.report.findings)
    waiver_report = None
    if waivers is not None:
        from auditor.engine.waivers import apply_waivers

        findings, waiver_report = apply_waivers(findings, waivers[0], waivers[1], today)
    findings = tuple(sorted(findings, key=sort_key))
    summaries = []
    by_workload: dict[str, list[Finding]] = {}
    for f in findings:
        by_workload.setdefault(f.workload_id, []).append(f)
    for part in parts:
        own = by_workload.get(part.workload.id or part.workload.name, [])
        weights = {rid: s.weight for rid, s in part.baseline.rules.items()}
        summaries.append(_summary(part, score(own, weights)))
    summaries.sort(key=lambda s: (s.card.score, s.card.coverage, s.name.lower()))
    first = parts[0]
    several = len(parts) > 1
    # With several baselines the report's own is the first workload's; each workload names its own.
    baseline = forced or first.baseline
    rules = rule_infos(baseline) if not several else _union_rules(parts)
    roles = tuple(
        replace(r, workload=p.workload.name) if several else r for p in parts for r in p.report.roles
    )
    scope = {**scope_of(snapshot, source), "workloads": len(parts)}
    card = summaries[0].card if not several else combine(s.card for s in summaries)
    return AuditReport(
        tool=first.report.tool,
        baseline=baseline_info(baseline),
        rules=rules,
        findings=findings,
        card=card,
        roles=roles,
        scope=scope,
        generated_at=first.report.generated_at,
        collection_errors=tuple(e.to_dict() for e in snapshot.errors),
        waivers=waiver_report,
        previous=previous,
        workloads=tuple(summaries),
        placements=found.placements,
        discovery=found.method,
    )


@dataclass(frozen=True)
class _Part:
    workload: Workload
    baseline: Baseline
    baseline_reason: str
    mismatch: str
    report: AuditReport
    snapshot: Snapshot


def _judge(
    cutter: Cutter,
    workload: Workload,
    forced: Baseline | None,
    source: str,
    tool: ToolInfo | None,
    loaded: dict[str, Baseline],
    described: dict[int, BaselineInfo],
) -> _Part:
    own = cutter.cut(workload.members, workload.name)
    mismatch = ""
    if forced is not None:
        baseline = forced
        reason = f"{forced.name}, given with --baseline"
        if workload.variant and forced.variant != workload.variant:
            expected = BASELINE_OF_VARIANT.get(workload.variant, DEFAULT_BASELINE)
            mismatch = (
                f"workload {workload.name} is {_VARIANT_WORDS.get(workload.variant, workload.variant)} "
                f"({workload.variant_reason}) but is judged with {forced.name} ({forced.variant}); "
                f"its baseline is {expected}"
            )
    elif workload.variant:
        baseline = _load(BASELINE_OF_VARIANT[workload.variant], loaded)
        reason = (
            f"{baseline.name}, the baseline of {_VARIANT_WORDS[workload.variant]}: {workload.variant_reason}"
        )
    else:
        baseline = _load(DEFAULT_BASELINE, loaded)
        reason = f"{baseline.name}, the default: {workload.variant_reason}"
    # Keyed by identity: `loaded` (or the caller, for `forced`) keeps every baseline alive meanwhile.
    if id(baseline) not in described:
        described[id(baseline)] = baseline_info(baseline)
    report = run_audit(
        own,
        baseline,
        source,
        tool=tool,
        workload=workload.name,
        workload_id=workload.id or workload.name,
        described=described[id(baseline)],
    )
    return _Part(workload, baseline, reason, mismatch, report, own)


def _load(name: str, loaded: dict[str, Baseline]) -> Baseline:
    if name not in loaded:
        loaded[name] = load_baseline(name)
    return loaded[name]


def _summary(part: _Part, card: ScoreCard) -> WorkloadReport:
    subs = sorted({s for m in part.workload.members if (s := ids.subscription_of(m)) is not None})
    return WorkloadReport(
        name=part.workload.name,
        variant=part.workload.variant,
        variant_reason=part.workload.variant_reason,
        baseline=part.report.baseline,
        baseline_reason=part.baseline_reason,
        card=card,
        resources=len(part.snapshot.resources),
        core_id=part.workload.core_id,
        subscriptions=tuple(subs),
        mismatch=part.mismatch,
        roles=tuple(part.report.roles),
        id=part.workload.id or part.workload.name,
    )


def _union_rules(parts: Sequence[_Part]) -> tuple[Any, ...]:
    seen: dict[str, Any] = {}
    for part in parts:
        for info in part.report.rules:
            seen.setdefault(info.id, info)
    return tuple(seen.values())


def explain_lines(report: AuditReport) -> list[str]:
    """`--explain-roles`: where each resource was placed and why, then each workload's roles."""
    lines = []
    for p in report.placements:
        where = p.workload or "out of scope"
        shared = f" (shared with {', '.join(p.shared_with)})" if p.shared_with else ""
        lines.append(
            f"{'workload ' + where if p.workload else where:<30} {p.resource_id}  ({p.reason}){shared}"
        )
    for item in report.roles:
        prefix = f"[{item.workload}] " if item.workload else ""
        lines.append(f"{prefix}{item.role:<26} {item.resource_id}  ({item.reason})")
    return lines


# --- the definition file (--workloads FILE) ------------------------------------------------------

_DEFINITION_KEYS = {"name", "resources", "tags"}


def load_definitions(path: str) -> tuple[Definition, ...]:
    """Read a workload definition file strictly; any problem is a one-line input error naming where."""
    from pathlib import Path

    from auditor.engine import strict_yaml

    try:
        text = Path(path).read_bytes().decode("utf-8")
    except OSError as exc:
        raise InputError(f"cannot read workload definitions {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason})") from None
    return parse_definitions(strict_yaml.load(text, path), path)


def parse_definitions(data: Any, source: str) -> tuple[Definition, ...]:
    """The workloads of a parsed definition file: `workloads:`, a list of name, resources and/or tags."""
    if not isinstance(data, dict) or set(data) != {"workloads"}:
        raise InputError(f"{source}: expected one top-level key, workloads: a list of workloads")
    entries = data["workloads"]
    if not isinstance(entries, list) or not entries:
        raise InputError(f"{source}: workloads: expected a non-empty list")
    out: list[Definition] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        where = f"{source}: workloads[{index}]"
        if not isinstance(entry, dict):
            raise InputError(f"{where}: expected a mapping with name, resources and/or tags")
        unknown = sorted(str(k) for k in entry if k not in _DEFINITION_KEYS)
        if unknown:
            raise InputError(f"{where}: unknown key {', '.join(unknown)} (known: name, resources, tags)")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"{where}.name: expected a non-empty string")
        if name.lower() in seen:
            raise InputError(f"{where}.name: workload {name} is defined twice")
        seen.add(name.lower())
        resources = entry.get("resources", [])
        if not isinstance(resources, list) or not all(
            isinstance(r, str) and r.lower().startswith("/subscriptions/") for r in resources
        ):
            raise InputError(f"{where}.resources: expected a list of ARM ids (/subscriptions/...)")
        tags = entry.get("tags", {})
        if not isinstance(tags, dict) or not all(
            isinstance(k, str) and isinstance(v, (str, int, float, bool)) for k, v in tags.items()
        ):
            raise InputError(f"{where}.tags: expected a mapping of tag names to values")
        if not resources and not tags:
            raise InputError(f"{where}: give resources, tags or both")
        out.append(Definition(name.strip(), tuple(resources), {k: _tag_value(v) for k, v in tags.items()}))
    return tuple(out)


def _tag_value(value: Any) -> str:
    # YAML reads `env: true` as a boolean; Azure tag values are strings.
    return str(value).lower() if isinstance(value, bool) else str(value)


# --- merged reports (auditor merge) ---------------------------------------------------------------


def rename_merged(shards: Sequence[tuple[str, Mapping[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """The shards' JSON reports with every workload's short name unique across all of them.

    A workload is known by its identity (subscription/resource group/core name): `hub-chat` of two
    subscriptions is two workloads, shown as `<subscription>/rg-chat/hub-chat` each once merged (as one
    audit of both would name them). One identity judged differently by two shards is a conflict.
    """
    seen: dict[str, tuple[str, str]] = {}
    identities: list[str] = []
    for name, report in shards:
        for w in report.get("workloads") or []:
            ident = str(w.get("id") or w["name"])
            text = json.dumps({k: v for k, v in w.items() if k != "name"}, sort_keys=True, default=str)
            prior = seen.get(ident.lower())
            if prior is None:
                seen[ident.lower()] = (name, text)
                identities.append(ident)
            elif prior[1] != text:
                raise MergeConflictError(
                    f"{name} and {prior[0]} both judged workload {ident}, with different results:"
                    " merge the shards of one audit only"
                )
    shown = {k.lower(): v for k, v in short_names(identities).items()}
    out = []
    for name, report in shards:
        renamed = {
            str(w["name"]): shown[str(w.get("id") or w["name"]).lower()]
            for w in report.get("workloads") or []
        }
        doc = dict(report)
        doc["workloads"] = [{**w, "name": renamed[str(w["name"])]} for w in report.get("workloads") or []]
        for block in ("findings", "roles"):
            if isinstance(report.get(block), list):
                doc[block] = [_renamed_item(item, renamed) for item in report[block]]
        out.append((name, doc))
    return out


def _renamed_item(item: Any, renamed: Mapping[str, str]) -> Any:
    # A workload name the shard does not list is left as it is (a field of a newer report passes through).
    if not isinstance(item, dict) or str(item.get("workload") or "") not in renamed:
        return item
    return {**item, "workload": renamed[str(item["workload"])]}


def finish_merged(merged: dict[str, Any]) -> dict[str, Any]:
    """A merged report's workload blocks made whole again: worst first, the tenant summary and the
    baselines of all shards, and the top-level score and coverage the gate judges (the worst workload's)."""
    workloads = list(merged.get("workloads") or [])
    if not workloads and "tenant" not in merged:
        return merged
    workloads.sort(key=lambda w: (float(w["score"]), float(w["coverage"]), str(w["name"]).lower()))
    merged["workloads"] = workloads
    combined = {"score": merged.get("score"), "coverage": merged.get("coverage")}
    if workloads:
        merged["score"] = min(float(w["score"]) for w in workloads)
        merged["coverage"] = min(float(w["coverage"]) for w in workloads)
    by_sub: dict[str, list[Mapping[str, Any]]] = {}
    for w in workloads:
        for sub in w.get("subscriptions") or [""]:
            by_sub.setdefault(str(sub), []).append(w)
    subs = [
        {
            "subscription": sub,
            "score": min(float(w["score"]) for w in ws),
            "workloads": [{"name": w["name"], "score": w["score"], "coverage": w["coverage"]} for w in ws],
        }
        for sub, ws in by_sub.items()
    ]
    subs.sort(key=lambda s: (s["score"], s["subscription"]))
    tenant = dict(merged.get("tenant") or {})
    several = len(workloads) > 1
    tenant.update(
        {
            "workloads": len(workloads),
            "worst": workloads[0]["name"] if workloads else None,
            "score_of": "worst workload" if several else ("workload" if workloads else "estate"),
            "combined": combined,
            "subscriptions": subs,
        }
    )
    merged["tenant"] = tenant
    if "baselines" in merged:
        used: dict[tuple[str, str], dict[str, Any]] = {}
        for w in workloads:
            b = w.get("baseline") or {}
            entry = used.setdefault(
                (str(b.get("name")), str(b.get("version"))),
                {
                    "name": b.get("name"),
                    "version": b.get("version"),
                    "variant": b.get("variant"),
                    "workloads": [],
                },
            )
            entry["workloads"].append(w["name"])
        merged["baselines"] = list(used.values()) or merged["baselines"][:1]
    return merged
