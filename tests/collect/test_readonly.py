"""The read-only check that every test's requests to the fake ARM server pass (tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests import conftest
from tests.fakearm import LoggedRequest, readonly, server

RG = "/subscriptions/s/resourceGroups/rg/providers"


def logged(method: str, path: str) -> LoggedRequest:
    return LoggedRequest(method, path, "", 200, 0.0)


@pytest.mark.parametrize(
    "path",
    [
        f"{RG}/Microsoft.Storage/storageAccounts/a/listKeys",
        f"{RG}/Microsoft.Storage/storageAccounts/a/ListAccountSas",
        f"{RG}/Microsoft.Storage/storageAccounts/a/regenerateKey",
        f"{RG}/Microsoft.CognitiveServices/accounts/a/listKeys",
        f"{RG}/Microsoft.Search/searchServices/a/listAdminKeys/",
        f"{RG}/Microsoft.Search/searchServices/a/listQueryKeys",
        f"{RG}/Microsoft.ContainerRegistry/registries/a/listCredentials",
        f"{RG}/Microsoft.MachineLearningServices/workspaces/w/listSecrets",
        f"{RG}/Microsoft.MachineLearningServices/workspaces/w/connections/c/listsecrets",
        f"{RG}/Microsoft.MachineLearningServices/workspaces/w/onlineEndpoints/e/listKeys",
        f"{RG}/Microsoft.Web/sites/a/config/appsettings/list",
        f"{RG}/Microsoft.Web/sites/a/config/APPSETTINGS",
        f"{RG}/Microsoft.Web/sites/a/config/connectionstrings/list",
        f"{RG}/Microsoft.Web/sites/a/config/publishingcredentials/list",
        f"{RG}/Microsoft.Web/sites/a/publishxml",
        f"{RG}/Microsoft.Web/sites/a/host/default/listkeys",
        f"{RG}/Microsoft.DocumentDB/databaseAccounts/a/listConnectionStrings",
        f"{RG}/Microsoft.AppConfiguration/configurationStores/a/listKeyValue",
        f"{RG}/Microsoft.DataLakeStore/accounts/a/listStorageAccountSas",
        f"{RG}/Microsoft.KeyVault/vaults/v/secrets/s",
        f"{RG}/Microsoft.KeyVault/vaults/v/providers/Microsoft.Insights/listSomething",
    ],
)
def test_secret_actions_are_caught_by_segment(path: str) -> None:
    assert readonly.forbidden_action(path) is not None
    assert readonly.violations([logged("GET", path)]) != []


@pytest.mark.parametrize(
    "path",
    [
        f"{RG}/Microsoft.Storage/storageAccounts/listings",  # a name, not an action
        "/subscriptions/s/resourceGroups/list-keys-rg/providers/Microsoft.Web/sites/a/config/web",
        f"{RG}/Microsoft.Storage/storageAccounts/a/blobServices/default",
        f"{RG}/Microsoft.KeyVault/vaults/v/providers/Microsoft.Insights/diagnosticSettings/listener",
        f"{RG}/Microsoft.MachineLearningServices/workspaces/w/outboundRules",
        "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/r",
        "/subscriptions/s/resourcegroups",
    ],
)
def test_reads_pass(path: str) -> None:
    assert readonly.violations([logged("GET", path)]) == []


def test_only_the_named_posts_pass() -> None:
    assert readonly.violations([logged("POST", "/tenant/oauth2/v2.0/token")]) == []
    assert readonly.allowed_post("/tenant/oauth2/token") == "token"
    assert readonly.allowed_post("/providers/Microsoft.ResourceGraph/resources") == "resource graph query"
    assert readonly.violations([logged("POST", f"{RG}/Microsoft.Storage/storageAccounts/a/listKeys")]) == [
        f"POST {RG}/Microsoft.Storage/storageAccounts/a/listKeys: not an allowed POST "
        "(token, resource graph query, logs ingestion)",
        f"POST {RG}/Microsoft.Storage/storageAccounts/a/listKeys: listkeys returns secrets",
    ]
    for method in ("PUT", "PATCH", "DELETE", "HEAD"):
        assert readonly.violations([logged(method, f"{RG}/Microsoft.Web/sites/a")]) != []


def test_the_per_test_check_fails_a_test_that_wrote() -> None:
    # As if a server of this process had been sent a write during this test.
    with server._TRAIL_LOCK:
        server.TRAIL.append(logged("PUT", f"{RG}/Microsoft.Web/sites/a"))
    with pytest.raises(pytest.fail.Exception, match=r"not read-only: PUT .*/sites/a: not a read"):
        conftest._check_trail("")
