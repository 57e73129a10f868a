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

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from auditor.engine import strict_yaml
from auditor.engine.registry import RULE_ID, all_rules
from auditor.errors import InputError
from auditor.files import read_text
from auditor.model import Finding, Status, Waiver, WaiverReport

__all__ = ["FIELDS", "Waiver", "WaiverReport", "apply_waivers", "load_waivers", "parse_waivers", "today_utc"]

FIELDS = ("rule", "resource", "justification", "owner", "expires")


def today_utc() -> date:
    """Today's date in UTC, the calendar waivers expire by."""
    return datetime.now(UTC).date()


def load_waivers(path: str | Path) -> tuple[list[Waiver], str]:
    """Read and strictly validate a waiver file; errors name the file and the line at fault."""
    p = Path(path)
    return parse_waivers(read_text(p, "waiver file"), str(p)), str(p)


def parse_waivers(text: str, source: str = "<waivers>") -> list[Waiver]:
    """Parse the text of a waiver file; `source` names it in errors."""
    # compose keeps the line of every node, so that each error can point at its line; each entry
    # checks its own duplicate keys below, to name the waiver as well
    root = strict_yaml.compose(text, source, duplicates=False)
    if root is None:
        return []
    entries = root
    if isinstance(root, yaml.MappingNode):
        keys = {_scalar(k): v for k, v in root.value}
        if set(keys) != {"waivers"} or len(root.value) != 1:
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
        except (ValueError, OverflowError, yaml.YAMLError):  # e.g. 2030-02-30, which YAML reads as a date
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
) -> tuple[tuple[Finding, ...], WaiverReport]:
    """The findings with waivers applied, and what each waiver did.

    A failing finding that a current waiver covers becomes `waived`; one that only an
    expired waiver covers stays failing and carries that waiver. The first matching
    waiver in file order is the one recorded on a finding.
    """
    today = today or today_utc()
    counts = [0] * len(waivers)
    out: list[Finding] = []
    for finding in findings:
        if finding.status is Status.FAIL:
            finding = _waived(finding, waivers, counts, today)
        out.append(finding)
    applied: list[tuple[Waiver, int]] = []
    expired: list[tuple[Waiver, int]] = []
    stale: list[Waiver] = []
    for index, waiver in enumerate(waivers):
        if waiver.expired(today):
            expired.append((waiver, counts[index]))
        elif counts[index]:
            applied.append((waiver, counts[index]))
        else:
            stale.append(waiver)
    report = WaiverReport(
        source=source, today=today, applied=tuple(applied), expired=tuple(expired), stale=tuple(stale)
    )
    return tuple(out), report


def _waived(finding: Finding, waivers: list[Waiver], counts: list[int], today: date) -> Finding:
    matching = [i for i, w in enumerate(waivers) if w.matches(finding)]
    for i in matching:
        counts[i] += 1
    current = [waivers[i] for i in matching if not waivers[i].expired(today)]
    if current:
        return replace(finding, status=Status.WAIVED, waiver=_finding_waiver(current[0], expired=False))
    if matching:
        # The finding stays failing; the reports show which waiver lapsed.
        return replace(finding, waiver=_finding_waiver(waivers[matching[0]], expired=True))
    return finding


def _finding_waiver(waiver: Waiver, expired: bool) -> dict[str, Any]:
    return {
        "justification": waiver.justification,
        "owner": waiver.owner,
        "expires": waiver.expires.isoformat(),
        "expired": expired,
        "pattern": waiver.resource,
    }
