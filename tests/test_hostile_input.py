"""Property tests: arbitrary and adversarial ARM JSON through the loader, the estate, every rule and renderer.

No exception escapes: the loader accepts a document or says why not (an input error), the
audit of whatever it accepted finishes (a rule that raises yields an `error` finding and the
rest goes on), and every report format renders it, encodable as UTF-8, with no control
character on the console and no markup of the data's own in HTML or Markdown.

Profiles: `ci` (the default, a few hundred examples in all) and `long` (for the figures in
docs/reliability.md; HYPOTHESIS_MAX_EXAMPLES sets the examples per test). Pick one with
HYPOTHESIS_PROFILE.
"""

from __future__ import annotations

import copy
import json
import math
import os
from functools import lru_cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.arm.estate import Estate
from auditor.arm.snapshot import Snapshot
from auditor.engine.baseline import Baseline, load_baseline
from auditor.engine.run import run_audit
from auditor.errors import InputError
from auditor.files import parse_json
from auditor.model import AuditReport, Status
from auditor.reports import Format, RenderOptions, render
from tests import estates

settings.register_profile(
    "ci", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile(
    "long",
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "1000")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
# Examples per test relative to the profile: the loader is cheap, a whole audit is not.
SCALE = {"loader": 8, "audit": 1}

# Strings an attacker who can name a resource or write a tag would pick.
HOSTILE = [
    "\x1b[2J\x1b[H",  # clear screen
    "\x1b]0;owned\x07",  # window title
    "\x1b]8;;https://evil.example\x07click\x1b]8;;\x07",  # OSC 8 link
    "\x9b31m",  # CSI as one C1 byte
    "\u202eevil\u202c",  # right-to-left override
    "\u2066x\u2069",  # isolate
    "\x00",
    "[bold]x[/bold]",
    "[link=https://evil.example]x[/link]",
    ":warning:",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "**x** _y_ [z](https://evil.example) | ` ~",
    '=HYPERLINK("https://evil.example")',
    "+1",
    "-1",
    "@SUM(A1)",
    "\tx",
    "\rx",
    "\ud800",  # lone surrogate (the live collector's json.loads can produce one)
]

_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(st.characters(codec=None, exclude_categories=()), max_size=20),
)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    _text,
)
_json = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(_text, st.sampled_from(["id", "type"])), inner, max_size=4),
    ),
    max_leaves=12,
)
_types = [t for t in estates.COLLECTED_TYPES]


@st.composite
def _ids(draw: st.DrawFn) -> str:
    """Resource ids with mixed case, trailing slashes and odd segments."""
    rtype = draw(st.sampled_from(_types))
    namespace, *kinds = rtype.split("/")
    parts = ["subscriptions", draw(st.sampled_from([estates.SUB, estates.SUB.upper(), "{sub}"]))]
    parts += ["resourceGroups", draw(st.sampled_from(["rg", "RG", "rg-chat", ""]))]
    parts += ["providers", namespace]
    for kind in kinds:
        parts += [kind, draw(st.sampled_from(["a", "A", "x y", "\u202ename", "[bold]n", "n/"]))]
    rid = "/" + "/".join(parts)
    if draw(st.booleans()):
        rid = rid.swapcase()
    return rid + draw(st.sampled_from(["", "/", "//"]))


@st.composite
def _resources(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = draw(
        st.dictionaries(st.sampled_from(["name", "kind", "location", "tags", "sku"]), _json)
    )
    if draw(st.integers(0, 9)):
        body["id"] = draw(_ids())
    if draw(st.integers(0, 3)):
        body["type"] = draw(st.one_of(st.sampled_from(_types), _scalars))
    body["properties"] = draw(st.one_of(_json, st.dictionaries(_text, _json, max_size=4)))
    return body


@lru_cache(maxsize=2)
def _sample(variant: str) -> str:
    return json.dumps(estates.compliant_snapshot(variant))


@lru_cache(maxsize=2)
def _baseline(variant: str) -> Baseline:
    return load_baseline(f"openai-e2e-chat-{variant}")


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a JSON value (keys and indexes)."""
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:5]):
            out += _paths(item, (*prefix, index))
    return out


@st.composite
def _mutated(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A sample estate with a few values somewhere in it replaced by adversarial ones."""
    variant = draw(st.sampled_from(estates.VARIANTS))
    doc = json.loads(_sample(variant))
    resources = doc["resources"]
    for _ in range(draw(st.integers(1, 6))):
        res = resources[draw(st.integers(0, len(resources) - 1))]
        paths = [p for p in _paths(res) if p and p[0] not in ("id",)]
        path = draw(st.sampled_from(paths))
        parent = res
        for step in path[:-1]:
            parent = parent[step]
        new = draw(st.one_of(_json, st.lists(_scalars, min_size=50, max_size=2000)))
        parent[path[-1]] = new
    for _ in range(draw(st.integers(0, 2))):
        resources.append(draw(_resources()))
    return variant, doc


def _check_renders(report: AuditReport) -> None:
    """Every format renders; the text is UTF-8; hostile strings are data, not markup or escapes."""
    for fmt in Format:
        for color in (False, True):
            if color and fmt is not Format.CONSOLE:
                continue
            text = render(fmt, report, RenderOptions(color=color, show_passed=True, verbose=True))
            text.encode("utf-8")  # no lone surrogate survives
            if fmt is Format.CONSOLE:
                # rich's own colour codes are ESC [ ... m; nothing else may reach the terminal
                stripped = text.replace("\x1b[0m", "")
                import re

                leftover = re.sub(r"\x1b\[[0-9;]*m", "", stripped)
                assert "\x1b" not in leftover and "\x07" not in leftover and "\u202e" not in leftover
            if fmt in (Format.HTML, Format.MARKDOWN):
                # the tags themselves, unescaped (escaped text may of course still read "onerror=")
                for needle in ("<script>alert", "<img src=x"):
                    at = text.find(needle)
                    assert at < 0, (fmt, text[max(0, at - 300) : at + 100])
            if fmt in (Format.JSON, Format.SARIF):
                json.loads(text)
    assert math.isfinite(report.card.score)


def _audit(doc: Any, variant: str) -> AuditReport | None:
    """The audit of a document, or None when the loader (or the estate's analysis) refused it."""
    try:
        snapshot = Snapshot.from_data(doc)
    except InputError:
        return None
    try:
        report = run_audit(snapshot, _baseline(variant), "hypothesis")
    except InputError as exc:
        assert "malformed resource in the snapshot" in str(exc)
        return None
    for finding in report.findings:
        assert finding.status in Status
    return report


@settings(
    settings.get_profile(PROFILE), max_examples=settings.get_profile(PROFILE).max_examples * SCALE["loader"]
)
@given(
    st.one_of(
        _json,
        st.lists(_resources(), max_size=5),
        st.fixed_dictionaries(
            {"resources": st.lists(_resources(), max_size=5)},
            optional={"format": _scalars, "errors": _json, "metadata": _json, "collected_types": _json},
        ),
    )
)
def test_the_loader_accepts_or_says_why(data: Any) -> None:
    try:
        snapshot = Snapshot.from_data(data)
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    Estate(snapshot)  # the index never raises on what the loader accepted
    for res in snapshot.resources:
        assert isinstance(res["id"], str) and isinstance(res["type"], str)


@settings(
    settings.get_profile(PROFILE), max_examples=settings.get_profile(PROFILE).max_examples * SCALE["loader"]
)
@given(st.one_of(_json.map(lambda v: json.dumps(v, allow_nan=False)), st.text(max_size=200)))
def test_json_text_parses_or_is_an_input_error(text: str) -> None:
    try:
        parse_json(text, "x.json")
    except InputError as exc:
        assert str(exc).startswith("x.json: ") and "\n" not in str(exc)


@settings(
    settings.get_profile(PROFILE), max_examples=settings.get_profile(PROFILE).max_examples * SCALE["audit"]
)
@given(st.lists(_resources(), min_size=1, max_size=8), st.sampled_from(estates.VARIANTS))
def test_arbitrary_resources_are_audited_and_rendered(resources: list[dict[str, Any]], variant: str) -> None:
    report = _audit({"resources": resources, "collected_types": estates.COLLECTED_TYPES}, variant)
    if report is not None:
        _check_renders(report)


@settings(
    settings.get_profile(PROFILE), max_examples=settings.get_profile(PROFILE).max_examples * SCALE["audit"]
)
@given(_mutated())
def test_a_sample_estate_with_adversarial_values_is_audited_and_rendered(
    case: tuple[str, dict[str, Any]],
) -> None:
    variant, doc = case
    report = _audit(copy.deepcopy(doc), variant)
    if report is not None:
        _check_renders(report)


@pytest.mark.parametrize("variant", estates.VARIANTS)
def test_a_rule_that_raises_costs_only_its_resource(variant: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A per-resource check that raises on one body: an `error` finding for it, every other verdict kept."""
    from auditor.engine.registry import all_rules

    rule = next(
        r for r in all_rules().values() if r.resource_type is not None and r.id in _baseline(variant).rules
    )
    doc = json.loads(_sample(variant))
    clean = run_audit(Snapshot.from_data(copy.deepcopy(doc)), _baseline(variant), "x")
    judged = [f for f in clean.findings if f.rule_id == rule.id and f.resource_id]
    assert len(judged) >= 1
    victim = judged[0].resource_id
    # The check is wrapped when the rule registers; make that resource's body raise inside it.
    for res in doc["resources"]:
        if res["id"] == victim:
            res["properties"] = _Exploding()
    report = run_audit(Snapshot.from_data(doc), _baseline(variant), "x")
    mine = {f.resource_id: f for f in report.findings if f.rule_id == rule.id}
    assert mine[victim].status is Status.ERROR and "rule raised" in mine[victim].message
    for f in judged[1:]:
        assert mine[f.resource_id].status is f.status
    # Every rule still reported (rules that read the body estate-wide say `error` once).
    assert {f.rule_id for f in report.findings} == {f.rule_id for f in clean.findings}


class _Exploding(dict[str, Any]):
    """A `properties` object that raises on every read, as a body no rule was written for might."""

    def get(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("unreadable")

    def __getitem__(self, key: str) -> Any:
        raise RuntimeError("unreadable")

    def __contains__(self, key: object) -> bool:
        raise RuntimeError("unreadable")

    def items(self) -> Any:
        raise RuntimeError("unreadable")
