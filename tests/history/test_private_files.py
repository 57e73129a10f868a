"""The history is tenant data: its SQLite file and the files `diff -o` and `history -o` write are owner-only,
and the commands that only read never create a database or its folder."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.history.scenario import BASELINE, sample, write
from tests.report_samples import run_cli


@pytest.fixture(autouse=True)
def shared_umask() -> Iterator[None]:
    """The usual umask (0022), under which a plain open() makes files anyone can read."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def audit(capsys, monkeypatch, tmp_path: Path, url: str, estate: str) -> None:  # type: ignore[no-untyped-def]
    snapshot = write(tmp_path, estate, sample(estate))
    args = ["audit", "--snapshot", str(snapshot), "--baseline", BASELINE, "-f", "json", "--history", url]
    code, _, err = run_cli(
        [*args, "-o", str(tmp_path / f"{estate}-report.json")], capsys, monkeypatch, tmp_path
    )
    assert code == 0, err


def test_the_database_and_the_outputs_are_owner_only(  # type: ignore[no-untyped-def]
    capsys, monkeypatch, tmp_path: Path
) -> None:
    db = tmp_path / "new" / "h.db"
    url = f"sqlite:///{db}"
    audit(capsys, monkeypatch, tmp_path, url, "compliant")
    audit(capsys, monkeypatch, tmp_path, url, "drifted")
    assert mode(db) == 0o600
    for side in (db.with_name("h.db-wal"), db.with_name("h.db-shm")):
        assert not side.exists() or mode(side) == 0o600
    for args, name in [
        (["diff", "--history", url, "-f", "markdown"], "d.md"),
        (["diff", "--history", url, "-f", "json"], "d.json"),
        (["history", "--history", url, "-f", "html"], "h.html"),
        (["history", "--history", url, "-f", "table"], "h.txt"),
    ]:
        target = tmp_path / name
        code, _, err = run_cli([*args, "-o", str(target)], capsys, monkeypatch, tmp_path)
        assert code == 0, err
        assert target.stat().st_size > 0 and mode(target) == 0o600, name


@pytest.mark.parametrize(
    "args",
    [
        ("history", "--history", "URL"),
        ("history", "--history", "URL", "-f", "json"),
        ("diff", "--history", "URL"),
        ("history", "--history", "URL", "prune", "--keep-days", "1"),
    ],
    ids=["history", "history json", "diff", "prune"],
)
def test_reading_a_missing_database_creates_nothing(  # type: ignore[no-untyped-def]
    args: tuple[str, ...], capsys, monkeypatch, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'nonexistent' / 'dir' / 'x.db'}"
    code, out, err = run_cli([url if a == "URL" else a for a in args], capsys, monkeypatch, tmp_path)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "no such file" in err and "x.db" in err
    assert not (tmp_path / "nonexistent").exists()
