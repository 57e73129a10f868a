"""Private-endpoint rules (PE0xx): the case table, the sample estates and role inference they rely on."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from auditor.analysis.architecture import JUMPBOX, PRIVATE_ENDPOINTS, infer_roles
from auditor.arm.estate import Estate
from auditor.arm.snapshot import Snapshot
from auditor.engine.baseline import load_baseline
from auditor.model import Status
from tests import estates
from tests.cases.common import (
    TargetCase,
    assert_case,
    assert_compliant_estates_only_pass,
    assert_drifted_estates_fail,
    assert_every_rule_has_pass_fail_and_not_assessed_cases,
    assert_every_rule_is_in_both_baselines,
    case_params,
)
from tests.cases.private_endpoints import CASES, PE, move_pe
from tests.conftest import BASELINES, audit_resources, findings_of

FAMILY = "private-endpoints"


@pytest.mark.parametrize(("case", "variant"), case_params(CASES))
def test_case(case: TargetCase, variant: str, tmp_path: Path) -> None:
    assert_case(case, variant, tmp_path)


def test_every_rule_has_pass_fail_and_not_assessed_cases() -> None:
    assert_every_rule_has_pass_fail_and_not_assessed_cases(FAMILY, CASES)


def test_every_rule_is_in_both_baselines() -> None:
    assert_every_rule_is_in_both_baselines(FAMILY)


def test_compliant_estates_only_pass(variant: str) -> None:
    assert_compliant_estates_only_pass(FAMILY, variant)


def test_drifted_estates_fail(variant: str) -> None:
    assert_drifted_estates_fail(FAMILY, variant, {"PE001", "PE002"})


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


def test_endpoint_in_another_collected_vnet_is_not_in_the_private_endpoint_subnet() -> None:
    """A hub or shared-services network is not the workload's private-endpoint subnet."""
    resources = estates.compliant("aistudio")
    vnet = copy.deepcopy(estates.find(resources, "Microsoft.Network/virtualNetworks"))
    vnet["id"] = vnet["id"].replace("vnet-workload", "vnet-hub")
    vnet["name"] = "vnet-hub"
    shared = copy.deepcopy(vnet["properties"]["subnets"][0])
    shared["id"] = f"{vnet['id']}/subnets/snet-shared"
    shared["name"] = "snet-shared"
    shared["properties"] = {
        "addressPrefix": "10.30.0.0/24",
        "networkSecurityGroup": {"id": vnet["id"] + "-nsg"},
    }
    vnet["properties"] = {"addressSpace": {"addressPrefixes": ["10.30.0.0/16"]}, "subnets": [shared]}
    resources.append(vnet)
    pe = estates.find(resources, PE, "pe-aoai-chat-account")
    pe["properties"]["subnet"]["id"] = shared["id"]
    found = findings_of(audit_resources(resources, "aistudio"), "PE001")
    account = next(f for f in found if "/accounts/" in f.resource_id)
    assert account.status == Status.FAIL
    assert "snet-shared" in account.message
