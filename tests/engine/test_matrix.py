"""The coverage matrix (docs/coverage.yaml, rendered as docs/coverage.md), checked against the catalogue."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from auditor.engine import matrix
from auditor.engine.matrix import MatrixError, build, counts, load, render
from auditor.engine.registry import all_rules
from tests import paths

DATA = paths.ROOT / "docs" / "coverage.yaml"
PAGE = paths.ROOT / "docs" / "coverage.md"
AML = "a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50"
HUB = "7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2"


def small(**row: Any) -> dict[str, Any]:
    """A matrix of one resource type and one row (plus a judged one), both editions judged."""
    base_row: dict[str, Any] = {
        "property": "properties.adminUserEnabled",
        "set": {"aml": {"value": "false", "at": "acr.bicep#L52"}, "aistudio": {"value": "false"}},
        "rules": ["PUB008"],
    }
    return {
        "editions": {
            "aml": {
                "title": "ML",
                "repository": "Azure-Samples/openai-end-to-end-baseline",
                "commit": AML,
                "root": "infra-as-code/bicep",
                "baseline": "openai-e2e-chat-aml",
            },
            "aistudio": {
                "title": "Hub",
                "repository": "Azure-Samples/openai-end-to-end-baseline",
                "commit": HUB,
                "root": "infra-as-code/bicep",
                "baseline": "openai-e2e-chat-aistudio",
            },
        },
        "article": {"title": "Article", "url": "https://learn.microsoft.com/x"},
        "reasons": {"identification": "names", "open": "a gap"},
        "resources": [
            {
                "type": "Microsoft.ContainerRegistry/registries",
                "title": "Registry",
                "rows": [base_row, *([row] if row else [])],
            }
        ],
    }


def problems_of(data: dict[str, Any]) -> str:
    with pytest.raises(MatrixError) as caught:
        build(data)
    return str(caught.value)


def test_docs_coverage_page_is_current() -> None:
    committed = PAGE.read_text(encoding="utf-8")
    command = "python -m auditor.engine.matrix docs/coverage.yaml > docs/coverage.md"
    assert committed == render(load(DATA)), f"docs/coverage.md is stale: run `{command}`"


def test_every_rule_of_the_catalogue_has_a_row() -> None:
    named = {rid for row in load(DATA).rows for rid in row.rules}
    # The Foundry edition's rows wait in docs/coverage/foundry-<area>.yaml until the generator reads them.
    for part in sorted((DATA.parent / "coverage").glob("foundry-*.yaml")):
        groups = yaml.safe_load(part.read_text(encoding="utf-8"))["groups"]
        named |= {rid for group in groups for row in group["rows"] for rid in row.get("rules", [])}
    missing = sorted(set(all_rules()) - named)
    assert not missing, f"add a row to docs/coverage.yaml for {missing}"


def test_the_page_opens_with_the_counts_and_closes_with_them() -> None:
    m = load(DATA)
    total, judged, deliberate, by_reason = counts(m)
    assert total == judged + deliberate + by_reason.get("open", 0)
    text = render(m)
    head = text.splitlines()[4]
    assert head.startswith(f"**{total} rows: {judged} judged by a rule, {deliberate} deliberately not judged")
    assert text.rstrip().endswith("open gaps.") or by_reason.get("open", 0) == 0


def test_the_foundry_edition_has_its_place() -> None:
    m = load(DATA)
    foundry = m.editions["foundry"]
    assert foundry.own_section and foundry.baseline == "microsoft-foundry-chat"
    assert "## Foundry Agent Service edition" in render(m)
    # The shared rows are the prompt flow editions': none sets the Foundry edition.
    assert not any("foundry" in row.settings for g in m.groups if g.edition is None for row in g.rows)


def _with_own_edition(tmp_path: Any, rows: list[dict[str, Any]]) -> Any:
    """The small matrix plus an edition with its own article, whose rows are in a file of their own."""
    data = small(property="properties.policies", article=["Shared section"], rules=["PUB008"])
    data["editions"]["foundry"] = {
        "title": "Foundry",
        "repository": "Azure-Samples/microsoft-foundry-baseline",
        "commit": "1d6dd6815011d88ebfbe2acec65fb2ba3455c804",
        "root": "infra-as-code/bicep",
        "baseline": "microsoft-foundry-chat",
        "article": {"title": "Foundry article", "url": "https://learn.microsoft.com/foundry"},
        "rows_from": "parts/foundry-*.yaml",
    }
    (tmp_path / "matrix.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    (tmp_path / "parts").mkdir()
    group = {"type": "Microsoft.CognitiveServices/accounts", "title": "Foundry account", "rows": rows}
    (tmp_path / "parts" / "foundry-core.yaml").write_text(
        yaml.safe_dump({"groups": [group]}), encoding="utf-8"
    )
    return tmp_path / "matrix.yaml"


def test_an_edition_with_its_own_article_renders_its_own_section(tmp_path: Any) -> None:
    row = {
        "property": "properties.publicNetworkAccess",
        "set": {"foundry": {"value": "Disabled", "at": "a.bicep#L3"}},
    }
    m = load(_with_own_edition(tmp_path, [{**row, "article": ["Networking"], "rules": ["PUB001"]}]))
    own = [g for g in m.groups if g.edition == "foundry"]
    assert [r.property for g in own for r in g.rows] == ["properties.publicNetworkAccess"]
    text = render(m)
    section = text.split("## Foundry\n", 1)[1]
    assert "[Networking](https://learn.microsoft.com/foundry#networking)" in section
    assert (
        "microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/a.bicep#L3"
        in section
    )
    # The shared tables do not grow a Foundry column.
    assert "| Property | Hub | ML | Article | Judged by |" in text.split("## Foundry\n", 1)[0]


def test_an_own_edition_row_is_checked_against_its_baseline_alone(tmp_path: Any) -> None:
    # PUB008 (the registry's admin user) is not in the Foundry baseline; nor may its rows set another edition.
    bad = [
        {"property": "a", "set": {"foundry": "x"}, "rules": ["PUB008"]},
        {"property": "b", "set": {"aml": "x"}, "reason": "identification"},
    ]
    with pytest.raises(MatrixError) as caught:
        load(_with_own_edition(tmp_path, bad))
    assert "rule PUB008 is not in baseline microsoft-foundry-chat" in str(caught.value)
    assert "unknown edition 'aml'" in str(caught.value)


def test_a_small_matrix_renders_links_levels_and_reasons() -> None:
    text = render(build(small(property="name", set={"aistudio": "cr<base>"}, reason="identification")))
    assert (
        f"https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/{AML}/infra-as-code/bicep/acr.bicep#L52"
        in text
    )
    assert "[PUB008](rules.md#pub008) required" in text
    assert "not judged: identification" in text
    assert "**2 rows: 1 judged by a rule, 1 deliberately not judged (1 identification).**" in text


def test_line_ranges_become_github_ranges_and_root_files_leave_the_folder() -> None:
    edition = build(small()).editions["aistudio"]
    assert edition.link("network.bicep#L30-42").endswith("/infra-as-code/bicep/network.bicep#L30-L42")
    assert edition.link("/README.md#L266-276").endswith(f"/blob/{HUB}/README.md#L266-L276")
    with pytest.raises(MatrixError):
        edition.link("network.bicep#lines")


def test_levels_that_differ_are_named_per_edition() -> None:
    row = {
        "property": "properties.policies.exportPolicy.status",
        "set": {"aistudio": "disabled", "aml": "(unset)"},
    }
    text = render(build(small(**row, rules=["PUB025"])))
    assert "[PUB025](rules.md#pub025) recommended (ML), required (Hub)" in text


def test_open_gaps_are_counted_apart() -> None:
    text = render(
        build(small(property="properties.metadataSearch", set={"aistudio": "Disabled"}, reason="open"))
    )
    assert "1 judged by a rule, 0 deliberately not judged, 1 open gaps" in text


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"property": "p", "set": {"aml": "x"}, "rules": ["ZZZ999"]}, "rule ZZZ999 is not in the catalogue"),
        # IAM009 is selected by the hub baseline only.
        ({"property": "p", "set": {"aml": "x"}, "rules": ["IAM009"]}, "not in baseline openai-e2e-chat-aml"),
        ({"property": "p", "set": {"aml": "x"}}, "name the rules that judge it or the reason"),
        ({"property": "p", "set": {"aml": "x"}, "rules": ["PUB008"], "reason": "open"}, "one of them"),
        ({"property": "p", "set": {"aml": "x"}, "reason": "because"}, "unknown reason 'because'"),
        ({"property": "p", "set": {"v9": "x"}, "reason": "open"}, "unknown edition 'v9'"),
        ({"property": "p", "reason": "open"}, "neither an edition nor the article sets it"),
        (
            {"property": "p", "set": {"aml": {"value": "x", "at": "a.bicep#here"}}, "reason": "open"},
            "is not FILE",
        ),
        ({"property": "properties.adminUserEnabled", "set": {"aml": "x"}, "reason": "open"}, "appears twice"),
        ({"property": "p", "set": {"aml": "x"}, "reason": "open", "colour": "red"}, "unknown key 'colour'"),
    ],
)
def test_bad_rows_are_reported(row: dict[str, Any], expected: str) -> None:
    assert expected in problems_of(small(**row))


def test_an_article_only_row_belongs_to_every_judged_edition() -> None:
    # IAM009 is not in the aml baseline, so a row only the article sets cannot name it.
    assert "not in baseline openai-e2e-chat-aml" in problems_of(
        small(property="p", article=["Monitoring"], rules=["IAM009"])
    )
    build(small(property="p", article=["Monitoring"], rules=["IAM008"]))


def test_every_problem_is_reported_at_once() -> None:
    data = small()
    rows = data["resources"][0]["rows"]
    rows.append({"property": "a", "set": {"aml": "x"}, "rules": ["ZZZ998"]})
    rows.append({"property": "b", "set": {"aml": "x"}, "rules": ["ZZZ997"]})
    text = problems_of(data)
    assert "ZZZ998" in text and "ZZZ997" in text


def test_a_bad_commit_or_article_url_is_reported() -> None:
    data = small()
    data["editions"]["aml"]["commit"] = "main"
    data["article"]["url"] = "http://example.test"
    text = problems_of(data)
    assert "not a full commit hash" in text and "not a public https URL" in text


def test_the_shipped_data_has_no_user_facing_shorthand() -> None:
    text = PAGE.read_text(encoding="utf-8")
    for banned in ("V1:", "V2:", "V3:", "seed", "reference-implementations.md"):
        assert banned not in text, banned
    assert all(ord(ch) < 0x2000 or ch in "\u2013\u2014\u2019" for ch in text)


def test_main_prints_the_page_and_fails_in_one_line(
    tmp_path: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(paths.ROOT)
    assert matrix.main([]) == 0
    assert capsys.readouterr().out == PAGE.read_text(encoding="utf-8")
    bad = copy.deepcopy(yaml.safe_load(DATA.read_text(encoding="utf-8")))
    bad["resources"][0]["rows"][0]["rules"] = ["ZZZ999"]
    bad["resources"][0]["rows"][0].pop("reason", None)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad), encoding="utf-8")
    assert matrix.main([str(path)]) == 2
    assert "ZZZ999" in capsys.readouterr().err
