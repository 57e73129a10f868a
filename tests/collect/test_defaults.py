"""The subscription used when none is named: AZURE_SUBSCRIPTION_ID, then the Azure CLI's default."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.collect.defaults import DefaultSubscription, default_subscription, profile_path

SUB = "3f2c9a1e-5b7d-4e8a-9c61-2d4f8b0a7e15"
OTHER = "0b5e3d1c-7a9f-4c2e-8d6b-1f0a9e8c7d65"


def profile(default: str | None = SUB) -> dict[str, Any]:
    """An azureProfile.json as `az login` writes it (the fields that matter here, and some that don't)."""
    return {
        "installationId": "c0ffee00-0000-4000-8000-000000000000",
        "subscriptions": [
            {
                "id": sub,
                "name": name,
                "state": "Enabled",
                "tenantId": "72f988bf-0000-4000-8000-00000000aaaa",
                "user": {"name": "someone@example.com", "type": "user"},
                "isDefault": sub == default,
                "environmentName": "AzureCloud",
            }
            for sub, name in ((OTHER, "Sandbox"), (SUB, "Contoso Chat Prod"))
        ],
    }


def write_profile(config_dir: Path, data: Any, bom: bool = False) -> Path:
    config_dir.mkdir(parents=True, exist_ok=True)
    path = config_dir / "azureProfile.json"
    path.write_text(json.dumps(data), encoding="utf-8-sig" if bom else "utf-8")
    return path


def test_the_environment_variable_comes_first(tmp_path: Path) -> None:
    write_profile(tmp_path, profile(default=SUB))
    env = {"AZURE_SUBSCRIPTION_ID": f" {OTHER} ", "AZURE_CONFIG_DIR": str(tmp_path)}
    assert default_subscription(env) == DefaultSubscription(OTHER, "AZURE_SUBSCRIPTION_ID")


def test_an_empty_environment_variable_is_ignored(tmp_path: Path) -> None:
    write_profile(tmp_path, profile())
    found = default_subscription({"AZURE_SUBSCRIPTION_ID": "  ", "AZURE_CONFIG_DIR": str(tmp_path)})
    assert found is not None and found.subscription_id == SUB


@pytest.mark.parametrize("bom", [False, True], ids=["utf-8", "utf-8 with BOM"])
def test_the_azure_cli_default_from_azure_config_dir(tmp_path: Path, bom: bool) -> None:
    path = write_profile(tmp_path / "cfg", profile(), bom=bom)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") == bom
    found = default_subscription({"AZURE_CONFIG_DIR": str(tmp_path / "cfg")})
    assert found == DefaultSubscription(SUB, "the Azure CLI's default subscription (Contoso Chat Prod)")


def test_the_azure_cli_default_from_the_home_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    write_profile(tmp_path / ".azure", profile(default=OTHER))
    assert profile_path({}) == tmp_path / ".azure" / "azureProfile.json"
    found = default_subscription({})
    assert found == DefaultSubscription(OTHER, "the Azure CLI's default subscription (Sandbox)")


@pytest.mark.parametrize(
    "content",
    [
        None,  # no file at all: never signed in with the Azure CLI
        b"",
        b'{"subscriptions": [',
        b"\xff\xfe not utf-8",
        b"[]",
        b'{"subscriptions": {"id": "x"}}',
        json.dumps(profile(default=None)).encode(),  # signed in, no default chosen
        json.dumps({"subscriptions": [{"id": "", "isDefault": True}]}).encode(),
        json.dumps({"subscriptions": [{"id": SUB, "isDefault": "true"}]}).encode(),
    ],
    ids=[
        "missing",
        "empty",
        "truncated",
        "not utf-8",
        "a list",
        "not a list",
        "no default",
        "no id",
        "not bool",
    ],
)
def test_no_usable_profile_gives_none(tmp_path: Path, content: bytes | None) -> None:
    if content is not None:
        (tmp_path / "azureProfile.json").write_bytes(content)
    assert default_subscription({"AZURE_CONFIG_DIR": str(tmp_path)}) is None


def test_a_profile_path_that_is_a_directory_gives_none(tmp_path: Path) -> None:
    (tmp_path / "azureProfile.json").mkdir()
    assert default_subscription({"AZURE_CONFIG_DIR": str(tmp_path)}) is None


def test_a_default_without_a_name_still_says_where_it_came_from(tmp_path: Path) -> None:
    write_profile(tmp_path, {"subscriptions": [{"id": SUB, "isDefault": True}]})
    found = default_subscription({"AZURE_CONFIG_DIR": str(tmp_path)})
    assert found == DefaultSubscription(SUB, "the Azure CLI's default subscription")
