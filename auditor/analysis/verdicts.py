"""Verdicts: the results a rule gives for one resource (pass, fail, not assessed)."""

from __future__ import annotations

import json
from typing import Any

from auditor.arm.estate import dig
from auditor.arm.types import Resource
from auditor.model import Result, Status


def passed(res: Resource, message: str, expected: Any = None, actual: Any = None) -> Result:
    """A pass for the resource."""
    return Result(res["id"], res["type"], Status.PASS, message, expected, actual)


def failed(res: Resource, message: str, expected: Any = None, actual: Any = None) -> Result:
    """A failure for the resource."""
    return Result(res["id"], res["type"], Status.FAIL, message, expected, actual)


def not_assessed(res: Resource, message: str, expected: Any = None) -> Result:
    """A not-assessed result for the resource: the data to judge it was missing."""
    return Result(res["id"], res["type"], Status.NOT_ASSESSED, message, expected, None)


def must_be_true(res: Resource, path: str, absent_means: str) -> Result:
    """Pass when the boolean at `path` is true; the message shows its value, or what absence means."""
    value = dig(res, path)
    shown = f"absent ({absent_means})" if value is None else json.dumps(value)
    return verdict(value is True, res, f"{path} is {shown}", expected=True, actual=value)


def verdict(ok: bool, res: Resource, message: str, expected: Any = None, actual: Any = None) -> Result:
    """Pass or fail with the same message; the message states the property and its value."""
    status = Status.PASS if ok else Status.FAIL
    return Result(res["id"], res["type"], status, message, expected, actual)


def conclude(
    res: Resource,
    expected: Any,
    *,
    failing: str | None,
    unknown: str | None,
    passing: str,
    failed_actual: Any = None,
    passed_actual: Any = None,
) -> Result:
    """Fail when `failing` says what is wrong; else not assessed when `unknown` says what could not
    be told; else pass with `passing`. A finding that fails stays a failure whatever else is unknown."""
    if failing is not None:
        return failed(res, failing, expected, failed_actual)
    if unknown is not None:
        return not_assessed(res, unknown, expected)
    return passed(res, passing, expected, passed_actual)


def listed(prefix: str, items: list[str]) -> str | None:
    """`prefix` followed by the items joined with "; ", or None when there are none."""
    return prefix + "; ".join(items) if items else None
