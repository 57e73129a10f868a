"""Typed rule parameters: each rule's frozen dataclass, built and checked when the baseline loads.

A rule with parameters declares a frozen dataclass whose fields carry the types and the
defaults; a baseline's `params` mapping is checked against it field by field, so a wrong
value stops the audit before any rule runs. Supported field types: `bool`, `int`, `float`,
`str`, `Any`, unions of these, `tuple[T, ...]` (a YAML list), `Mapping[str, T]` (a YAML
mapping) and nested frozen dataclasses (a YAML mapping with those keys). `Annotated` adds
constraints: `OneOf` (a choice, ignoring case), `AtLeast` (a lower bound) and `Check` (a
function that raises ValueError with the reason).
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = [
    "REQUIRED",
    "AtLeast",
    "Check",
    "OneOf",
    "ParamError",
    "build",
    "declared",
    "is_params_class",
    "plain",
]

P = TypeVar("P")


class _Required:
    """The default of a field the baseline must give."""

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()


class ParamError(ValueError):
    """A parameter value that does not fit its declared type; `path` names the parameter."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"parameter {path} {message}")
        self.path = path


@dataclass(frozen=True)
class OneOf:
    """`Annotated` constraint: the string is one of `options`, compared ignoring case."""

    options: tuple[str, ...]


@dataclass(frozen=True)
class AtLeast:
    """`Annotated` constraint: the number is at least `minimum`."""

    minimum: float


@dataclass(frozen=True)
class Check:
    """`Annotated` constraint: `function` raises ValueError saying what is wrong with the value."""

    function: Callable[[Any], object]


def is_params_class(cls: object) -> bool:
    """True for a frozen dataclass, the only form a rule's parameters may take."""
    params = getattr(cls, "__dataclass_params__", None)
    return isinstance(cls, type) and params is not None and bool(params.frozen)


def declared(cls: type[Any]) -> list[tuple[str, Any]]:
    """(name, default) of every field in declaration order; REQUIRED for a field without a default."""
    out: list[tuple[str, Any]] = []
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            out.append((f.name, f.default))
        elif f.default_factory is not dataclasses.MISSING:
            out.append((f.name, f.default_factory()))
        else:
            out.append((f.name, REQUIRED))
    return out


def build(cls: type[P], raw: Mapping[str, Any]) -> P:
    """An instance of `cls` from a baseline's `params`; a wrong, unknown or missing value is a ParamError."""
    return _build(cls, raw, "")


def plain(value: Any) -> Any:
    """A parameter value as YAML/JSON data: tuples become lists, dataclasses and mappings dicts."""
    if is_params_class(type(value)):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    return value


# --- checking one value ---------------------------------------------------------------


def _build(cls: type[P], raw: Mapping[str, Any], prefix: str) -> P:
    hints = typing.get_type_hints(cls, include_extras=True)
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    unknown = sorted(str(k) for k in raw if k not in names)
    if unknown and prefix:
        raise ParamError(prefix.rstrip("."), f"has unknown key(s) {', '.join(unknown)}")
    if unknown:
        raise ParamError(", ".join(unknown), "is not a parameter of this rule")
    values: dict[str, Any] = {}
    for name, default in declared(cls):
        path = prefix + name
        if name in raw:
            values[name] = _value(hints[name], raw[name], path)
        elif default is REQUIRED:
            raise ParamError(path, "is required (it has no default)")
    return cls(**values)


def _value(hint: Any, value: Any, path: str) -> Any:
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        inner, *constraints = typing.get_args(hint)
        checked = _value(inner, value, path)
        for constraint in constraints:
            checked = _constrain(constraint, checked, path)
        return checked
    if hint is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        for option in options:
            try:
                return _value(option, value, path)
            except ParamError:
                continue
        raise ParamError(path, f"must be {' or '.join(_name(o) for o in options)}, not {value!r}")
    if origin is tuple:
        return _sequence(typing.get_args(hint), value, path)
    if origin in (Mapping, dict, typing.Mapping):
        return _mapping(typing.get_args(hint), value, path)
    if is_params_class(hint):
        if not isinstance(value, Mapping):
            raise ParamError(path, f"must be a mapping, not {value!r}")
        return _build(hint, value, path + ".")
    return _scalar(hint, value, path)


def _scalar(hint: Any, value: Any, path: str) -> Any:
    if hint is type(None):
        if value is None:
            return None
    elif hint is bool:
        if isinstance(value, bool):
            return value
    elif hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif hint is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            if not math.isfinite(value):
                raise ParamError(path, f"must be a finite number, not {value!r}")
            return float(value)
    elif hint is str:
        if isinstance(value, str):
            return value
    else:
        raise TypeError(f"parameter {path}: unsupported parameter type {hint!r}")
    raise ParamError(path, f"must be {_name(hint)}, not {value!r}")


def _sequence(args: tuple[Any, ...], value: Any, path: str) -> tuple[Any, ...]:
    if len(args) != 2 or args[1] is not Ellipsis:
        raise TypeError(f"parameter {path}: declare lists as tuple[T, ...]")
    if not isinstance(value, list | tuple):
        raise ParamError(path, f"must be a list of {_name(args[0], plural=True)}, not {value!r}")
    return tuple(_value(args[0], item, f"{path}[{i}]") for i, item in enumerate(value))


def _mapping(args: tuple[Any, ...], value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ParamError(path, f"must be a mapping, not {value!r}")
    item_hint = args[1] if len(args) == 2 else Any
    out: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise ParamError(path, f"must have string keys, not {key!r}")
        out[key] = _value(item_hint, item, f"{path}.{key}")
    return out


def _constrain(constraint: Any, value: Any, path: str) -> Any:
    if isinstance(constraint, OneOf):
        if not any(value.lower() == o.lower() for o in constraint.options):
            raise ParamError(path, f"must be one of {', '.join(constraint.options)}, not {value!r}")
    elif isinstance(constraint, AtLeast):
        if value < constraint.minimum:
            raise ParamError(path, f"must be at least {constraint.minimum:g}, not {value!r}")
    elif isinstance(constraint, Check):
        try:
            constraint.function(value)
        except ValueError as exc:
            raise ParamError(path, f"is not valid: {exc}") from None
    return value


_NAMES = {bool: "true or false", int: "an integer", float: "a number", str: "a string", type(None): "null"}


def _name(hint: Any, plural: bool = False) -> str:
    """How a message names a type: `a string`, `strings`."""
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        return _name(typing.get_args(hint)[0], plural)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_name(o, plural) for o in typing.get_args(hint))
    if origin is tuple:
        return "lists" if plural else "a list"
    if origin in (Mapping, dict, typing.Mapping) or is_params_class(hint):
        return "mappings" if plural else "a mapping"
    if hint is Any:
        return "values" if plural else "a value"
    text = _NAMES.get(hint, str(hint))
    if plural:
        return {"true or false": "booleans", "an integer": "integers", "a number": "numbers"}.get(
            text, text.removeprefix("a ") + "s"
        )
    return text
