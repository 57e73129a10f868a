"""Writing files: a device or a named pipe given as the output is written in place, never replaced."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from auditor.files import write_atomic


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_written_in_place_and_stays_a_pipe(tmp_path: Path) -> None:
    # `-o /dev/null` or `-o /dev/stdout` must not rename a file over the device: as root that
    # turns /dev/null into a regular file. A named pipe stands in for the device here.
    pipe = tmp_path / "out"
    os.mkfifo(pipe)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_text(encoding="utf-8")))
    reader.start()
    write_atomic(pipe, '{"ok": true}\n', private=True)
    reader.join(timeout=10)
    assert received == ['{"ok": true}\n']
    assert stat.S_ISFIFO(os.stat(pipe).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_regular_file_is_still_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")
    inode = os.stat(target).st_ino
    write_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "new"
    assert os.stat(target).st_ino != inode  # renamed into place, not rewritten
