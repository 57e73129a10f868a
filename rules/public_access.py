"""Rules of the public-access family: every PaaS service is reachable only privately."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.estate import dig, same
from auditor.model import Result
from auditor.registry import Context, rule, verdict
from auditor.roles import OPENAI


@rule(
    id="PUB001",
    name="openai-public-network-disabled",
    control="public-access",
    severity="high",
    title="Azure OpenAI public network access is disabled",
    rationale="""The architecture reaches Azure OpenAI only through its private endpoint in the
    private-endpoint subnet; the reference sets properties.publicNetworkAccess: Disabled and
    networkAcls.defaultAction: Deny (openai.bicep).""",
    remediation="""az cognitiveservices account update -g <rg> -n <name> --custom-domain <name>
    --api-properties publicNetworkAccess=Disabled; in Bicep set properties.publicNetworkAccess:
    'Disabled' and properties.networkAcls.defaultAction: 'Deny'.""",
)
def openai_public_network(ctx: Context) -> Iterator[Result]:
    """`properties.publicNetworkAccess` is `Disabled` on every Azure OpenAI account (absent means Enabled)."""
    for acct in ctx.roles.resources(OPENAI):
        value = dig(acct, "properties.publicNetworkAccess") or "Enabled"
        acl = dig(acct, "properties.networkAcls.defaultAction")
        ok = same(value, "Disabled")
        yield verdict(
            ok,
            acct,
            f"properties.publicNetworkAccess is {value}" + (f", networkAcls.defaultAction is {acl}" if acl else ""),
            expected="Disabled",
            actual=value,
        )
