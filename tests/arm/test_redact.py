"""Redaction: every shape of secret ARM bodies carry is masked, and nothing a rule reads is touched."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from auditor.arm.redact import (
    REDACTED,
    looks_like_key,
    mask_text,
    redact_all,
    redact_resource,
    redact_snapshot,
)
from auditor.arm.snapshot import Snapshot
from tests import estates
from tests.conftest import audit_resources
from tests.planted import planted

STORAGE_KEY = "x7Qm2ZkR9vB4nL0pT6wY1sD8fH3jK5cV7bN2mQ4rT8uW0yA3eG6iO9lP1zX5cV7bN2mQ4rT8uW0yA3eG6iO9lP1zX=="


def body(**properties: Any) -> dict[str, Any]:
    return {
        "id": "/subscriptions/s/resourceGroups/g/providers/P.X/t/n",
        "type": "P.X/t",
        "properties": properties,
    }


@pytest.mark.parametrize(
    ("properties", "expected"),
    [
        (
            {"siteConfig": {"appSettings": [{"name": "A", "value": "s3cr3t"}, {"name": "B", "value": ""}]}},
            {"siteConfig": {"appSettings": [{"name": "A", "value": REDACTED}, {"name": "B", "value": ""}]}},
        ),
        ({"appSettings": {"A": "s3cr3t", "B": None}}, {"appSettings": {"A": REDACTED, "B": None}}),
        (
            {"connectionStrings": {"Db": {"value": "Server=x;Password=p", "type": "SQLAzure"}}},
            {"connectionStrings": {"Db": {"value": REDACTED, "type": "SQLAzure"}}},
        ),
        ({"environmentVariables": {"K": "v"}}, {"environmentVariables": {"K": REDACTED}}),
        (
            {"credentials": {"keys": {"k": "v"}, "clientId": "c", "username": "u"}},
            {"credentials": {"keys": {"k": REDACTED}, "clientId": REDACTED, "username": REDACTED}},
        ),
        (
            {"keys": [{"keyName": "key1", "value": STORAGE_KEY, "permissions": "FULL"}]},
            {"keys": [{"keyName": "key1", "value": REDACTED, "permissions": REDACTED}]},
        ),
        (
            {"passwords": [{"name": "password", "value": "p"}]},
            {"passwords": [{"name": "password", "value": REDACTED}]},
        ),
        (
            {
                "sslCertificates": [
                    {
                        "name": "c",
                        "properties": {"data": "MIIpfx", "password": "p", "publicCertData": "MIIpub"},
                    }
                ]
            },
            {
                "sslCertificates": [
                    {
                        "name": "c",
                        "properties": {"data": REDACTED, "password": REDACTED, "publicCertData": "MIIpub"},
                    }
                ]
            },
        ),
        (
            {
                "primaryKey": "a",
                "secondaryKey": "b",
                "key1": "c",
                "primaryMasterKey": "d",
                "clientSecret": "e",
            },
            {
                "primaryKey": REDACTED,
                "secondaryKey": REDACTED,
                "key1": REDACTED,
                "primaryMasterKey": REDACTED,
                "clientSecret": REDACTED,
            },
        ),
        (
            {"publishingPassword": "p", "publishingUserName": "$app"},
            {"publishingPassword": REDACTED, "publishingUserName": "$app"},
        ),
        ({"scmUri": "https://$app:pw@app.scm.net/x"}, {"scmUri": f"https://{REDACTED}@app.scm.net/x"}),
        ({"target": "https://a.blob.core.windows.net/c?sv=1&sig=abc"}, {"target": REDACTED}),
        ({"note": "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc;"}, {"note": REDACTED}),
        ({"keyData": STORAGE_KEY}, {"keyData": REDACTED}),
    ],
    ids=[
        "app settings list",
        "app settings object",
        "connection strings object",
        "environment variables",
        "connection credentials",
        "storage keys",
        "registry passwords",
        "gateway certificate",
        "keys by name",
        "publishing password",
        "url with password",
        "sas url",
        "connection string anywhere",
        "key-looking value under a key name",
    ],
)
def test_secrets_are_masked(properties: dict[str, Any], expected: dict[str, Any]) -> None:
    resource = body(**copy.deepcopy(properties))
    assert redact_resource(resource) > 0
    assert resource["properties"] == expected


@pytest.mark.parametrize(
    "properties",
    [
        {"allowSharedKeyAccess": False, "adminUserEnabled": True, "disableLocalAuth": True, "keyCount": 2},
        {
            "encryption": {
                "keySource": "Microsoft.Keyvault",
                "keyVaultProperties": {
                    "keyName": "k",
                    "keyVersion": "0123456789abcdef0123456789abcdef",
                    "keyVaultUri": "https://kv.vault.azure.net",
                },
            }
        },
        {
            "sslCertificates": [
                {"name": "c", "properties": {"keyVaultSecretId": "https://kv.vault.azure.net/secrets/c"}}
            ]
        },
        {"accessPolicies": [{"tenantId": "t", "permissions": {"keys": ["get"], "secrets": ["get", "list"]}}]},
        {"sasPolicy": {"sasExpirationPeriod": "1.00:00:00", "expirationAction": "Log"}},
        {"keyCreationTime": {"key1": "2024-01-01T00:00:00Z", "key2": "2024-01-01T00:00:00Z"}},
        {
            "principalId": "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9",
            "siteConfig": {"linuxFxVersion": "DOCKER|x/y:1"},
        },
        {"secretName": "s", "passwordAuthenticationDisabled": True, "tokenType": "Bearer"},
    ],
)
def test_what_is_no_secret_is_kept(properties: dict[str, Any]) -> None:
    resource = body(**copy.deepcopy(properties))
    assert redact_resource(resource) == 0
    assert resource["properties"] == properties


def test_tags_lose_secret_values_and_keep_labels() -> None:
    resource = body()
    resource["tags"] = {
        "key": "value",
        "apiKey": "abc",
        "deploy": STORAGE_KEY,
        "owner": "team-ai-platform-2024",
    }
    assert redact_resource(resource) == 2
    assert resource["tags"] == {
        "key": "value",
        "apiKey": REDACTED,
        "deploy": REDACTED,
        "owner": "team-ai-platform-2024",
    }


def test_a_key_vault_secret_loses_its_value() -> None:
    resource = {"id": "/x/vaults/v/secrets/s", "type": "P.X/vaults/secrets", "properties": {"value": "v"}}
    redact_resource(resource)
    assert resource["properties"] == {"value": REDACTED}


@pytest.mark.parametrize(
    ("value", "key"),
    [
        (STORAGE_KEY, True),
        ("0123456789abcdef0123456789abcdef", True),
        ("ABCDEFGHJK0123456789LMNPQRSTUV0123456789WXYZ01234567", True),
        ("0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9", False),  # a GUID is an id
        ("team-ai-platform-2024-chat-production", False),
        ("Standard_LRS", False),
        ("short1", False),
    ],
)
def test_key_like_values(value: str, key: bool) -> None:
    assert looks_like_key(value) is key


def test_error_messages_lose_quoted_credentials() -> None:
    assert mask_text("failed for https://u:pw@host/x") == f"failed for https://{REDACTED}@host/x"
    assert mask_text("bad AccountKey=abc in request") == REDACTED
    assert mask_text("The client does not have authorization") == "The client does not have authorization"


@pytest.mark.parametrize("variant", estates.VARIANTS)
def test_planted_secrets_are_all_masked_and_the_verdicts_stay(variant: str) -> None:
    resources, secrets = planted(variant)
    assert len(secrets) >= 25
    assert redact_all(resources) >= len(secrets) - 5  # a few ride along inside one masked value
    text = json.dumps(resources)
    assert [where for where, value in secrets.items() if value in text] == []
    # Nothing a rule reads was lost: the compliant estate still scores 100, with the same findings.
    clean = audit_resources(estates.compliant(variant), variant)
    masked = audit_resources(resources, variant)
    assert masked.card.score == clean.card.score == 100
    assert sorted((f.rule_id, f.resource_id, f.status) for f in masked.findings) == sorted(
        (f.rule_id, f.resource_id, f.status) for f in clean.findings
    )


def test_a_snapshot_loses_secrets_in_resources_and_in_read_errors() -> None:
    error = {"scope": "/x", "resource_type": "t", "status": 400, "code": "Bad", "message": "sig=abc&sv=1 bad"}
    snapshot = Snapshot.from_data({"resources": [body(password="p")], "errors": [error]})
    assert redact_snapshot(snapshot) == 2
    assert snapshot.resources[0]["properties"] == {"password": REDACTED}
    assert snapshot.errors[0].message == REDACTED


def test_redaction_is_idempotent() -> None:
    resources, _ = planted("aml")
    redact_all(resources)
    again = copy.deepcopy(resources)
    assert redact_all(again) == 0
    assert again == resources


@pytest.mark.parametrize(
    "name",
    ["authToken", "apiToken", "githubToken", "bearerToken", "tokenValue", "bearer_token", "sessionToken"],
)
def test_any_name_with_the_word_token_is_masked(name: str) -> None:
    resource = body(**{name: "ghp_opaque0token1value"})
    assert redact_resource(resource) == 1
    assert resource["properties"] == {name: REDACTED}


def test_token_settings_references_and_non_strings_are_kept() -> None:
    properties = {
        "tokenType": "Bearer",
        "tokenName": "pull",
        "tokenId": "/subscriptions/s/x/tokens/pull",
        "tokenUri": "https://x/token",
        "tokenPolicy": "Enabled",
        "tokenExpirationTime": "2030-01-01T00:00:00Z",
        "tokenCount": 3,
        "tokenLifetime": "PT1H",
        "allowedTokenAudiences": ["api://chat"],
        "tokenStoreEnabled": True,
        "tokenRefreshExtensionHours": 72,
        "tokenizer": "cl100k",
        "azureADAuthenticationAsArmPolicy": {"status": "disabled"},
    }
    resource = body(**copy.deepcopy(properties))
    assert redact_resource(resource) == 0
    assert resource["properties"] == properties


@pytest.mark.parametrize("name", ["accessKeys", "apiKeys", "adminKeys"])
def test_key_collections_lose_every_value(name: str) -> None:
    resource = body(**{name: {"primary": STORAGE_KEY, "secondary": "short", "keyName": "k1"}})
    assert redact_resource(resource) == 2
    assert resource["properties"] == {name: {"primary": REDACTED, "secondary": REDACTED, "keyName": "k1"}}


@pytest.mark.parametrize(
    "text",
    [
        "DefaultEndpointsProtocol=https; AccountName = a; AccountKey = abc123",
        "Server=tcp:x;User ID=u; Password = hunter2;",
        "Endpoint=sb://x/;SharedAccessKeyName=k;SharedAccessKey =abc",
    ],
)
def test_connection_strings_with_spaces_around_equals_are_masked(text: str) -> None:
    resource = body(note=text)
    assert redact_resource(resource) == 1
    assert resource["properties"] == {"note": REDACTED}


@pytest.mark.parametrize(
    ("message", "secret"),
    [
        ("request failed: Authorization: Bearer opaque.token-value_123", "opaque.token-value_123"),
        ("header authorization=Bearer abc", "abc"),
        ("sent bearer 0123456789abcdefABCDEF and got 401", "0123456789abcdefABCDEF"),
        ("Authorization: Basic dXNlcjpodW50ZXIy rejected", "dXNlcjpodW50ZXIy"),
        ("proxy said Basic dXNlcjpodW50ZXIy is wrong", "dXNlcjpodW50ZXIy"),
    ],
)
def test_error_messages_lose_authorization_credentials(message: str, secret: str) -> None:
    cleaned = mask_text(message)
    assert secret not in cleaned
    assert REDACTED in cleaned
    assert mask_text(cleaned) == cleaned


def test_error_prose_about_tiers_and_tokens_is_kept() -> None:
    for text in ("The Basic tier has no private endpoints", "Bearer token missing", "Basic authentication"):
        assert mask_text(text) == text


def test_a_snapshot_loses_bearer_tokens_in_read_errors() -> None:
    message = "GET failed, Authorization: Bearer sk-live-0123456789 was refused"
    error = {"scope": "/x", "resource_type": "t", "status": 401, "code": "Unauthorized", "message": message}
    snapshot = Snapshot.from_data({"resources": [], "errors": [error]})
    assert redact_snapshot(snapshot) == 1
    assert snapshot.errors[0].message == f"GET failed, Authorization: Bearer {REDACTED} was refused"
