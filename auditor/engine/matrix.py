"""The coverage matrix: every setting of the reference architecture, and the rule that judges it.

The matrix is data (docs/coverage.yaml): rows of resource type, property path, the value each
edition of the reference implementation sets there (with the file and lines on GitHub) and the
article section that asks for it, and either the rules that judge the row or the reason it is
deliberately not judged. `build` checks the data against the catalogue and the shipped
baselines (every rule a row names exists and is selected by the baseline of every edition the
row belongs to); `render` turns it into docs/coverage.md, which CI keeps up to date:

    python -m auditor.engine.matrix docs/coverage.yaml > docs/coverage.md

An edition with an article of its own (the Foundry Agent Service design) keeps its rows in files of its
own (`rows_from`, a glob beside the matrix file) and renders as a section of its own.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from auditor.engine.baseline import Baseline, load_baseline
from auditor.engine.registry import all_rules
from auditor.errors import AuditorError, InputError

# The reason of a row no rule judges yet: a gap, counted apart from the deliberate reasons.
OPEN = "open"
_LINES = re.compile(r"^(?P<path>[^#]+)(?:#L(?P<first>\d+)(?:-L?(?P<last>\d+))?)?$")


class MatrixError(InputError):
    """The matrix data does not hold together: every problem found, one per line."""


@dataclass(frozen=True)
class Edition:
    """One edition of the reference implementation: where its files are, which baseline judges it."""

    key: str
    title: str
    repository: str
    commit: str
    root: str
    baseline: str | None
    # An edition with its own article and rows (a section of its own): the article, and the glob of
    # its row files beside the matrix file.
    article_title: str = ""
    article_url: str = ""
    rows_from: str = ""

    @property
    def own_section(self) -> bool:
        """Its rows are its own, judged against its own article."""
        return bool(self.article_url)

    def link(self, at: str) -> str:
        """`file.bicep#L10-20` as a GitHub link at the edition's commit (`/README.md`: repo root)."""
        m = _LINES.match(at.strip())
        if m is None:
            raise MatrixError(f"{self.key}: {at!r} is not FILE or FILE#Lx or FILE#Lx-y")
        path = m["path"]
        path = path[1:] if path.startswith("/") else f"{self.root}/{path}" if self.root else path
        url = f"https://github.com/{self.repository}/blob/{self.commit}/{path}"
        if m["first"]:
            url += f"#L{m['first']}" + (f"-L{m['last']}" if m["last"] else "")
        return url


@dataclass(frozen=True)
class Setting:
    """What one edition sets at a row's property: the value, and where (None: it leaves it unset)."""

    value: str
    at: str | None


@dataclass(frozen=True)
class Row:
    """One property of one resource type: what the editions and the article say, and who judges it."""

    property: str
    settings: dict[str, Setting]
    article: tuple[str, ...]
    rules: tuple[str, ...]
    reason: str | None
    note: str
    follows: str | None


@dataclass(frozen=True)
class Group:
    """The rows of one resource type."""

    type: str
    title: str
    rows: tuple[Row, ...]
    edition: str | None = None  # an edition's own rows (None: the shared rows)


@dataclass(frozen=True)
class Matrix:
    """The matrix as checked: editions, the article, the reasons' meanings, the groups of rows."""

    editions: dict[str, Edition]
    article_title: str
    article_url: str
    reasons: dict[str, str]
    groups: tuple[Group, ...]
    pending: dict[str, str]
    # The shipped baselines the editions name, loaded once.
    baselines: dict[str, Baseline]

    @property
    def rows(self) -> list[Row]:
        """Every row, in order."""
        return [r for g in self.groups for r in g.rows]


def _text(raw: Any, where: str, problems: list[str], required: bool = True) -> str:
    if raw is None and not required:
        return ""
    if not isinstance(raw, str | int | float | bool) or (required and str(raw).strip() == ""):
        problems.append(f"{where}: expected text, got {raw!r}")
        return ""
    return str(raw).lower() if isinstance(raw, bool) else str(raw)


def _strings(raw: Any, where: str, problems: list[str]) -> tuple[str, ...]:
    if raw is None:
        return ()
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
        problems.append(f"{where}: expected a name or a list of names, got {raw!r}")
        return ()
    return tuple(items)


def _editions(raw: Any, problems: list[str]) -> dict[str, Edition]:
    out: dict[str, Edition] = {}
    if not isinstance(raw, dict) or not raw:
        problems.append("editions: expected a mapping of edition keys")
        return out
    for key, body in raw.items():
        if not isinstance(body, dict):
            problems.append(f"editions.{key}: expected a mapping")
            continue
        commit = _text(body.get("commit"), f"editions.{key}.commit", problems)
        if commit and not re.fullmatch(r"[0-9a-f]{40}", commit):
            problems.append(f"editions.{key}.commit: {commit!r} is not a full commit hash")
        article = body.get("article") or {}
        if not isinstance(article, dict):
            problems.append(f"editions.{key}.article: expected a mapping with title and url")
            article = {}
        url = _text(article.get("url"), f"editions.{key}.article.url", problems, required=bool(article))
        if url and not url.startswith("https://"):
            problems.append(f"editions.{key}.article.url: {url!r} is not a public https URL")
        out[str(key)] = Edition(
            key=str(key),
            title=_text(body.get("title"), f"editions.{key}.title", problems),
            repository=_text(body.get("repository"), f"editions.{key}.repository", problems),
            commit=commit,
            root=_text(body.get("root"), f"editions.{key}.root", problems, required=False),
            baseline=body.get("baseline") or None,
            article_title=_text(
                article.get("title"), f"editions.{key}.article.title", problems, bool(article)
            ),
            article_url=url,
            rows_from=_text(body.get("rows_from"), f"editions.{key}.rows_from", problems, required=False),
        )
    return out


def _row(raw: Any, where: str, matrix_keys: tuple[dict[str, Edition], set[str]], problems: list[str]) -> Row:
    editions, reasons = matrix_keys
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected a mapping")
        return Row("", {}, (), (), None, "", None)
    known = {"property", "set", "article", "rules", "reason", "note", "follows"}
    for extra in sorted(set(raw) - known):
        problems.append(f"{where}: unknown key {extra!r}")
    prop = _text(raw.get("property"), f"{where}.property", problems)
    where = f"{where} ({prop})"
    settings: dict[str, Setting] = {}
    for key, body in (raw.get("set") or {}).items():
        if key not in editions:
            problems.append(f"{where}: unknown edition {key!r}")
            continue
        if not isinstance(body, dict):
            body = {"value": body}
        value = _text(body.get("value"), f"{where}.set.{key}.value", problems)
        at = body.get("at")
        if at is not None:
            try:
                editions[key].link(str(at))
            except MatrixError as exc:
                problems.append(f"{where}: {exc}")
        settings[key] = Setting(value, None if at is None else str(at))
    article = _strings(raw.get("article"), f"{where}.article", problems)
    if not settings and not article:
        problems.append(f"{where}: neither an edition nor the article sets it")
    rules = _strings(raw.get("rules"), f"{where}.rules", problems)
    reason = raw.get("reason")
    if bool(rules) == bool(reason):
        problems.append(f"{where}: name the rules that judge it or the reason it is not judged (one of them)")
    if reason is not None and reason not in reasons:
        problems.append(f"{where}: unknown reason {reason!r} (known: {', '.join(sorted(reasons))})")
    follows = raw.get("follows")
    if follows is not None and not (isinstance(follows, str) and follows.strip()):
        problems.append(f"{where}.follows: expected text")
    note = _text(raw.get("note"), f"{where}.note", problems, required=False)
    return Row(prop, settings, article, rules, reason, note.strip(), follows)


def _belongs(row: Row, editions: dict[str, Edition]) -> list[str]:
    """The judged editions a row belongs to: those that set it; a row only the article sets, every
    judged edition it may set (an edition's own rows belong to it alone)."""
    return [k for k in row.settings if editions[k].baseline] or (
        [k for k, e in editions.items() if e.baseline] if not row.settings else []
    )


def _check_rules(
    row: Row, where: str, editions: dict[str, Edition], baselines: dict[str, Baseline], problems: list[str]
) -> None:
    catalogue = all_rules()
    belongs = _belongs(row, editions)
    for rid in row.rules:
        if rid not in catalogue:
            problems.append(f"{where}: rule {rid} is not in the catalogue")
            continue
        for key in belongs:
            name = editions[key].baseline
            if name and rid not in baselines[name].rules:
                problems.append(f"{where}: rule {rid} is not in baseline {name} (the {key} edition's)")
    if row.rules and not belongs:
        problems.append(f"{where}: names rules but belongs to no edition with a baseline")


def build(data: Any) -> Matrix:
    """Check the matrix data against the catalogue and the shipped baselines; every problem is reported."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise MatrixError("the matrix is a mapping with editions, article, reasons and resources")
    editions = _editions(data.get("editions"), problems)
    article = data.get("article") or {}
    title = _text(article.get("title"), "article.title", problems)
    url = _text(article.get("url"), "article.url", problems)
    if url and not url.startswith("https://"):
        problems.append(f"article.url: {url!r} is not a public https URL")
    reasons = {str(k): str(v) for k, v in (data.get("reasons") or {}).items()}
    baselines: dict[str, Baseline] = {}
    for e in editions.values():
        if e.baseline:
            try:
                baselines[e.baseline] = load_baseline(e.baseline)
            except AuditorError as exc:
                problems.append(f"editions.{e.key}.baseline: {exc}")
    shared = {k: e for k, e in editions.items() if not e.own_section}
    groups = _groups(data.get("resources"), "resources", shared, (set(reasons), baselines), problems)
    own = data.get("edition_resources") or {}
    for key, raw_groups in own.items() if isinstance(own, dict) else ():
        if key not in editions or not editions[key].own_section:
            problems.append(f"edition_resources: {key!r} is not an edition with an article of its own")
            continue
        groups += [
            replace(g, edition=key)
            for g in _groups(raw_groups, key, {key: editions[key]}, (set(reasons), baselines), problems)
        ]
    pending = {str(k): str(v) for k, v in (data.get("pending") or {}).items()}
    for edition in pending:
        if edition not in editions:
            problems.append(f"pending: unknown edition {edition!r}")
    if problems:
        raise MatrixError("coverage matrix: " + "\n".join(problems))
    return Matrix(editions, title, url, reasons, tuple(groups), pending, baselines)


def _groups(
    raw_groups: Any,
    where_prefix: str,
    editions: dict[str, Edition],
    checks: tuple[set[str], dict[str, Baseline]],
    problems: list[str],
) -> list[Group]:
    """The groups of rows under `where_prefix`, whose rows may set only `editions`."""
    reasons, baselines = checks
    groups: list[Group] = []
    seen: set[tuple[str, str]] = set()
    for gi, raw in enumerate(raw_groups or []):
        where = f"{where_prefix}[{gi}]"
        if not isinstance(raw, dict):
            problems.append(f"{where}: expected a mapping")
            continue
        rtype = _text(raw.get("type"), f"{where}.type", problems)
        rows = []
        for ri, raw_row in enumerate(raw.get("rows") or []):
            label = (
                f"{rtype} row {ri + 1}"
                if where_prefix == "resources"
                else f"{where_prefix}: {rtype} row {ri + 1}"
            )
            row = _row(raw_row, label, (editions, reasons), problems)
            key = (rtype.lower(), row.property)
            if key in seen:
                problems.append(f"{rtype}: property {row.property!r} appears twice")
            seen.add(key)
            if not any(p.startswith(label) for p in problems):
                _check_rules(row, f"{label} ({row.property})", editions, baselines, problems)
            rows.append(row)
        if not rows:
            problems.append(f"{where} ({rtype}): no rows")
        groups.append(Group(rtype, _text(raw.get("title"), f"{where}.title", problems), tuple(rows)))
    return groups


def _yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MatrixError(f"cannot read {path}: {str(exc).splitlines()[0]}") from None


def load(path: str | Path) -> Matrix:
    """Read and check the matrix file, with the row files of the editions that have their own."""
    data = _yaml(Path(path))
    if isinstance(data, dict) and isinstance(data.get("editions"), dict):
        own: dict[str, list[Any]] = {}
        for key, body in data["editions"].items():
            pattern = body.get("rows_from") if isinstance(body, dict) else None
            if not isinstance(pattern, str) or not pattern:
                continue
            for part in sorted(Path(path).parent.glob(pattern)):
                fragment = _yaml(part)
                if not isinstance(fragment, dict) or not isinstance(fragment.get("groups"), list):
                    raise MatrixError(f"{part}: expected a mapping with a list of groups")
                own.setdefault(str(key), []).extend(fragment["groups"])
        if own:
            data = {**data, "edition_resources": own}
    return build(data)


# --- rendering -----------------------------------------------------------------------------


def _anchor(heading: str) -> str:
    """The anchor Microsoft Learn gives a section heading."""
    return re.sub(r"[^a-z0-9 -]", "", heading.lower()).replace(" ", "-")


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def _levels(rid: str, matrix: Matrix, keys: list[str]) -> str:
    """`required` or `required (hub), recommended (ML workspace)` across the row's baselines."""
    found: dict[str, str] = {}
    for key in keys:
        name = matrix.editions[key].baseline
        if name:
            found[key] = matrix.baselines[name].rules[rid].level.value
    if len(set(found.values())) == 1:
        return next(iter(found.values()))
    return ", ".join(f"{level} ({matrix.editions[k].title})" for k, level in found.items())


def _judged(row: Row, matrix: Matrix, edition: str | None = None) -> str:
    if not row.rules:
        text = f"not judged: {row.reason}"
    else:
        if edition is not None:
            judged = [edition]
        else:
            judged = [k for k, e in matrix.editions.items() if e.baseline and not e.own_section]
        keys = [k for k in judged if k in row.settings] or judged
        text = "; ".join(f"[{rid}](rules.md#{rid.lower()}) {_levels(rid, matrix, keys)}" for rid in row.rules)
    if row.follows:
        text += f". Follows {row.follows}"
    if row.note:
        text += f". {row.note}"
    return _cell(text)


def _value(setting: Setting | None, edition: Edition) -> str:
    if setting is None:
        return ""
    value = f"`{setting.value}`" if setting.value and not setting.value.startswith("(") else setting.value
    if setting.at:
        file, _, lines = setting.at.partition("#")
        label = file.lstrip("/") + (f" {lines}" if lines else "")
        value += f" ([{label}]({edition.link(setting.at)}))"
    return _cell(value)


def counts(matrix: Matrix) -> tuple[int, int, int, Counter[str]]:
    """Rows, rows judged by a rule, rows deliberately not judged, and every unjudged row by reason
    (the `open` reason, a gap, is not deliberate)."""
    rows = matrix.rows
    judged = sum(1 for r in rows if r.rules)
    by_reason = Counter(r.reason for r in rows if r.reason)
    return len(rows), judged, len(rows) - judged - by_reason.get(OPEN, 0), by_reason


def render(matrix: Matrix, source: str = "docs/coverage.yaml") -> str:
    """docs/coverage.md: summary counts, the editions, the reasons, one table per resource type."""
    total, judged, deliberate, by_reason = counts(matrix)
    gaps = by_reason.get(OPEN, 0)
    reasons = ", ".join(f"{n} {reason}" for reason, n in sorted(by_reason.items()) if reason != OPEN)
    summary = f"{total} rows: {judged} judged by a rule, {deliberate} deliberately not judged"
    summary += f" ({reasons})" if reasons else ""
    summary += f", {gaps} open gaps" if gaps else ""
    shown = [k for k, e in matrix.editions.items() if e.key not in matrix.pending and not e.own_section]
    out = [
        "# Coverage of the reference architecture",
        "",
        f"<!-- Generated from {source} by `python -m auditor.engine.matrix {source}`; do not edit. -->",
        "",
        f"**{summary}.**",
        "",
        "Every property that the reference implementations or the architecture article"
        f" ([{matrix.article_title}]({matrix.article_url})) set on a resource type of the architecture,"
        " with the rule that judges it (and its level in each shipped baseline) or the reason it is"
        " deliberately not judged. A value in parentheses is not set by that edition: the platform"
        " default applies. Where the article and a reference implementation disagree, the row says"
        " which one the rule follows and why.",
        "",
        "| Edition | Source | Judged by baseline |",
        "|---|---|---|",
    ]
    for e in matrix.editions.values():
        url = f"https://github.com/{e.repository}/tree/{e.commit}"
        baseline = f"`{e.baseline}`" if e.baseline else "not yet"
        out.append(f"| {e.title} | [{e.repository} at {e.commit[:7]}]({url}) | {baseline} |")
    out += ["", "Reasons a setting is deliberately not judged:", ""]
    out += [f"- **{reason}**: {_cell(text)}" for reason, text in matrix.reasons.items()]
    out += [""]
    for group in (g for g in matrix.groups if g.edition is None):
        out += _table(matrix, group, shown, matrix.article_url, "##")
    for key, edition in matrix.editions.items():
        own = [g for g in matrix.groups if g.edition == key]
        if not own:
            continue
        rows = [r for g in own for r in g.rows]
        judged_here = sum(1 for r in rows if r.rules)
        out += [
            f"## {edition.title}",
            "",
            f"The settings of [{edition.repository} at {edition.commit[:7]}]"
            f"(https://github.com/{edition.repository}/tree/{edition.commit}) and of its article"
            f" ([{edition.article_title}]({edition.article_url})), judged by `{edition.baseline}`:"
            f" {len(rows)} rows, {judged_here} judged by a rule,"
            f" {len(rows) - judged_here} deliberately not judged.",
            "",
        ]
        for group in own:
            out += _table(matrix, group, [key], edition.article_url, "###")
    for key, text in matrix.pending.items():
        if not any(g.edition == key for g in matrix.groups):
            out += [f"## {matrix.editions[key].title}", "", _cell(text), ""]
    out += [
        "## Counts",
        "",
        f"{summary}.",
        "",
    ]
    return "\n".join(out)


def _table(matrix: Matrix, group: Group, shown: list[str], article_url: str, level: str) -> list[str]:
    """One resource type's rows as a table: the editions shown, the article's sections, the verdict."""
    out = [f"{level} {group.title}", "", f"`{group.type}`", ""]
    header = ["Property", *(matrix.editions[k].title for k in shown), "Article", "Judged by"]
    out += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in group.rows:
        article = "; ".join(f"[{h}]({article_url}#{_anchor(h)})" for h in row.article)
        cells = [
            f"`{row.property}`",
            *(_value(row.settings.get(k), matrix.editions[k]) for k in shown),
            _cell(article),
            _judged(row, matrix, group.edition),
        ]
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    return out


def main(argv: list[str] | None = None) -> int:
    """Print docs/coverage.md for the matrix file given (default docs/coverage.yaml)."""
    args = sys.argv[1:] if argv is None else argv
    source = args[0] if args else "docs/coverage.yaml"
    try:
        sys.stdout.write(render(load(source), source))
    except MatrixError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
