"""Rules of the content-filter family: every model deployment runs behind the strict blocking filter.

The architecture ("This reference architecture adopts a stringent approach": Microsoft Learn,
"Baseline OpenAI end-to-end chat reference architecture", section "Content filtering and abuse
monitoring"; the French edition: it "adopts a high level of filtering") filters prompts and
completions strictly; the reference implementations encode it as a user-managed RAI policy
`blocking-filter` (reference implementation:
https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/openai.bicep#L63-L161,
https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/openai.bicep#L53-L140)
named by the model deployment's `properties.raiPolicyName` (reference implementation:
https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/openai.bicep#L163-L179,
https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/openai.bicep#L142-L159).

Two schema generations of `contentFilters[]` exist: api-version 2023-10-01-preview and older
write the level as `allowedContentLevel`, 2024-06-01-preview and newer as `severityThreshold`.
Both mean the lowest severity that is filtered, so `Low` is the strictest (blocks low, medium
and high) and `High` the loosest. Findings say which field was read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from auditor.analysis.architecture import OPENAI
from auditor.analysis.coverage import unread
from auditor.analysis.verdicts import failed, not_assessed, passed, verdict
from auditor.arm import ids, types
from auditor.arm.estate import Estate, dig, same
from auditor.arm.types import Resource
from auditor.engine.params import OneOf
from auditor.engine.registry import Context, rule
from auditor.engine.sources import article, foundry_article, implementation
from auditor.model import Reference, Result

ACCOUNTS = types.COGNITIVE_ACCOUNTS
DEPLOYMENTS = types.COGNITIVE_DEPLOYMENTS
POLICIES = types.RAI_POLICIES

# Looseness order: a filter at `Low` blocks low, medium and high severity content.
LEVELS = ("low", "medium", "high")
LEVEL_FIELDS = ("severityThreshold", "allowedContentLevel")
HARM_CATEGORIES = ("hate", "sexual", "selfharm", "violence")
SOURCES = ("Prompt", "Completion")
# Deferred is the pre-2025-06-01 name of Asynchronous_filter (RaiPolicyMode in the
# Cognitive Services REST spec): completions stream before the filter has judged them.
SYNCHRONOUS_MODES = ("Default", "Blocking")
POLICY_MODES = ("Default", "Blocking", "Asynchronous_filter", "Deferred")
BUILTIN_PREFIX = "microsoft."

SCHEMA_NOTE = """Reads both schema generations of the policy: allowedContentLevel (api-version
2023-10-01-preview and older) and severityThreshold (2024-06-01-preview and newer)."""


# --- reading policies ----------------------------------------------------------


def _looseness(level: str) -> int:
    """Position in LEVELS; an unknown level counts as loosest."""
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


def _key(name: Any) -> str:
    """Filter names vary in case and spacing across api-versions ("Selfharm", "selfharm")."""
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def _policy_name(deployment: Resource) -> str:
    """The name of the RAI policy a deployment uses (empty when it names none)."""
    value = dig(deployment, "properties.raiPolicyName")
    return value.strip() if isinstance(value, str) else ""


# Model families Azure runs without a content filter: embedding models (Microsoft Learn, "Content safety
# for models curated by Azure AI in the model catalog", section "Content filter defaults": content
# filtering "isn't available for certain model types ... These model types include embedding models")
# and Whisper (Microsoft Learn, "Content filtering": the content filtering system "isn't applied to
# prompts and completions processed by audio models such as Whisper"). Read from the deployment's model
# name only when its body carries no capabilities.
UNFILTERED_MODEL_PREFIXES = ("text-embedding-", "whisper")


def unfiltered_model(deployment: Resource) -> str | None:
    """Why Azure applies no content filter to the deployment's model; None when it does (or may).

    `properties.capabilities` as ARM returns it (string values, e.g. `{"embeddings": "true",
    "embeddingsMaxInputs": "1"}` for text-embedding-ada-002) decides when present: a deployment whose
    only true capability is `embeddings` generates no content to filter. Without capabilities, the
    model name (`properties.model.name`) is matched against the documented families above. Anything
    else, a generative capability or an unknown model, is judged as filterable.
    """
    model = dig(deployment, "properties.model.name")
    shown_model = f"model {model}" if isinstance(model, str) and model else "the model"
    capabilities = dig(deployment, "properties.capabilities")
    if isinstance(capabilities, dict) and capabilities:
        true = sorted(k for k, v in capabilities.items() if str(v).lower() == "true")
        if true == ["embeddings"]:
            return (
                f"{shown_model} has properties.capabilities embeddings only: Azure applies no content filter"
            )
        return None
    if isinstance(model, str) and model.lower().startswith(UNFILTERED_MODEL_PREFIXES):
        return (
            f"{shown_model} is of a family Azure runs without a content filter (embeddings, Whisper); "
            "read from properties.model.name, the body has no properties.capabilities"
        )
    return None


def is_builtin(name: str, policy: Resource | None) -> bool:
    """System-managed policies (Microsoft.Default, Microsoft.DefaultV2, ...) are not the team's own."""
    if policy is not None and same(dig(policy, "properties.type"), "SystemManaged"):
        return True
    return name.lower().startswith(BUILTIN_PREFIX)


def policies_by_name(estate: Estate, account: Resource) -> dict[str, Resource]:
    """An account's RAI policies by lower-case name (deployments name them case-insensitively)."""
    return {
        str(p.get("name") or ids.name_of(p["id"])).lower(): p
        for p in estate.children(account["id"], POLICIES)
    }


def pseudo_policy(account: Resource, name: str) -> Resource:
    """A stand-in for a policy the snapshot does not hold, so findings can name it."""
    return {"id": f"{account['id']}/raiPolicies/{name}", "type": POLICIES}


@dataclass(frozen=True)
class Filter:
    """One contentFilters[] entry, normalised across schema generations."""

    name: str
    source: str
    enabled: bool
    blocking: bool
    level: str | None  # lower case, None when the entry has no level
    level_field: str | None  # which property held the level
    level_raw: str | None = None  # the value as ARM wrote it

    @property
    def label(self) -> str:
        """`source/name`, as messages show the filter."""
        return f"{self.source}/{self.name}"

    def to_dict(self) -> dict[str, Any]:
        """The filter as JSON data, with its level under the field it came from."""
        out: dict[str, Any] = {"enabled": self.enabled, "blocking": self.blocking}
        if self.level_field:
            out[self.level_field] = self.level_raw
        return out


def _filters_of(policy: Resource) -> list[Filter]:
    """The policy's content filters, normalised."""
    found = []
    for entry in dig(policy, "properties.contentFilters") or []:
        if not isinstance(entry, dict):
            continue
        level = level_field = level_raw = None
        for field_name in LEVEL_FIELDS:
            value = dig(entry, field_name)
            if not (isinstance(value, str) and value):
                continue
            # Both generations present and disagreeing: judge by the looser, never the kinder reading.
            if level is None or _looseness(value.lower()) > _looseness(level):
                level, level_field, level_raw = value.lower(), field_name, value
        found.append(
            Filter(
                name=_key(entry.get("name")),
                source=_key(entry.get("source")),
                enabled=dig(entry, "enabled") is True,
                blocking=dig(entry, "blocking") is True,
                level=level,
                level_field=level_field,
                level_raw=level_raw,
            )
        )
    return found


def filters_of(policy: Resource) -> list[Filter]:
    """The policy's content filters, normalised (names and sources as `filter_key` writes them)."""
    return _filters_of(policy)


def filter_key(name: Any) -> str:
    """A filter's name or source as filters are matched: lower case, letters and digits only."""
    return _key(name)


def _matching(filters: Iterable[Filter], category: str, source: str) -> list[Filter]:
    """The filters of one category and source."""
    return [f for f in filters if f.name == _key(category) and f.source == _key(source)]


def _schema_read(filters: Iterable[Filter]) -> str:
    """Which severity field the filters used, for messages."""
    fields = sorted({f.level_field for f in filters if f.level_field})
    return " and ".join(fields) if fields else "no severity field"


# --- parameters ---------------------------------------------------------------------


@dataclass(frozen=True)
class BuiltinPolicyParams:
    """CF001: whether a built-in (Microsoft.*) RAI policy is acceptable."""

    allow_builtin_policies: bool = False


@dataclass(frozen=True)
class HarmFilterParams:
    """CF002: the loosest accepted level and the categories and sources that must be filtered."""

    threshold: Annotated[str, OneOf(("Low", "Medium", "High"))] = "Low"
    categories: tuple[str, ...] = HARM_CATEGORIES
    sources: tuple[str, ...] = SOURCES


@dataclass(frozen=True)
class ModeParams:
    """CF004: the policy modes accepted (RaiPolicyMode values)."""

    allowed_modes: tuple[Annotated[str, OneOf(POLICY_MODES)], ...] = SYNCHRONOUS_MODES


# --- which policies are in use ---------------------------------------------------


@dataclass
class InUse:
    """The policies model deployments name, and what could not be assessed on the way."""

    policies: list[Resource]
    pending: list[Result]


def policies_in_use(ctx: Context) -> InUse:
    """Every RAI policy a deployment of an Azure OpenAI / AI Services account names, once."""
    estate = ctx.estate
    pending: list[Result] = list(unread(estate, ACCOUNTS, "Azure OpenAI accounts"))
    policies: dict[str, Resource] = {}
    missing: set[str] = set()  # stand-ins already reported
    for account in ctx.roles.resources(OPENAI):
        reason = estate.gap(DEPLOYMENTS, account["id"])
        if reason:
            pending.append(not_assessed(account, f"its model deployments are unknown: {reason}"))
            continue
        by_name = policies_by_name(estate, account)
        for deployment in estate.children(account["id"], DEPLOYMENTS):
            name = _policy_name(deployment)
            if not name or unfiltered_model(deployment):
                # CF001 reports a deployment without a policy; Azure filters no embeddings, whatever
                # policy the deployment names, so that policy says nothing about this workload.
                continue
            policy = by_name.get(name.lower())
            if policy is not None:
                policies.setdefault(ids.norm(policy["id"]), policy)
                continue
            stand_in = pseudo_policy(account, name)
            if ids.norm(stand_in["id"]) in missing:
                continue
            reason = estate.gap(POLICIES, account["id"])
            if reason:
                pending.append(not_assessed(stand_in, f"RAI policy {name} could not be read: {reason}"))
            elif is_builtin(name, None):
                message = f"built-in RAI policy {name} is named, but its filters are not in the snapshot"
                pending.append(not_assessed(stand_in, message))
            else:
                continue  # a user-managed name with no such policy: CF001 fails the deployment
            missing.add(ids.norm(stand_in["id"]))
    return InUse(list(policies.values()), pending)


# --- rules -----------------------------------------------------------------------------


@rule(
    id="CF001",
    name="deployment-uses-custom-rai-policy",
    control="content-filter",
    severity="high",
    title="Every Azure OpenAI model deployment names the workload's own RAI policy",
    rationale="""The architecture filters every prompt and completion strictly (Microsoft Learn,
    "Baseline OpenAI end-to-end chat reference architecture", section "Content filtering and abuse
    monitoring"); the reference creates a user-managed RAI policy (blocking-filter) and names it in
    each deployment's properties.raiPolicyName (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/openai.bicep#L163-L179,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/openai.bicep#L142-L159).
    A deployment without raiPolicyName runs on the platform default filter, and the built-in
    Microsoft.Default / Microsoft.DefaultV2 policies filter at Medium, looser than the
    architecture's Low; both are deviations unless the baseline allows built-in policies.""",
    references=[
        article("Content filtering and abuse monitoring"),
        implementation("aml", "infra-as-code/bicep/openai.bicep", 163, 179),
        implementation("hub", "infra-as-code/bicep/openai.bicep", 142, 159),
    ],
    remediation="""Create the policy as a child of the account
    (Microsoft.CognitiveServices/accounts/raiPolicies, type UserManaged) and set
    properties.raiPolicyName on each deployment (Bicep: the deployments resource's
    properties.raiPolicyName: blockingFilter.name); from the command line, az rest --method put
    --url <deployment id>?api-version=2024-10-01 with the deployment's sku, model and
    raiPolicyName; in the portal, assign the custom content filter to the deployment.""",
    params=BuiltinPolicyParams,
)
def deployment_rai_policy(ctx: Context) -> Iterator[Result]:
    """Each deployment of an OpenAI/AIServices account has a non-empty `properties.raiPolicyName`, that
    policy exists as a `raiPolicies` child of the same account, and it is user-managed (not a
    `Microsoft.*` / `type: SystemManaged` built-in) unless `allow_builtin_policies` is true. A
    deployment without a policy whose model Azure runs without a content filter (only the `embeddings`
    capability in `properties.capabilities`; without capabilities, a `text-embedding-*` or Whisper
    model) passes, its message saying what was judged."""
    estate = ctx.estate
    allow_builtin = ctx.params.allow_builtin_policies
    yield from unread(estate, ACCOUNTS, "Azure OpenAI accounts")
    for account in ctx.roles.resources(OPENAI):
        reason = estate.gap(DEPLOYMENTS, account["id"])
        if reason:
            yield not_assessed(account, f"its model deployments are unknown: {reason}")
            continue
        by_name = policies_by_name(estate, account)
        for deployment in estate.children(account["id"], DEPLOYMENTS):
            yield _check_deployment(estate, account, deployment, by_name, allow_builtin)


def _check_deployment(
    estate: Estate, account: Resource, deployment: Resource, by_name: dict[str, Resource], allow_builtin: bool
) -> Result:
    name = _policy_name(deployment)
    expected = "a user-managed RAI policy of this account" + (" (or a built-in one)" if allow_builtin else "")
    unfiltered = unfiltered_model(deployment)
    if unfiltered:
        # Azure runs no content filter on the model: a named policy (built-in or not) changes nothing.
        shown_name = name or "not set"
        message = f"properties.raiPolicyName is {shown_name}, and none applies: {unfiltered}"
        return passed(deployment, message, expected=expected, actual=name or None)
    if not name:
        return failed(
            deployment,
            "properties.raiPolicyName is not set: the deployment runs on the platform's default content "
            "filter, not the architecture's strict blocking policy",
            expected=expected,
            actual=None,
        )
    policy = by_name.get(name.lower())
    builtin = is_builtin(name, policy)
    if builtin and not allow_builtin:
        kind = dig(policy, "properties.type") if policy else None
        return failed(
            deployment,
            f"properties.raiPolicyName is {name}, a built-in policy"
            + (f" (properties.type {kind})" if kind else "")
            + " that filters more loosely than the architecture's custom blocking policy",
            expected=expected,
            actual=name,
        )
    if policy is None:
        if builtin:
            message = f"properties.raiPolicyName is built-in policy {name}, allowed by the baseline"
            return passed(deployment, message, expected=expected, actual=name)
        reason = estate.gap(POLICIES, account["id"])
        if reason:
            return not_assessed(
                deployment,
                f"properties.raiPolicyName is {name}, but the account's RAI policies are unknown: {reason}",
                expected,
            )
        return failed(
            deployment,
            f"properties.raiPolicyName is {name}, but the account has no RAI policy of that name",
            expected=expected,
            actual=name,
        )
    kind = dig(policy, "properties.type") or ("SystemManaged" if builtin else "UserManaged")
    return passed(
        deployment,
        f"properties.raiPolicyName is {name} ({kind}), a policy of the same account",
        expected=expected,
        actual=name,
    )


@rule(
    id="CF002",
    name="rai-harm-filters-strict",
    control="content-filter",
    severity="high",
    title="RAI policies block hate, sexual, self-harm and violence at the required threshold",
    rationale="""The architecture adopts the strict setting for every harm category ("This reference
    architecture adopts a stringent approach": Microsoft Learn, "Baseline OpenAI end-to-end chat
    reference architecture", section "Content filtering and abuse monitoring"; the French edition
    says it adopts "a high level of filtering", i.e. the most filtering); the reference's
    blocking-filter enables and blocks hate, sexual, selfharm and violence on both Prompt and
    Completion at Low, which blocks low, medium and high severity (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/openai.bicep#L63-L161
    with allowedContentLevel,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/openai.bicep#L53-L140
    with severityThreshold). "High filtering" in the article is the threshold Low in ARM: the two
    agree. """
    + SCHEMA_NOTE,
    references=[
        article("Content filtering and abuse monitoring"),
        implementation("aml", "infra-as-code/bicep/openai.bicep", 63, 161),
        implementation("hub", "infra-as-code/bicep/openai.bicep", 53, 140),
    ],
    remediation="""In the policy (Microsoft.CognitiveServices/accounts/raiPolicies) set, for each of
    hate, sexual, selfharm and violence and for both source Prompt and Completion,
    {enabled: true, blocking: true, severityThreshold: 'Low'} (allowedContentLevel: 'Low' in
    api-version 2023-10-01-preview); or in the portal's content filter set each category to the
    strictest level and "Block". A team that accepts Medium sets params.threshold in its baseline copy.""",
    params=HarmFilterParams,
)
def harm_filters(ctx: Context) -> Iterator[Result]:
    """For every RAI policy a model deployment names: for each source in `sources` (Prompt,
    Completion) and each category in `categories` (hate, sexual, selfharm, violence) there is a
    `contentFilters[]` entry that is enabled, blocking, and whose `severityThreshold` (or, in older
    api-versions, `allowedContentLevel`) is `threshold` or stricter (Low < Medium < High in looseness)."""
    wanted = ctx.params.threshold.lower()
    categories = list(ctx.params.categories)
    sources = list(ctx.params.sources)
    expected = {"enabled": True, "blocking": True, "threshold": f"{wanted.capitalize()} or stricter"}
    in_use = policies_in_use(ctx)
    yield from in_use.pending
    for policy in in_use.policies:
        filters = _filters_of(policy)
        problems: list[str] = []
        actual: dict[str, Any] = {}
        for source in sources:
            for category in categories:
                label = f"{source}/{category}"
                entries = _matching(filters, category, source)
                if not entries:
                    problems.append(f"{label} has no filter")
                    actual[label] = None
                    continue
                # Azure returns one entry per category and source; if there were more, all must hold.
                actual[label] = entries[0].to_dict() if len(entries) == 1 else [e.to_dict() for e in entries]
                for entry in entries:
                    problems.extend(f"{label} {p}" for p in _harm_problems(entry, wanted))
        read = _schema_read(filters)
        if problems:
            message = f"contentFilters (read {read}): " + "; ".join(problems)
        else:
            count = len(sources) * len(categories)
            message = (
                f"contentFilters (read {read}): all {count} harm filters are enabled and blocking at "
                f"{wanted.capitalize()} or stricter"
            )
        yield verdict(not problems, policy, message, expected=expected, actual=actual)


def _harm_problems(entry: Filter, wanted: str) -> list[str]:
    problems = []
    if not entry.enabled:
        problems.append("is disabled (enabled: false)")
    if not entry.blocking:
        problems.append("does not block (blocking: false)")
    if entry.level is None:
        problems.append("has no severityThreshold/allowedContentLevel")
    elif entry.level not in LEVELS:
        problems.append(f"has an unknown level: {entry.level_field} is {entry.level_raw!r}")
    elif LEVELS.index(entry.level) > LEVELS.index(wanted):
        problems.append(f"{entry.level_field} is {entry.level_raw}, looser than {wanted.capitalize()}")
    return problems


@rule(
    id="CF003",
    name="rai-jailbreak-blocking",
    control="content-filter",
    severity="high",
    title="RAI policies detect and block jailbreak attempts in prompts",
    rationale="""The architecture's content filter covers jailbreak, content crafted to get around the
    model's constraints (Microsoft Learn, "Baseline OpenAI end-to-end chat reference architecture",
    section "Content filtering and abuse monitoring"); the reference's blocking-filter enables the
    jailbreak filter with blocking on the Prompt source (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/openai.bicep#L53-L140,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/openai.bicep#L63-L161).
    The jailbreak filter has no severity level in either schema generation.""",
    references=[
        article("Content filtering and abuse monitoring"),
        implementation("hub", "infra-as-code/bicep/openai.bicep", 53, 140),
        implementation("aml", "infra-as-code/bicep/openai.bicep", 63, 161),
    ],
    remediation="""In the policy's properties.contentFilters add or fix
    {name: 'jailbreak', source: 'Prompt', enabled: true, blocking: true}; in the portal, turn on
    Prompt Shields for jailbreak attacks with the action "Block".""",
)
def jailbreak_filter(ctx: Context) -> Iterator[Result]:
    """For every RAI policy a model deployment names, a `contentFilters[]` entry named `jailbreak` with
    source `Prompt` is `enabled: true` and `blocking: true`."""
    in_use = policies_in_use(ctx)
    yield from in_use.pending
    expected = {"enabled": True, "blocking": True}
    for policy in in_use.policies:
        yield _flag_filter(policy, "jailbreak", ["Prompt"], expected)


def _flag_filter(policy: Resource, category: str, sources: list[str], expected: dict[str, Any]) -> Result:
    """Pass when `category` is enabled and blocking on every source in `sources`."""
    filters = _filters_of(policy)
    problems: list[str] = []
    actual: dict[str, Any] = {}
    for source in sources:
        entries = _matching(filters, category, source)
        label = f"{source}/{category}"
        if not entries:
            problems.append(f"{label} has no filter")
            actual[label] = None
            continue
        actual[label] = entries[0].to_dict()
        for entry in entries:
            if not entry.enabled:
                problems.append(f"{label} is disabled (enabled: false)")
            if not entry.blocking:
                problems.append(f"{label} does not block (blocking: false)")
    if problems:
        message = "contentFilters: " + "; ".join(problems)
    else:
        message = f"contentFilters: {category} is enabled and blocking on " + " and ".join(sources)
    return verdict(not problems, policy, message, expected=expected, actual=actual)


@rule(
    id="CF004",
    name="rai-policy-synchronous-mode",
    control="content-filter",
    severity="medium",
    title="RAI policies filter synchronously, before content reaches the user",
    rationale="""The architecture's filter must stop harmful content before the chat UI shows it
    (Microsoft Learn, "Baseline OpenAI end-to-end chat reference architecture", section "Content
    filtering and abuse monitoring"); the reference's blocking-filter uses mode Default (reference
    implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/tree/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/tree/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2).
    In mode Asynchronous_filter (named Deferred before api-version 2025-06-01, per RaiPolicyMode in
    the Cognitive Services REST spec) streamed completions are returned before the filter has
    judged them, and a violation is only signalled afterwards. Default and Blocking are
    synchronous.""",
    references=[
        article("Content filtering and abuse monitoring"),
        implementation("aml"),
        implementation("hub"),
    ],
    remediation="""Set properties.mode: 'Default' on the policy
    (Microsoft.CognitiveServices/accounts/raiPolicies); in the portal's content filter, turn
    "Streaming mode (Asynchronous Filter)" off.""",
    params=ModeParams,
)
def policy_mode(ctx: Context) -> Iterator[Result]:
    """For every RAI policy a model deployment names, `properties.mode` is one of `allowed_modes`
    (Default, Blocking); an absent mode is the service default, Default. Asynchronous_filter and its
    older name Deferred fail."""
    allowed = list(ctx.params.allowed_modes)
    in_use = policies_in_use(ctx)
    yield from in_use.pending
    for policy in in_use.policies:
        mode = dig(policy, "properties.mode")
        shown = mode if isinstance(mode, str) and mode else "absent (service default: Default)"
        effective = mode if isinstance(mode, str) and mode else "Default"
        ok = any(same(effective, m) for m in allowed)
        note = "" if ok else ": completions stream before the filter has judged them"
        yield verdict(ok, policy, f"properties.mode is {shown}{note}", expected=allowed, actual=mode)


@rule(
    id="CF005",
    name="rai-profanity-blocking",
    control="content-filter",
    severity="low",
    title="RAI policies block profanity on prompts and completions",
    rationale="""The architecture lists profanity among the filtered categories (Microsoft Learn,
    "Baseline OpenAI end-to-end chat reference architecture", section "Content filtering and abuse
    monitoring"), and the reference's blocking-filter enables and blocks the profanity filter on
    both Prompt and Completion (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/tree/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/tree/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2).
    Profanity is not a harm category of the platform's severity model, so the baselines mark this
    rule recommended.""",
    references=[
        article("Content filtering and abuse monitoring"),
        implementation("aml"),
        implementation("hub"),
    ],
    remediation="""In the policy's properties.contentFilters set {name: 'profanity', source: 'Prompt',
    enabled: true, blocking: true} and the same for source 'Completion'.""",
)
def profanity_filter(ctx: Context) -> Iterator[Result]:
    """For every RAI policy a model deployment names, a `profanity` entry for each of `Prompt` and
    `Completion` is enabled and blocking."""
    in_use = policies_in_use(ctx)
    yield from in_use.pending
    expected = {"enabled": True, "blocking": True}
    for policy in in_use.policies:
        yield _flag_filter(policy, "profanity", list(SOURCES), expected)


# --- the Foundry design ----------------------------------------------------------------------
# Rules of the content-filter family for the Foundry design: a policy at least as strict as the reference's.
#
# The Foundry reference binds its model deployment to the system policy `Microsoft.DefaultV2` (reference
# implementation: infra-as-code/bicep/ai-foundry.bicep, "If this isn't strict enough for your use case,
# create a custom RAI policy"). That policy filters hate, sexual, violence and self-harm at Medium on
# prompts and completions, jailbreak attempts on prompts, and protected material (text and code) on
# completions (Microsoft Learn, "Default safety policies", section "Text models"). A custom policy
# passes when every one of those filters is enabled, blocking and at that severity or stricter, judged on
# the filters the policy sets and, for those it leaves out, the ones it inherits from its
# `basePolicyName`. A system policy the snapshot does not hold is read from the documented table; any other
# is not assessed.

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
    rationale="""The architecture filters every model's input and output (Microsoft Learn, "Baseline
    Microsoft Foundry chat reference architecture", section "Components"). The Foundry reference binds
    its model deployment to the system policy Microsoft.DefaultV2 and says to create a custom policy
    where that is not strict enough (reference
    implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/ai-foundry.bicep#L94-L109).
    Microsoft.DefaultV2
    blocks hate, sexual,
    violence and self-harm at Medium on prompts and completions, jailbreak attempts on prompts, and
    protected material text and code on completions (Microsoft Learn, "Default safety
    policies", under "Text models"). A deployment without a policy, or with a custom policy that
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
        shown += f" ({', '.join(documented)} not in the snapshot: read from its documented defaults)"
    if problems:
        message = f"{shown} filters less than required: " + "; ".join(problems)
        return failed(deployment, message, expected=expected, actual=actual)
    if unset:
        message = f"{shown} is not fully known ({resolved.unknown}), and it leaves {', '.join(unset)} to it"
        return not_assessed(deployment, message, expected)
    message = (
        f"{shown} keeps all {len(required)} required filters enabled and blocking, harm categories at "
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
    (Microsoft.DefaultV2; reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/ai-foundry.bicep#L94-L109),
    which passes; a policy that binds one must bind it blocking.""",
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
    nothing: either bind it or delete it. The reference architecture's filter is the deployment's
    policy, so only what that policy binds counts.""",
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
