"""JUnit XML for Azure DevOps "Publish Test Results" and GitHub test reporters.

One `testsuite` per control family, one `testcase` per (rule, resource) of a
*required* rule: failing -> `failure` (message, expected/actual, remediation), not
assessed -> `skipped`, waived -> `skipped` with the waiver (an accepted deviation is
neither a pass nor a failure), rule error -> `error`.

Findings of *recommended* rules are left out, whatever their status: the gate never
fails on them, so neither may "Publish Test Results" (which, set to fail on failed
tests, fails on any `failure`), and counting them as passes or skips would make the
test counts disagree with the console headline. So the counts match the headline
and the console's family table, per suite and in total: tests = passed + failed +
skipped + errors, failures = failed, skipped = not assessed + waived, errors = errors.
The other reports list the recommendations.
The element and attribute set is the common subset that Ant, Jenkins, Azure
DevOps and GitHub reporters read.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from itertools import groupby
from typing import Any

from auditor.model import AuditReport, Control, Finding, Level, Status

from . import PLAIN, RenderOptions
from .neutral import printable

# Characters XML 1.0 cannot carry at all; Azure strings are not guaranteed to be free of them.
_INVALID_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: Any) -> str:
    """The text with the characters XML 1.0 cannot carry, other control characters and direction
    overrides (CI logs print these messages on a terminal) replaced by U+FFFD."""
    return _INVALID_XML.sub("\ufffd", printable(text))


def render(result: AuditReport, options: RenderOptions = PLAIN) -> str:
    """The JUnit XML document: one suite per control family, one case per finding of a required rule."""
    timestamp = result.generated_at.rstrip("Z")
    tool = result.tool.name
    root = ET.Element("testsuites", name=f"{tool} {clean(result.baseline.name)}")
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    order = list(Control)
    required = [f for f in result.findings if f.level is Level.REQUIRED]
    findings = sorted(required, key=lambda f: order.index(f.control))
    # Several workloads: a case names its workload, so that copies of one resource name stay apart.
    several = len(result.workloads) > 1
    for control, group in groupby(findings, key=lambda f: f.control):
        cases = list(group)
        suite = ET.SubElement(root, "testsuite", name=control.value, timestamp=timestamp, time="0")
        counts = dict.fromkeys(totals, 0)
        props = ET.SubElement(suite, "properties")
        ET.SubElement(
            props,
            "property",
            name="baseline",
            value=clean(f"{result.baseline.name} {result.baseline.version}"),
        )
        tally = result.card.controls.get(control)
        if tally is not None and tally.score is not None:
            ET.SubElement(props, "property", name="score", value=f"{tally.score:.1f}")
        if result.workloads:
            names = ", ".join(w.name for w in result.workloads)
            ET.SubElement(props, "property", name="workloads" if several else "workload", value=clean(names))
        seen: dict[tuple[str, str], int] = {}
        for f in cases:
            counts["tests"] += 1
            _testcase(suite, f, counts, seen, tool, several)
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _testcase(
    suite: ET.Element,
    f: Finding,
    counts: dict[str, int],
    seen: dict[tuple[str, str], int],
    tool: str,
    several: bool = False,
) -> None:
    name = clean(f"{f.rule_id} {f.resource_id or '(estate)'}")
    if several and f.workload:
        name = clean(f"[{f.workload}] {name}")
    classname = clean(f"{tool}.{f.control.value}.{f.rule_id}")
    # Readers key results by (classname, name): a rule with two verdicts on one resource needs two names.
    seen[(classname, name)] = seen.get((classname, name), 0) + 1
    if seen[(classname, name)] > 1:
        name = f"{name} #{seen[(classname, name)]}"
    case = ET.SubElement(suite, "testcase", name=name, classname=classname, time="0")
    label = f"[{f.severity.value}] {f.title}"
    if f.status is Status.FAIL:
        counts["failures"] += 1
        failure = ET.SubElement(
            case, "failure", message=clean(f"{label}: {f.message}"), type=f.severity.value
        )
        failure.text = clean(_details(f))
    elif f.status is Status.ERROR:
        counts["errors"] += 1
        error = ET.SubElement(case, "error", message=clean(f.message), type="rule-error")
        error.text = clean(f.message)
    elif f.status is Status.NOT_ASSESSED:
        counts["skipped"] += 1
        ET.SubElement(case, "skipped", message=clean(f"not assessed: {f.message}"))
    elif f.status is Status.WAIVED:
        counts["skipped"] += 1
        w = f.waiver or {}
        ET.SubElement(
            case,
            "skipped",
            message=clean(
                f"waived until {w.get('expires', '?')} by {w.get('owner', '?')}: {w.get('justification', '')}"
            ),
        )
    out = ET.SubElement(case, "system-out")
    out.text = clean(f"{f.title}\nresource: {f.resource_id}\n{f.message}")


def _details(f: Finding) -> str:
    lines = [
        f.message,
        f"resource: {f.resource_id}",
        f"expected: {_value(f.expected)}",
        f"actual: {_value(f.actual)}",
        f"remediation: {f.remediation}",
    ]
    if f.rationale:
        lines.append(f"why: {f.rationale}")
    if f.waiver and f.waiver.get("expired"):
        lines.append(f"waiver expired on {f.waiver.get('expires')}: {f.waiver.get('justification')}")
    return "\n".join(lines)


def _value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)
