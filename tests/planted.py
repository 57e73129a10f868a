"""A compliant sample estate with secret-looking values planted wherever Azure keeps credentials.

`planted(variant)` gives the estate and the secrets in it: app settings and connection strings
of the web apps, a publishing password and a publishing URL with a password in it, the online
deployment's environment variables and the endpoint's keys, a compute's admin password, workspace
connection credentials and a target URL with a SAS signature, storage account keys, Search admin
keys, a registry password, the gateway's TLS certificate password and private key, an AI Services
key and keys in tags. ARM's GET would not return most of them; a snapshot assembled with other
tools, an `az ... --show-secrets`, or a future API version might. None may reach a snapshot, a
report or a log line, and the findings must be those of the estate without them.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from typing import Any

from tests import estates

Resource = dict[str, Any]


def _fake_key(label: str, size: int = 64) -> str:
    """A deterministic value shaped like an Azure account key (base64 of `size` bytes)."""
    digest = b"".join(hashlib.sha512(f"{label}/{i}".encode()).digest() for i in range(size // 64 + 1))
    return base64.b64encode(digest[:size]).decode()


def _hex_key(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()[:32]


def _alnum_key(label: str) -> str:
    """52 upper-case letters and digits, as Search admin keys look."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    digest = hashlib.sha512(label.encode()).digest()
    return "".join(alphabet[b % len(alphabet)] for b in digest[:52])


def planted(variant: str) -> tuple[list[Resource], dict[str, str]]:
    """The compliant estate of `variant` with secrets planted; and each secret by where it is."""
    resources = estates.compliant(variant)
    secrets: dict[str, str] = {}

    def plant(where: str, value: str) -> str:
        secrets[where] = value
        return value

    for site in _of_type(resources, "Microsoft.Web/sites"):
        name = site["name"]
        config = site.setdefault("properties", {}).setdefault("siteConfig", {})
        config["appSettings"] = [
            {"name": "OPENAI_API_KEY", "value": plant(f"{name} app setting", _hex_key(name + "app"))},
            {"name": "FEATURE_FLAG", "value": plant(f"{name} innocent app setting", "pl4nted-setting-7Yq")},
            {"name": "EMPTY_SETTING", "value": ""},
        ]
        storage = _fake_key(name + "conn")
        config["connectionStrings"] = [
            {
                "name": "Storage",
                "connectionString": plant(
                    f"{name} connection string",
                    f"DefaultEndpointsProtocol=https;AccountName=stapp;AccountKey={storage};",
                ),
                "type": "Custom",
            }
        ]
        plant(f"{name} connection string key", storage)
        password = plant(f"{name} publishing password", "Pl4nted!" + _hex_key(name + "publish")[:20])
        site["properties"]["scmUri"] = f"https://$app:{password}@{name}.scm.azurewebsites.net"
    for config in _of_type(resources, "Microsoft.Web/sites/config"):
        props = config.setdefault("properties", {})
        props["publishingUsername"] = "$app"
        props["publishingPassword"] = plant(
            f"{config['id']} web config password", "Pl4ntedPubl1sh#" + "9" * 6
        )
    for deployment in _of_type(
        resources, "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments"
    ):
        props = deployment.setdefault("properties", {})
        props["environmentVariables"] = {
            "AZURE_OPENAI_API_KEY": plant("deployment env api key", _hex_key("deployment-env")),
            "PROMPTFLOW_RUN_MODE": plant("deployment env innocent", "pl4nted-env-serving-Zx"),
        }
    for endpoint in _of_type(resources, "Microsoft.MachineLearningServices/workspaces/onlineEndpoints"):
        endpoint.setdefault("properties", {})["keys"] = {
            "primaryKey": plant("endpoint primary key", _fake_key("endpoint-1", 32)),
            "secondaryKey": plant("endpoint secondary key", _fake_key("endpoint-2", 32)),
        }
    for compute in _of_type(resources, "Microsoft.MachineLearningServices/workspaces/computes"):
        inner = compute.setdefault("properties", {}).setdefault("properties", {})
        inner["adminUserPassword"] = plant("compute admin password", "Pl4nted-Compute-Pw-42!")
    for workspace in _of_type(resources, "Microsoft.MachineLearningServices/workspaces"):
        sas = _fake_key("workspace-sas", 32)
        workspace.setdefault("properties", {})["connections"] = [
            {
                "name": "aoai",
                "properties": {
                    "category": "AzureOpenAI",
                    "authType": "ApiKey",
                    "credentials": {"key": plant(f"{workspace['name']} connection key", _hex_key("conn"))},
                    "target": plant(
                        f"{workspace['name']} connection target",
                        f"https://stplanted.blob.core.windows.net/c?sv=2022-11-02&sp=r&sig={sas}",
                    ),
                },
            }
        ]
        plant(f"{workspace['name']} sas signature", sas)
    for account in _of_type(resources, "Microsoft.Storage/storageAccounts"):
        account.setdefault("properties", {})["keys"] = [
            {"keyName": "key1", "value": plant(f"{account['name']} key1", _fake_key(account["name"] + "1"))},
            {"keyName": "key2", "value": plant(f"{account['name']} key2", _fake_key(account["name"] + "2"))},
        ]
    for search in _of_type(resources, "Microsoft.Search/searchServices"):
        props = search.setdefault("properties", {})
        props["primaryKey"] = plant("search primary key", _alnum_key("search-1"))
        props["secondaryKey"] = plant("search secondary key", _alnum_key("search-2"))
    for registry in _of_type(resources, "Microsoft.ContainerRegistry/registries"):
        registry.setdefault("properties", {})["passwords"] = [
            {"name": "password", "value": plant("registry password", _fake_key("acr", 24))}
        ]
    for gateway in _of_type(resources, "Microsoft.Network/applicationGateways"):
        # The sample's certificates are Key Vault references (PUB030); the planted certificate is one
        # too, with a password and the PFX itself beside it, as an older API or a careless export gives.
        certificates = gateway.setdefault("properties", {}).setdefault("sslCertificates", [])
        certificates.append(
            {
                "name": "appgw-cert",
                "properties": {
                    "keyVaultSecretId": f"https://kv-{gateway['name']}.vault.azure.net/secrets/appgw-cert",
                    "password": plant("gateway certificate password", "Pl4nted-Pfx-Pa55"),
                    "data": plant("gateway certificate data", _fake_key("pfx", 96)),
                    "publicCertData": "MIIC-public-part",
                },
            }
        )
    for account in _of_type(resources, "Microsoft.CognitiveServices/accounts"):
        account.setdefault("properties", {})["key1"] = plant(
            f"{account['name']} key1", _hex_key(account["id"])
        )
        account.setdefault("tags", {})["deploy"] = plant(
            f"{account['name']} key in a tag", _fake_key("tag", 48)
        )
        account["tags"]["apiKey"] = plant(f"{account['name']} tag called apiKey", "pl4nted-tag-value-Qw")
    return resources, secrets


def leaks(secrets: dict[str, str], texts: dict[str, str]) -> list[str]:
    """`where secret -> which text` for every secret (or a 12-character piece of it) found in a text.

    Each secret is looked for as written, HTML-escaped and JSON-escaped.
    """
    found = []
    for where, value in secrets.items():
        forms = {value, html.escape(value), json.dumps(value)[1:-1]}
        if len(value) >= 24:
            middle = len(value) // 2
            forms.add(value[middle - 6 : middle + 6])
        for name, text in texts.items():
            if any(form in text for form in forms):
                found.append(f"{where} -> {name}")
    return found


def _of_type(resources: list[Resource], rtype: str) -> list[Resource]:
    return [r for r in resources if r.get("type", "").lower() == rtype.lower()]
