"""Meta-tests over the rule catalogue: ids, documentation, baselines, tests, docs/rules.md."""

from __future__ import annotations

import ast
import re
import unicodedata
from pathlib import Path

import pytest

from auditor.engine.baseline import load_baseline, shipped_baselines
from auditor.engine.catalogue import render_rules
from auditor.engine.registry import RULE_ID, all_rules
from auditor.model import Control
from tests import paths

ROOT = paths.ROOT
TESTS = ROOT / "tests"
FAMILY_FILE = {c: c.value.replace("-", "_") for c in Control}


def test_ids_and_names_are_unique_and_well_formed() -> None:
    rules = all_rules()
    assert len(rules) >= 50
    assert all(RULE_ID.match(rule_id) for rule_id in rules)
    names = [r.name for r in rules.values()]
    assert len(names) == len(set(names))


def test_every_family_has_rules() -> None:
    assert {r.control for r in all_rules().values()} == set(Control)


@pytest.mark.parametrize("rule_id", sorted(all_rules()))
def test_rule_is_documented(rule_id: str) -> None:
    rule = all_rules()[rule_id]
    for field in (rule.title, rule.rationale, rule.remediation, rule.description):
        assert len(field) > 15, f"{rule_id}: a documentation field is empty or too short"
    assert any(word in rule.rationale.lower() for word in ("seed", "reference", "article", "architecture")), (
        f"{rule_id}: the rationale must name the part of the reference architecture it enforces"
    )


def test_every_rule_is_used_by_a_baseline() -> None:
    used = {rule_id for name in shipped_baselines() for rule_id in load_baseline(name).rules}
    assert set(all_rules()) - used == set()


def _string_constants(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    constants = (node for node in ast.walk(tree) if isinstance(node, ast.Constant))
    return {node.value for node in constants if isinstance(node.value, str)}


@pytest.mark.parametrize("control", list(Control), ids=lambda c: c.value)
def test_every_rule_has_cases_and_a_coverage_check(control: Control) -> None:
    """Each family keeps a case table naming every rule, and its test file checks that the table
    holds a passing, a failing and a not-assessed case for every rule."""
    family = FAMILY_FILE[control]
    cases = TESTS / "cases" / f"{family}.py"
    suite = TESTS / "rules" / f"test_{family}.py"
    assert cases.is_file() and suite.is_file()
    named = _string_constants(cases) | _string_constants(suite)
    missing = [r.id for r in all_rules().values() if r.control is control and r.id not in named]
    assert missing == [], f"rules without cases in {cases.name}: {missing}"
    assert "def test_every_rule_has_pass_fail_and_not_assessed_cases" in suite.read_text(encoding="utf-8")


def test_docs_rules_page_is_current() -> None:
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == render_rules("markdown"), (
        "docs/rules.md is stale: run `auditor rules --format markdown > docs/rules.md`"
    )


# --- what users read cites public sources -------------------------------------------------------

_SHORTHAND = re.compile(r"\bseeds? ?0\d\d|\bV[123]:|\bV[123]#L|reference-implementations\.md", re.IGNORECASE)


def _non_latin_letters(text: str) -> list[str]:
    """Letters of another script than Latin (a quotation in Chinese, Korean, Cyrillic...)."""
    return sorted(
        {
            c
            for c in text
            if unicodedata.category(c).startswith("L") and "LATIN" not in unicodedata.name(c, "")
        }
    )


def _user_texts() -> list[tuple[str, str]]:
    texts = []
    for r in all_rules().values():
        for field in ("title", "rationale", "remediation", "description"):
            texts.append((f"{r.id} {field}", getattr(r, field)))
    for name, path in shipped_baselines().items():
        texts.append((f"baselines/{name}.yaml", path.read_text(encoding="utf-8")))
    for page in ("README.md", "docs/rules.md", "docs/architecture.md", "CHANGELOG.md"):
        texts.append((page, (ROOT / page).read_text(encoding="utf-8")))
    return texts


def test_user_facing_text_cites_public_sources_in_english() -> None:
    """No internal shorthand ("seed 004", "V2:gateway.bicep#L12") and no quotation in another script."""
    problems = [
        f"{where}: {', '.join(_SHORTHAND.findall(text)) or ''.join(_non_latin_letters(text))}"
        for where, text in _user_texts()
        if _SHORTHAND.search(text) or _non_latin_letters(text)
    ]
    assert problems == [], "\n".join(problems)


def test_every_rationale_names_a_public_source() -> None:
    missing = [
        r.id
        for r in all_rules().values()
        if "https://" not in r.rationale and "Microsoft Learn" not in r.rationale
    ]
    assert missing == []


@pytest.mark.parametrize(
    "text",
    [
        "as seed 004 says",
        "see V1:openai.bicep#L1-2",
        "V2#L288",
        "reference-implementations.md §4",
        "机器学习",
    ],
)
def test_the_citation_check_catches_shorthand_and_other_scripts(text: str) -> None:
    assert _SHORTHAND.search(text) or _non_latin_letters(text)


# --- references: public, pinned, and the same sources the rationale cites ------------------------

_ALLOWED_HOSTS = (
    "https://learn.microsoft.com/",
    "https://github.com/Azure-Samples/",
    "https://github.com/MicrosoftDocs/",
    "https://github.com/Azure/",
    "https://azure.microsoft.com/",
)
_PINNED = re.compile(r"^https://github\.com/[^/]+/[^/]+/(?:blob|tree)/[0-9a-f]{40}(?:/|$|#)")
_GITHUB_IN_PROSE = re.compile(r"https://github\.com/[^\s,;)]+")
_SECTION_IN_PROSE = re.compile(r'section\s+"([^"]+)"')


def reference_problems(rule_id: str, references: list[tuple[str, str]]) -> list[str]:
    """What is wrong with a rule's references: none, not https, not on a public host, not pinned."""
    problems = [] if references else [f"{rule_id}: no reference"]
    for title, url in references:
        if not title.strip():
            problems.append(f"{rule_id}: a reference without a title ({url})")
        if not url.startswith(_ALLOWED_HOSTS):
            problems.append(f"{rule_id}: {url} is not https on a public Microsoft host")
        if url.startswith("https://github.com/") and not _PINNED.match(url):
            problems.append(f"{rule_id}: {url} is not pinned to a commit")
    return problems


def test_every_rule_has_public_pinned_references() -> None:
    problems = [
        p
        for r in all_rules().values()
        for p in reference_problems(r.id, [(ref.title, ref.url) for ref in r.references])
    ]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    "references",
    [
        [],
        [("Some page", "http://learn.microsoft.com/azure/x")],
        [("Some page", "https://example.com/azure/x")],
        [("A file", "https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/main/README.md")],
        [("", "https://learn.microsoft.com/azure/x")],
    ],
)
def test_the_reference_check_catches_bad_references(references: list[tuple[str, str]]) -> None:
    assert reference_problems("X", references) != []


def test_every_rationale_cites_what_its_references_list() -> None:
    """The prose and the references agree: every GitHub file and article section the rationale cites
    is a reference, and every reference-implementation file and article section referenced is cited."""
    from auditor.engine.sources import ARTICLE_URL, FOUNDRY_ARTICLE_URL

    problems = []
    for r in all_rules().values():
        cited = {u.rstrip(".") for u in _GITHUB_IN_PROSE.findall(r.rationale)}
        listed = {ref.url for ref in r.references if ref.url.startswith("https://github.com/")}
        if cited != listed:
            problems.append(f"{r.id}: prose {sorted(cited - listed)} / references {sorted(listed - cited)}")
        sections = set(_SECTION_IN_PROSE.findall(r.rationale))
        titled = {
            ref.title.split(": ", 1)[1]
            for ref in r.references
            if ref.url.startswith((ARTICLE_URL + "#", FOUNDRY_ARTICLE_URL + "#"))
        }
        if sections != titled:
            problems.append(
                f"{r.id}: sections {sorted(sections - titled)} / references {sorted(titled - sections)}"
            )
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Ingress to Machine Learning", "ingress-to-machine-learning"),
        ("AI Search - reliability", "ai-search---reliability"),
        (
            "Flow from the Machine Learning-managed virtual network to Azure PaaS services",
            "flow-from-the-machine-learning-managed-virtual-network-to-azure-paas-services",
        ),
        ("Machine Learning role-based access roles", "machine-learning-role-based-access-roles"),
    ],
)
def test_learn_anchors(heading: str, anchor: str) -> None:
    from auditor.engine.sources import learn_anchor

    assert learn_anchor(heading) == anchor


def test_existing_rules_are_stable_since_the_first_release() -> None:
    from auditor.model import RuleStatus

    for r in all_rules().values():
        assert re.fullmatch(r"\d+\.\d+\.\d+", r.since), r.id
        assert isinstance(r.status, RuleStatus)


# --- a page per rule ------------------------------------------------------------------------------


def test_docs_rule_pages_are_current_one_per_rule_and_none_extra() -> None:
    from auditor.engine.catalogue import rule_pages

    pages = rule_pages()
    assert set(pages) == {f"{rule_id}.md" for rule_id in all_rules()}
    folder = ROOT / "docs" / "rules"
    committed = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*")}
    stale = sorted(name for name, text in pages.items() if committed.get(name) != text)
    extra = sorted(set(committed) - set(pages))
    assert (stale, extra) == ([], []), (
        "docs/rules/ is stale: run `rm -rf docs/rules && auditor rules --pages docs/rules`"
    )


def test_docs_rules_page_links_every_rule_to_its_page() -> None:
    text = render_rules("markdown")
    for rule_id in all_rules():
        assert f"[{rule_id}](rules/{rule_id}.md)" in text


def test_a_rule_page_has_every_section() -> None:
    from auditor.engine.catalogue import rule_doc

    page = rule_doc("pub006")
    for heading in (
        "# PUB006: ",
        "## What it checks",
        "## Why",
        "## Parameters",
        "| `accept_firewall_deny` | `false` |",
        "## Baselines",
        "| openai-e2e-chat-aistudio | required | high |",
        "## A passing example",
        '"publicNetworkAccess": "Disabled"',
        "## How to fix",
        "```sh\naz keyvault update",
        "```bicep\nresource keyVault 'Microsoft.KeyVault/vaults@",
        "## References",
        "](https://learn.microsoft.com/azure/architecture/ai-ml/architecture/baseline-openai-e2e-chat#",
        "status `stable` (since 0.1.0)",
    ):
        assert heading in page, heading
