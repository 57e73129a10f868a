"""Rules of the public-access family for the chat UI's house as the Foundry reference hardens it.

The Foundry reference keeps the App Service and Application Gateway of the prompt flow editions and
hardens them: the web app turns SSH off and encrypts traffic between the platform's front ends and its
workers (reference implementation: infra-as-code/bicep/web-app.bicep), and the WAF policy enforces
request-body inspection and runs the Bot Manager rule set next to Microsoft_DefaultRuleSet 2.1 (reference
implementation: infra-as-code/bicep/application-gateway.bicep).
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.analysis.values import shown
from auditor.analysis.verdicts import verdict
from auditor.arm import types
from auditor.arm.estate import dig, same
from auditor.arm.types import Resource
from auditor.engine.registry import Context, rule
from auditor.engine.sources import foundry_article, implementation
from auditor.model import Result

from .public_access_web import architecture_web_apps

SITES = types.WEB_SITES
WAF_POLICIES = types.WAF_POLICIES
BOT_MANAGER = "Microsoft_BotManagerRuleSet"


def _version(text: str) -> tuple[int, ...]:
    """A dotted version as numbers; anything unreadable sorts first."""
    try:
        return tuple(int(p) for p in text.split("."))
    except ValueError:
        return ()


@dataclass(frozen=True)
class BotManagerParams:
    """PUB083: the least Bot Manager rule set version accepted."""

    minimum_version: str = "1.0"


@rule(
    id="PUB080",
    name="web-app-ssh-disabled",
    control="public-access",
    severity="medium",
    title="Web apps turn SSH into their containers off",
    rationale="""The Foundry reference sets sshEnabled: false on the chat UI (reference implementation:
    infra-as-code/bicep/web-app.bicep): nobody opens a shell in the running container through the SCM
    site, so the only way to change what runs is a deployment. An absent value is the platform default,
    SSH allowed.""",
    references=[
        foundry_article("Security"),
        implementation("foundry", "infra-as-code/bicep/web-app.bicep", 186, 204),
    ],
    remediation="""az resource update --ids <site id> --set properties.sshEnabled=false; in Bicep
    properties.sshEnabled: false on Microsoft.Web/sites.""",
    resource_type=SITES,
    what="Web apps",
    select=architecture_web_apps,
    since="0.2.0",
    status="preview",
)
def web_app_ssh_disabled(ctx: Context, site: Resource) -> Result:
    """Every web app has `properties.sshEnabled` false (absent means the platform default, enabled)."""
    value = dig(site, "properties.sshEnabled")
    return verdict(value is False, site, f"properties.sshEnabled is {shown(value, 'true')}", False, value)


@rule(
    id="PUB081",
    name="web-app-end-to-end-encryption",
    control="public-access",
    severity="medium",
    title="Web apps encrypt traffic from the platform's front ends to their workers",
    rationale="""The architecture encrypts data in transit end to end with TLS (Microsoft Learn,
    "Baseline Microsoft Foundry chat reference architecture", section "Networking"). App Service ends TLS
    at its front ends; with endToEndEncryptionEnabled the hop from the front ends to the workers is
    encrypted too, and the Foundry reference turns it on (reference implementation:
    infra-as-code/bicep/web-app.bicep). Absent means false.""",
    references=[
        foundry_article("Networking"),
        implementation("foundry", "infra-as-code/bicep/web-app.bicep", 186, 204),
    ],
    remediation="""az resource update --ids <site id> --set properties.endToEndEncryptionEnabled=true;
    in Bicep properties.endToEndEncryptionEnabled: true on Microsoft.Web/sites.""",
    resource_type=SITES,
    what="Web apps",
    select=architecture_web_apps,
    since="0.2.0",
    status="preview",
)
def web_app_end_to_end_encryption(ctx: Context, site: Resource) -> Result:
    """Every web app has `properties.endToEndEncryptionEnabled` true (absent means false)."""
    value = dig(site, "properties.endToEndEncryptionEnabled")
    message = f"properties.endToEndEncryptionEnabled is {shown(value, 'false')}"
    return verdict(value is True, site, message, True, value)


@rule(
    id="PUB082",
    name="waf-request-body-enforced",
    control="public-access",
    severity="medium",
    title="WAF policies inspect request bodies and enforce the body and upload limits",
    rationale="""The gateway's WAF filters the chat UI's ingress (Microsoft Learn, "Baseline Microsoft
    Foundry chat reference architecture", section "Networking"). Chat requests carry their payload in
    the body: the Foundry reference inspects it (requestBodyCheck) and rejects bodies and uploads over
    the limits (requestBodyEnforcement, fileUploadEnforcement; reference implementation:
    infra-as-code/bicep/application-gateway.bicep). Without enforcement a request larger than the
    inspection limit passes uninspected. An absent requestBodyCheck means true (the platform default);
    absent enforcement flags mean true in current api-versions, and are read as such.""",
    references=[
        foundry_article("Networking"),
        implementation("foundry", "infra-as-code/bicep/application-gateway.bicep", 120, 130),
    ],
    remediation="""az network application-gateway waf-policy policy-setting update -g <rg> --policy-name
    <waf> --request-body-check true --request-body-enforcement true --file-upload-enforcement true; in
    Bicep properties.policySettings.requestBodyCheck, requestBodyEnforcement and fileUploadEnforcement:
    true.""",
    resource_type=WAF_POLICIES,
    what="WAF policies",
    since="0.2.0",
    status="preview",
)
def waf_request_body_enforced(ctx: Context, policy: Resource) -> Result:
    """Every WAF policy has `properties.policySettings.requestBodyCheck`, `requestBodyEnforcement` and
    `fileUploadEnforcement` not false (absent: the platform default, true)."""
    settings = dig(policy, "properties.policySettings") or {}
    flags = ("requestBodyCheck", "requestBodyEnforcement", "fileUploadEnforcement")
    actual = {f: settings.get(f) if isinstance(settings, dict) else None for f in flags}
    off = [f for f, v in actual.items() if v is False]
    parts = [f"{f} {shown(v, 'true')}" for f, v in actual.items()]
    message = "policySettings: " + ", ".join(parts)
    return verdict(not off, policy, message, dict.fromkeys(flags, True), actual)


@rule(
    id="PUB083",
    name="waf-bot-manager-rule-set",
    control="public-access",
    severity="low",
    title="WAF policies run the Bot Manager rule set",
    rationale="""The Foundry reference's WAF policy runs Microsoft_BotManagerRuleSet 1.1 beside
    Microsoft_DefaultRuleSet 2.1 (reference implementation:
    infra-as-code/bicep/application-gateway.bicep), the prompt flow editions 1.0; it blocks known bad
    bots and scanners before they reach the chat UI (Microsoft Learn, "Baseline Microsoft Foundry chat
    reference architecture", section "Networking").""",
    references=[
        foundry_article("Networking"),
        implementation("foundry", "infra-as-code/bicep/application-gateway.bicep", 131, 145),
        implementation("hub", "infra-as-code/bicep/gateway.bicep", 120, 131),
    ],
    remediation="""az network application-gateway waf-policy managed-rule rule-set add -g <rg>
    --policy-name <waf> --type Microsoft_BotManagerRuleSet --version 1.1; in Bicep a managedRuleSets entry
    {ruleSetType: 'Microsoft_BotManagerRuleSet', ruleSetVersion: '1.1'}.""",
    params=BotManagerParams,
    resource_type=WAF_POLICIES,
    what="WAF policies",
    since="0.2.0",
    status="preview",
)
def waf_bot_manager(ctx: Context, policy: Resource) -> Result:
    """Every WAF policy has a `properties.managedRules.managedRuleSets[]` entry of type
    Microsoft_BotManagerRuleSet whose `ruleSetVersion` is at least `minimum_version`."""
    least = ctx.params.minimum_version
    sets = [
        (str(s.get("ruleSetType")), str(s.get("ruleSetVersion")))
        for s in dig(policy, "properties.managedRules.managedRuleSets") or []
        if isinstance(s, dict)
    ]
    bots = [v for t, v in sets if same(t, BOT_MANAGER)]
    ok = any(_version(v) >= _version(least) and _version(v) for v in bots)
    shown_sets = ", ".join(f"{t} {v}" for t, v in sets) or "no managed rule set"
    return verdict(ok, policy, f"managed rule sets: {shown_sets}", f"{BOT_MANAGER} {least} or later", bots)
