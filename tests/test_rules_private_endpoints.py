"""Private-endpoint rules (PE0xx): the case table, the sample estates and role inference they rely on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.baseline import load_baseline
from auditor.estate import Estate
from auditor.model import Status
from auditor.registry import all_rules
from auditor.roles import JUMPBOX, PRIVATE_ENDPOINTS, infer_roles
from auditor.snapshot import Snapshot
from tests import estates
from tests.cases.private_endpoints import CASES, PE, Case, check, move_pe, run
from tests.conftest import BASELINES, audit_resources, findings_of

FAMILY = "private-endpoints"
PARAMS = [pytest.param(c, v, id=f"{c.rule}-{c.name}-{v}") for c in CASES for v in c.variants]


@pytest.mark.parametrize(("case", "variant"), PARAMS)
def test_case(case: Case, variant: str, tmp_path: Path) -> None:
    found = run(case, variant, tmp_path)
    check(case, variant, found)
    for f in found:
        json.dumps([f.expected, f.actual])  # the JSON report must be able to carry them


def family_rules() -> list[str]:
    return [rid for rid, r in all_rules().items() if r.control.value == FAMILY]


def test_every_rule_has_pass_fail_and_not_assessed_cases() -> None:
    for rid in family_rules():
        seen = {c.expect for c in CASES if c.rule == rid}
        assert {"pass", "fail", "not_assessed"} <= seen, rid


def test_every_rule_is_in_both_baselines() -> None:
    for name in BASELINES.values():
        assert set(family_rules()) <= set(load_baseline(name).rules), name


def test_compliant_estates_only_pass(variant: str) -> None:
    result = audit_resources(estates.compliant(variant), variant)
    found = [f for f in result.findings if f.control.value == FAMILY]
    assert {f.status for f in found} == {Status.PASS}, [(f.rule_id, f.message) for f in found]
    assert {f.rule_id for f in found} == set(family_rules())


def test_drifted_estates_fail(variant: str) -> None:
    snapshot = Snapshot.from_data(estates.drifted_snapshot(variant))
    from auditor.engine import run_audit

    result = run_audit(snapshot, load_baseline(BASELINES[variant]), "test")
    failing = {f.rule_id for f in result.findings if f.control.value == FAMILY and f.status == Status.FAIL}
    assert {"PE001", "PE002"} <= failing


def test_every_target_of_the_architecture_is_checked(variant: str) -> None:
    """Nine targets: OpenAI, workspace or hub, vault, registry, two storage accounts, search, two web apps."""
    found = findings_of(audit_resources(estates.compliant(variant), variant), "PE001")
    kinds = sorted(f.resource_type.lower() for f in found)
    assert kinds == sorted(
        t.lower()
        for t in [
            "Microsoft.CognitiveServices/accounts",
            "Microsoft.MachineLearningServices/workspaces",
            "Microsoft.KeyVault/vaults",
            "Microsoft.ContainerRegistry/registries",
            "Microsoft.Storage/storageAccounts",
            "Microsoft.Storage/storageAccounts",
            "Microsoft.Search/searchServices",
            "Microsoft.Web/sites",
            "Microsoft.Web/sites",
        ]
    )
    # In the hub variant the project has no endpoint of its own, so it is no target.
    assert not any("/workspaces/proj-" in f.resource_id for f in found)


def test_messages_name_the_endpoint_and_subnet() -> None:
    found = findings_of(audit_resources(estates.compliant("aistudio"), "aistudio"), "PE001")
    vault = next(f for f in found if "/vaults/" in f.resource_id)
    where = "pe-kv-chat-aistudio-vault in subnet private-links"
    assert vault.message == f"private endpoint(s) in the private-endpoint subnet: vault: {where}"
    assert vault.actual == {"vault": [where]}


def test_endpoint_in_another_subscription_vnet_is_not_assessed() -> None:
    resources = estates.compliant("aml")
    pe = estates.find(resources, PE, "pe-kv-chat-aml-vault")
    pe["properties"]["subnet"]["id"] = (
        "/subscriptions/other/resourceGroups/hub/providers/Microsoft.Network/virtualNetworks/hub/subnets/pe"
    )
    found = findings_of(audit_resources(resources, "aml"), "PE001")
    vault = next(f for f in found if "/vaults/" in f.resource_id)
    assert vault.status == Status.NOT_ASSESSED
    assert "virtual network is not in the snapshot" in vault.message


def test_a_stray_endpoint_does_not_make_the_jumpbox_subnet_a_private_endpoint_subnet() -> None:
    resources = estates.compliant("aistudio")
    move_pe("kv-chat-{v}", "vault", "jumpbox")(resources, "aistudio")
    estate = Estate(Snapshot.from_data(estates.snapshot_document(resources, "aistudio", drifted=False)))
    roles = infer_roles(estate)
    jumpbox = next(s for s in estate.subnets if s.name == "jumpbox")
    assert roles.of_subnet(jumpbox) == {JUMPBOX}
    private_links = next(s for s in estate.subnets if s.name == "private-links")
    assert roles.of_subnet(private_links) == {PRIVATE_ENDPOINTS}


def test_a_baseline_can_name_the_private_endpoint_subnet(tmp_path: Path) -> None:
    """An estate whose endpoint subnet carries a misleading name is fixed by roles.subnets."""
    import yaml

    resources = estates.compliant("aml")
    vnet = estates.find(resources, "Microsoft.Network/virtualNetworks")
    ids = estates.Ids("aml")
    for subnet in vnet["properties"]["subnets"]:
        if subnet["name"] == "private-links":
            subnet["name"] = "snet-scoring-links"
            subnet["id"] = ids.subnet("snet-scoring-links")
    for res in resources:
        if res["type"] == PE:
            res["properties"]["subnet"]["id"] = ids.subnet("snet-scoring-links")
    statuses = {f.status for f in findings_of(audit_resources(resources, "aml"), "PE001")}
    assert statuses == {Status.FAIL}  # named like the scoring subnet: endpoints look misplaced
    data = yaml.safe_load(Path(load_baseline(BASELINES["aml"]).source).read_text(encoding="utf-8"))
    data["roles"] = {"subnets": {"snet-scoring-links": PRIVATE_ENDPOINTS}}
    path = tmp_path / "team.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    statuses = {f.status for f in findings_of(audit_resources(resources, "aml", baseline=str(path)), "PE001")}
    assert statuses == {Status.PASS}
