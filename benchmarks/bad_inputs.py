"""A corpus of broken and hostile input files: snapshots, baselines, waiver files and project files.

Each case says what it is, which kind of file it is, its bytes, and what a correct auditor does
with it: `reject` (exit 2 with one line on stderr) or `audit` (the file is odd but readable; the
audit runs and exits 0 or 1). `benchmarks/hostile_input.py` runs every case through the command
line and writes the figures into docs/reliability.md.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "openai-e2e-chat-aistudio-compliant.json"
BASELINE = ROOT / "baselines" / "openai-e2e-chat-aistudio.yaml"


@dataclass(frozen=True)
class Case:
    """One input file: its kind (snapshot, baseline, waivers, config), a name, the bytes, the expectation."""

    kind: str
    name: str
    content: bytes
    expect: str = "reject"
    # Extra arguments and environment for the command line (e.g. `--baseline ""`).
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)


def _sample() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))
    return loaded


def _doc(mutate: Any) -> bytes:
    doc = _sample()
    mutate(doc)
    return json.dumps(doc).encode()


def _first(doc: dict[str, Any], type_suffix: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        r for r in doc["resources"] if r["type"].lower().endswith(type_suffix.lower())
    )
    return found


def _deep(levels: int, open_: str = "[", close: str = "]") -> str:
    return open_ * levels + close * levels


def _alias_bomb() -> str:
    """About 400 bytes that stand for 9^9 values when expanded."""
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(
            f"{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]"
        )
    return "\n".join(lines) + "\n"


def snapshots() -> Iterator[Case]:
    """Broken and hostile snapshots."""

    def bad(name: str, text: str | bytes, expect: str = "reject", **kw: Any) -> Case:
        data = text.encode() if isinstance(text, str) else text
        return Case("snapshot", name, data, expect, **kw)

    for name, text in [
        ("empty file", ""),
        ("only whitespace", " \n\t\n"),
        ("unclosed object", "{"),
        ("unclosed array", "["),
        ("null document", "null"),
        ("number document", "42"),
        ("string document", '"resources"'),
        ("boolean document", "true"),
        ("trailing garbage", '{"resources": []} x'),
        ("two documents", '{"resources": []}\n{"resources": []}'),
        ("comment", '// snapshot\n{"resources": []}'),
        ("single quotes", "{'resources': []}"),
        ("trailing comma", '{"resources": [],}'),
        ("raw NUL in a string", '{"resources": [], "metadata": {"a": "x\x00y"}}'),
        ("raw newline in a string", '{"resources": [], "metadata": {"a": "x\ny"}}'),
        ("NaN value", '{"resources": [], "metadata": {"a": NaN}}'),
        ("Infinity value", '{"resources": [], "metadata": {"a": Infinity}}'),
        ("-Infinity value", '{"resources": [], "metadata": {"a": -Infinity}}'),
        ("float overflow", '{"resources": [], "metadata": {"a": 1e999}}'),
        ("5000-digit integer", '{"resources": [], "metadata": {"a": ' + "7" * 5000 + "}}"),
        ("negative 5000-digit integer", '{"resources": [], "metadata": {"a": -' + "7" * 5000 + "}}"),
        ("lone high surrogate", '{"resources": [], "metadata": {"a": "\\ud800"}}'),
        ("lone low surrogate", '{"resources": [], "metadata": {"a": "x\\udfffy"}}'),
        ("lone surrogate in a key", '{"resources": [], "metadata": {"\\ud83d": 1}}'),
        ("reversed surrogate pair", '{"resources": [], "metadata": {"a": "\\ude00\\ud83d"}}'),
        ("arrays nested 1,000 deep", '{"resources": [], "metadata": {"a": ' + _deep(1000) + "}}"),
        ("arrays nested 100,000 deep", '{"resources": [], "metadata": {"a": ' + _deep(100_000) + "}}"),
        ("objects nested 1,000 deep", '{"resources": [], "metadata": ' + '{"a": ' * 1000 + "1" + "}" * 1001),
        ("arrays nested 300 deep", '{"resources": [], "metadata": {"a": ' + _deep(300) + "}}"),
        ("duplicate top-level key", '{"resources": [], "resources": []}'),
        ("duplicate metadata key", '{"resources": [], "metadata": {"a": 1, "a": 2}}'),
        ("format version 99", '{"format": "auditor-snapshot/99", "resources": []}'),
        ("format version 0", '{"format": "auditor-snapshot/0", "resources": []}'),
        ("format banana", '{"format": "banana", "resources": []}'),
        ("format a number", '{"format": 7, "resources": []}'),
        ("format an object", '{"format": {}, "resources": []}'),
        ("no resources", '{"metadata": {}}'),
        ("resources an object", '{"resources": {}}'),
        ("resources a string", '{"resources": "all"}'),
        ("resources null", '{"resources": null}'),
        ("resources a number", '{"resources": 3}'),
        ("resource a number", '{"resources": [1]}'),
        ("resource null", '{"resources": [null]}'),
        ("resource an array", '{"resources": [[]]}'),
        ("resource a string", '{"resources": ["x"]}'),
        ("resource without id and type", '{"resources": [{"name": "x"}]}'),
        ("resource with id /x only", '{"resources": [{"id": "/x"}]}'),
        ("resource with numeric id, no type", '{"resources": [{"id": 7}]}'),
        (
            "resource id without a type segment",
            '{"resources": [{"id": "/subscriptions/s/resourceGroups/g"}]}',
        ),
        ("errors an object", '{"resources": [], "errors": {}}'),
        ("errors of numbers", '{"resources": [], "errors": [1, 2]}'),
        ("error status a string", '{"resources": [], "errors": [{"scope": "/", "status": "403"}]}'),
        ("error status a boolean", '{"resources": [], "errors": [{"scope": "/", "status": true}]}'),
        ("error scope a number", '{"resources": [], "errors": [{"scope": 5}]}'),
        ("error message a list", '{"resources": [], "errors": [{"message": ["a"]}]}'),
        ("collected_types a string", '{"resources": [], "collected_types": "x"}'),
        ("collected_types of numbers", '{"resources": [], "collected_types": [1]}'),
        ("collected_types an object", '{"resources": [], "collected_types": {}}'),
        ("metadata an array", '{"resources": [], "metadata": []}'),
        ("metadata a string", '{"resources": [], "metadata": "x"}'),
    ]:
        yield bad(name, text)
    yield bad("UTF-16 file", '{"resources": []}'.encode("utf-16"))
    yield bad("Latin-1 byte in a string", b'{"resources": [], "metadata": {"a": "caf\xe9"}}')
    yield bad("invalid UTF-8 sequence", b'{"resources": [], "metadata": {"a": "\xc3\x28"}}')
    yield bad("binary noise", bytes(range(256)) * 4)
    yield bad("UTF-8 byte-order mark", b"\xef\xbb\xbf" + b'{"resources": []}')

    site = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Web/sites/app"
    body = {"type": "Microsoft.Web/sites", "properties": {}}
    yield bad(
        "ids differing in case",
        json.dumps({"resources": [{**body, "id": site}, {**body, "id": site.upper()}]}),
    )
    yield bad(
        "ids differing by a trailing slash",
        json.dumps({"resources": [{**body, "id": site}, {**body, "id": site + "/"}]}),
    )
    yield bad("duplicate key inside a resource", '{"resources": [{"id": "' + site + '", "id": "/x"}]}')
    yield bad("over the size limit", SAMPLE.read_bytes(), env={"AUDITOR_MAX_SNAPSHOT_MB": "0.01"})
    yield bad("size limit not a number", SAMPLE.read_bytes(), env={"AUDITOR_MAX_SNAPSHOT_MB": "lots"})
    yield bad("size limit negative", SAMPLE.read_bytes(), env={"AUDITOR_MAX_SNAPSHOT_MB": "-5"})
    yield bad(
        "resource properties nested 1,000 deep",
        json.dumps(_sample()).replace('"properties": {', '"properties": {"deep": ' + _deep(1000) + ", ", 1),
    )

    # Odd but readable: the audit goes on.
    def odd(name: str, mutate: Any) -> Case:
        return Case("snapshot", name, _doc(mutate), "audit")

    yield odd("resource without type (type from the id)", lambda d: d["resources"][0].pop("type"))
    yield odd("resource without id but with a type", lambda d: d["resources"][0].pop("id"))
    yield odd("format absent", lambda d: d.pop("format", None))
    yield odd("paired surrogates (an emoji)", lambda d: d["resources"][0].update(name="chat-\U0001f600"))
    for value_name, value in [
        ("null", None),
        ("a list", []),
        ("a string", "x"),
        ("a number", 7),
        ("true", True),
    ]:
        for suffix in (
            "virtualNetworks",
            "networkSecurityGroups",
            "privateEndpoints",
            "applicationGateways",
            "accounts",
            "workspaces",
            "sites",
            "vaults",
            "storageAccounts",
            "roleAssignments",
        ):
            yield odd(
                f"properties of {suffix} {value_name}",
                lambda d, s=suffix, v=value: _first(d, s).update(properties=copy.deepcopy(v)),
            )
    yield odd(
        "subnets a string",
        lambda d: _first(d, "virtualNetworks")["properties"].update(subnets="all"),
    )
    yield odd(
        "security rules an object",
        lambda d: _first(d, "networkSecurityGroups")["properties"].update(securityRules={"a": 1}),
    )
    yield odd(
        "100,000-item array",
        lambda d: _first(d, "sites")["properties"].update(hostNames=["h"] * 100_000),
    )
    yield odd(
        "hostile names",
        lambda d: _first(d, "sites").update(
            name="\x1b]0;owned\x07\x1b[2J[bold]x[/bold]<script>=cmd|' /C calc'!A0\u202e",
            tags={"a": "\x1b]8;;https://evil.example\x07link\x1b]8;;\x07"},
        ),
    )
    yield odd("tags a list", lambda d: _first(d, "vaults").update(tags=["a"]))
    yield odd("metadata subscriptions of numbers", lambda d: d["metadata"].update(subscriptions=[1, 2]))


def baselines() -> Iterator[Case]:
    """Broken and hostile baselines."""
    good = BASELINE.read_text(encoding="utf-8")

    def bad(name: str, text: str | bytes, **kw: Any) -> Case:
        data = text.encode() if isinstance(text, str) else text
        return Case("baseline", name, data, **kw)

    head = "name: x\nversion: '1'\n"
    for name, text in [
        ("empty file", ""),
        ("a list", "- a\n"),
        ("a scalar", "hello\n"),
        ("unclosed flow sequence", "name: [unclosed\n"),
        ("tab indentation", "name: x\n\tversion: 1\n"),
        ("two documents", head + "rules: {PUB001: {}}\n---\nname: y\n"),
        ("duplicate top-level key", head + "name: y\nrules: {PUB001: {}}\n"),
        ("duplicate rule", head + "rules:\n  PUB001: {}\n  PUB001: {level: recommended}\n"),
        ("duplicate setting", head + "rules:\n  PUB001: {level: required, level: recommended}\n"),
        (
            "duplicate parameter",
            head + "rules:\n  PUB006: {params: {accept_firewall_deny: false, accept_firewall_deny: true}}\n",
        ),
        ("alias bomb (400 bytes)", _alias_bomb() + head + "rules: {PUB001: {}}\n"),
        ("alias bomb inside params", head + "x: &x [1,1,1,1,1,1,1,1,1,1]\n" + _alias_bomb()),
        ("recursive alias", head + "rules: &r {PUB001: *r}\n"),
        ("sequences nested 10,000 deep", head + "rules: " + _deep(10_000) + "\n"),
        ("mappings nested 2,000 deep", head + "rules: " + "{a: " * 2000 + "1" + "}" * 2000 + "\n"),
        ("python object tag", head + "rules: !!python/object:os.system {}\n"),
        ("binary tag", head + "rules: !!binary AAAA\n"),
        ("unknown top-level key", head + "colour: blue\nrules: {PUB001: {}}\n"),
        ("missing name", "version: '1'\nrules: {PUB001: {}}\n"),
        ("missing version", "name: x\nrules: {PUB001: {}}\n"),
        ("missing rules", head),
        ("rules empty", head + "rules: {}\n"),
        ("rules a list", head + "rules: [PUB001]\n"),
        ("unknown rule id", head + "rules: {XYZ999: {}}\n"),
        ("rule settings a list", head + "rules: {PUB001: [required]}\n"),
        ("unknown setting", head + "rules: {PUB001: {colour: 1}}\n"),
        ("level banana", head + "rules: {PUB001: {level: banana}}\n"),
        ("weight .inf", head + "rules: {PUB001: {weight: .inf}}\n"),
        ("weight .nan", head + "rules: {PUB001: {weight: .nan}}\n"),
        ("weight -1", head + "rules: {PUB001: {weight: -1}}\n"),
        ("weight a string", head + "rules: {PUB001: {weight: '2'}}\n"),
        ("weight true", head + "rules: {PUB001: {weight: true}}\n"),
        ("weight 1e308", head + "rules: {PUB001: {weight: 1.0e+308}}\n"),
        ("weight with 5000 digits", head + "rules: {PUB001: {weight: " + "9" * 5000 + "}}\n"),
        ("params a list", head + "rules: {PUB006: {params: [1]}}\n"),
        ("unknown parameter", head + "rules: {PUB006: {params: {colour: 1}}}\n"),
        (
            "boolean parameter as a string",
            head + "rules: {PUB006: {params: {accept_firewall_deny: 'false'}}}\n",
        ),
        ("variant banana", head + "variant: banana\nrules: {PUB001: {}}\n"),
        ("variant a number", head + "variant: 7\nrules: {PUB001: {}}\n"),
        ("name a mapping", "name: {a: 1}\nversion: '1'\nrules: {PUB001: {}}\n"),
        ("roles unknown key", head + "roles: {x: 1}\nrules: {PUB001: {}}\n"),
        ("roles.subnets a list", head + "roles: {subnets: [a]}\nrules: {PUB001: {}}\n"),
        ("roles.subnets value a number", head + "roles: {subnets: {a: 7}}\nrules: {PUB001: {}}\n"),
        (
            "invalid regex: open group",
            head + "roles: {subnet_patterns: {gateway: '('}}\nrules: {PUB001: {}}\n",
        ),
        (
            "invalid regex: bad range",
            head + "roles: {subnet_patterns: {gateway: '[z-a]'}}\nrules: {PUB001: {}}\n",
        ),
        (
            "invalid regex: nothing to repeat",
            head + "roles: {subnet_patterns: {gateway: '*x'}}\nrules: {PUB001: {}}\n",
        ),
        ("regex a number", head + "roles: {subnet_patterns: {gateway: 7}}\nrules: {PUB001: {}}\n"),
        ("invalid date value", head + "rules: {PUB001: {}}\ndescription: 2030-02-30\n"),
    ]:
        yield bad(name, text)
    yield bad("Latin-1 file", ("name: caf\u00e9\n").encode("latin-1") + good.encode())
    yield bad("UTF-16 file", good.encode("utf-16"))
    yield bad("binary noise", bytes(range(256)) * 4)
    yield Case("baseline", "--baseline empty", b"", args=("--baseline", ""))
    yield Case("baseline", "--baseline blank", b"", args=("--baseline", "  "))
    yield Case("baseline", "--baseline a folder", b"", args=("--baseline", str(ROOT / "baselines")))
    yield Case(
        "baseline",
        "anchors and merge keys",
        (head + "rules: {PUB001: &d {level: required}, PUB002: *d}\n").encode(),
        "audit",
    )


def waivers() -> Iterator[Case]:
    """Broken and hostile waiver files."""
    entry = (
        "- rule: PUB001\n  resource: /subscriptions/*\n"
        "  justification: j\n  owner: o\n  expires: 2030-01-01\n"
    )

    def bad(name: str, text: str | bytes) -> Case:
        data = text.encode() if isinstance(text, str) else text
        return Case("waivers", name, data)

    for name, text in [
        ("a scalar", "hello\n"),
        ("a mapping without waivers", "rule: PUB001\n"),
        ("unclosed flow sequence", "- rule: [x\n"),
        ("list of numbers", "- 1\n- 2\n"),
        ("duplicate key in an entry", entry + "  rule: PUB002\n"),
        ("duplicate waivers key", "waivers: []\nwaivers: []\n"),
        ("waivers plus another key", "waivers: []\nother: 1\n"),
        ("alias bomb", _alias_bomb()),
        ("alias bomb in a value", "x: &x [1,1,1,1,1,1,1,1,1]\n" + _alias_bomb().replace("a: &a", "z: &a")),
        ("recursive alias", "- &e {rule: *e}\n"),
        ("sequences nested 10,000 deep", _deep(10_000) + "\n"),
        ("two documents", entry + "---\n" + entry),
        ("missing justification", entry.replace("  justification: j\n", "")),
        ("unknown key", entry + "  reason: typo\n"),
        ("expires next year", entry.replace("2030-01-01", "next year")),
        ("expires 2030-02-30", entry.replace("2030-01-01", "2030-02-30")),
        ("expires a number", entry.replace("2030-01-01", "20300101")),
        ("expires with 5000 digits", entry.replace("2030-01-01", "9" * 5000)),
        ("expires a timestamp", entry.replace("2030-01-01", "2030-01-01T10:00:00Z")),
        ("rule malformed", entry.replace("PUB001", "pub-1")),
        ("unknown rule", entry.replace("PUB001", "ZZZ999")),
        ("resource empty", entry.replace("/subscriptions/*", "''")),
        ("resource a number", entry.replace("/subscriptions/*", "42")),
        ("owner a list", entry.replace("owner: o", "owner: [a, b]")),
        ("justification null", entry.replace("justification: j", "justification: null")),
        ("python tag", "- !!python/object/apply:os.system ['true']\n"),
        ("entry a list", "- [a, b]\n"),
        ("tab indentation", "- rule: PUB001\n\tresource: x\n"),
    ]:
        yield bad(name, text)
    yield bad("Latin-1 file", entry.replace("owner: o", "owner: caf\u00e9").encode("latin-1"))
    yield bad("UTF-16 file", entry.encode("utf-16"))
    yield bad("binary noise", bytes(range(256)) * 4)
    yield Case("waivers", "empty file (no waivers)", b"", "audit")


def configs() -> Iterator[Case]:
    """Broken and hostile project files (auditor.toml)."""

    def bad(name: str, text: str | bytes) -> Case:
        data = text.encode() if isinstance(text, str) else text
        return Case("config", name, data)

    for name, text in [
        ("not TOML", "this is not toml\n"),
        ("unclosed string", 'baseline = "x\n'),
        ("duplicate key", "min-score = 80\nmin-score = 90\n"),
        ("unknown key", "colour = 'blue'\n"),
        ("snake_case key", "min_score = 80\n"),
        ("min-score a string", "min-score = 'high'\n"),
        ("min-score nan", "min-score = nan\n"),
        ("min-score inf", "min-score = inf\n"),
        ("min-score 101", "min-score = 101\n"),
        ("min-score negative", "min-score = -1\n"),
        ("min-score true", "min-score = true\n"),
        ("min-score with 5000 digits", "min-score = " + "9" * 5000 + "\n"),
        ("fail-on banana", "fail-on = 'banana'\n"),
        ("fail-on a number", "fail-on = 7\n"),
        ("coverage 2", "fail-on-coverage-below = 2\n"),
        ("coverage text", "fail-on-coverage-below = 'most'\n"),
        ("coverage nan", "fail-on-coverage-below = nan\n"),
        ("coverage 150%", "fail-on-coverage-below = '150%'\n"),
        ("formats banana", "formats = ['banana']\n"),
        ("formats a number", "formats = 7\n"),
        ("formats of numbers", "formats = [1]\n"),
        ("baseline empty", "baseline = ''\n"),
        ("baseline a number", "baseline = 7\n"),
        ("baseline unknown", "baseline = 'no-such-baseline'\n"),
        ("output-dir a list", "output-dir = []\n"),
        ("waivers a number", "waivers = 7\n"),
        ("waivers missing file", "waivers = 'absent.yaml'\n"),
        ("arrays nested 5,000 deep", "formats = " + _deep(5000) + "\n"),
        ("inline tables nested 5,000 deep", "x = " + "{a = " * 5000 + "1" + "}" * 5000 + "\n"),
        ("a table instead of values", "[baseline]\nname = 'x'\n"),
    ]:
        yield bad(name, text)
    yield bad("Latin-1 file", "baseline = 'caf\u00e9'\n".encode("latin-1"))
    yield bad("UTF-16 file", "min-score = 80\n".encode("utf-16"))
    yield bad("binary noise", bytes(range(256)) * 4)
    yield Case("config", "valid settings", b"min-score = 0\nfail-on = 'none'\n", "audit")


def corpus() -> list[Case]:
    """Every case, snapshots first."""
    return [*snapshots(), *baselines(), *waivers(), *configs()]


if __name__ == "__main__":
    cases = corpus()
    kinds = {k: sum(1 for c in cases if c.kind == k) for k in dict.fromkeys(c.kind for c in cases)}
    print(f"{len(cases)} cases: " + ", ".join(f"{n} {k}" for k, n in kinds.items()))
    print(
        f"{sum(c.expect == 'reject' for c in cases)} must be rejected, "
        f"{sum(c.expect == 'audit' for c in cases)} audited"
    )
