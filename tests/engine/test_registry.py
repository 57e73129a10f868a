"""The rule framework: per-resource rules are enumerated by the engine, in id order, with their gaps."""

from __future__ import annotations

import copy
from typing import Any

from auditor.analysis.architecture import infer_roles
from auditor.arm.estate import Estate
from auditor.arm.reads import ReadLog
from auditor.arm.snapshot import Snapshot
from auditor.engine.registry import Context, all_rules
from auditor.model import Result, Status
from tests import estates

VAULTS = "Microsoft.KeyVault/vaults"


def run_rule(
    rule_id: str, resources: list[dict[str, Any]], collected: list[str] | None = None
) -> list[Result]:
    document = estates.snapshot_document(resources, "aml", drifted=False)
    if collected is not None:
        document["collected_types"] = collected
    estate = Estate(Snapshot.from_data(document))
    reads = ReadLog()
    seen = estate.reading(reads)
    rule = all_rules()[rule_id]
    params = rule.params() if rule.params is not None else None  # the defaults
    ctx = Context(estate=seen, roles=infer_roles(estate).reading(seen), params=params, reads=reads)
    return rule.run(ctx)


def test_a_per_resource_rule_declares_its_type_and_estate_wide_rules_do_not() -> None:
    rules = all_rules()
    assert rules["PUB014"].resource_type == VAULTS
    assert rules["NSG001"].resource_type is None and rules["IAM001"].resource_type is None


def test_the_engine_judges_every_resource_of_the_type_in_id_order() -> None:
    resources = estates.compliant("aml")
    vault = next(r for r in resources if r["type"] == VAULTS)
    second = copy.deepcopy(vault)
    second["id"] = vault["id"][: -len(vault["name"])] + "aaa-first"
    second["name"] = "aaa-first"
    results = run_rule("PUB014", [*resources, second])
    assert [r.resource_id for r in results] == sorted((vault["id"], second["id"]), key=str.lower)


def test_the_engine_reports_a_type_that_was_not_collected() -> None:
    resources = [r for r in estates.compliant("aml") if r["type"] != VAULTS]
    collected = [t for t in estates.COLLECTED_TYPES if t != VAULTS]
    results = run_rule("PUB006", resources, collected)
    assert [r.status for r in results] == [Status.NOT_ASSESSED]
    assert "Key vaults were not collected" in results[0].message
