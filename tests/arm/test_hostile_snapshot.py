"""Broken and hostile snapshots: each is refused with one line naming the file, where, and what is wrong,
or read as far as it can be with what could not be read recorded; never a crash."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from auditor.arm.snapshot import UNREADABLE_CODE, Snapshot, load_snapshot
from auditor.engine.baseline import load_baseline
from auditor.engine.run import run_audit
from auditor.errors import InputError
from auditor.model import Status
from tests import estates
from tests.paths import ROOT

# ../shared/arm-examples beside the repository (or beside the folder of worktrees).
EXAMPLES = next(
    (
        p
        for p in (ROOT.parent / "shared" / "arm-examples", ROOT.parent.parent / "shared" / "arm-examples")
        if p.exists()
    ),
    ROOT.parent / "shared" / "arm-examples",
)
RAI_EXAMPLE = EXAMPLES / "Microsoft.CognitiveServices" / "2025-09-01" / "GetRaiPolicy.json"
SUBNET_EXAMPLE = EXAMPLES / "Microsoft.Network" / "2025-07-01" / "SubnetGet.json"


def _load_text(tmp_path: Path, text: str | bytes) -> Snapshot:
    path = tmp_path / "snap.json"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return load_snapshot(path)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('{"resources": [], "resources": []}', "at $: duplicate key 'resources'"),
        ('{"resources": [], "metadata": {"a": 1, "a": 2}}', "at $.metadata: duplicate key 'a'"),
        ('{"resources": [], "metadata": {"a": NaN}}', "NaN"),
        ('{"resources": [], "metadata": {"a": Infinity}}', "Infinity"),
        ('{"resources": [], "metadata": {"a": 1e999}}', "too large"),
        (
            '{"resources": [], "metadata": {"a": ' + "7" * 5000 + "}}",
            "line 1: a number with more than 4300 digits",
        ),
        ('{"resources": [], "metadata": {"a": "\\ud800"}}', "at $.metadata.a: a lone surrogate (\\ud800)"),
        ('{"resources": [], "metadata": {"\\udc00": 1}}', "at $.metadata: a key holds a lone surrogate"),
        (
            '{"resources": [], "metadata": {"a": ' + "[" * 1000 + "]" * 1000 + "}}",
            "nested deeper than 200 levels",
        ),
        ('{"resources": [], "metadata": {"a": ' + "[" * 100_000 + "]" * 100_000 + "}}", "nested deeper"),
        (
            '{"format": "auditor-snapshot/99", "resources": []}',
            "at $.format: snapshot format 'auditor-snapshot/99'",
        ),
        ('{"format": "banana", "resources": []}', "unknown snapshot format 'banana'"),
        ('{"format": 7, "resources": []}', "unknown snapshot format 7"),
        ('{"resources": [], "errors": [{"status": "403"}]}', "at $.errors[0].status: expected int or null"),
        ('{"resources": [], "errors": {}}', "'errors' must be an array of objects"),
        ('{"resources": [], "metadata": []}', "'metadata' must be an object"),
        ('{"resources": [{"name": "x"}]}', "resource #0 has no string 'id' and 'type'"),
    ],
)
def test_bad_documents_are_one_line_input_errors(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        _load_text(tmp_path, text)
    message = str(info.value)
    assert message.startswith(str(tmp_path / "snap.json") + ": ")
    assert fragment in message
    assert "\n" not in message


def test_paired_surrogates_are_text_not_an_error(tmp_path: Path) -> None:
    snap = _load_text(tmp_path, '{"resources": [], "metadata": {"a": "\\ud83d\\ude00"}}')
    assert snap.metadata["a"] == "\U0001f600"


def test_a_resource_without_type_gets_it_from_its_id_microsoft_example(tmp_path: Path) -> None:
    """Microsoft's own GetRaiPolicy example body has no `type`: it was refused (exit 2), now it is read."""
    if not RAI_EXAMPLE.exists():
        pytest.skip(f"{EXAMPLES} is absent")
    body = json.loads(RAI_EXAMPLE.read_text(encoding="utf-8"))["responses"]["200"]["body"]
    assert "type" not in body
    path = tmp_path / "rai.json"
    path.write_text(json.dumps([body]))
    snap = load_snapshot(path)
    assert snap.resources[0]["type"] == "Microsoft.CognitiveServices/accounts/raiPolicies"
    assert "type" not in body  # the input is not changed
    subnet = json.loads(SUBNET_EXAMPLE.read_text(encoding="utf-8"))["responses"]["200"]["body"]
    path.write_text(json.dumps([subnet]))
    assert load_snapshot(path).resources[0]["type"] == "Microsoft.Network/virtualNetworks/subnets"


def test_a_resource_without_type_is_judged_as_with_it(variant: str) -> None:
    """The same verdicts whether the RAI policies and deployments carry `type` or leave it to their id."""
    doc = estates.compliant_snapshot(variant)
    untyped = copy.deepcopy(doc)
    stripped = 0
    for res in untyped["resources"]:
        if res["type"].lower().startswith("microsoft.cognitiveservices/accounts/"):
            del res["type"]
            stripped += 1
    assert stripped >= 2
    baseline = load_baseline(f"openai-e2e-chat-{variant}")

    def verdicts(d: dict[str, Any]) -> list[tuple[str, str, Status]]:
        report = run_audit(Snapshot.from_data(d), baseline, "x")
        return [(f.rule_id, f.resource_id, f.status) for f in report.findings]

    assert verdicts(untyped) == verdicts(doc)


def test_a_resource_without_id_is_unreadable_data_of_its_type(variant: str) -> None:
    """Its checks are not assessed (never passed), everything else is audited as before."""
    doc = estates.compliant_snapshot(variant)
    policy = next(
        r for r in doc["resources"] if r["type"] == "Microsoft.CognitiveServices/accounts/raiPolicies"
    )
    del policy["id"]
    snap = Snapshot.from_data(doc)
    assert [(e.resource_type, e.code) for e in snap.errors] == [
        ("Microsoft.CognitiveServices/accounts/raiPolicies", UNREADABLE_CODE)
    ]
    report = run_audit(snap, load_baseline(f"openai-e2e-chat-{variant}"), "x")
    content_filter = [f for f in report.findings if f.rule_id in ("CF001", "CF002")]
    assert content_filter and all(f.status is not Status.PASS for f in content_filter)
    assert any(f.status is Status.NOT_ASSESSED for f in content_filter)
    others = [f for f in report.findings if f.rule_id.startswith(("NSG", "PUB"))]
    assert others and all(f.status is Status.PASS for f in others if f.level.value == "required")


def test_ids_differing_only_in_case_are_an_input_error() -> None:
    site = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Web/sites/app"
    body = {"type": "Microsoft.Web/sites", "properties": {}}
    for other in (site.upper(), site + "/"):
        with pytest.raises(InputError) as info:
            Snapshot.from_data({"resources": [{**body, "id": site}, {**body, "id": other}]}, "s.json")
        assert site in str(info.value) and other in str(info.value)
    # Listed twice with the same id (a list and a get): one resource, as before.
    assert len(Snapshot.from_data({"resources": [{**body, "id": site}, {**body, "id": site}]}).resources) == 2


def test_the_size_limit_is_checked_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.json"
    path.write_text(json.dumps(estates.compliant_snapshot("aml")))
    monkeypatch.setenv("AUDITOR_MAX_SNAPSHOT_MB", "0.01")
    with pytest.raises(InputError, match=r"over the limit of 0 MB \(set AUDITOR_MAX_SNAPSHOT_MB to raise it"):
        load_snapshot(path)
    monkeypatch.setenv("AUDITOR_MAX_SNAPSHOT_MB", "lots")
    with pytest.raises(InputError, match="AUDITOR_MAX_SNAPSHOT_MB='lots': expected a positive number"):
        load_snapshot(path)
    monkeypatch.setenv("AUDITOR_MAX_SNAPSHOT_MB", "5")
    assert load_snapshot(path).resources


@pytest.mark.parametrize(
    "text",
    [
        '{"resources": [], "metadata": {"a": "\\ud800"}}',
        '{"resources": [], "metadata": {"a": ' + "[" * 5000 + "]" * 5000 + "}}",
        '{"resources": [], "metadata": {"a": ' + "9" * 5000 + "}}",
        '{"format": "auditor-snapshot/99", "resources": []}',
    ],
    ids=["lone-surrogate", "deep", "long-integer", "format-99"],
)
def test_the_command_line_exits_2_with_one_line(tmp_path: Path, text: str) -> None:
    """These exited 4 (internal error) or were accepted."""
    path = tmp_path / "snap.json"
    path.write_text(text)
    for debug in ([], ["--debug"]):
        proc = subprocess.run(
            [sys.executable, "-m", "auditor", *debug, "audit", "--snapshot", str(path)],
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.strip().splitlines()[-1].startswith("auditor: error: ")
        if not debug:
            assert len(proc.stderr.strip().splitlines()) == 1
