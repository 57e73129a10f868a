"""Files: read text and JSON with one-line errors; write atomically, so readers never see half a file."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import math
import os
import re
import secrets
import shutil
import signal
import stat
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from auditor.errors import InputError


def read_text(path: str | Path, what: str) -> str:
    """A UTF-8 file's text; a missing or unreadable one is an input error naming `what`."""
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{what} not found: {p}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {what} {p}: {exc}") from None


def read_json(path: str | Path, what: str) -> Any:
    """Parse a JSON file; a missing, unreadable or malformed one is an input error naming `what`."""
    p = Path(path)
    return parse_json(read_text(p, what), str(p))


# Deeper than any ARM body (a few tens of levels); far below what would exhaust the parser's stack.
MAX_JSON_DEPTH = 200
# Python refuses longer integers (int_max_str_digits); say so as bad input, not as a crash.
_LONG_NUMBER = re.compile(r"-?\d{4301,}")
# A \uD800-\uDFFF escape: the only way a JSON text can smuggle in a lone surrogate.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class _Duplicate:
    """Marks, inside a parsed object, a key that occurred twice (found by the walk, which knows the path)."""

    def __init__(self, key: str) -> None:
        self.key = key


def parse_json(text: str, source: str) -> Any:
    """Parse JSON strictly: no duplicate keys, no NaN or Infinity, bounded nesting and numbers.

    A lone surrogate (which no report could encode) is refused as well. Every error is an
    input error naming `source`, where in it, and the problem.
    """
    try:
        data = json.loads(
            text, object_pairs_hook=_object, parse_constant=_no_constant, parse_float=_finite_float
        )
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise InputError(f"{source}: not accepted: JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    except _NotFinite as exc:
        raise InputError(f"{source}: not accepted: {exc} (JSON has no such number)") from None
    except ValueError as exc:
        long = _LONG_NUMBER.search(text)
        where = f"line {text.count(chr(10), 0, long.start()) + 1}: " if long else ""
        reason = "a number with more than 4300 digits" if long else str(exc)
        raise InputError(f"{source}: not accepted: {where}{reason}") from None
    _check_tree(data, source, surrogates=_SURROGATE_ESCAPE.search(text) is not None)
    return data


class _NotFinite(ValueError):
    """NaN, Infinity or a float too large to hold."""


def _no_constant(name: str) -> Any:
    raise _NotFinite(name)


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise _NotFinite(f"the number {literal[:40]} is too large")
    return value


def _object(pairs: list[tuple[str, Any]]) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for key, value in pairs:
        if key in out:
            out[_Duplicate(key)] = None
        out[key] = value
    return out


def _check_tree(data: Any, source: str, surrogates: bool) -> None:
    """One walk over the parsed data: duplicate keys, depth, and (when the text has such escapes) lone
    surrogates, each reported with its JSON path."""
    # (value, depth, link), link being (parent link, key): the path is built only for an error.
    stack: list[tuple[Any, int, Any]] = [(data, 0, None)]
    while stack:
        value, depth, link = stack.pop()
        if isinstance(value, dict):
            if depth >= MAX_JSON_DEPTH:
                raise InputError(f"{source}: at {_path(link)}: nested deeper than {MAX_JSON_DEPTH} levels")
            for key, item in value.items():
                if isinstance(key, _Duplicate):
                    raise InputError(f"{source}: at {_path(link)}: duplicate key {key.key!r}")
                if surrogates and _has_surrogate(key):
                    code = _first_surrogate(key)
                    raise InputError(
                        f"{source}: at {_path(link)}: a key holds a lone surrogate (\\u{code:04x})"
                    )
                if isinstance(item, dict | list) or (surrogates and isinstance(item, str)):
                    stack.append((item, depth + 1, (link, key)))
        elif isinstance(value, list):
            if depth >= MAX_JSON_DEPTH:
                raise InputError(f"{source}: at {_path(link)}: nested deeper than {MAX_JSON_DEPTH} levels")
            for index, item in enumerate(value):
                if isinstance(item, dict | list) or (surrogates and isinstance(item, str)):
                    stack.append((item, depth + 1, (link, index)))
        elif isinstance(value, str) and _has_surrogate(value):
            raise InputError(
                f"{source}: at {_path(link)}: a lone surrogate (\\u{_first_surrogate(value):04x}) in a string"
            )


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _first_surrogate(text: str) -> int:
    return next(ord(c) for c in text if 0xD800 <= ord(c) <= 0xDFFF)


def _path(link: Any) -> str:
    """A JSON path like `resources[3].properties.name` from the walk's links."""
    parts: list[str] = []
    while link is not None:
        link, key = link
        parts.append(f"[{key}]" if isinstance(key, int) else f".{key}")
    return "$" + "".join(reversed(parts))


# Owner-only: snapshots and reports hold tenant data (resource names, addresses, identities).
PRIVATE_MODE = 0o600
# Every file this process finished writing, in order (what an interrupted run says it left).
_COMPLETED: list[Path] = []
# How long a second audit waits for another to finish writing the same folder.
LOCK_WAIT_SECONDS = 30.0


def completed_writes() -> tuple[Path, ...]:
    """The files this process has written in full so far."""
    return tuple(_COMPLETED)


def write_atomic(path: str | Path, text: str, *, private: bool = False) -> None:
    """Write a file so that readers see the old content or the new, never half of it.

    The text goes to a temporary file in the same folder, is flushed to disk (file and folder)
    and renamed over the target; an error or a signal on the way removes the temporary file and
    leaves an existing target as it was. The file gets the mode `open(path, "w")` would give it:
    an existing file keeps its own; a new one gets 0o666 less the umask, or 0o600 when `private`
    (tenant data: snapshots and reports; chmod an existing file once to share it).
    """
    target = Path(path)
    if _special(target):
        _write_through(target, text)
        return
    directory = target.parent if str(target.parent) else Path(".")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = _create_temporary(directory, target.name, private)
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        _fill(fd, text)
        _keep_mode(target, tmp)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
    except BaseException:  # a signal: no debris, the old file stays
        tmp.unlink(missing_ok=True)
        raise
    _sync_directory(directory)
    _COMPLETED.append(target)


def _special(target: Path) -> bool:
    """Whether the target exists and is not a regular file: /dev/null, /dev/stdout, a named pipe.

    Renaming over one would replace the device or pipe itself with a file (as root, /dev/null
    with a regular file every later redirection fills), so such a target is written in place.
    """
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _write_through(target: Path, text: str) -> None:
    """Write to a device or pipe as `open(path, "w")` would: there is no old content to keep."""
    try:
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
    _COMPLETED.append(target)


def write_all(files: Mapping[Path, str], *, private: bool = False) -> None:
    """Write several files of one folder as a set: all of them, or none and the old ones kept.

    Every file is written and flushed under a temporary name first; then, holding a lock on the
    folder (so that two runs writing there never mix their files) and with SIGINT and SIGTERM held
    back for the few renames, each one replaces its target. A failing rename puts back the files
    already replaced. A signal before the renames leaves the folder as it was; one during them
    takes effect once the set is complete.
    """
    if not files:
        return
    directories = {Path(p).parent for p in files}
    if len(directories) != 1:
        raise ValueError("write_all writes the files of one folder")
    directory = directories.pop()
    staged: list[tuple[Path, Path]] = []
    held: list[int] = []
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for target, text in files.items():
            fd, tmp = _create_temporary(directory, Path(target).name, private)
            staged.append((Path(target), tmp))
            _fill(fd, text)
            _keep_mode(Path(target), tmp)
        with _folder_lock(directory), _signals_held() as held:
            _commit(staged)
    except OSError as exc:
        raise InputError(f"cannot write to {directory}: {exc.strerror or exc}") from None
    finally:
        for _, tmp in staged:
            tmp.unlink(missing_ok=True)
    _sync_directory(directory)
    _COMPLETED.extend(target for target, _ in staged)
    if held:
        signal.raise_signal(held[0])  # the set is complete: now the signal takes effect


def _commit(staged: list[tuple[Path, Path]]) -> None:
    """Rename each staged file over its target; on a failure, put the replaced ones back."""
    done: list[tuple[Path, Path | None]] = []  # (target, its previous content under a backup name)
    try:
        for target, tmp in staged:
            backup = None
            if target.exists():
                backup = tmp.with_name(tmp.name + ".old")
                try:
                    os.link(target, backup)
                except OSError:  # no hard links here: a copy will do
                    shutil.copy2(target, backup)
            done.append((target, backup))
            os.replace(tmp, target)
    except OSError:
        for target, backup in reversed(done):
            if backup is not None:
                os.replace(backup, target)
            else:
                target.unlink(missing_ok=True)
        raise
    finally:
        for _, backup in done:
            if backup is not None:
                backup.unlink(missing_ok=True)


def _fill(fd: int, text: str) -> None:
    """Write `text` to the open file and flush it to the disk before it is renamed into place."""
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _keep_mode(target: Path, tmp: Path) -> None:
    """An existing regular file's mode carries over to what replaces it."""
    try:
        existing = os.stat(target)
    except FileNotFoundError:
        return
    if stat.S_ISREG(existing.st_mode):
        os.chmod(tmp, stat.S_IMODE(existing.st_mode))


def _sync_directory(directory: Path) -> None:
    """Flush the folder entry of a rename to disk (POSIX; elsewhere a rename is as durable as it gets)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder: the data itself is on disk
    finally:
        os.close(fd)


@contextlib.contextmanager
def _folder_lock(directory: Path) -> Iterator[None]:
    """An exclusive lock on the folder itself (flock; no lock file left behind, freed if the process dies)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise InputError(
                        f"another audit has been writing to {directory} for {LOCK_WAIT_SECONDS:.0f} s"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


@contextlib.contextmanager
def _signals_held() -> Iterator[list[int]]:
    """Hold SIGINT and SIGTERM back during the block (main thread only); yield the ones that came."""
    pending: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield pending
        return
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in saved:
        signal.signal(sig, lambda signum, frame: pending.append(signum))
    try:
        yield pending
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)


def _create_temporary(directory: Path, name: str, private: bool = False) -> tuple[int, Path]:
    """A new, exclusive file next to the target, created 0o600 (`private`) or 0o666 for the umask to apply.

    mkstemp would create it 0o600 always, and reading the umask means setting it, which races with
    other threads.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = directory / f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(tmp, flags, PRIVATE_MODE if private else 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name", str(directory))


def json_digest(data: Any) -> str:
    """A digest of a JSON value that does not depend on key order or whitespace ("sha256:" + hex)."""
    digest = hashlib.sha256()
    for part in _canonical_parts(data, depth=2):
        digest.update(part.encode("utf-8"))
    return "sha256:" + digest.hexdigest()


def _canonical_parts(data: Any, depth: int) -> Iterator[str]:
    """The canonical JSON text of `data` in pieces (the top `depth` levels split up), so that a large
    document (a snapshot) is never one string: the pieces joined are `json.dumps(sort_keys=True)`'s text."""
    if depth > 0 and isinstance(data, dict) and all(isinstance(k, str) for k in data):
        yield "{"
        for index, key in enumerate(sorted(data)):
            yield ("," if index else "") + _canonical(key) + ":"
            yield from _canonical_parts(data[key], depth - 1)
        yield "}"
    elif depth > 0 and isinstance(data, (list, tuple)):
        yield "["
        for index, item in enumerate(data):
            if index:
                yield ","
            yield from _canonical_parts(item, depth - 1)
        yield "]"
    else:
        yield _canonical(data)


def _canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
