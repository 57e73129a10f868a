"""Files: read text and JSON with one-line errors; write atomically, so readers never see half a file."""

from __future__ import annotations

import errno
import json
import math
import os
import re
import secrets
import stat
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


def write_atomic(path: str | Path, text: str) -> None:
    """Write a file so that readers see the old content or the new, never half of it.

    The file gets the mode `open(path, "w")` would give it: an existing file keeps its
    own, a new one gets 0o666 less the umask (artifact uploaders in container jobs often
    run as another user and must be able to read what the audit wrote).
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = _create_temporary(directory, target.name)
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        try:
            existing = os.stat(target)
        except FileNotFoundError:
            pass
        else:
            if stat.S_ISREG(existing.st_mode):
                os.chmod(tmp, stat.S_IMODE(existing.st_mode))
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None


def _create_temporary(directory: Path, name: str) -> tuple[int, Path]:
    """A new, exclusive file next to the target, created with mode 0o666 for the kernel to apply the umask.

    mkstemp would create it 0o600, and reading the umask means setting it, which races with other threads.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = directory / f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name", str(directory))
