from auditor.model import Status
from tests import estates
from tests.conftest import audit_resources, findings_of


def test_openai_public_access_pass_and_fail() -> None:
    resources = estates.compliant("aistudio")
    ok = findings_of(audit_resources(resources), "PUB001")
    assert [f.status for f in ok] == [Status.PASS]
    estates.find(resources, "Microsoft.CognitiveServices/accounts")["properties"]["publicNetworkAccess"] = "Enabled"
    bad = findings_of(audit_resources(resources), "PUB001")
    assert [f.status for f in bad] == [Status.FAIL]
    assert bad[0].actual == "Enabled"
