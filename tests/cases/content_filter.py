"""Cases of the content-filter family: a mutation of the compliant estate and the statuses it must give.

The case type is tests/cases/common.py's `StatusCase`, which the reliability and NSG tables use too.
"""

from __future__ import annotations

import copy
from typing import Any

from tests import estates
from tests.cases.common import Mutation, Resource, denied
from tests.cases.common import StatusCase as Case

ACCOUNTS = "Microsoft.CognitiveServices/accounts"
DEPLOYMENTS = "Microsoft.CognitiveServices/accounts/deployments"
POLICIES = "Microsoft.CognitiveServices/accounts/raiPolicies"


def account_id(variant: str) -> str:
    return estates.Ids(variant).res(ACCOUNTS, "aoai-chat")


# --- mutations -------------------------------------------------------------------------


def deployment(res: list[Resource]) -> Resource:
    return estates.find(res, DEPLOYMENTS)


def policy(res: list[Resource]) -> Resource:
    return estates.find(res, POLICIES)


def set_policy_name(value: str | None) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        props = deployment(res)["properties"]
        if value is None:
            props.pop("raiPolicyName")
        else:
            props["raiPolicyName"] = value

    return mutate


def add_deployment_without_policy(res: list[Resource], variant: str) -> None:
    extra = copy.deepcopy(deployment(res))
    extra["id"] = extra["id"].rsplit("/", 1)[0] + "/embeddings"
    extra["name"] = "embeddings"
    extra["properties"].pop("raiPolicyName")
    res.append(extra)


def add_builtin_policy(level: str) -> Mutation:
    """The account lists Microsoft.DefaultV2 (as ARM does, type SystemManaged) and the deployment uses it."""

    def mutate(res: list[Resource], variant: str) -> None:
        builtin = copy.deepcopy(policy(res))
        builtin["id"] = builtin["id"].rsplit("/", 1)[0] + "/Microsoft.DefaultV2"
        builtin["name"] = "Microsoft.DefaultV2"
        filters = []
        for f in builtin["properties"]["contentFilters"]:
            if f.pop("allowedContentLevel", None) or f.pop("severityThreshold", None):
                f["severityThreshold"] = level
            filters.append(f)
        builtin["properties"] = {"type": "SystemManaged", "mode": "Blocking", "contentFilters": filters}
        res.append(builtin)
        deployment(res)["properties"]["raiPolicyName"] = "Microsoft.DefaultV2"

    return mutate


def edit_filter(name: str, where: str | None, /, **changes: Any) -> Mutation:
    """Change one filter on source `where` (both when None); a value of None removes the key."""

    def mutate(res: list[Resource], variant: str) -> None:
        hits = 0
        for f in policy(res)["properties"]["contentFilters"]:
            if f["name"] == name and (where is None or f["source"] == where):
                hits += 1
                for key, value in changes.items():
                    if key == "level":
                        key = "allowedContentLevel" if variant == "aml" else "severityThreshold"
                    if value is None:
                        f.pop(key, None)
                    else:
                        f[key] = value
        assert hits, f"no filter {name}/{where}"

    return mutate


def drop_filter(name: str, source: str) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        props = policy(res)["properties"]
        props["contentFilters"] = [
            f for f in props["contentFilters"] if not (f["name"] == name and f["source"] == source)
        ]

    return mutate


def shout_names(res: list[Resource], variant: str) -> None:
    """Capitalised names and sources, as the 2025 api-versions and the portal write them."""
    for f in policy(res)["properties"]["contentFilters"]:
        f["name"] = f["name"].capitalize()
        f["source"] = f["source"].lower()


def set_mode(value: str | None) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        props = policy(res)["properties"]
        if value is None:
            props.pop("mode")
        else:
            props["mode"] = value

    return mutate


def remove_policies(res: list[Resource], variant: str) -> list[Resource]:
    return [r for r in res if r["type"] != POLICIES]


def unnamed_and_unread(res: list[Resource], variant: str) -> list[Resource]:
    res = remove_policies(res, variant)
    set_policy_name(None)(res, variant)
    return res


def remove_deployments(res: list[Resource], variant: str) -> list[Resource]:
    return [r for r in res if r["type"] != DEPLOYMENTS]


def remove_cognitive(res: list[Resource], variant: str) -> list[Resource]:
    return [r for r in res if not r["type"].startswith(ACCOUNTS)]


def set_kind(kind: str, then: Mutation | None = None) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        estates.find(res, ACCOUNTS)["kind"] = kind
        if then is not None:
            then(res, variant)

    return mutate


def both_level_fields(res: list[Resource], variant: str) -> None:
    """A policy body holding both schema generations' fields, disagreeing: the looser is judged."""
    for f in policy(res)["properties"]["contentFilters"]:
        if "severityThreshold" in f or "allowedContentLevel" in f:
            f["severityThreshold"], f["allowedContentLevel"] = "Low", "High"


# --- the table ---------------------------------------------------------------------------

policies_denied = denied(POLICIES, lambda v: account_id(v) + "/raiPolicies")
deployments_denied = denied(DEPLOYMENTS, lambda v: account_id(v) + "/deployments")

# The deployment of Microsoft Learn's "Working with Azure OpenAI models" example response
# (text-embedding-ada-002 with the capabilities ARM returns for it, no raiPolicyName).
EMBEDDING_DEPLOYMENT = {
    "sku": {"name": "Standard", "capacity": 1},
    "properties": {
        "model": {"format": "OpenAI", "name": "text-embedding-ada-002", "version": "2"},
        "versionUpgradeOption": "OnceCurrentVersionExpired",
        "capabilities": {"embeddings": "true", "embeddingsMaxInputs": "1"},
        "provisioningState": "Succeeded",
    },
}


def add_deployment(name: str, body: dict[str, Any]) -> Mutation:
    """Another deployment of the account, `body` its sku and properties."""

    def mutate(res: list[Resource], variant: str) -> None:
        extra = copy.deepcopy(deployment(res))
        extra["id"] = extra["id"].rsplit("/", 1)[0] + "/" + name
        extra["name"] = name
        extra.update(copy.deepcopy(body))
        res.append(extra)

    return mutate


def with_policy(body: dict[str, Any], policy: str) -> dict[str, Any]:
    named = copy.deepcopy(body)
    named["properties"]["raiPolicyName"] = policy
    return named


def without_capabilities(model: str) -> dict[str, Any]:
    body = copy.deepcopy(EMBEDDING_DEPLOYMENT)
    del body["properties"]["capabilities"]
    body["properties"]["model"]["name"] = model
    return body


CF001 = [
    Case("compliant", "CF001", ("pass",)),
    Case(
        "embedding deployment of the Learn example",
        "CF001",
        ("pass", "pass"),
        add_deployment("text-embedding-ada-002-test-1", EMBEDDING_DEPLOYMENT),
        contains="capabilities embeddings only: Azure applies no content filter",
    ),
    Case(
        "embedding model without capabilities",
        "CF001",
        ("pass", "pass"),
        add_deployment("embed-3", without_capabilities("text-embedding-3-large")),
        contains="read from properties.model.name",
    ),
    # Azure filters no embeddings whatever policy the deployment names: a built-in one passes as well.
    Case(
        "embedding deployment naming a built-in policy",
        "CF001",
        ("pass", "pass"),
        add_deployment("embed-default", with_policy(EMBEDDING_DEPLOYMENT, "Microsoft.DefaultV2")),
        contains="raiPolicyName is Microsoft.DefaultV2, and none applies",
    ),
    Case(
        "chat capability beside embeddings",
        "CF001",
        ("fail", "pass"),
        add_deployment(
            "both",
            {
                "properties": {
                    **EMBEDDING_DEPLOYMENT["properties"],
                    "capabilities": {"embeddings": "true", "chatCompletion": "true"},
                }
            },
        ),
        contains="raiPolicyName is not set: the deployment runs",
    ),
    # Microsoft's ListDeployments.json (2025-09-01) deploys model "ada" with no capabilities: not a
    # documented unfiltered family, so it is judged like any other.
    Case(
        "unknown model without capabilities",
        "CF001",
        ("fail", "pass"),
        add_deployment("deploymentName", without_capabilities("ada")),
    ),
    Case("no policy name", "CF001", ("fail",), set_policy_name(None), contains="raiPolicyName is not set"),
    Case("empty policy name", "CF001", ("fail",), set_policy_name(""), contains="raiPolicyName is not set"),
    Case("second deployment without policy", "CF001", ("fail", "pass"), add_deployment_without_policy),
    Case("policy name in other case", "CF001", ("pass",), set_policy_name("STRICT-BLOCKING")),
    Case(
        "unknown policy", "CF001", ("fail",), set_policy_name("gone"), contains="no RAI policy of that name"
    ),
    Case(
        "built-in name not listed",
        "CF001",
        ("fail",),
        set_policy_name("Microsoft.DefaultV2"),
        contains="built-in",
    ),
    Case(
        "built-in listed as SystemManaged",
        "CF001",
        ("fail",),
        add_builtin_policy("Medium"),
        contains="SystemManaged",
    ),
    Case(
        "built-in allowed by the baseline",
        "CF001",
        ("pass",),
        set_policy_name("Microsoft.Default"),
        params={"allow_builtin_policies": True},
    ),
    Case(
        "listed built-in allowed by the baseline",
        "CF001",
        ("pass",),
        add_builtin_policy("Medium"),
        params={"allow_builtin_policies": True},
    ),
    Case(
        "AI Services account checked too", "CF001", ("fail",), set_kind("AIServices", set_policy_name(None))
    ),
    Case("other Cognitive Services kinds ignored", "CF001", (), set_kind("Face", set_policy_name(None))),
    Case(
        "policies unreadable",
        "CF001",
        ("not_assessed",),
        remove_policies,
        errors=policies_denied,
        contains="AuthorizationFailed",
    ),
    Case(
        "policies unreadable, no name still fails",
        "CF001",
        ("fail",),
        unnamed_and_unread,
        errors=policies_denied,
    ),
    Case(
        "deployments unreadable",
        "CF001",
        ("not_assessed",),
        remove_deployments,
        errors=deployments_denied,
        contains="model deployments are unknown",
    ),
    Case(
        "deployments not collected",
        "CF001",
        ("not_assessed",),
        remove_deployments,
        drop_types=(DEPLOYMENTS,),
        contains="not collected",
    ),
    Case(
        "accounts not collected",
        "CF001",
        ("not_assessed",),
        remove_cognitive,
        drop_types=(ACCOUNTS,),
        contains="not collected",
    ),
]

CF002 = [
    # The policy an embedding deployment names is no policy of the workload's: nothing to judge there.
    Case(
        "embedding deployment naming a built-in policy",
        "CF002",
        ("pass",),
        add_deployment("embed-default", with_policy(EMBEDDING_DEPLOYMENT, "Microsoft.DefaultV2")),
    ),
    Case(
        "compliant, new schema", "CF002", ("pass",), variants=("aistudio",), contains="read severityThreshold"
    ),
    Case("compliant, old schema", "CF002", ("pass",), variants=("aml",), contains="read allowedContentLevel"),
    Case(
        "hate on completions at High",
        "CF002",
        ("fail",),
        edit_filter("hate", "Completion", level="High"),
        contains="Completion/hate",
    ),
    Case(
        "violence at Medium",
        "CF002",
        ("fail",),
        edit_filter("violence", "Prompt", level="Medium"),
        contains="looser than Low",
    ),
    Case(
        "Medium accepted by a team's baseline copy",
        "CF002",
        ("pass",),
        edit_filter("violence", None, level="Medium"),
        params={"threshold": "Medium"},
    ),
    Case(
        "High still fails at Medium",
        "CF002",
        ("fail",),
        edit_filter("sexual", "Prompt", level="High"),
        params={"threshold": "Medium"},
    ),
    Case("Low passes at Medium", "CF002", ("pass",), params={"threshold": "medium"}),
    Case(
        "sexual prompts disabled",
        "CF002",
        ("fail",),
        edit_filter("sexual", "Prompt", enabled=False),
        contains="disabled",
    ),
    Case(
        "self-harm annotates only",
        "CF002",
        ("fail",),
        edit_filter("selfharm", "Completion", blocking=False),
        contains="does not block",
    ),
    Case(
        "violence completion filter missing",
        "CF002",
        ("fail",),
        drop_filter("violence", "Completion"),
        contains="has no filter",
    ),
    Case(
        "no level field",
        "CF002",
        ("fail",),
        edit_filter("hate", "Prompt", level=None),
        contains="has no severityThreshold",
    ),
    Case(
        "unknown level",
        "CF002",
        ("fail",),
        edit_filter("hate", "Prompt", level="Off"),
        contains="unknown level",
    ),
    Case("capitalised names", "CF002", ("pass",), shout_names),
    Case(
        "both fields disagreeing: the looser one counts",
        "CF002",
        ("fail",),
        both_level_fields,
        contains="read allowedContentLevel",
    ),
    Case(
        "listed built-in at Medium",
        "CF002",
        ("fail",),
        add_builtin_policy("Medium"),
        contains="severityThreshold is Medium",
    ),
    Case(
        "unlisted built-in not assessable",
        "CF002",
        ("not_assessed",),
        set_policy_name("Microsoft.DefaultV2"),
        contains="not in the snapshot",
    ),
    Case("policies unreadable", "CF002", ("not_assessed",), remove_policies, errors=policies_denied),
    Case("deployments unreadable", "CF002", ("not_assessed",), remove_deployments, errors=deployments_denied),
    Case("no deployment names a policy", "CF002", (), set_policy_name(None)),
]

CF003 = [
    Case("compliant", "CF003", ("pass",)),
    Case(
        "jailbreak disabled",
        "CF003",
        ("fail",),
        edit_filter("jailbreak", "Prompt", enabled=False),
        contains="Prompt/jailbreak is disabled",
    ),
    Case(
        "jailbreak annotate only",
        "CF003",
        ("fail",),
        edit_filter("jailbreak", "Prompt", blocking=False),
        contains="does not block",
    ),
    Case(
        "jailbreak missing", "CF003", ("fail",), drop_filter("jailbreak", "Prompt"), contains="has no filter"
    ),
    Case(
        "jailbreak on completions only",
        "CF003",
        ("fail",),
        edit_filter("jailbreak", "Prompt", source="Completion"),
    ),
    Case("capitalised names", "CF003", ("pass",), shout_names),
    Case("policies unreadable", "CF003", ("not_assessed",), remove_policies, errors=policies_denied),
]

CF004 = [
    Case("compliant", "CF004", ("pass",), contains="properties.mode is Default"),
    Case("Blocking mode", "CF004", ("pass",), set_mode("Blocking")),
    Case("mode absent", "CF004", ("pass",), set_mode(None), contains="service default"),
    Case("asynchronous filter", "CF004", ("fail",), set_mode("Asynchronous_filter")),
    Case("deferred (older name)", "CF004", ("fail",), set_mode("Deferred")),
    Case(
        "asynchronous filter allowed by a baseline copy",
        "CF004",
        ("pass",),
        set_mode("Asynchronous_filter"),
        params={"allowed_modes": ["Default", "Blocking", "Asynchronous_filter"]},
    ),
    Case("policies unreadable", "CF004", ("not_assessed",), remove_policies, errors=policies_denied),
]

CF005 = [
    Case("compliant", "CF005", ("pass",)),
    Case(
        "profanity off on completions",
        "CF005",
        ("fail",),
        drop_filter("profanity", "Completion"),
        contains="Completion/profanity has no filter",
    ),
    Case("profanity not blocking", "CF005", ("fail",), edit_filter("profanity", "Prompt", blocking=False)),
    Case("policies unreadable", "CF005", ("not_assessed",), remove_policies, errors=policies_denied),
]

CASES: list[Case] = CF001 + CF002 + CF003 + CF004 + CF005

# --- Foundry: models and content filters (ffilter) ------------------------------------------
# The Foundry sample binds its deployment to the system policy Microsoft.DefaultV2, listed by ARM.

FOUNDRY = ("foundry",)


def _foundry_deployment(res: list[Resource]) -> Resource:
    return estates.find(res, DEPLOYMENTS)


def bind_custom(level: str = "Low", base: str = "Microsoft.DefaultV2", **edits: Any) -> Mutation:
    """Bind the deployment to a custom policy (tests.foundry.models.custom_policy); `edits` map a
    'Source/Name' filter to changes (None removes the key, {} as the value drops the filter)."""

    def mutate(res: list[Resource], variant: str) -> None:
        from tests.foundry import models

        custom = models.custom_policy("chat-custom", base=base, level=level)
        filters = custom["properties"]["contentFilters"]
        for label, change in edits.items():
            source, name = label.split("/", 1)
            hits = [f for f in filters if f["source"] == source and f["name"] == name]
            assert hits, label
            if change == {}:
                filters.remove(hits[0])
                continue
            for key, value in change.items():
                if value is None:
                    hits[0].pop(key, None)
                else:
                    hits[0][key] = value
        res.append(custom)
        _foundry_deployment(res)["properties"]["raiPolicyName"] = "chat-custom"

    return mutate


def only_harms_set(res: list[Resource], variant: str) -> None:
    """A custom policy that sets only Low harm filters and inherits the rest from Microsoft.DefaultV2."""
    bind_custom()(res, variant)
    custom = estates.find(res, POLICIES, "chat-custom")
    custom["properties"]["contentFilters"] = [
        f for f in custom["properties"]["contentFilters"] if "severityThreshold" in f
    ]


def inherit_from(base_props: dict[str, Any]) -> Mutation:
    """The harm-only custom policy on a custom base policy with these properties."""

    def mutate(res: list[Resource], variant: str) -> None:
        only_harms_set(res, variant)
        from tests.foundry import models

        base = models.custom_policy("chat-base")
        base["properties"].update(base_props)
        res.append(base)
        estates.find(res, POLICIES, "chat-custom")["properties"]["basePolicyName"] = "chat-base"

    return mutate


def unlist_system_policy(res: list[Resource], variant: str) -> list[Resource]:
    return [r for r in res if not (r["type"] == POLICIES and r["name"] == "Microsoft.DefaultV2")]


def name_policy(name: str) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> list[Resource]:
        res = unlist_system_policy(res, variant)
        _foundry_deployment(res)["properties"]["raiPolicyName"] = name
        return res

    return mutate


def foundry_policies_unread(res: list[Resource], variant: str) -> list[Resource]:
    """The deployment names a custom policy, and the account's policies could not be read."""
    bind_custom()(res, variant)
    return remove_policies(res, variant)


def _foundry_account(variant: str) -> str:
    from tests.foundry import ACCOUNT

    return ACCOUNT


foundry_policies_denied = denied(POLICIES, lambda v: f"{_foundry_account(v)}/raiPolicies")
foundry_deployments_denied = denied(DEPLOYMENTS, lambda v: f"{_foundry_account(v)}/deployments")
BLOCKLISTS = "Microsoft.CognitiveServices/accounts/raiBlocklists"
foundry_blocklists_denied = denied(BLOCKLISTS, lambda v: f"{_foundry_account(v)}/raiBlocklists")


def bind_blocklists(*bindings: tuple[str, bool], lists: tuple[str, ...] = ("chat-terms",)) -> Mutation:
    """The custom policy binds these (name, blocking) blocklists on completions; `lists` exist."""

    def mutate(res: list[Resource], variant: str) -> None:
        from tests.foundry import models

        bind_custom()(res, variant)
        custom = estates.find(res, POLICIES, "chat-custom")
        custom["properties"]["customBlocklists"] = [
            {"blocklistName": n, "blocking": b, "source": "Completion"} for n, b in bindings
        ]
        res.extend(models.blocklist(n) for n in lists)

    return mutate


def older_blocklist_fields(res: list[Resource], variant: str) -> None:
    bind_blocklists()(res, variant)
    custom = estates.find(res, POLICIES, "chat-custom")
    custom["properties"]["promptBlocklists"] = [{"blocklistName": "chat-terms", "blocking": True}]


def async_custom(res: list[Resource], variant: str) -> None:
    bind_custom()(res, variant)
    estates.find(res, POLICIES, "chat-custom")["properties"]["mode"] = "Asynchronous_filter"


def remove_blocklists(res: list[Resource], variant: str) -> list[Resource]:
    return [r for r in res if r["type"] != BLOCKLISTS]


FOUNDRY_CASES: list[Case] = [
    Case("reference policy", "CF010", ("pass",), variants=FOUNDRY, contains="all 11 required filters"),
    Case(
        "DefaultV2 not listed: documented table",
        "CF010",
        ("pass",),
        unlist_system_policy,
        variants=FOUNDRY,
        contains="documented defaults",
    ),
    Case("stricter custom policy", "CF010", ("pass",), bind_custom("Low"), variants=FOUNDRY),
    Case(
        "custom policy inheriting the rest from DefaultV2",
        "CF010",
        ("pass",),
        only_harms_set,
        variants=FOUNDRY,
        contains="3 filters inherited",
    ),
    Case(
        "hate at High on completions",
        "CF010",
        ("fail",),
        bind_custom("Medium", **{"Completion/Hate": {"severityThreshold": "High"}}),
        variants=FOUNDRY,
        contains="Completion/hate severityThreshold is High, looser than Medium",
    ),
    Case(
        "violence annotates only on prompts",
        "CF010",
        ("fail",),
        bind_custom(**{"Prompt/Violence": {"blocking": False}}),
        variants=FOUNDRY,
        contains="Prompt/violence does not block",
    ),
    Case(
        "protected code disabled",
        "CF010",
        ("fail",),
        bind_custom(**{"Completion/Protected Material Code": {"enabled": False}}),
        variants=FOUNDRY,
        contains="Completion/protected_material_code is disabled",
    ),
    Case(
        "jailbreak dropped and the base has none",
        "CF010",
        ("fail",),
        bind_custom(base="", **{"Prompt/Jailbreak": {}}),
        variants=FOUNDRY,
        contains="Prompt/jailbreak is not set by the policy or its base",
    ),
    Case(
        "jailbreak inherited from a base that turns it off",
        "CF010",
        ("fail",),
        inherit_from({"contentFilters": [{"name": "Jailbreak", "source": "Prompt", "enabled": False}]}),
        variants=FOUNDRY,
        contains="Prompt/jailbreak is disabled",
    ),
    Case(
        "no policy named",
        "CF010",
        ("fail",),
        set_policy_name(None),
        variants=FOUNDRY,
        contains="bound to no RAI policy",
    ),
    Case("unknown custom name", "CF010", ("fail",), name_policy("nope"), variants=FOUNDRY),
    Case(
        "Microsoft.Default neither listed nor documented",
        "CF010",
        ("not_assessed",),
        name_policy("Microsoft.Default"),
        variants=FOUNDRY,
        contains="neither in the snapshot nor documented",
    ),
    Case(
        "base policy missing",
        "CF010",
        ("not_assessed",),
        bind_custom(base="chat-missing-base", **{"Prompt/Jailbreak": {}}),
        variants=FOUNDRY,
        contains="base policy chat-missing-base does not exist",
    ),
    Case(
        "system policy named, policies unreadable: documented table",
        "CF010",
        ("pass",),
        remove_policies,
        errors=foundry_policies_denied,
        variants=FOUNDRY,
        contains="documented defaults",
    ),
    Case(
        "custom policy named, policies unreadable",
        "CF010",
        ("not_assessed",),
        foundry_policies_unread,
        errors=foundry_policies_denied,
        variants=FOUNDRY,
        contains="AuthorizationFailed",
    ),
    Case(
        "deployments unreadable",
        "CF010",
        ("not_assessed",),
        remove_deployments,
        errors=foundry_deployments_denied,
        variants=FOUNDRY,
    ),
    Case(
        "threshold Low in a baseline copy",
        "CF010",
        ("fail",),
        params={"threshold": "Low"},
        variants=FOUNDRY,
        contains="looser than Low",
    ),
    Case(
        "profanity required by a baseline copy",
        "CF010",
        ("fail",),
        params={"prompt_filters": ["hate", "sexual", "selfharm", "violence", "jailbreak", "profanity"]},
        variants=FOUNDRY,
        contains="Prompt/profanity is not set",
    ),
    Case(
        "indirect attack required, set by the custom policy",
        "CF010",
        ("pass",),
        bind_custom(),
        params={"prompt_filters": ["hate", "sexual", "selfharm", "violence", "jailbreak", "indirect_attack"]},
        variants=FOUNDRY,
    ),
    Case("DefaultV2 binds no blocklist", "CF011", ("pass",), variants=FOUNDRY, contains="binds no custom"),
    Case("bound and blocking", "CF011", ("pass",), bind_blocklists(("chat-terms", True)), variants=FOUNDRY),
    Case("older prompt and completion lists", "CF011", ("pass",), older_blocklist_fields, variants=FOUNDRY),
    Case(
        "bound without blocking",
        "CF011",
        ("fail",),
        bind_blocklists(("chat-terms", False)),
        variants=FOUNDRY,
        contains="does not block",
    ),
    Case(
        "bound but missing",
        "CF011",
        ("fail",),
        bind_blocklists(("chat-gone", True)),
        variants=FOUNDRY,
        contains="chat-gone does not exist",
    ),
    Case(
        "blocklists unreadable",
        "CF011",
        ("not_assessed",),
        bind_blocklists(("chat-terms", True), lists=()),
        errors=foundry_blocklists_denied,
        variants=FOUNDRY,
    ),
    Case("no blocklists", "CF012", (), variants=FOUNDRY),
    Case("bound", "CF012", ("pass",), bind_blocklists(("chat-terms", True)), variants=FOUNDRY),
    Case(
        "not bound by the policy in use",
        "CF012",
        ("fail", "pass"),
        bind_blocklists(("chat-terms", True), lists=("chat-terms", "spare-terms")),
        variants=FOUNDRY,
        contains="blocks nothing",
    ),
    Case(
        "policies unreadable",
        "CF012",
        ("not_assessed",),
        lambda res, v: remove_policies(bind_blocklists(("chat-terms", True))(res, v) or res, v),
        errors=foundry_policies_denied,
        variants=FOUNDRY,
    ),
    Case(
        "blocklists not collected",
        "CF012",
        ("not_assessed",),
        remove_blocklists,
        drop_types=(BLOCKLISTS,),
        variants=FOUNDRY,
        contains="not collected",
    ),
    Case("system policy in Blocking mode", "CF004", ("pass",), variants=FOUNDRY, contains="Blocking"),
    Case("asynchronous custom policy", "CF004", ("fail",), async_custom, variants=FOUNDRY),
    Case("DefaultV2 not listed", "CF004", ("not_assessed",), unlist_system_policy, variants=FOUNDRY),
]
CASES += FOUNDRY_CASES
