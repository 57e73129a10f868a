"""Rules of the content-filter family for the Foundry design: a policy at least as strict as the reference's.

The Foundry reference binds its model deployment to the system policy `Microsoft.DefaultV2` (reference
implementation: infra-as-code/bicep/ai-foundry.bicep, "If this isn't strict enough for your use case,
create a custom RAI policy"). That policy filters hate, sexual, violence and self-harm at Medium on
prompts and completions, jailbreak attempts on prompts, and protected material (text and code) on
completions (Microsoft Learn, "Default safety policies", section "Text models"). A custom policy
passes when every one of those filters is enabled, blocking and at that severity or stricter, judged on
the filters the policy sets and, for those it leaves out, the ones it inherits from its
`basePolicyName`. A system policy the snapshot does not hold is read from the documented table; any other
is not assessed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from auditor.analysis.architecture import OPENAI
from auditor.analysis.coverage import unread
from auditor.analysis.verdicts import failed, not_assessed, passed, verdict
from auditor.arm import ids, types
from auditor.arm.estate import Estate, dig
from auditor.arm.types import Resource
from auditor.engine.params import OneOf
from auditor.engine.registry import Context, rule
from auditor.engine.sources import foundry_article, implementation
from auditor.model import Reference, Result

from .content_filter import (
    HARM_CATEGORIES,
    LEVELS,
    Filter,
    filter_key,
    filters_of,
    is_builtin,
    policies_by_name,
    unfiltered_model,
)

ACCOUNTS = types.COGNITIVE_ACCOUNTS
DEPLOYMENTS = types.COGNITIVE_DEPLOYMENTS
POLICIES = types.RAI_POLICIES
BLOCKLISTS = types.RAI_BLOCKLISTS

DEFAULT_SAFETY = Reference(
    "Microsoft Learn, Default safety policies: Text models",
    "https://learn.microsoft.com/azure/foundry-classic/foundry-models/concepts/default-safety-policies#text-models",
)
CONTENT_FILTERS = Reference(
    "Microsoft Learn, How to configure content filters",
    "https://learn.microsoft.com/azure/ai-services/openai/how-to/content-filters",
)
BLOCKLIST_GUIDE = Reference(
    "Microsoft Learn, Use a blocklist with Azure OpenAI",
    "https://learn.microsoft.com/azure/ai-services/openai/how-to/use-blocklists",
)

# What the reference's deployment filters on each source (Microsoft.DefaultV2, Learn's table).
PROMPT_FILTERS = ("hate", "sexual", "selfharm", "violence", "jailbreak")
COMPLETION_FILTERS = (
    "hate",
    "sexual",
    "selfharm",
    "violence",
    "protected_material_text",
    "protected_material_code",
)
# Every filter the portal, the REST spec and the Azure Policy guardrail initiative know, for params.
KNOWN_FILTERS = (
    *HARM_CATEGORIES,
    "jailbreak",
    "indirect_attack",
    "protected_material_text",
    "protected_material_code",
    "profanity",
)

# System policies documented filter by filter; a listed body with contentFilters wins over this table.
_DEFAULT_V2: list[dict[str, Any]] = [
    *({"name": c, "source": s, "enabled": True, "blocking": True, "severityThreshold": "Medium"}
      for s in ("Prompt", "Completion") for c in HARM_CATEGORIES),
    {"name": "jailbreak", "source": "Prompt", "enabled": True, "blocking": True},
    {"name": "protected_material_text", "source": "Completion", "enabled": True, "blocking": True},
    {"name": "protected_material_code", "source": "Completion", "enabled": True, "blocking": True},
]  # fmt: skip
DOCUMENTED_SYSTEM_POLICIES: dict[str, list[dict[str, Any]]] = {"microsoft.defaultv2": _DEFAULT_V2}


@dataclass(frozen=True)
class ReferencePolicyParams:
    """CF010: the loosest accepted severity and the filters required on each source."""

    threshold: Annotated[str, OneOf(("Low", "Medium", "High"))] = "Medium"
    prompt_filters: tuple[Annotated[str, OneOf(KNOWN_FILTERS)], ...] = PROMPT_FILTERS
    completion_filters: tuple[Annotated[str, OneOf(KNOWN_FILTERS)], ...] = COMPLETION_FILTERS


# --- resolving a policy with its base ---------------------------------------------------


@dataclass(frozen=True)
class Resolved:
    """A policy's effective filters by (name, source) key, where each came from, and what stopped it."""

    filters: dict[tuple[str, str], Filter]
    origin: dict[tuple[str, str], str]
    chain: tuple[str, ...]  # the policy and its bases, as named
    unknown: str | None = None  # why a policy of the chain could not be read
    missing: bool = False  # the deployment's own policy does not exist (a user-managed name)


def _documented(name: str) -> list[Filter] | None:
    table = DOCUMENTED_SYSTEM_POLICIES.get(name.lower())
    return filters_of({"properties": {"contentFilters": table}}) if table is not None else None


def resolve(estate: Estate, account: Resource, name: str, by_name: dict[str, Resource]) -> Resolved:
    """The filters policy `name` applies: its own, then those of its base chain for what it leaves unset."""
    filters: dict[tuple[str, str], Filter] = {}
    origin: dict[tuple[str, str], str] = {}
    chain: list[str] = []
    current: str | None = name
    while current and current.lower() not in (c.lower() for c in chain):
        chain.append(current)
        policy = by_name.get(current.lower())
        own = filters_of(policy) if policy is not None else []
        source = current
        if not own and is_builtin(current, policy):
            documented = _documented(current)
            if documented is not None:
                own, source = documented, f"{current} (documented defaults)"
        if policy is None and not own:
            reason = estate.gap(POLICIES, account["id"])
            if reason:
                unknown = f"RAI policy {current} could not be read: {reason}"
            elif is_builtin(current, None):
                unknown = (
                    f"system policy {current} is neither in the snapshot nor documented filter by filter"
                )
            elif len(chain) == 1:
                return Resolved({}, {}, tuple(chain), missing=True)
            else:
                unknown = f"base policy {current} does not exist on the account"
            return Resolved(filters, origin, tuple(chain), unknown=unknown)
        for f in own:
            key = (f.name, f.source)
            if key not in filters:
                filters[key], origin[key] = f, source
        base = dig(policy, "properties.basePolicyName") if policy is not None else None
        current = base.strip() if isinstance(base, str) and base.strip() else None
    return Resolved(filters, origin, tuple(chain))


def _problems(entry: Filter | None, category: str, wanted: str) -> list[str]:
    if entry is None:
        return ["is not set by the policy or its base"]
    problems = []
    if not entry.enabled:
        problems.append("is disabled (enabled: false)")
    if not entry.blocking:
        problems.append("does not block (blocking: false)")
    if category in HARM_CATEGORIES:
        if entry.level is None:
            problems.append("has no severityThreshold")
        elif entry.level not in LEVELS or LEVELS.index(entry.level) > LEVELS.index(wanted):
            problems.append(f"{entry.level_field} is {entry.level_raw}, looser than {wanted.capitalize()}")
    return problems


@rule(
    id="CF010",
    name="deployment-rai-policy-at-least-reference",
    control="content-filter",
    severity="high",
    title="Every model deployment's RAI policy filters at least as strictly as Microsoft.DefaultV2",
    rationale="""The Foundry reference binds its model deployment to the system policy
    Microsoft.DefaultV2 and says to create a custom policy where that is not strict enough (reference
    implementation: infra-as-code/bicep/ai-foundry.bicep). Microsoft.DefaultV2 blocks hate, sexual,
    violence and self-harm at Medium on prompts and completions, jailbreak attempts on prompts, and
    protected material text and code on completions (Microsoft Learn, "Default safety
    policies", section "Text models"). A deployment without a policy, or with a custom policy that
    turns one of these off, stops blocking it or raises its threshold to High, filters less than the
    architecture. A custom policy's unset filters are those of its basePolicyName, so both are read;
    a system policy that the snapshot does not hold is read from the documented table.""",
    references=[
        foundry_article("Components"),
        implementation("foundry", "infra-as-code/bicep/ai-foundry.bicep", 94, 109),
        DEFAULT_SAFETY,
        CONTENT_FILTERS,
    ],
    remediation="""Set properties.raiPolicyName: 'Microsoft.DefaultV2' on each deployment
    (Microsoft.CognitiveServices/accounts/deployments), or a custom policy
    (accounts/raiPolicies, type UserManaged) whose contentFilters keep every filter above enabled and
    blocking at Medium or Low; in the portal, Guardrails + controls, edit the content filter and set each
    category to block at Medium or stricter.""",
    params=ReferencePolicyParams,
    since="0.2.0",
    status="preview",
)
def deployment_policy_at_least_reference(ctx: Context) -> Iterator[Result]:
    """For every model deployment of an Azure OpenAI / AI Services account that Azure filters: the policy
    it names (`properties.raiPolicyName`) resolved with its `basePolicyName` chain (its own entries win;
    a system policy absent from the snapshot from the documented Microsoft.DefaultV2 table) has each of
    `prompt_filters` on source Prompt and `completion_filters` on source Completion enabled and blocking,
    the harm categories at `threshold` or stricter. No policy, or a user-managed name the account lacks,
    fails; a policy of the chain that cannot be read is not assessed."""
    estate = ctx.estate
    wanted = ctx.params.threshold.lower()
    required = [(c, "Prompt") for c in ctx.params.prompt_filters]
    required += [(c, "Completion") for c in ctx.params.completion_filters]
    expected = {
        "filters": [f"{s}/{c}" for c, s in required],
        "enabled": True,
        "blocking": True,
        "threshold": f"{wanted.capitalize()} or stricter",
    }
    yield from unread(estate, ACCOUNTS, "Azure OpenAI accounts")
    for account in ctx.roles.resources(OPENAI):
        reason = estate.gap(DEPLOYMENTS, account["id"])
        if reason:
            yield not_assessed(account, f"its model deployments are unknown: {reason}")
            continue
        by_name = policies_by_name(estate, account)
        for deployment in estate.children(account["id"], DEPLOYMENTS):
            yield _judge(estate, account, deployment, by_name, required, wanted, expected)


def _judge(
    estate: Estate,
    account: Resource,
    deployment: Resource,
    by_name: dict[str, Resource],
    required: list[tuple[str, str]],
    wanted: str,
    expected: dict[str, Any],
) -> Result:
    unfiltered = unfiltered_model(deployment)
    if unfiltered:
        return passed(deployment, f"no content filter applies: {unfiltered}", expected=expected)
    name = dig(deployment, "properties.raiPolicyName")
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        return failed(
            deployment,
            "properties.raiPolicyName is not set: the deployment is bound to no RAI policy",
            expected=expected,
            actual=None,
        )
    resolved = resolve(estate, account, name, by_name)
    if resolved.missing:
        message = f"properties.raiPolicyName is {name}, but the account has no RAI policy of that name"
        return failed(deployment, message, expected=expected, actual=name)
    chain = " -> ".join(resolved.chain)
    problems: list[str] = []
    unset: list[str] = []
    actual: dict[str, Any] = {}
    inherited = 0
    for category, source in required:
        key = (filter_key(category), filter_key(source))
        entry = resolved.filters.get(key)
        label = f"{source}/{category}"
        actual[label] = None if entry is None else {**entry.to_dict(), "from": resolved.origin[key]}
        if entry is None and resolved.unknown:
            unset.append(label)  # it may come from the base that could not be read
            continue
        if entry is not None and resolved.origin[key].split(" (", 1)[0] != name:
            inherited += 1
        problems.extend(f"{label} {p}" for p in _problems(entry, category, wanted))
    plural = "filter" if inherited == 1 else "filters"
    shown = f"RAI policy {chain}" + (f" ({inherited} {plural} inherited from its base)" if inherited else "")
    documented = sorted(
        {o.split(" (", 1)[0] for o in resolved.origin.values() if o.endswith("(documented defaults)")}
    )
    if documented:
        shown += f"; not in the snapshot, {', '.join(documented)} read from its documented defaults"
    if problems:
        return failed(deployment, f"{shown}: " + "; ".join(problems), expected=expected, actual=actual)
    if unset:
        message = f"{shown}: {resolved.unknown}, and the policy leaves {', '.join(unset)} to it"
        return not_assessed(deployment, message, expected)
    message = (
        f"{shown}: all {len(required)} required filters are enabled and blocking, harm categories at "
        f"{wanted.capitalize()} or stricter"
    )
    return passed(deployment, message, expected=expected, actual=actual)


# --- custom blocklists -------------------------------------------------------------------


@dataclass(frozen=True)
class Binding:
    """One blocklist a policy names, on one source."""

    blocklist: str
    source: str
    blocking: bool


def bindings(policy: Resource) -> list[Binding]:
    """The blocklists a policy binds: `customBlocklists[]` (api-version 2024-06-01-preview and newer,
    with their source) and the older `promptBlocklists[]` / `completionBlocklists[]`."""
    found = []
    fields = (
        ("customBlocklists", None),
        ("promptBlocklists", "Prompt"),
        ("completionBlocklists", "Completion"),
    )
    for field_name, fixed in fields:
        for entry in dig(policy, f"properties.{field_name}") or []:
            if isinstance(entry, dict) and isinstance(entry.get("blocklistName"), str):
                source = fixed or str(entry.get("source") or "Prompt and Completion")
                found.append(Binding(entry["blocklistName"], source, entry.get("blocking") is True))
    return found


def _policies_named(estate: Estate, account: Resource) -> list[Resource]:
    """The account's policies its filtered deployments name, each once (those the snapshot holds)."""
    by_name = policies_by_name(estate, account)
    named: dict[str, Resource] = {}
    for deployment in estate.children(account["id"], DEPLOYMENTS):
        name = dig(deployment, "properties.raiPolicyName")
        if isinstance(name, str) and name.strip() and not unfiltered_model(deployment):
            policy = by_name.get(name.strip().lower())
            if policy is not None:
                named.setdefault(ids.norm(policy["id"]), policy)
    return list(named.values())


@rule(
    id="CF011",
    name="rai-blocklists-exist-and-block",
    control="content-filter",
    severity="medium",
    title="The blocklists an RAI policy in use names exist on the account and block",
    rationale="""A custom blocklist extends a content filter with the workload's own terms (Microsoft
    Learn, "Use a blocklist with Azure OpenAI"). A policy bound to a deployment that names a blocklist
    the account does not hold, or binds it with blocking false, gives the impression of a filter that
    stops nothing: annotations only, or no list at all. The Foundry reference binds no blocklist
    (Microsoft.DefaultV2), which passes; a policy that binds one must bind it blocking.""",
    references=[
        BLOCKLIST_GUIDE,
        CONTENT_FILTERS,
        implementation("foundry", "infra-as-code/bicep/ai-foundry.bicep", 94, 109),
    ],
    remediation="""Create the blocklist (Microsoft.CognitiveServices/accounts/raiBlocklists) or drop it
    from the policy; set blocking: true on each entry of the policy's properties.customBlocklists
    (az rest --method put on the policy with the corrected body); in the portal, Guardrails + controls,
    Blocklists, apply the list to the filter with the action Block.""",
    since="0.2.0",
    status="preview",
)
def blocklists_exist_and_block(ctx: Context) -> Iterator[Result]:
    """For every RAI policy (in the snapshot) a filtered model deployment names, each blocklist of
    `properties.customBlocklists` (or the older prompt/completion lists) exists as a `raiBlocklists`
    child of the same account (matched ignoring case) and is bound with `blocking: true`. A policy
    binding none passes; when the account's blocklists could not be read, a policy binding one is not
    assessed."""
    estate = ctx.estate
    yield from unread(estate, ACCOUNTS, "Azure OpenAI accounts")
    for account in ctx.roles.resources(OPENAI):
        reason = estate.gap(DEPLOYMENTS, account["id"]) or estate.gap(POLICIES, account["id"])
        if reason:
            yield not_assessed(account, f"its deployments' RAI policies are unknown: {reason}")
            continue
        lists = {
            str(b.get("name") or ids.name_of(b["id"])).lower()
            for b in estate.children(account["id"], BLOCKLISTS)
        }
        gap = estate.gap(BLOCKLISTS, account["id"])
        for policy in _policies_named(estate, account):
            bound = bindings(policy)
            expected = {"exists": True, "blocking": True}
            if not bound:
                yield passed(policy, "binds no custom blocklist", expected=expected, actual=[])
                continue
            if gap:
                yield not_assessed(
                    policy, f"binds blocklists, but the account's blocklists are unknown: {gap}", expected
                )
                continue
            problems = []
            for b in bound:
                if b.blocklist.lower() not in lists:
                    problems.append(f"{b.source} blocklist {b.blocklist} does not exist on the account")
                if not b.blocking:
                    problems.append(f"{b.source} blocklist {b.blocklist} does not block (blocking: false)")
            actual = [
                {"blocklistName": b.blocklist, "source": b.source, "blocking": b.blocking} for b in bound
            ]
            names = ", ".join(sorted({b.blocklist for b in bound}))
            message = (
                "; ".join(problems) if problems else f"binds blocklists {names}, each existing and blocking"
            )
            yield verdict(not problems, policy, message, expected=expected, actual=actual)


@rule(
    id="CF012",
    name="rai-blocklists-bound",
    control="content-filter",
    severity="low",
    title="Every custom blocklist of the account is bound to an RAI policy a deployment uses",
    rationale="""A blocklist takes effect only through a content filter that names it, and a filter
    only through the deployments bound to it (Microsoft Learn, "Use a blocklist with Azure OpenAI").
    A list that no deployment's policy binds is a control the team may believe in that blocks
    nothing: either bind it or delete it.""",
    references=[BLOCKLIST_GUIDE],
    remediation="""Add the blocklist to the properties.customBlocklists of the policy the model
    deployment names (blocking: true, source Prompt and Completion), or delete the unused list.""",
    since="0.2.0",
    status="preview",
)
def blocklists_bound(ctx: Context) -> Iterator[Result]:
    """Each `raiBlocklists` child of an Azure OpenAI / AI Services account is named by a blocklist
    binding of some RAI policy that one of the account's filtered deployments uses."""
    estate = ctx.estate
    yield from unread(estate, BLOCKLISTS, "RAI blocklists")
    for account in ctx.roles.resources(OPENAI):
        lists = estate.children(account["id"], BLOCKLISTS)
        if not lists:
            continue
        reason = estate.gap(DEPLOYMENTS, account["id"]) or estate.gap(POLICIES, account["id"])
        if reason:
            for b in lists:
                yield not_assessed(b, f"which policies the deployments use is unknown: {reason}")
            continue
        used: dict[str, list[str]] = {}
        for policy in _policies_named(estate, account):
            for binding in bindings(policy):
                used.setdefault(binding.blocklist.lower(), []).append(str(policy.get("name") or policy["id"]))
        for b in lists:
            name = str(b.get("name") or ids.name_of(b["id"]))
            users = sorted(set(used.get(name.lower(), [])))
            message = (
                f"bound by RAI policy {', '.join(users)}"
                if users
                else "no RAI policy that a model deployment uses binds it: it blocks nothing"
            )
            yield verdict(bool(users), b, message, expected="bound by a policy in use", actual=users)
