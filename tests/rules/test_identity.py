"""Identity rules (IAM0xx): the case table, the sample estates, the role tables and the role GUIDs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditor.analysis import builtin_roles
from auditor.analysis.architecture import ONLINE_ENDPOINT, infer_roles
from auditor.analysis.rbac import ROW_IDENTITIES, SCOPE_ROLES, Row, covers, grants, parse_table, privilege_of
from auditor.arm.estate import Estate
from auditor.arm.snapshot import Snapshot
from auditor.engine.baseline import load_baseline
from auditor.model import Level
from tests import estates
from tests.cases.common import (
    ResourceCase,
    assert_case,
    assert_compliant_estates_only_pass,
    assert_drifted_estates_fail,
    assert_every_rule_has_pass_fail_and_not_assessed_cases,
    case_params,
    prompt_flow_family_rules,
)
from tests.cases.identity import CASES, CONTRIBUTOR_NOT_ACTIONS, UNKNOWN_ROLE, second_endpoint
from tests.conftest import BASELINES

FAMILY = "identity"


@pytest.mark.parametrize(("case", "variant"), case_params(CASES))
def test_case(case: ResourceCase, variant: str, tmp_path: Path) -> None:
    assert_case(case, variant, tmp_path)


def test_every_rule_has_pass_fail_and_not_assessed_cases() -> None:
    assert_every_rule_has_pass_fail_and_not_assessed_cases(FAMILY, CASES)


def test_rules_are_in_the_baselines() -> None:
    assert set(prompt_flow_family_rules(FAMILY)) == {
        r for r in load_baseline(BASELINES["aistudio"]).rules if r.startswith("IAM")
    }
    # The ML-workspace table has no portal-user rows, so IAM009 has nothing to compare with there.
    assert set(prompt_flow_family_rules(FAMILY)) - {"IAM009"} == {
        r for r in load_baseline(BASELINES["aml"]).rules if r.startswith("IAM")
    }


def test_levels_follow_the_variants() -> None:
    hub, aml = load_baseline(BASELINES["aistudio"]), load_baseline(BASELINES["aml"])
    # Seed 004: only the endpoint uses keys; seed 000: Azure OpenAI is key-authenticated.
    assert hub.rules["IAM005"].level is Level.REQUIRED
    assert aml.rules["IAM005"].level is Level.RECOMMENDED
    # Identity-based access to the workspace storage: set by the hub reference only.
    assert hub.rules["IAM011"].level is Level.REQUIRED
    assert aml.rules["IAM011"].level is Level.RECOMMENDED
    # Local authentication off on computes (set by the compute instance of the reference that has one);
    # data isolation set by the hub reference, whose edition alone has hubs.
    assert hub.rules["IAM012"].level is Level.REQUIRED and aml.rules["IAM012"].level is Level.REQUIRED
    assert hub.rules["IAM013"].level is Level.REQUIRED and aml.rules["IAM013"].level is Level.RECOMMENDED
    assert hub.rules["IAM014"].level is Level.REQUIRED and aml.rules["IAM014"].level is Level.RECOMMENDED
    assert hub.rules["IAM008"].level is aml.rules["IAM008"].level is Level.RECOMMENDED


def yaml_table(variant: str, rule_id: str = "IAM001") -> list[Row]:
    """The role table the variant's baseline gives a rule (the table lives only in the YAML)."""
    return parse_table(list(load_baseline(BASELINES[variant]).rules[rule_id].params.table))


def test_baselines_carry_one_table_per_variant() -> None:
    for variant in ("aistudio", "aml"):
        baseline = load_baseline(BASELINES[variant])
        table = yaml_table(variant)
        for rid in ("IAM001", "IAM002", "IAM003", "IAM009"):
            if rid in baseline.rules:
                assert yaml_table(variant, rid) == table, (variant, rid)


def test_yaml_tables_hold_valid_rows() -> None:
    for variant in ("aistudio", "aml"):
        raw = load_baseline(BASELINES[variant]).rules["IAM001"].params.table
        assert raw, variant
        for entry in raw:
            # The YAML spells every row out: identity and scope roles, a known GUID and its name.
            assert entry["identity"] in ROW_IDENTITIES and entry["scope"] in SCOPE_ROLES, entry
            assert GUID.match(entry["role"]) and entry["role"] in builtin_roles.NAMES, entry
            assert entry["name"] == builtin_roles.NAMES[entry["role"]], entry
        rows = parse_table(list(raw))
        assert len(set(rows)) == len(rows), variant


def test_yaml_tables_follow_the_variants() -> None:
    hub, aml = yaml_table("aistudio"), yaml_table("aml")
    assert {r.identity for r in hub} >= {"hub", "project", "online-endpoint", "promptflow-app", "portal-user"}
    assert {r.identity for r in aml} >= {"workspace", "online-endpoint", "compute-instance"}
    assert not {r.identity for r in aml} & {"hub", "project", "portal-user"}
    # The chat UI and the gateway need the same rows in both variants.
    front = {
        (r.identity, r.scope, r.role_definition)
        for r in hub
        if r.identity in ("chat-ui-app", "application-gateway")
    }
    assert front == {
        (r.identity, r.scope, r.role_definition)
        for r in aml
        if r.identity in ("chat-ui-app", "application-gateway")
    }
    assert len(front) == 4
    assert all(r.optional == (r.identity == "portal-user") for r in hub + aml)


def test_compliant_estates_only_pass(variant: str) -> None:
    in_baseline = {r for r in load_baseline(BASELINES[variant]).rules if r.startswith("IAM")}
    if variant == "aistudio":
        in_baseline.discard("IAM012")  # the hub edition has no compute instance
    else:
        in_baseline -= {"IAM013", "IAM014"}  # the Machine Learning workspace edition has no hub
    assert_compliant_estates_only_pass(FAMILY, variant, in_baseline)


def test_drifted_estates_fail(variant: str) -> None:
    # keys back on, Key Vault access policies, a Contributor for the endpoint, OpenAI User subscription-wide
    assert_drifted_estates_fail(FAMILY, variant, {"IAM002", "IAM003", "IAM005", "IAM007"})


# --- the table and the role GUIDs -----------------------------------------------------------

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def test_role_guids_are_well_formed_and_named() -> None:
    guids = [v for k, v in vars(builtin_roles).items() if k.isupper() and isinstance(v, str)]
    assert guids and all(GUID.match(g) for g in guids)
    assert len(set(guids)) == len(guids)
    assert set(guids) == set(builtin_roles.NAMES)
    assert set(guids) >= builtin_roles.PRIVILEGED and set(guids) >= builtin_roles.DATA_PLANE
    assert not builtin_roles.PRIVILEGED & builtin_roles.DATA_PLANE


def test_guids_checked_against_microsofts_built_in_roles() -> None:
    # From the Azure built-in roles reference; a typo here would make every table row fail.
    assert builtin_roles.AZURE_AI_ADMINISTRATOR == "b78c5d69-af96-48a3-bf8d-a8b4d589de94"
    assert builtin_roles.AZUREML_METRICS_WRITER == "635dd51f-9968-44d3-b7fb-6d9a6bd613ae"
    assert builtin_roles.STORAGE_TABLE_DATA_CONTRIBUTOR == "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"
    assert builtin_roles.AZUREML_CONNECTION_SECRETS_READER == "ea01e6af-a1c1-4350-9563-ad00f8c72ec5"
    assert builtin_roles.ROLE_BASED_ACCESS_CONTROL_ADMINISTRATOR == "f58310d9-a9f6-439a-9e8d-f62e7b41a168"
    assert builtin_roles.STORAGE_ACCOUNT_CONTRIBUTOR == "17d1049b-9a84-46fb-8f53-869881c3d3ab"
    assert builtin_roles.SEARCH_SERVICE_CONTRIBUTOR == "7ca78c08-252a-4471-8644-bb5ff32d4ba0"


def test_roles_that_assign_roles_are_privileged_and_key_listers_are_data_plane() -> None:
    assert builtin_roles.ROLE_BASED_ACCESS_CONTROL_ADMINISTRATOR in builtin_roles.PRIVILEGED
    assert {
        builtin_roles.STORAGE_ACCOUNT_CONTRIBUTOR,
        builtin_roles.SEARCH_SERVICE_CONTRIBUTOR,
    } <= builtin_roles.DATA_PLANE


def test_compliant_hub_table_grants_storage_account_contributor_on_the_account_only() -> None:
    # IAM003's compliant case covers the table's own Storage Account Contributor rows: they exist,
    # at storage account scope, never at resource group or subscription scope.
    scopes = {
        r["properties"]["scope"]
        for r in estates.compliant("aistudio")
        if r["type"] == "Microsoft.Authorization/roleAssignments"
        and builtin_roles.guid_of(r["properties"]["roleDefinitionId"])
        == builtin_roles.STORAGE_ACCOUNT_CONTRIBUTOR
    }
    assert scopes and all("/providers/Microsoft.Storage/storageAccounts/" in s for s in scopes)


@pytest.mark.parametrize(
    ("actions", "not_actions", "action", "granted"),
    [
        (["*"], [], "*", True),
        (["*"], CONTRIBUTOR_NOT_ACTIONS, "*", True),
        (["*"], CONTRIBUTOR_NOT_ACTIONS, "Microsoft.Authorization/roleAssignments/write", False),
        (["Microsoft.Authorization/*"], [], "Microsoft.Authorization/roleAssignments/write", True),
        (
            ["microsoft.authorization/ROLEASSIGNMENTS/*"],
            [],
            "Microsoft.Authorization/roleAssignments/write",
            True,
        ),
        (["*/read"], [], "*", False),
        (["*/read"], [], "Microsoft.Authorization/*", False),
        (["Microsoft.Authorization/*/read"], [], "Microsoft.Authorization/*", False),
        (["Microsoft.Authorization/*/read"], [], "Microsoft.Authorization/roleAssignments/write", False),
    ],
)
def test_grants_takes_actions_minus_not_actions(
    actions: list[str], not_actions: list[str], action: str, granted: bool
) -> None:
    assert grants([{"actions": actions, "notActions": not_actions}], action) is granted


def test_privilege_of_unknown_role_without_definition_is_unknown() -> None:
    estate = Estate(
        Snapshot.from_data(estates.snapshot_document(estates.compliant("aml"), "aml", drifted=False))
    )
    listed = set(builtin_roles.PRIVILEGED)
    assert privilege_of(estate, builtin_roles.OWNER, listed) == (True, "")
    assert privilege_of(estate, builtin_roles.READER, listed) == (False, "")
    privileged, why = privilege_of(estate, UNKNOWN_ROLE, listed)
    assert privileged is None and UNKNOWN_ROLE in why


def test_table_rows_use_known_roles_and_names() -> None:
    for variant in ("aistudio", "aml"):
        for row in yaml_table(variant):
            assert row.name == builtin_roles.NAMES[row.role_definition]


def test_parse_table_accepts_full_ids_in_any_case() -> None:
    full = (
        f"/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/{builtin_roles.ACR_PULL.upper()}"
    )
    (row,) = parse_table([{"identity": "Online-Endpoint", "scope": "Workspace-Registry", "role": full}])
    assert (row.identity, row.scope, row.role_definition, row.name) == (
        "online-endpoint", "workspace-registry", builtin_roles.ACR_PULL, "AcrPull"
    )  # fmt: skip


@pytest.mark.parametrize(
    "bad",
    [
        {"identity": "hub", "scope": "everywhere", "role": builtin_roles.READER},
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
