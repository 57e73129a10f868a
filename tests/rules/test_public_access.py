"""Public-access rules (PUB0xx): the case table, the sample estates and the TLS policy table."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.engine.baseline import load_baseline
from auditor.model import Finding, Level, Status
from auditor.rules.public_access_web import ssl_policy_minimum
from tests import estates
from tests.cases.common import (
    TargetCase,
    assert_case,
    assert_compliant_estates_only_pass,
    assert_drifted_estates_fail,
    assert_every_rule_has_pass_fail_and_not_assessed_cases,
    assert_every_rule_is_in_both_baselines,
    case_params,
    drifted_findings,
    family_rules,
)
from tests.cases.public_access import CASES
from tests.conftest import BASELINES, audit_resources

FAMILY = "public-access"


@pytest.mark.parametrize(("case", "variant"), case_params(CASES))
def test_case(case: TargetCase, variant: str, tmp_path: Path) -> None:
    assert_case(case, variant, tmp_path)


def test_every_rule_has_pass_fail_and_not_assessed_cases() -> None:
    assert_every_rule_has_pass_fail_and_not_assessed_cases(FAMILY, CASES)


def test_every_rule_is_in_both_baselines() -> None:
    assert_every_rule_is_in_both_baselines(FAMILY)


def test_levels_follow_the_references() -> None:
    hub, aml = (load_baseline(BASELINES[v]) for v in ("aistudio", "aml"))
    # Shared keys: off on the hub variant's app storage, on in the ML-workspace reference.
    assert hub.rules["PUB012"].level == Level.REQUIRED and aml.rules["PUB012"].level == Level.RECOMMENDED
    # Registry exports: disabled by the hub reference only.
    assert hub.rules["PUB025"].level == Level.REQUIRED and aml.rules["PUB025"].level == Level.RECOMMENDED
    # Azure OpenAI outbound restriction: set by the hub reference only.
    assert hub.rules["PUB029"].level == Level.REQUIRED and aml.rules["PUB029"].level == Level.RECOMMENDED
    # Storage copy scope and registry-scoped tokens: set by the hub reference only.
    # Local users and SFTP: disabled by the hub reference only.
    assert hub.rules["PUB035"].level == Level.REQUIRED and aml.rules["PUB035"].level == Level.RECOMMENDED
    for rid in ("PUB031", "PUB032"):
        assert hub.rules[rid].level == Level.REQUIRED and aml.rules[rid].level == Level.RECOMMENDED, rid
    # Not set by any reference: purge protection; FTPS only by the current reference.
    for baseline in (hub, aml):
        assert baseline.rules["PUB014"].level == Level.RECOMMENDED
        assert baseline.rules["PUB017"].level == Level.RECOMMENDED
    assert hub.rules["PUB006"].params.accept_firewall_deny is False
    assert aml.rules["PUB006"].params.accept_firewall_deny is True


def test_compliant_estates_only_pass(variant: str) -> None:
    expected = set(family_rules(FAMILY)) & set(load_baseline(BASELINES[variant]).rules)
    if variant == "aistudio":
        expected.discard("PUB005")  # the hub variant has no compute instance
    assert_compliant_estates_only_pass(FAMILY, variant, expected)


def test_drifted_estates_fail(variant: str) -> None:
    assert_drifted_estates_fail(
        FAMILY, variant, {"PUB003", "PUB008", "PUB009", "PUB010", "PUB013", "PUB017", "PUB020", "PUB023"}
    )


@pytest.mark.parametrize(
    ("policy", "minimum"),
    [
        ({"policyType": "Predefined", "policyName": "AppGwSslPolicy20150501"}, "TLSv1_0"),
        ({"policyType": "Predefined", "policyName": "AppGwSslPolicy20170401"}, "TLSv1_1"),
        ({"policyType": "Predefined", "policyName": "AppGwSslPolicy20170401S"}, "TLSv1_2"),
        ({"policyType": "predefined", "policyName": "appgwsslpolicy20220101"}, "TLSv1_2"),
        ({"policyType": "Predefined", "policyName": "AppGwSslPolicy20220101S"}, "TLSv1_2"),
        ({"policyType": "Predefined", "policyName": "SomethingNew"}, None),
        ({"policyType": "CustomV2", "minProtocolVersion": "TLSv1_3"}, "TLSv1_3"),
        ({"policyType": "Custom"}, None),
        ({"minProtocolVersion": "TLSv1_2"}, "TLSv1_2"),
        ({"minProtocolVersion": "TLSv1_2", "disabledSslProtocols": ["TLSv1_0"]}, "TLSv1_2"),
        ({"policyType": "Custom", "disabledSslProtocols": ["TLSv1_0", "TLSv1_1"]}, "TLSv1_2"),
        ({"cipherSuites": ["TLS_AES_128_GCM_SHA256"]}, None),
        ({"disabledSslProtocols": ["TLSv1_0"]}, "TLSv1_1"),
        ({"disabledSslProtocols": []}, "TLSv1_0"),
        (None, None),
    ],
)
def test_ssl_policy_minimum(policy: object, minimum: str | None) -> None:
    assert ssl_policy_minimum(policy)[0] == minimum


# The Foundry house: the rules on the house's own resources (the chat UI, its gateway and WAF policy,
# Key Vault, the app's storage account, Bastion and the public IPs).
HOUSE = ("app-chat-ui", "agw-chat", "waf-chat", "kv-chat-foundry", "stwebchatfoundry", "bas-chat", "pip-chat")


def _house(found: list[Finding]) -> list[Finding]:
    return [f for f in found if any(f"/{name}" in f.resource_id for name in HOUSE)]


def test_foundry_house_passes() -> None:
    result = audit_resources(estates.compliant("foundry"), "foundry")
    found = _house([f for f in result.findings if f.control.value == FAMILY])
    assert found and {f.status for f in found} == {Status.PASS}, [(f.rule_id, f.message) for f in found]
    assert {"PUB017", "PUB021", "PUB080", "PUB081", "PUB082", "PUB083", "PUB084"} <= {
        f.rule_id for f in found
    }


def test_foundry_drifted_house_fails_each_drift() -> None:
    # tests.foundry.house.drift: SSH on, no end-to-end encryption, FTPS allowed, SCM basic-auth
    # publishing allowed, request bodies not enforced, Bot Manager 1.0.
    failing = {
        (f.rule_id, f.resource_id.rsplit("/", 1)[-1])
        for f in drifted_findings(FAMILY, "foundry")
        if f.status is Status.FAIL
    }
    assert {
        ("PUB080", "app-chat-ui"),
        ("PUB081", "app-chat-ui"),
        ("PUB017", "app-chat-ui"),
        ("PUB084", "app-chat-ui"),
        ("PUB082", "waf-chat"),
        ("PUB083", "waf-chat"),
    } <= failing
