"""Waivers: accepted deviations, each with a rule, a resource (or pattern), a reason, an owner and an expiry.

A waiver file is a YAML list (or a mapping with a `waivers:` list) of entries:

    - rule: PUB001
      resource: /subscriptions/*/resourceGroups/rg-chat-test/providers/Microsoft.CognitiveServices/accounts/*
      justification: Public access stays on until the private DNS zone is delegated (CHG-1234).
      owner: platform-team@contoso.com
      expires: 2026-12-31

`resource` is an ARM id or a shell-style pattern (`*`, `?`, `[...]`), matched
case-insensitively against the whole id, like ARM compares ids. A waiver holds
through its expiry date; afterwards it no longer applies and the reports say so.
Only failing findings are waived; a waiver that waives nothing is stale.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from auditor.engine.registry import RULE_ID, all_rules
from auditor.errors import InputError
from auditor.files import read_text
from auditor.model import Finding, Status

FIELDS = ("rule", "resource", "justification", "owner", "expires")


@dataclass(frozen=True)
class Waiver:
    rule: str
    resource: str
    justification: str
    owner: str
    expires: date
    line: int = 0

    def matches(self, finding: Finding) -> bool:
        if finding.rule_id != self.rule:
            return False
        return fnmatch.fnmatchcase(finding.resource_id.lower(), self.resource.lower())

    def expired(self, today: date) -> bool:
        return today > self.expires

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "resource": self.resource,
            "justification": self.justification,
            "owner": self.owner,
            "expires": self.expires.isoformat(),
            "line": self.line,
        }


@dataclass
class WaiverReport:
    """What the waivers did in one audit: which applied, which expired, which matched nothing."""

    source: str
    today: date
    applied: list[tuple[Waiver, int]] = field(default_factory=list)
    expired: list[tuple[Waiver, int]] = field(default_factory=list)
    stale: list[Waiver] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def entry(w: Waiver, count: int) -> dict[str, Any]:
            return {**w.to_dict(), "matched": count}

        return {
            "file": self.source,
            "evaluated_on": self.today.isoformat(),
            "applied": [entry(w, n) for w, n in self.applied],
            "expired": [entry(w, n) for w, n in self.expired],
            "stale": [entry(w, 0) for w in self.stale],
        }


def today_utc() -> date:
    return datetime.now(UTC).date()


def load_waivers(path: str | Path) -> tuple[list[Waiver], str]:
    """Read and strictly validate a waiver file; errors name the file and the line at fault."""
    p = Path(path)
    return parse_waivers(read_text(p, "waiver file"), str(p)), str(p)


def parse_waivers(text: str, source: str = "<waivers>") -> list[Waiver]:
    try:
        # compose keeps the line of every node, so that each error can point at its line
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise InputError(f"{source}{where}: {problem}") from None
    if root is None:
        return []
    entries = root
    if isinstance(root, yaml.MappingNode):
        keys = {_scalar(k): v for k, v in root.value}
        if set(keys) != {"waivers"}:
            raise InputError(
                f"{source}:{_line(root)}: expected a list of waivers (or a single 'waivers:' key)"
            )
        entries = keys["waivers"]
    if isinstance(entries, yaml.ScalarNode) and entries.tag == "tag:yaml.org,2002:null":
        return []
    if not isinstance(entries, yaml.SequenceNode):
        raise InputError(f"{source}:{_line(entries)}: expected a list of waivers")
    return [_parse_entry(node, index, source) for index, node in enumerate(entries.value, start=1)]


def _parse_entry(node: yaml.Node, index: int, source: str) -> Waiver:
    where = f"{source}:{_line(node)}: waiver #{index}"
    if not isinstance(node, yaml.MappingNode):
        raise InputError(f"{where}: expected a mapping with {', '.join(FIELDS)}")
    values: dict[str, tuple[Any, yaml.Node]] = {}
    for key_node, value_node in node.value:
        key = _scalar(key_node)
        if key not in FIELDS:
            raise InputError(
                f"{source}:{_line(key_node)}: waiver #{index}: unknown key {key!r}"
                f" (allowed: {', '.join(FIELDS)})"
            )
        if key in values:
            raise InputError(f"{source}:{_line(key_node)}: waiver #{index}: duplicate key {key!r}")
        try:
            value = yaml.SafeLoader("").construct_object(value_node, deep=True)
        except (ValueError, yaml.YAMLError):  # e.g. 2030-02-30, which YAML reads as a date
            value = None
        values[key] = (value, value_node)
    missing = [k for k in FIELDS if k not in values]
    if missing:
        raise InputError(f"{where}: missing {', '.join(repr(k) for k in missing)}")

    def text_field(key: str) -> str:
        value, value_node = values[key]
        if not isinstance(value, str) or not value.strip():
            raise InputError(
                f"{source}:{_line(value_node)}: waiver #{index}: {key!r} must be a non-empty string"
            )
        return value.strip()

    rule = text_field("rule")
    if not RULE_ID.match(rule):
        raise InputError(
            f"{source}:{_line(values['rule'][1])}: waiver #{index}:"
            f" 'rule' {rule!r} is not a rule id like PUB001"
        )
    if rule not in all_rules():
        raise InputError(f"{source}:{_line(values['rule'][1])}: waiver #{index}: unknown rule id {rule}")
    expires, expires_node = values["expires"]
    if isinstance(expires, str):
        try:
            expires = date.fromisoformat(expires.strip())
        except ValueError:
            expires = None
    if not isinstance(expires, date) or isinstance(expires, datetime):
        raise InputError(
            f"{source}:{_line(expires_node)}: waiver #{index}: 'expires' must be a date (YYYY-MM-DD)"
        )
    return Waiver(
        rule=rule,
        resource=text_field("resource"),
        justification=text_field("justification"),
        owner=text_field("owner"),
        expires=expires,
        line=_line(node),
    )


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _scalar(node: yaml.Node) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else f"<{type(node).__name__}>"


def apply_waivers(
    findings: Iterable[Finding], waivers: list[Waiver], source: str, today: date | None = None
) -> WaiverReport:
    """Mark failing findings that a current waiver covers as `waived`; note expired and stale waivers.

    The first current waiver in file order that matches a finding is the one recorded on it.
    """
    today = today or today_utc()
    report = WaiverReport(source=source, today=today)
    counts = [0] * len(waivers)
    for finding in findings:
        if finding.status is not Status.FAIL:
            continue
        matching = [i for i, w in enumerate(waivers) if w.matches(finding)]
        for i in matching:
            counts[i] += 1
        current = [waivers[i] for i in matching if not waivers[i].expired(today)]
        if current:
            finding.status = Status.WAIVED
            finding.waiver = _finding_waiver(current[0], expired=False)
        elif matching:
            # The finding stays failing; the reports show which waiver lapsed.
            finding.waiver = _finding_waiver(waivers[matching[0]], expired=True)
    for index, waiver in enumerate(waivers):
        if waiver.expired(today):
            report.expired.append((waiver, counts[index]))
        elif counts[index]:
            report.applied.append((waiver, counts[index]))
        else:
            report.stale.append(waiver)
    return report


def _finding_waiver(waiver: Waiver, expired: bool) -> dict[str, Any]:
    return {
        "justification": waiver.justification,
        "owner": waiver.owner,
        "expires": waiver.expires.isoformat(),
        "expired": expired,
        "pattern": waiver.resource,
    }
