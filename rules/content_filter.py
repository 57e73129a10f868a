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
from auditor.engine.sources import article, implementation
from auditor.model import Result

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
