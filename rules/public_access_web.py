"""Rules of the public-access family for the web tier: App Service and Application Gateway.

A web app's ftpsState, minTlsVersion and (in older api-versions) routing are reliable only in
its config/web child; when that child was not read, those checks are not assessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from auditor.analysis.values import present, rank, shown
from auditor.analysis.verdicts import conclude, failed, listed, not_assessed, passed, verdict
from auditor.arm import ids, types
from auditor.arm.estate import Estate, dig, display_name, same, web_apps
from auditor.arm.types import Resource
from auditor.engine.params import OneOf
from auditor.engine.registry import Context, rule
from auditor.engine.sources import app_service_baseline, article, foundry_article, implementation
from auditor.model import Result

SITE_CONFIG = types.SITE_CONFIG
WAF_POLICY = types.WAF_POLICIES
DEFAULT_RULE_SETS: dict[str, list[str]] = {"OWASP": ["3."], "Microsoft_DefaultRuleSet": [""]}


def web_config(estate: Estate, site: Resource) -> tuple[Resource | None, str]:
    """The site's config/web child, or why it is missing."""
    for child in estate.children(site["id"]):
        if same(child.get("type"), SITE_CONFIG) and ids.name_of(child["id"]).lower() == "web":
            return child, ""
    return None, estate.gap(SITE_CONFIG, site["id"]) or "its config/web is not in the snapshot"


SITES = types.WEB_SITES
GATEWAYS = types.APPLICATION_GATEWAYS


def architecture_web_apps(ctx: Context) -> list[Resource]:
    """The web apps a rule judges (function apps are not part of the architecture)."""
    return web_apps(ctx.estate)


# --- parameters ---------------------------------------------------------------


@dataclass(frozen=True)
class FtpParams:
    """PUB017: the ftpsState values accepted."""

    allowed_states: tuple[Annotated[str, OneOf(("AllAllowed", "FtpsOnly", "Disabled"))], ...] = ("Disabled",)


@dataclass(frozen=True)
class WebTlsParams:
    """PUB018: the lowest web app TLS version accepted."""

    minimum_version: str | float = "1.2"


@dataclass(frozen=True)
class RuleSetParams:
    """PUB021: accepted managed rule set types, each with the version prefixes accepted."""

    accepted_rule_sets: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: {k: tuple(v) for k, v in DEFAULT_RULE_SETS.items()}
    )


@dataclass(frozen=True)
class GatewayTlsParams:
    """PUB022: the lowest gateway TLS version accepted."""

    minimum_version: Annotated[str, OneOf(("TLSv1_0", "TLSv1_1", "TLSv1_2", "TLSv1_3"))] = "TLSv1_2"


# --- App Service --------------------------------------------------------------


@rule(
    id="PUB015",
    name="web-app-public-network-disabled",
    control="public-access",
    severity="high",
    title="Web apps do not accept public traffic",
    rationale="""Users reach the chat UI only through Application Gateway, which calls the app over its
    private endpoint (Microsoft Learn, "Baseline OpenAI end-to-end chat reference architecture", section
    "Security"; its chat UI follows the baseline App Service web application guidance). The hub
    reference sets the site's
    publicNetworkAccess: Disabled (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/webapp.bicep#L165);
    the ML-workspace reference sets it in siteConfig only (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/webapp.bicep#L151),
    which config/web returns.""",
    references=[
        article("Security"),
        implementation("hub", "infra-as-code/bicep/webapp.bicep", 165),
        implementation("aml", "infra-as-code/bicep/webapp.bicep", 151),
    ],
    remediation="""az webapp update -g <rg> -n <name> --set publicNetworkAccess=Disabled; in Bicep
    properties.publicNetworkAccess: 'Disabled' on Microsoft.Web/sites.""",
    resource_type=SITES,
    what="Web apps",
    select=architecture_web_apps,
    absent="web app (the chat UI)",
)
def web_app_public_network(ctx: Context, site: Resource) -> Result:
    """Every web app has `properties.publicNetworkAccess` Disabled on the site, or, when the site
    does not carry it, `publicNetworkAccess` Disabled in its config/web. Absent in both means the app
    serves its public endpoint; not assessed when the site lacks it and config/web was not read."""
    value = dig(site, "properties.publicNetworkAccess")
    where = "properties.publicNetworkAccess"
    if not present(value):
        config, reason = web_config(ctx.estate, site)
        if config is None:
            return not_assessed(site, f"properties.publicNetworkAccess is absent and {reason}", "Disabled")
        value = dig(config, "properties.publicNetworkAccess")
        where = "site properties.publicNetworkAccess is absent; config/web publicNetworkAccess"
    message = f"{where} is {shown(value, 'Enabled')}"
    return verdict(same(value, "Disabled"), site, message, "Disabled", value)


@rule(
    id="PUB016",
    name="web-app-https-only",
    control="public-access",
    severity="medium",
    title="Web apps accept HTTPS only",
    rationale="""Data in transit is encrypted with TLS end to end (Microsoft Learn,
    "Baseline OpenAI end-to-end chat reference architecture", section "Networking"). The hub reference sets
    httpsOnly: true (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/webapp.bicep#L162);
    the ML-workspace reference leaves httpsOnly: false (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/webapp.bicep#L145),
    which contradicts the article's text, so both baselines require it.""",
    references=[
        article("Networking"),
        implementation("hub", "infra-as-code/bicep/webapp.bicep", 162),
        implementation("aml", "infra-as-code/bicep/webapp.bicep", 145),
    ],
    remediation="""az webapp update -g <rg> -n <name> --https-only true; in Bicep
    properties.httpsOnly: true.""",
    resource_type=SITES,
    what="Web apps",
    select=architecture_web_apps,
)
def web_app_https_only(ctx: Context, site: Resource) -> Result:
    """Every web app has `properties.httpsOnly` true (absent means false)."""
    value = dig(site, "properties.httpsOnly")
    return verdict(value is True, site, f"properties.httpsOnly is {shown(value, 'false')}", True, value)


@rule(
    id="PUB017",
    name="web-app-ftp-disabled",
    control="public-access",
    severity="medium",
    title="Web apps have FTP and FTPS deployment disabled",
    rationale="""The architecture deploys the chat UI from a package in its storage account with a
    managed identity and the prompt flow as a container image, so no FTP endpoint is needed, and the
    article recommends disabling local authentication (Microsoft Learn, "Baseline OpenAI end-to-end
    chat reference architecture", section "Governance through policy"); the
    current reference sets ftpsState: Disabled (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/web-app.bicep#L201)
    while the ML-workspace and hub references leave it unset, hence a recommendation. FtpsOnly is
    not accepted by default: it still exposes credential-based publishing; a baseline copy may add it
    to allowed_states.""",
    references=[
        article("Governance through policy"),
        implementation("foundry", "infra-as-code/bicep/web-app.bicep", 201),
    ],
    remediation="""az webapp config set -g <rg> -n <name> --ftps-state Disabled; in Bicep
    properties.siteConfig.ftpsState: 'Disabled'.""",
    params=FtpParams,
    resource_type=SITES,
    what="Web apps",
    select=architecture_web_apps,
)
def web_app_ftp(ctx: Context, site: Resource) -> Result:
    """Every web app's config/web has `properties.ftpsState` in `allowed_states` (absent: the platform
    default allows FTP or FTPS). Not assessed when config/web was not read."""
    allowed = list(ctx.params.allowed_states)
    config, reason = web_config(ctx.estate, site)
    if config is None:
        return not_assessed(site, f"ftpsState unknown: {reason}", allowed)
    value = dig(config, "properties.ftpsState")
    ok = any(same(value, s) for s in allowed)
    return verdict(
        ok, site, f"config/web ftpsState is {shown(value, 'AllAllowed or FtpsOnly')}", allowed, value
    )


def _tls_tuple(value: Any) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in str(value).split("."))
    except ValueError:
        return (0,)


@rule(
    id="PUB018",
    name="web-app-minimum-tls",
    control="public-access",
    severity="medium",
    title="Web apps require TLS 1.2 or later",
    rationale="""Data in transit is encrypted with TLS end to end (Microsoft Learn,
    "Baseline OpenAI end-to-end chat reference architecture", section "Networking"). The references leave
    siteConfig.minTlsVersion unset, relying on the platform default of 1.2 (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/tree/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/tree/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2
    and https://github.com/Azure-Samples/microsoft-foundry-baseline/tree/1d6dd6815011d88ebfbe2acec65fb2ba3455c804),
    so anything below 1.2 is a deviation.""",
    references=[
        article("Networking"),
        implementation("aml"),
        implementation("hub"),
        implementation("foundry"),
    ],
    remediation="""az webapp config set -g <rg> -n <name> --min-tls-version 1.2 (the SCM site:
    az resource update --ids <site-id>/config/web --set properties.scmMinTlsVersion=1.2); in Bicep
    properties.siteConfig.minTlsVersion: '1.2' and scmMinTlsVersion: '1.2'.""",
    params=WebTlsParams,
    resource_type=SITES,
    what="Web apps",
    select=architecture_web_apps,
)
def web_app_minimum_tls(ctx: Context, site: Resource) -> Result:
    """Every web app's config/web has `properties.minTlsVersion` and, where present,
    `properties.scmMinTlsVersion` at least `minimum_version` (absent means 1.2, the platform
    default). Not assessed when config/web was not read."""
    minimum = str(ctx.params.minimum_version)
    config, reason = web_config(ctx.estate, site)
    if config is None:
        return not_assessed(site, f"minTlsVersion unknown: {reason}", minimum)
    app = dig(config, "properties.minTlsVersion")
    scm = dig(config, "properties.scmMinTlsVersion")
    app_ok = _tls_tuple(app if present(app) else "1.2") >= _tls_tuple(minimum)
    scm_ok = not present(scm) or _tls_tuple(scm) >= _tls_tuple(minimum)
    message = f"config/web minTlsVersion is {shown(app, '1.2')}; scmMinTlsVersion is {shown(scm)}"
    return verdict(app_ok and scm_ok, site, message, minimum, {"minTlsVersion": app, "scmMinTlsVersion": scm})


@rule(
    id="PUB019",
    name="web-app-vnet-route-all",
    control="public-access",
    severity="medium",
    title="Web apps route all outbound traffic through the virtual network",
    rationale="""App Service reaches the PaaS services through virtual network integration and private
    endpoints (Microsoft Learn, "Baseline OpenAI end-to-end chat reference architecture", section
    "Network flows", whose flow from App Service to the PaaS services is the App Service baseline's:
    Microsoft Learn, "Baseline highly available zone-redundant web application", "App Service to
    Azure PaaS services flow"); the references
    integrate both apps in the App Service subnet and set vnetRouteAllEnabled (the ML-workspace
    reference in siteConfig; reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/webapp.bicep#L161,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/webapp.bicep#L167
    and https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/webapp.bicep#L170;
    the current reference also sets outboundVnetRouting.applicationTraffic), so the subnet's NSG
    governs all egress.""",
    references=[
        article("Network flows"),
        app_service_baseline("App Service to Azure PaaS services flow"),
        implementation("hub", "infra-as-code/bicep/webapp.bicep", 161),
        implementation("hub", "infra-as-code/bicep/webapp.bicep", 167),
        implementation("hub", "infra-as-code/bicep/webapp.bicep", 170),
    ],
    remediation="""az webapp vnet-integration add -g <rg> -n <name> --vnet <vnet>
    --subnet <app-service-subnet>, then az resource update --ids <site-id>
    --set properties.vnetRouteAllEnabled=true (newer api-versions:
    properties.outboundVnetRouting.applicationTraffic=true).""",
    resource_type=SITES,
    what="Web apps",
    select=architecture_web_apps,
)
def web_app_vnet_route_all(ctx: Context, site: Resource) -> Result:
    """Every web app has `properties.virtualNetworkSubnetId` set, and all its traffic routed through
    it: true in any of the site's `properties.vnetRouteAllEnabled`,
    `properties.outboundVnetRouting.allTraffic` or `.applicationTraffic`, or config/web's
    `vnetRouteAllEnabled`. Not assessed when the site says nothing and config/web was not read."""
    subnet = dig(site, "properties.virtualNetworkSubnetId")
    sources: dict[str, Any] = {
        "properties.vnetRouteAllEnabled": dig(site, "properties.vnetRouteAllEnabled"),
        "properties.outboundVnetRouting.allTraffic": dig(site, "properties.outboundVnetRouting.allTraffic"),
        "properties.outboundVnetRouting.applicationTraffic": dig(
            site, "properties.outboundVnetRouting.applicationTraffic"
        ),
    }
    config, reason = web_config(ctx.estate, site)
    if config is not None:
        sources["config/web vnetRouteAllEnabled"] = dig(config, "properties.vnetRouteAllEnabled")
    known = {k: v for k, v in sources.items() if v is not None}
    routing = "; ".join(f"{k} is {shown(v)}" for k, v in known.items()) or "no routing property"
    expected = {"virtualNetworkSubnetId": "set", "route all traffic": True}
    if not present(subnet):
        return failed(
            site,
            f"properties.virtualNetworkSubnetId is absent (no VNet integration); {routing}",
            expected,
            known,
        )
    elif any(v is True for v in known.values()):
        return passed(site, f"integrated in {ids.name_of(str(subnet))}; {routing}", expected, known)
    elif config is None and not known:
        return not_assessed(
            site, f"routing unknown: the site carries no routing property and {reason}", expected
        )
    else:
        return failed(
            site,
            f"integrated in {ids.name_of(str(subnet))} but only partly routed: {routing}",
            expected,
            known,
        )


# --- Application Gateway ------------------------------------------------------


def _gateway_policies(gw: Resource) -> list[tuple[str, str]]:
    """(where, policy id) for the gateway-level WAF policy and any listener or path-rule override."""
    found: list[tuple[str, str]] = []
    top = dig(gw, "properties.firewallPolicy.id")
    if isinstance(top, str):
        found.append(("properties.firewallPolicy", top))
    for listener in dig(gw, "properties.httpListeners") or []:
        pid = dig(listener, "properties.firewallPolicy.id")
        if isinstance(pid, str):
            found.append((f"httpListeners[{listener.get('name', '?')}]", pid))
    for path_map in dig(gw, "properties.urlPathMaps") or []:
        for path_rule in dig(path_map, "properties.pathRules") or []:
            pid = dig(path_rule, "properties.firewallPolicy.id")
            if isinstance(pid, str):
                found.append((f"pathRules[{path_rule.get('name', '?')}]", pid))
    return found


def _policies_or_gap(ctx: Context, gw: Resource) -> tuple[list[tuple[str, Resource]], list[str]]:
    found: list[tuple[str, Resource]] = []
    unknown: list[str] = []
    for where, pid in _gateway_policies(gw):
        policy = ctx.estate.get(pid)
        if policy is None:
            reason = ctx.estate.gap(WAF_POLICY, pid) or "it is not in the snapshot"
            unknown.append(f"{where} -> {ids.name_of(pid)}: {reason}")
        else:
            found.append((where, policy))
    return found, unknown


def waf_policy_state(policy: Resource) -> tuple[Any, str]:
    """A WAF policy's `policySettings.state`, and a note on the form it was read from.

    Api-versions 2018-12-01 and 2019-06-01 name the property `enabledState` (Microsoft's examples
    of those versions return `policySettings: {enabledState: Enabled, mode: Prevention}`); later
    versions `state`. Azure reads either as the policy's state.
    """
    settings = dig(policy, "properties.policySettings")
    if not isinstance(settings, dict):
        return None, ""
    if present(settings.get("state")):
        return settings["state"], ""
    if present(settings.get("enabledState")):
        return settings["enabledState"], " (policySettings.enabledState, the 2018-12-01 and 2019-06-01 name)"
    return None, ""


@rule(
    id="PUB020",
    name="application-gateway-waf-prevention",
    control="public-access",
    severity="high",
    title="Application Gateway has an enabled WAF policy in Prevention mode",
    rationale="""The Web Application Firewall protects the chat UI from common exploits such as SQL
    injection and cross-site scripting (Microsoft Learn,
    "Baseline OpenAI end-to-end chat reference architecture", AI Studio hub edition, section
    "Components"); the reference links a WAF policy
    (properties.firewallPolicy.id, reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/gateway.bicep#L211-L213)
    with policySettings.state: Enabled and mode: Prevention (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/gateway.bicep#L99-L101
    and https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/gateway.bicep#L114-L118).""",
    references=[
        article("Components"),
        implementation("hub", "infra-as-code/bicep/gateway.bicep", 211, 213),
        implementation("aml", "infra-as-code/bicep/gateway.bicep", 99, 101),
        implementation("hub", "infra-as-code/bicep/gateway.bicep", 114, 118),
    ],
    remediation="""az network application-gateway waf-policy policy-setting update -g <rg> --policy-name <waf>
    --state Enabled --mode Prevention, and az network application-gateway update -g <rg> -n <gw>
    --waf-policy <waf-id>; in Bicep properties.firewallPolicy.id on the gateway and
    properties.policySettings: {state: 'Enabled', mode: 'Prevention'} on the policy.""",
    resource_type=GATEWAYS,
    what="Application gateways",
    absent="Application Gateway with WAF",
)
def application_gateway_waf(ctx: Context, gw: Resource) -> Result:
    """Every Application Gateway links a WAF policy in `properties.firewallPolicy.id`, and that policy
    and any listener or path-rule policy has `properties.policySettings.state` (`enabledState` in
    api-versions 2018-12-01 and 2019-06-01) Enabled and
    `properties.policySettings.mode` Prevention (absent mode means Detection). Not assessed when a
    linked policy could not be read."""
    expected = {"firewallPolicy": "linked", "state": "Enabled", "mode": "Prevention"}
    if not isinstance(dig(gw, "properties.firewallPolicy.id"), str):
        legacy = dig(gw, "properties.webApplicationFirewallConfiguration")
        note = ""
        if isinstance(legacy, dict):
            note = (
                f"; legacy webApplicationFirewallConfiguration enabled={shown(legacy.get('enabled'))} "
                f"firewallMode={shown(legacy.get('firewallMode'))} (migrate it to a WAF policy)"
            )
        return failed(gw, f"properties.firewallPolicy is absent: no WAF policy linked{note}", expected, None)
    policies, unknown = _policies_or_gap(ctx, gw)
    problems: list[str] = []
    seen: list[str] = []
    actual: dict[str, Any] = {}
    for where, policy in policies:
        state, form = waf_policy_state(policy)
        mode = dig(policy, "properties.policySettings.mode")
        actual[display_name(policy)] = {"state": state, "mode": mode}
        text = (
            f"{where} -> {display_name(policy)}: state {shown(state)}{form}, mode {shown(mode, 'Detection')}"
        )
        seen.append(text)
        if not (same(state, "Enabled") and same(mode, "Prevention")):
            problems.append(text)
    return conclude(
        gw,
        expected,
        failing=listed("WAF policy not enforcing: ", problems),
        unknown=listed("WAF policy unknown: ", unknown),
        passing="; ".join(seen),
        failed_actual=actual,
        passed_actual=actual,
    )


@rule(
    id="PUB021",
    name="waf-managed-rule-set",
    control="public-access",
    severity="high",
    title="The WAF policy uses a current managed core rule set",
    rationale="""The architecture filters network traffic (Microsoft Learn, "Baseline OpenAI end-to-end
    chat reference architecture", section "Networking"), and a WAF policy without a managed core rule
    set blocks nothing; the reference uses OWASP
    3.2 (reference implementation: https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/gateway.bicep#L106-L112
    and https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/gateway.bicep#L120-L131)
    and the current reference Microsoft_DefaultRuleSet 2.1 (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/application-gateway.bicep#L131-L145).
    OWASP 2.2.9 is legacy and not accepted.""",
    references=[
        article("Networking"),
        implementation("aml", "infra-as-code/bicep/gateway.bicep", 106, 112),
        implementation("hub", "infra-as-code/bicep/gateway.bicep", 120, 131),
        implementation("foundry", "infra-as-code/bicep/application-gateway.bicep", 131, 145),
    ],
    remediation="""az network application-gateway waf-policy managed-rule rule-set add -g <rg>
    --policy-name <waf> --type OWASP --version 3.2 (or --type Microsoft_DefaultRuleSet --version 2.1);
    in Bicep properties.managedRules.managedRuleSets: [{ruleSetType: 'OWASP', ruleSetVersion: '3.2'}].""",
    params=RuleSetParams,
    resource_type=GATEWAYS,
    what="Application gateways",
)
def waf_managed_rule_set(ctx: Context, gw: Resource) -> Result | None:
    """Every WAF policy an Application Gateway links has a `properties.managedRules.managedRuleSets[]`
    entry whose `ruleSetType` is a key of `accepted_rule_sets` and whose `ruleSetVersion` starts with
    one of its prefixes. Gateways without a policy are PUB020's finding and are skipped here."""
    accepted = {kind: list(prefixes) for kind, prefixes in ctx.params.accepted_rule_sets.items()}
    if not isinstance(dig(gw, "properties.firewallPolicy.id"), str):
        return None
    policies, unknown = _policies_or_gap(ctx, gw)
    problems: list[str] = []
    seen: list[str] = []
    actual: dict[str, Any] = {}
    for _where, policy in policies:
        sets = [
            (str(s.get("ruleSetType")), str(s.get("ruleSetVersion")))
            for s in dig(policy, "properties.managedRules.managedRuleSets") or []
            if isinstance(s, dict)
        ]
        actual[display_name(policy)] = [f"{t} {v}" for t, v in sets]
        ok = any(
            same(kind, t) and any(v.startswith(str(prefix)) for prefix in prefixes or [""])
            for t, v in sets
            for kind, prefixes in accepted.items()
        )
        text = f"{display_name(policy)}: {', '.join(f'{t} {v}' for t, v in sets) or 'no managed rule set'}"
        (seen if ok else problems).append(text)
    return conclude(
        gw,
        dict(accepted),
        failing=listed("no accepted managed rule set: ", problems),
        unknown=listed("WAF policy unknown: ", unknown),
        passing="managed rule sets: " + "; ".join(seen),
        failed_actual=actual,
        passed_actual=actual,
    )


_GATEWAY_TLS = ["TLSv1_0", "TLSv1_1", "TLSv1_2", "TLSv1_3"]
# Minimum protocol of Application Gateway's predefined policies, and the policy a gateway without one
# gets: Microsoft Learn, "Application Gateway TLS policy overview", sections "Predefined TLS policy"
# and "Usage and version details"
# (https://learn.microsoft.com/en-us/azure/application-gateway/application-gateway-ssl-policy-overview).
PREDEFINED_MINIMUM = {
    "appgwsslpolicy20150501": "TLSv1_0",
    "appgwsslpolicy20170401": "TLSv1_1",
    "appgwsslpolicy20170401s": "TLSv1_2",
    "appgwsslpolicy20220101": "TLSv1_2",
    "appgwsslpolicy20220101s": "TLSv1_2",
}
PLATFORM_DEFAULT = (
    "the default depends on the api-version that created the gateway: "
    "AppGwSslPolicy20150501, TLS 1.0, before 2023-02-01; AppGwSslPolicy20220101, TLS 1.2, since"
)


def ssl_policy_minimum(policy: Any) -> tuple[str | None, str]:
    """The minimum TLS version an sslPolicy allows, and how it was read, as Azure reads it.

    Predefined: the named policy's minimum. Custom, CustomV2, or no policyType at all: the
    `minProtocolVersion` when it is set, else what `disabledSslProtocols` leaves (the form of older
    bodies). Nothing of that: the platform default, which depends on the api-version that created the
    gateway and cannot be read from the body (None, and the message names both defaults).
    """
    if not isinstance(policy, dict) or not policy:
        return None, f"absent ({PLATFORM_DEFAULT})"
    ptype = policy.get("policyType")
    if same(ptype, "Predefined"):
        name = str(policy.get("policyName"))
        minimum = PREDEFINED_MINIMUM.get(name.lower())
        return minimum, f"predefined {name} (minimum {minimum or 'unknown'})"
    kind = str(ptype) if present(ptype) else "no policyType,"
    version = policy.get("minProtocolVersion")
    if present(version):
        return str(version), f"{kind} minProtocolVersion {version}"
    if isinstance(policy.get("disabledSslProtocols"), list):
        disabled = {str(p).lower() for p in policy["disabledSslProtocols"]}
        for candidate in _GATEWAY_TLS:
            if candidate.lower() not in disabled:
                return candidate, f"disabledSslProtocols {sorted(disabled) or 'none'} (minimum {candidate})"
        return None, "every protocol disabled"
    if present(ptype):
        return None, f"{ptype} minProtocolVersion {shown(version)}"
    return None, f"no policyType, minProtocolVersion or disabledSslProtocols ({PLATFORM_DEFAULT})"


@rule(
    id="PUB022",
    name="application-gateway-minimum-tls",
    control="public-access",
    severity="medium",
    title="Application Gateway requires TLS 1.2 or later",
    rationale="""Data in transit is encrypted with TLS from the client to the gateway (Microsoft Learn,
    "Baseline OpenAI end-to-end chat reference architecture", section "Networking"); the reference sets a
    custom sslPolicy with minProtocolVersion: TLSv1_2 (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/gateway.bicep#L152-L159).
    Predefined AppGwSslPolicy20170401S, 20220101 and 20220101S also mean
    TLS 1.2; AppGwSslPolicy20150501 means TLS 1.0 and 20170401 TLS 1.1.""",
    references=[
        article("Networking"),
        implementation("hub", "infra-as-code/bicep/gateway.bicep", 152, 159),
    ],
    remediation="""az network application-gateway ssl-policy set -g <rg> --gateway-name <gw>
    --policy-type Predefined --name AppGwSslPolicy20220101 (or --policy-type CustomV2
    --min-protocol-version TLSv1_2 --cipher-suites ...); in Bicep properties.sslPolicy.""",
    params=GatewayTlsParams,
    resource_type=GATEWAYS,
    what="Application gateways",
)
def application_gateway_tls(ctx: Context, gw: Resource) -> Result:
    """Every Application Gateway's `properties.sslPolicy` and each `sslProfiles[].properties.sslPolicy`
    allows no protocol below `minimum_version` (Predefined: by policy name; Custom, CustomV2 and a
    policy without policyType by `minProtocolVersion`; older bodies: `disabledSslProtocols`). An absent
    gateway policy fails: its default depends on the api-version that created the gateway."""
    minimum = ctx.params.minimum_version
    policies: list[tuple[str, Any]] = [("sslPolicy", dig(gw, "properties.sslPolicy"))]
    for profile in dig(gw, "properties.sslProfiles") or []:
        if isinstance(profile, dict) and dig(profile, "properties.sslPolicy"):
            policies.append(
                (f"sslProfiles[{profile.get('name', '?')}]", dig(profile, "properties.sslPolicy"))
            )
    texts: list[str] = []
    actual: dict[str, Any] = {}
    ok = True
    for where, policy in policies:
        version, how = ssl_policy_minimum(policy)
        actual[where] = version
        texts.append(f"{where}: {how}")
        ok = ok and rank(version, _GATEWAY_TLS) >= rank(minimum, _GATEWAY_TLS) >= 0
    return verdict(ok, gw, "; ".join(texts), minimum, actual)


@rule(
    id="PUB028",
    name="application-gateway-backend-https",
    control="public-access",
    severity="medium",
    title="Application Gateway reaches its backends over HTTPS",
    rationale="""The architecture encrypts data in transit end to end with TLS (Microsoft Learn,
    "Baseline OpenAI end-to-end chat reference architecture", section "Networking": "Data in transit is
    encrypted end-to-end with Transport Layer Security (TLS)"); both references set the gateway's
    backend HTTP settings to protocol Https on port 443 towards the web app's private endpoint. A
    backend setting over plain HTTP ends TLS at the gateway and sends the chat traffic unencrypted
    inside the network. The reference implementation sets it in gateway.bicep:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/gateway.bicep#L190-L249.""",
    remediation="""az network application-gateway http-settings update -g <rg> --gateway-name <gw>
    -n <settings> --protocol Https --port 443; in Bicep every
    properties.backendHttpSettingsCollection[].properties.protocol: 'Https'.""",
    resource_type=GATEWAYS,
    what="Application gateways",
    references=[article("Networking"), implementation("hub", "infra-as-code/bicep/gateway.bicep", 190, 249)],
    since="0.2.0",
    status="preview",
)
def application_gateway_backend_https(ctx: Context, gw: Resource) -> Result:
    """Every entry of `properties.backendHttpSettingsCollection` has `properties.protocol` Https. A
    gateway that lists no backend settings is not assessed."""
    settings = [s for s in dig(gw, "properties.backendHttpSettingsCollection") or [] if isinstance(s, dict)]
    if not settings:
        return not_assessed(gw, "properties.backendHttpSettingsCollection is absent or empty", "Https")
    plain = [
        f"{s.get('name', '?')} ({shown(dig(s, 'properties.protocol'))})"
        for s in settings
        if not same(dig(s, "properties.protocol"), "Https")
    ]
    if plain:
        return failed(gw, "backend settings not over HTTPS: " + "; ".join(plain), "Https", plain)
    names = ", ".join(str(s.get("name", "?")) for s in settings)
    return passed(gw, f"every backend setting uses protocol Https ({names})", "Https", "Https")


@rule(
    id="PUB030",
    name="application-gateway-certificates-from-key-vault",
    control="public-access",
    severity="medium",
    title="Application Gateway takes its TLS certificates from Key Vault",
    rationale="""Both references keep the gateway's public certificate in Key Vault and reference it
    with keyVaultSecretId, read by the gateway's managed identity (Key Vault Secrets User in the role
    tables of Microsoft Learn, "Baseline OpenAI end-to-end chat reference architecture", section
    "Machine Learning role-based access roles"; Microsoft Learn, "TLS termination with Key Vault
    certificates"). A certificate uploaded into the gateway itself keeps its private key outside the
    vault's access control, audit log and rotation.
    The reference implementation sets it in gateway.bicep:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/gateway.bicep#L215-L222.""",
    remediation="""Store the certificate in Key Vault and point the gateway at it: az network
    application-gateway ssl-cert create -g <rg> --gateway-name <gw> -n <cert> --key-vault-secret-id
    <secret id>; in Bicep properties.sslCertificates[].properties.keyVaultSecretId.""",
    resource_type=GATEWAYS,
    what="Application gateways",
    references=[
        article("Machine Learning role-based access roles"),
        (
            'Microsoft Learn, "TLS termination with Key Vault certificates"',
            "https://learn.microsoft.com/azure/application-gateway/key-vault-certs",
        ),
        implementation("hub", "infra-as-code/bicep/gateway.bicep", 215, 222),
    ],
    since="0.2.0",
    status="preview",
)
def application_gateway_key_vault_certificates(ctx: Context, gw: Resource) -> Result:
    """Every entry of `properties.sslCertificates` has `properties.keyVaultSecretId`. A gateway that
    lists no certificate is not assessed (it serves no HTTPS listener of its own)."""
    certs = [c for c in dig(gw, "properties.sslCertificates") or [] if isinstance(c, dict)]
    if not certs:
        return not_assessed(gw, "properties.sslCertificates is absent or empty", "keyVaultSecretId")
    inline = [str(c.get("name", "?")) for c in certs if not present(dig(c, "properties.keyVaultSecretId"))]
    if inline:
        return failed(
            gw,
            "certificate(s) stored in the gateway, not referenced from Key Vault: " + ", ".join(inline),
            "keyVaultSecretId",
            inline,
        )
    names = ", ".join(str(c.get("name", "?")) for c in certs)
    return passed(
        gw, f"every certificate is a Key Vault secret reference ({names})", "keyVaultSecretId", names
    )


def _runs_container(site: Resource, config: Resource | None) -> bool:
    """The site runs a container image: `DOCKER|` in linuxFxVersion, or `container` in its kind."""
    fx = dig(config, "properties.linuxFxVersion") if config else None
    fx = fx or dig(site, "properties.siteConfig.linuxFxVersion")
    return (isinstance(fx, str) and fx.upper().startswith("DOCKER|")) or "container" in str(
        site.get("kind") or ""
    ).lower()


@rule(
    id="PUB033",
    name="web-app-image-pull-private",
    control="public-access",
    severity="medium",
    title="Container web apps pull their image with a managed identity through the virtual network",
    rationale="""The prompt-flow web app loads its image from the workload's registry "over a private
    endpoint" (Microsoft Learn, "Baseline OpenAI end-to-end chat reference architecture", section
    "Zonal redundancy for flow deployments"), where the registry admits no public traffic and no
    admin user (PUB007, PUB008). Both references set acrUseManagedIdentityCreds: true (the AcrPull
    assignment of the table instead of a registry password) and vnetImagePullEnabled: true on it, so
    the pull goes through the integration subnet; without them the image pull either needs a
    password or leaves through the platform's public path, and fails against a private registry.
    The reference implementation sets it in webapp.bicep:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/webapp.bicep#L351-L398.""",
    remediation="""az webapp config set -g <rg> -n <name> --generic-configurations
    '{"acrUseManagedIdentityCreds": true}' and az resource update --ids <site id> --set
    properties.vnetImagePullEnabled=true; in Bicep siteConfig.acrUseManagedIdentityCreds: true and
    properties.vnetImagePullEnabled: true (or outboundVnetRouting.imagePullTraffic: true).""",
    resource_type=SITES,
    what="Web apps",
    select=architecture_web_apps,
    references=[
        article("Zonal redundancy for flow deployments"),
        implementation("hub", "infra-as-code/bicep/webapp.bicep", 351, 398),
    ],
    since="0.2.0",
    status="preview",
)
def web_app_image_pull(ctx: Context, site: Resource) -> Result | None:
    """Every web app that runs a container has config/web `acrUseManagedIdentityCreds` true and
    `properties.vnetImagePullEnabled` (or `properties.outboundVnetRouting.imagePullTraffic`) true.
    Other web apps are not judged; a container app whose config/web was not read is not assessed."""
    config, reason = web_config(ctx.estate, site)
    if not _runs_container(site, config):
        return None
    expected = {"acrUseManagedIdentityCreds": True, "vnetImagePullEnabled": True}
    if config is None:
        return not_assessed(site, f"acrUseManagedIdentityCreds unknown: {reason}", expected)
    identity = dig(config, "properties.acrUseManagedIdentityCreds")
    vnet_pull = dig(site, "properties.vnetImagePullEnabled")
    routed = dig(site, "properties.outboundVnetRouting.imagePullTraffic")
    through_vnet = vnet_pull is True or routed is True
    shown_pull = "true" if through_vnet else shown(vnet_pull, "false")
    message = (
        f"config/web acrUseManagedIdentityCreds is {shown(identity, 'false')}; "
        f"image pull through the virtual network (vnetImagePullEnabled) is {shown_pull}"
    )
    actual = {"acrUseManagedIdentityCreds": identity, "vnetImagePullEnabled": through_vnet}
    return verdict(identity is True and through_vnet, site, message, expected, actual)


# --- the Foundry design ----------------------------------------------------------------------
# Rules of the public-access family for the chat UI's house as the Foundry reference hardens it.
#
# The Foundry reference keeps the App Service and Application Gateway of the prompt flow editions and
# hardens them: the web app turns SSH off and encrypts traffic between the platform's front ends and its
# workers (reference implementation: infra-as-code/bicep/web-app.bicep), and the WAF policy enforces
# request-body inspection and runs the Bot Manager rule set next to Microsoft_DefaultRuleSet 2.1 (reference
# implementation: infra-as-code/bicep/application-gateway.bicep).

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
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/web-app.bicep#L186-L204):
    nobody opens a shell in the running container through the SCM site, so the only way to change what
    runs is a deployment, as the architecture's hardening of the chat UI intends (Microsoft Learn,
    "Baseline Microsoft Foundry chat reference architecture", section "Security"). An absent value is
    the platform default, SSH allowed.""",
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
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/web-app.bicep#L186-L204).
    Absent
    means false.""",
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
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/application-gateway.bicep#L120-L130).
    Without
    enforcement a request larger than the
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
    resource_type=WAF_POLICY,
    what="WAF policies",
    since="0.2.0",
    status="preview",
)
def waf_request_body_enforced(ctx: Context, policy: Resource) -> Result:
    """Every WAF policy has `properties.policySettings.requestBodyCheck`, `requestBodyEnforcement` and
    `fileUploadEnforcement` not false (absent: the platform default, true). A body without
    policySettings at all (ARM always returns it) is not assessed."""
    settings = dig(policy, "properties.policySettings")
    flags = ("requestBodyCheck", "requestBodyEnforcement", "fileUploadEnforcement")
    if not isinstance(settings, dict):
        return not_assessed(policy, "properties.policySettings is absent: the body is incomplete", True)
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
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/application-gateway.bicep#L131-L145),
    the prompt flow editions 1.0 (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/gateway.bicep#L120-L131);
    it
    blocks known bad
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
    resource_type=WAF_POLICY,
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


PUBLISHING_POLICIES = types.SITE_PUBLISHING_POLICIES
# The two basic-auth publishing policies every web app has: FTP, and the SCM site (Kudu, Web Deploy,
# local Git).
POLICY_NAMES = ("ftp", "scm")


@rule(
    id="PUB084",
    name="web-app-basic-publishing-disabled",
    control="public-access",
    severity="medium",
    title="Web apps turn basic-auth publishing off for FTP and the SCM site",
    rationale="""The architecture asks to turn off key-based and other local authentication methods
    (Microsoft Learn, "Baseline Microsoft Foundry chat reference architecture", section "Governance
    through policy"). A web app's basic-auth publishing credentials are such a method: a user name and
    password that deploy code over FTP or through the SCM site (Web Deploy, local Git, Kudu) without
    Microsoft Entra ID. The chat UI runs from a package its managed identity reads, so no deployment
    needs them, and the Foundry reference sets allow: false on both
    basicPublishingCredentialsPolicies/ftp and /scm (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/web-app.bicep#L232-L246).
    PUB017 closes the FTP endpoint itself; this rule closes the password path to both. A policy
    without allow is the platform default, allowed. The auditor reads only the two flags, never the
    credentials.""",
    references=[
        foundry_article("Governance through policy"),
        implementation("foundry", "infra-as-code/bicep/web-app.bicep", 232, 246),
    ],
    remediation="""az resource update --ids <site id>/basicPublishingCredentialsPolicies/scm --set
    properties.allow=false, and the same for <site id>/basicPublishingCredentialsPolicies/ftp; in Bicep
    two Microsoft.Web/sites/basicPublishingCredentialsPolicies children of the site, named 'ftp' and
    'scm', each with properties.allow: false.""",
    resource_type=SITES,
    what="Web apps",
    select=architecture_web_apps,
    since="0.2.0",
    status="preview",
)
def web_app_basic_publishing(ctx: Context, site: Resource) -> Result:
    """Every web app has `properties.allow` false in both `basicPublishingCredentialsPolicies/ftp` and
    `/scm` (absent in a policy that was read: the platform default, allowed). Not assessed when either
    policy is unknown: its read failed, it was not collected, or the snapshot does not hold it."""
    policies = {
        ids.name_of(child["id"]).lower(): child
        for child in ctx.estate.children(site["id"], PUBLISHING_POLICIES)
    }
    expected = dict.fromkeys(POLICY_NAMES, False)
    unknown = []
    for policy in POLICY_NAMES:
        if policy not in policies:
            path = f"{site['id']}/basicPublishingCredentialsPolicies/{policy}"
            reason = ctx.estate.gap(PUBLISHING_POLICIES, path) or "it is not in the snapshot"
            unknown.append(f"basicPublishingCredentialsPolicies/{policy} unknown: {reason}")
    if unknown:
        return not_assessed(site, "; ".join(unknown), expected)
    actual = {policy: dig(policies[policy], "properties.allow") for policy in POLICY_NAMES}
    parts = [f"{policy} allow {shown(value, 'true')}" for policy, value in actual.items()]
    message = "basic-auth publishing: " + ", ".join(parts)
    return verdict(all(v is False for v in actual.values()), site, message, expected, actual)
