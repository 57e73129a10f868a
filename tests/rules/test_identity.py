"""Identity rules (IAM0xx): the case table, the sample estates, the role tables and the role GUIDs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditor.analysis import builtin_roles
from auditor.analysis.architecture import FOUNDRY_ACCOUNT, FOUNDRY_PROJECT, ONLINE_ENDPOINT, infer_roles
from auditor.analysis.rbac import ROW_IDENTITIES, SCOPE_ROLES, Row, covers, grants, parse_table, privilege_of
from auditor.arm.estate import Estate
from auditor.arm.snapshot import Snapshot
from auditor.engine.baseline import load_baseline
from auditor.engine.run import run_audit
from auditor.model import Finding, Level, Status
from auditor.rules.identity import abac_prefixes
from tests import estates, foundry
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
from tests.foundry.identity import abac_condition

FAMILY = "identity"


@pytest.mark.parametrize(("case", "variant"), case_params(CASES))
def test_case(case: ResourceCase, variant: str, tmp_path: Path) -> None:
    assert_case(case, variant, tmp_path)


def test_every_rule_has_pass_fail_and_not_assessed_cases() -> None:
    assert_every_rule_has_pass_fail_and_not_assessed_cases(FAMILY, CASES)


# The Foundry design's own rules: the agent's stores and the project's identity.
FOUNDRY_ONLY = {"IAM030", "IAM031"}


def test_rules_are_in_the_baselines() -> None:
    assert set(prompt_flow_family_rules(FAMILY)) == {
        r for r in load_baseline(BASELINES["aistudio"]).rules if r.startswith("IAM")
    }
    # The ML-workspace table has no portal-user rows, so IAM009 has nothing to compare with there.
    assert set(prompt_flow_family_rules(FAMILY)) - {"IAM009"} == {
        r for r in load_baseline(BASELINES["aml"]).rules if r.startswith("IAM")
    }
    assert set(load_baseline(BASELINES["foundry"]).rules) >= FOUNDRY_ONLY


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


# --- the Foundry design ---------------------------------------------------------------------------

# The identity section of the Foundry baseline (the other areas' IAM rules are theirs to test).
FOUNDRY_IDENTITY = {"IAM001", "IAM002", "IAM009", "IAM010", *FOUNDRY_ONLY}


def _foundry_findings(drifted: bool) -> list[Finding]:
    doc = estates.drifted_snapshot("foundry") if drifted else estates.compliant_snapshot("foundry")
    report = run_audit(Snapshot.from_data(doc), load_baseline(BASELINES["foundry"]), "test")
    return [f for f in report.findings if f.rule_id in FOUNDRY_IDENTITY]


def test_foundry_compliant_sample_passes_the_identity_section() -> None:
    found = _foundry_findings(drifted=False)
    assert {f.rule_id for f in found} == FOUNDRY_IDENTITY
    assert {f.status for f in found} == {Status.PASS}, [(f.rule_id, f.message) for f in found]


@pytest.mark.parametrize(
    ("rule_id", "resource", "message"),
    [
        # an extra Contributor on the project's identity
        ("IAM002", "/projects/chat-agents", "Contributor on /subscriptions/"),
        # the ABAC condition weakened to every container
        ("IAM030", "/storageAccounts/stagentchat", "does not restrict the containers to the project's"),
        # the Cosmos DB data role at account scope instead of the database
        (
            "IAM031",
            "/databaseAccounts/cosmos-chat-threads",
            "at account (not the enterprise_memory database)",
        ),
        # the chat UI's Foundry User on the account removed
        ("IAM001", "/sites/app-chat-ui", "lacks: Foundry User on foundry-account"),
    ],
)
def test_foundry_drifted_sample_fails_each_identity_drift(rule_id: str, resource: str, message: str) -> None:
    failing = [
        f
        for f in _foundry_findings(drifted=True)
        if f.rule_id == rule_id and f.status is Status.FAIL and message in f.message
    ]
    assert failing and all(resource.lower() in f.resource_id.lower() for f in failing), rule_id


def test_foundry_table_rows_use_known_roles_and_scopes() -> None:
    raw = load_baseline(BASELINES["foundry"]).rules["IAM001"].params.table
    for entry in raw:
        assert entry["identity"] in ROW_IDENTITIES and entry["scope"] in SCOPE_ROLES, entry
        assert entry["name"] == builtin_roles.NAMES[entry["role"]], entry
        assert entry.get("optional", False) == (entry["identity"] == "portal-user"), entry
    rows = yaml_table("foundry")
    for rid in ("IAM002", "IAM009", "IAM010"):
        assert yaml_table("foundry", rid) == rows, rid
    # The V3 table: the chat UI's two rows, the gateway's one, the project's five.
    required = [(r.identity, r.name) for r in rows if not r.optional]
    assert sorted(required) == sorted(
        [
            ("chat-ui-app", "Storage Blob Data Reader"),
            ("chat-ui-app", "Foundry User"),
            ("application-gateway", "Key Vault Secrets User"),
            ("foundry-project", "Storage Blob Data Contributor"),
            ("foundry-project", "Storage Blob Data Owner"),
            ("foundry-project", "Cosmos DB Operator"),
            ("foundry-project", "Search Service Contributor"),
            ("foundry-project", "Search Index Data Contributor"),
        ]
    )


def test_foundry_role_guids_are_microsofts() -> None:
    # The Foundry roles were renamed (Azure AI User is Foundry User); their GUIDs did not change.
    assert builtin_roles.FOUNDRY_USER == "53ca6127-db72-4b80-b1b0-d745d6d5456d"
    assert builtin_roles.FOUNDRY_PROJECT_MANAGER == "eadc314b-1a2d-4efa-be10-5d325db5065e"
    assert builtin_roles.FOUNDRY_ACCOUNT_OWNER == "e47c6f54-e4a2-4754-9501-8e0985b135e1"
    assert builtin_roles.FOUNDRY_OWNER == "c883944f-8b7b-4483-af10-35834be79c4a"
    assert builtin_roles.COSMOS_DB_OPERATOR == "230815da-be43-4aae-9cb4-875f7bd000aa"
    assert builtin_roles.COSMOS_DB_ACCOUNT_READER == "fbdf93bf-df7d-467e-a4d2-9458aa1360c8"
    assert builtin_roles.SEARCH_INDEX_DATA_CONTRIBUTOR == "8ebe5a00-799e-43f5-93ac-243d3dce84a7"
    assert builtin_roles.STORAGE_BLOB_DATA_OWNER == "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"
    assert "00000000-0000-0000-0000-000000000002" not in builtin_roles.NAMES  # a Cosmos DB data role


def test_foundry_identities_are_inferred_from_structure() -> None:
    estate = Estate(Snapshot.from_data(estates.compliant_snapshot("foundry")))
    roles = infer_roles(estate)
    (project,) = roles.identities_of(FOUNDRY_PROJECT)
    assert (project.kind, project.identity_resource_id) == ("user", foundry.PROJECT_IDENTITY)
    (account,) = roles.identities_of(FOUNDRY_ACCOUNT)
    assert (account.kind, account.principal_id) == ("system", foundry.ACCOUNT_PRINCIPAL)


@pytest.mark.parametrize(
    ("condition", "problem", "prefixes"),
    [
        (abac_condition("p1"), None, ["p1"]),
        (abac_condition("p1", agent_suffix=True), None, ["p1"]),
        (abac_condition("p1").upper(), None, ["P1"]),
        ("@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringStartsWith 'p1'",
         "it is not of the form ((not these actions) OR (container name terms))", []),
        (abac_condition("p1").replace(" OR (@", " OR (true OR @"),
         "its second part is not a set of container-name terms joined by AND", []),
    ],
)  # fmt: skip
def test_abac_prefixes_reads_both_template_forms(
    condition: str, problem: str | None, prefixes: list[str]
) -> None:
    found_problem, found = abac_prefixes(condition)
    assert found_problem == problem
    assert [p.lower() for p in found] == [p.lower() for p in prefixes]
