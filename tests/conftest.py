"""Shared fixtures: the sample estates and a helper to audit a list of resources."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from auditor.arm.snapshot import Snapshot
from auditor.engine.baseline import Baseline, load_baseline
from auditor.engine.run import AuditReport, run_audit
from auditor.model import Finding
from tests import estates
from tests.fakearm import readonly, server

BASELINES = {
    "aistudio": "openai-e2e-chat-aistudio",
    "aml": "openai-e2e-chat-aml",
    "foundry": "microsoft-foundry-chat",
}


@pytest.fixture(autouse=True)
def _no_default_subscription(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A developer's AZURE_SUBSCRIPTION_ID or Azure CLI login must not make a usage-error test read Azure."""
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    monkeypatch.setenv("AZURE_CONFIG_DIR", str(tmp_path_factory.mktemp("no-azure-cli")))


# How much of the fake servers' request trail has been checked.
_checked = [0]


@pytest.fixture(autouse=True)
def _read_only(request: pytest.FixtureRequest) -> Any:
    """Every request a fake ARM server got during a test (and its fixtures) was a read, and no secret's.

    Requests made while the fixtures of a wider scope were set up count against the first test that
    used them; a test marked `writes_on_purpose` (the server's own refusal test) is skipped.
    """
    _check_trail("while setting up")
    yield
    if request.node.get_closest_marker("writes_on_purpose") is not None:
        _checked[0] = len(server.TRAIL)
        return
    _check_trail("")


def _check_trail(when: str) -> None:
    with server._TRAIL_LOCK:
        new = server.TRAIL[_checked[0] :]
        _checked[0] = len(server.TRAIL)
    found = readonly.violations(new)
    if found:
        pytest.fail(f"not read-only{' ' + when if when else ''}: " + "; ".join(found[:10]), pytrace=False)


def audit_resources(
    resources: list[dict[str, Any]],
    variant: str = "aistudio",
    errors: list[dict[str, Any]] | None = None,
    collected_types: list[str] | None = None,
    baseline: str | None = None,
    only: str | None = None,
) -> AuditReport:
    """Audit an estate (as the collector would have saved it) with a variant's baseline.

    `only` runs one rule of the baseline: rules are pure functions of the estate, so its
    findings are the same as in a whole audit, at a fraction of the cost (the case tables).
    """
    doc = estates.snapshot_document(resources, variant, drifted=False)
    doc["errors"] = errors or []
    if collected_types is not None:
        doc["collected_types"] = collected_types
    snapshot = Snapshot.from_data(doc)
    name = baseline or BASELINES[variant]
    chosen = _shipped(name) if name in BASELINES.values() else load_baseline(name)
    if only is not None:
        chosen = replace(chosen, rules={only: chosen.rules[only]})
    return run_audit(snapshot, chosen, "test")


@functools.cache
def _shipped(name: str) -> Baseline:
    """A shipped baseline, parsed once per test process (nothing changes a loaded baseline)."""
    return load_baseline(name)


def findings_of(result: AuditReport, rule_id: str) -> list[Finding]:
    return [f for f in result.findings if f.rule_id == rule_id]


@pytest.fixture(params=estates.VARIANTS)
def variant(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def compliant() -> Callable[[str], list[dict[str, Any]]]:
    """A fresh, mutable compliant estate for a variant."""
    cache = {v: estates.compliant(v) for v in estates.VARIANTS}
    return lambda v: copy.deepcopy(cache[v])
