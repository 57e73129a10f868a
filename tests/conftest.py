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

BASELINES = {"aistudio": "openai-e2e-chat-aistudio", "aml": "openai-e2e-chat-aml"}


@pytest.fixture(autouse=True)
def _no_default_subscription(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A developer's AZURE_SUBSCRIPTION_ID or Azure CLI login must not make a usage-error test read Azure."""
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    monkeypatch.setenv("AZURE_CONFIG_DIR", str(tmp_path_factory.mktemp("no-azure-cli")))


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
