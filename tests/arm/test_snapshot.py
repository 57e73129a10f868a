"""Snapshot loading: documents, bare arrays, and every way a file can be wrong."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from auditor.arm import ids as armid
from auditor.arm.snapshot import Snapshot, load_snapshot, save_snapshot
from auditor.errors import InputError
from auditor.files import write_atomic

RES = {
    "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/a",
    "type": "Microsoft.Web/sites",
}


def test_bare_array_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "array.json"
    path.write_text(json.dumps([RES]))
    snap = load_snapshot(path)
    assert snap.resources == [RES]
    assert snap.collected_types is None


def test_arm_list_response_is_accepted() -> None:
    snap = Snapshot.from_data({"value": [RES]})
    assert len(snap.resources) == 1


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("{", "not valid JSON (line 1"),
        ("42", "expected a snapshot object"),
        ('{"metadata": {}}', "no 'resources'"),
        ('{"resources": {}}', "'resources' must be an array"),
        ('{"resources": [1]}', "resource #0 is not an object"),
        ('{"resources": [{"id": "/x"}]}', "resource #0 has no string 'id' and 'type'"),
        ('{"resources": [], "errors": [1]}', "'errors' must be an array of objects"),
        ('{"resources": [], "collected_types": "x"}', "'collected_types' must be an array"),
    ],
)
def test_malformed_snapshots_are_input_errors(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(InputError, match=None) as info:
        load_snapshot(path)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="snapshot not found"):
        load_snapshot(tmp_path / "absent.json")
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(InputError, match="cannot read snapshot"):
        load_snapshot(binary)


def test_round_trip(tmp_path: Path) -> None:
    snap = Snapshot(resources=[RES], metadata={"tenant": "t"}, collected_types=["Microsoft.Web/sites"])
    save_snapshot(snap, tmp_path / "s.json")
    again = load_snapshot(tmp_path / "s.json")
    assert again.to_dict() == snap.to_dict()


def test_write_atomic_keeps_old_content_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old")
    with pytest.raises(InputError):
        write_atomic(tmp_path / "report.json" / "child", "new")  # parent is a file
    assert target.read_text() == "old"
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temp file left behind


@pytest.fixture
def umask() -> Iterator[Callable[[int], int]]:
    """Set the process umask for one test and put the old one back."""
    saved = os.umask(0o022)
    try:
        yield os.umask
    finally:
        os.umask(saved)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664), (0o077, 0o600)])
def test_write_atomic_gives_a_new_file_the_mode_open_would(
    tmp_path: Path, umask: Callable[[int], int], mask: int, mode: int
) -> None:
    umask(mask)
    write_atomic(tmp_path / "out" / "report.sarif", "{}")
    (tmp_path / "plain.txt").write_text("{}")  # what open(..., "w") gives under the same umask
    assert stat.S_IMODE((tmp_path / "out" / "report.sarif").stat().st_mode) == mode
    assert stat.S_IMODE((tmp_path / "plain.txt").stat().st_mode) == mode
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["report.sarif"]


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
@pytest.mark.parametrize("mode", [0o640, 0o604, 0o600, 0o666])
def test_write_atomic_keeps_the_mode_of_the_file_it_replaces(
    tmp_path: Path, umask: Callable[[int], int], mode: int
) -> None:
    umask(0o022)
    target = tmp_path / "snapshot.json"
    target.write_text("old")
    target.chmod(mode)
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == mode


def test_arm_ids() -> None:
    site = "/subscriptions/S/resourceGroups/RG/providers/Microsoft.Web/sites/App"
    assert armid.norm(site + "/") == site.lower()
    assert armid.subscription_of(site) == "S"
    assert armid.resource_group_of(site) == "RG"
    assert armid.resource_group_id(site) == "/subscriptions/S/resourceGroups/RG"
    assert armid.parent_of(site) is None
    assert armid.parent_of(site + "/config/web") == site
    assert armid.parent_of(site + "/providers/Microsoft.Insights/diagnosticSettings/d") == site
    assert armid.is_within(site + "/config/web", site.upper())
    assert not armid.is_within(site + "2", site)
    # Placeholders and typos from Microsoft's own examples must not crash the parser.
    assert armid.subscription_of("/subscriptions/{subscription-id}/resourceGroups/r") == "{subscription-id}"
    assert (
        armid.parent_of("/subscriptions/s/resourceGroups/r/provders/Microsoft.Network/networkInterfaces/n")
        is None
    )
