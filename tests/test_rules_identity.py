"""Identity rules (IAM0xx): the case table, the sample estates, the role tables and the role GUIDs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from auditor import azroles
from auditor.baseline import load_baseline
from auditor.engine import AuditResult, run_audit
from auditor.estate import Estate
from auditor.model import Level, Status
from auditor.registry import all_rules
from auditor.roles import ONLINE_ENDPOINT, infer_roles
from auditor.rules.identity import AISTUDIO_TABLE, AML_TABLE, covers, parse_table
from auditor.snapshot import Snapshot
from tests import estates
from tests.cases.identity import CASES, Case, matches, run_case, second_endpoint
from tests.conftest import BASELINES, audit_resources, findings_of

FAMILY = "identity"
PARAMS = [pytest.param(c, v, id=f"{c.rule}-{c.name}-{v}") for c in CASES for v in c.variants]


def check(case: Case, variant: str, result: AuditResult) -> None:
    found = findings_of(result, case.rule)
    shown = [(f.resource_id, f.status.value, f.message) for f in found]
    expect = {k.format(v=variant): s for k, s in case.expect.items()}
    for key, status in expect.items():
        hits = [f for f in found if matches(f.resource_id, key)]
        assert hits, (key, shown)
        assert {f.status.value for f in hits} == {status}, (key, shown)
        if case.contains:
            assert any(case.contains in f.message for f in hits), shown
    rest = [f for f in found if not any(matches(f.resource_id, k) for k in expect)]
    if case.others is not None:
        assert rest or expect, f"{case.rule} reported nothing"
        assert {f.status.value for f in rest} <= {case.others}, shown
    for f in found:
        json.dumps([f.expected, f.actual])  # the JSON report must be able to carry them


@pytest.mark.parametrize(("case", "variant"), PARAMS)
def test_case(case: Case, variant: str, tmp_path: Path) -> None:
    check(case, variant, run_case(case, variant, tmp_path))


def family_rules() -> list[str]:
    return [rid for rid, r in all_rules().items() if r.control.value == FAMILY]


def test_every_rule_has_pass_fail_and_not_assessed_cases() -> None:
    for rid in family_rules():
        cases = [c for c in CASES if c.rule == rid]
        seen = {s for c in cases for s in c.expect.values()} | {c.others for c in cases if not c.expect}
        assert {"pass", "fail", "not_assessed"} <= seen, rid


def test_rules_are_in_the_baselines() -> None:
    assert set(family_rules()) == {
        r for r in load_baseline(BASELINES["aistudio"]).rules if r.startswith("IAM")
    }
    # The ML-workspace table has no portal-user rows, so IAM009 has nothing to compare with there.
    assert set(family_rules()) - {"IAM009"} == {
        r for r in load_baseline(BASELINES["aml"]).rules if r.startswith("IAM")
    }


def test_levels_follow_the_variants() -> None:
    hub, aml = load_baseline(BASELINES["aistudio"]), load_baseline(BASELINES["aml"])
    # Seed 004: only the endpoint uses keys; seed 000: Azure OpenAI is key-authenticated.
    assert hub.rules["IAM005"].level is Level.REQUIRED
    assert aml.rules["IAM005"].level is Level.RECOMMENDED
    assert hub.rules["IAM008"].level is aml.rules["IAM008"].level is Level.RECOMMENDED


def test_baselines_carry_the_variant_tables() -> None:
    for variant, table in (("aistudio", AISTUDIO_TABLE), ("aml", AML_TABLE)):
        baseline = load_baseline(BASELINES[variant])
        for rid in ("IAM001", "IAM002", "IAM003"):
            assert parse_table(baseline.rules[rid].params["table"]) == parse_table(table), (variant, rid)


def test_compliant_estates_only_pass(variant: str) -> None:
    result = audit_resources(estates.compliant(variant), variant)
    found = [f for f in result.findings if f.control.value == FAMILY]
    assert found and {f.status for f in found} == {Status.PASS}, [(f.rule_id, f.message) for f in found]
    assert {f.rule_id for f in found} == {
        r for r in load_baseline(BASELINES[variant]).rules if r.startswith("IAM")
    }


def test_drifted_estates_fail(variant: str) -> None:
    result = run_audit(
        Snapshot.from_data(estates.drifted_snapshot(variant)), load_baseline(BASELINES[variant]), "t"
    )
    failing = {f.rule_id for f in result.findings if f.control.value == FAMILY and f.status is Status.FAIL}
    # keys back on, Key Vault access policies, a Contributor for the endpoint, OpenAI User subscription-wide
    assert {"IAM002", "IAM003", "IAM005", "IAM007"} <= failing


# --- the table and the role GUIDs -----------------------------------------------------------

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def test_role_guids_are_well_formed_and_named() -> None:
    guids = [v for k, v in vars(azroles).items() if k.isupper() and isinstance(v, str)]
    assert guids and all(GUID.match(g) for g in guids)
    assert len(set(guids)) == len(guids)
    assert set(guids) == set(azroles.NAMES)
    assert set(guids) >= azroles.PRIVILEGED and set(guids) >= azroles.DATA_PLANE
    assert not azroles.PRIVILEGED & azroles.DATA_PLANE


def test_guids_checked_against_microsofts_built_in_roles() -> None:
    # From the Azure built-in roles reference; a typo here would make every table row fail.
    assert azroles.AZURE_AI_ADMINISTRATOR == "b78c5d69-af96-48a3-bf8d-a8b4d589de94"
    assert azroles.AZUREML_METRICS_WRITER == "635dd51f-9968-44d3-b7fb-6d9a6bd613ae"
    assert azroles.STORAGE_TABLE_DATA_CONTRIBUTOR == "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"
    assert azroles.AZUREML_CONNECTION_SECRETS_READER == "ea01e6af-a1c1-4350-9563-ad00f8c72ec5"


def test_table_rows_use_known_roles_and_names() -> None:
    for table in (AISTUDIO_TABLE, AML_TABLE):
        for row in parse_table(table):
            assert row.name == azroles.NAMES[row.role]


def test_parse_table_accepts_full_ids_in_any_case() -> None:
    full = f"/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/{azroles.ACR_PULL.upper()}"
    (row,) = parse_table([{"identity": "Online-Endpoint", "scope": "Workspace-Registry", "role": full}])
    assert (row.identity, row.scope, row.role, row.name) == ("online-endpoint", "workspace-registry",
                                                              azroles.ACR_PULL, "AcrPull")  # fmt: skip


@pytest.mark.parametrize(
    "bad",
    [
        {"identity": "hub", "scope": "everywhere", "role": azroles.READER},
        {"identity": "hub", "scope": "hub"},
        "hub reads hub",
    ],
)
def test_parse_table_rejects_bad_rows(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_table([bad])


def test_covers_compares_scopes_case_insensitively() -> None:
    rg = "/subscriptions/s/resourceGroups/RG"
    res = rg + "/providers/Microsoft.Storage/storageAccounts/st"
    assert covers(rg.upper(), rg.lower(), inherited=False)
    assert not covers(rg, res, inherited=False)
    assert covers(rg, res, inherited=True)
    assert not covers(res, rg, inherited=True)
    assert not covers(rg + "2", res, inherited=True)
    assert covers("/providers/Microsoft.Management/managementGroups/mg", res, inherited=True)


def test_a_shared_identity_acts_for_every_resource_that_uses_it() -> None:
    resources = estates.compliant("aml")
    second_endpoint(resources, "aml")
    estate = Estate(Snapshot.from_data(estates.snapshot_document(resources, "aml", drifted=False)))
    idents = infer_roles(estate).identities_of(ONLINE_ENDPOINT)
    assert len({i.principal_id for i in idents}) == 1
    assert sorted(i.resource_id.rsplit("/", 1)[-1] for i in idents) == ["ept-chat", "ept-chat-2"]
