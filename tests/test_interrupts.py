"""Interrupted and failing writes: no half-written file, no temporary debris, no mixed report set.

Real signals go to a real `auditor` process for the collection (a few runs, against a slow fake
ARM server); the write phase is driven in process, with a signal raised or a rename failing at
a chosen point.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import time
from pathlib import Path
from typing import Any

import pytest

from auditor import files
from auditor.errors import EXIT_INTERRUPTED, EXIT_TERMINATED, InputError, Interrupted
from tests import estates
from tests.fakearm import FakeArm
from tests.fakearm.harness import sample_path, start_cli

SUB = estates.SUB


def debris(directory: Path) -> list[str]:
    """Names a finished or interrupted run must not leave: temporary files, backups, staging folders."""
    return sorted(
        p.name for p in directory.rglob("*") if p.name.startswith(".") or p.suffix in (".tmp", ".old")
    )


@pytest.fixture(scope="module")
def slow(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A fake ARM server slow enough (0.2 s a request) that a collection is still running when signalled."""
    doc = json.loads(sample_path("openai-e2e-chat-aml-drifted").read_text(encoding="utf-8"))
    with FakeArm(doc["resources"], latency=0.2, workdir=tmp_path_factory.mktemp("fakearm")) as server:
        yield server


def _wait_for_listing(fake: FakeArm, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not any("/providers/" in r.path for r in fake.requests()):
        assert time.monotonic() < deadline, "the collection never started"
        time.sleep(0.05)


@pytest.mark.live
@pytest.mark.parametrize(
    ("sig", "code"), [(signal.SIGINT, EXIT_INTERRUPTED), (signal.SIGTERM, EXIT_TERMINATED)]
)
def test_a_signal_during_collection_writes_nothing_and_keeps_the_old_snapshot(
    slow: FakeArm, tmp_path: Path, sig: int, code: int
) -> None:
    slow.reset()
    out = tmp_path / "snap.json"
    out.write_text("previous snapshot")
    proc = start_cli(slow, ["collect", "--subscription", SUB, "-o", str(out)], tmp_path)
    _wait_for_listing(slow)
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == code, stderr
    name = signal.Signals(sig).name
    assert stderr.strip().splitlines()[-1] == (
        f"auditor: error: interrupted by {name}: nothing written, files of the same name left as they were"
    )
    assert "Traceback" not in stderr and stdout == ""
    assert out.read_text() == "previous snapshot"
    assert debris(tmp_path) == [] or debris(tmp_path) == [".azure"], debris(tmp_path)


def report_set(tmp_path: Path) -> dict[Path, str]:
    out = tmp_path / "out"
    return {out / f"auditor-report.{ext}": f"new {ext}\n" for ext in ("json", "sarif", "html", "csv")}


def old_set(tmp_path: Path) -> dict[Path, str]:
    out = tmp_path / "out"
    out.mkdir()
    old = {out / f"auditor-report.{ext}": f"old {ext}\n" for ext in ("json", "sarif")}
    for path, text in old.items():
        path.write_text(text)
    return old


def contents(directory: Path) -> dict[Path, str]:
    return {p: p.read_text() for p in sorted(directory.iterdir())}


def test_a_set_is_written_whole_and_owner_only(tmp_path: Path) -> None:
    old = old_set(tmp_path)
    for path in old:
        path.chmod(0o640)  # shared on purpose: a replaced file keeps its mode
    new = report_set(tmp_path)
    files.write_all(new, private=True)
    assert contents(tmp_path / "out") == new
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in new}
    assert modes == {"auditor-report.json": 0o640, "auditor-report.sarif": 0o640} | {
        "auditor-report.html": 0o600,
        "auditor-report.csv": 0o600,
    }
    assert debris(tmp_path) == []


def test_a_failing_rename_puts_the_old_set_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = old_set(tmp_path)
    real_replace = os.replace
    calls = []

    def replace_failing_on_the_third(src: Any, dst: Any) -> None:
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_failing_on_the_third)
    with pytest.raises(InputError, match="No space left on device"):
        files.write_all(report_set(tmp_path), private=True)
    monkeypatch.undo()
    assert contents(tmp_path / "out") == old  # the two replaced files are back, the new one is gone
    assert debris(tmp_path) == []


def test_an_unwritable_folder_leaves_the_old_set(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    old = old_set(tmp_path)
    (tmp_path / "out").chmod(0o500)
    try:
        with pytest.raises(InputError, match=r"cannot write to .*Permission denied"):
            files.write_all(report_set(tmp_path), private=True)
    finally:
        (tmp_path / "out").chmod(0o700)
    assert contents(tmp_path / "out") == old and debris(tmp_path) == []


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("when", ["staging", "renaming"])
def test_a_signal_while_writing_a_set_gives_the_old_set_or_the_new_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sig: int, when: str
) -> None:
    """A real signal to this process, raised while the files are staged, or between two renames."""
    old = old_set(tmp_path)
    new = report_set(tmp_path)

    def unwind(signum: int, frame: object) -> None:
        raise Interrupted(signum)

    saved = {s: signal.signal(s, unwind) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        if when == "staging":
            real_fill = files._fill
            calls: list[int] = []

            def fill_then_signal(fd: int, text: str) -> None:
                real_fill(fd, text)
                calls.append(fd)
                if len(calls) == 2:
                    signal.raise_signal(sig)

            monkeypatch.setattr(files, "_fill", fill_then_signal)
        else:
            real_replace = os.replace
            renames: list[Any] = []

            def replace_then_signal(src: Any, dst: Any) -> None:
                real_replace(src, dst)
                renames.append(dst)
                if len(renames) == 1:
                    signal.raise_signal(sig)

            monkeypatch.setattr(os, "replace", replace_then_signal)
        with pytest.raises(Interrupted) as info:
            files.write_all(new, private=True)
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)
    monkeypatch.undo()
    assert info.value.signum == sig
    assert contents(tmp_path / "out") == (old if when == "staging" else new)
    assert debris(tmp_path) == []


def test_a_signal_while_writing_one_file_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.json"
    target.write_text("old")
    real_fill = files._fill

    def fill_then_interrupt(fd: int, text: str) -> None:
        real_fill(fd, text)
        raise Interrupted(signal.SIGTERM)

    monkeypatch.setattr(files, "_fill", fill_then_interrupt)
    with pytest.raises(Interrupted):
        files.write_atomic(target, "new", private=True)
    assert target.read_text() == "old" and debris(tmp_path) == []


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_snapshots_and_reports_are_owner_only(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from auditor.cli import cli

    saved = os.umask(0o022)
    try:
        args = ["audit", "--snapshot", str(sample_path("openai-e2e-chat-aml-drifted")), "--baseline"]
        args += ["openai-e2e-chat-aml", "-f", "json", "-f", "html"]
        single = CliRunner().invoke(cli, [*args[:-4], "-f", "sarif", "-o", str(tmp_path / "one.sarif")])
        several = CliRunner().invoke(cli, [*args, "--output-dir", str(tmp_path / "out")])
    finally:
        os.umask(saved)
    assert single.exit_code == 0 and several.exit_code == 0, single.output + several.output
    written = [tmp_path / "one.sarif", *sorted((tmp_path / "out").iterdir())]
    assert len(written) == 3
    assert {stat.S_IMODE(p.stat().st_mode) for p in written} == {0o600}


def test_two_writers_of_one_folder_take_turns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While one run holds the folder, another waits; then it gives up with a one-line error."""
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(files, "LOCK_WAIT_SECONDS", 0.2)
    # flock locks belong to the open file: a second descriptor in this process is a second writer.
    with files._folder_lock(out), pytest.raises(InputError, match="another audit has been writing to"):
        files.write_all(report_set(tmp_path), private=True)
    assert sorted(p.name for p in out.iterdir()) == []
    files.write_all(report_set(tmp_path), private=True)
    assert len(list(out.iterdir())) == 4
