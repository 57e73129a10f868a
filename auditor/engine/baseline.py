"""Baselines: a named, versioned selection of rules with parameters, weights and levels."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from auditor.engine import strict_yaml
from auditor.engine.params import ParamError, build
from auditor.engine.params import declared as params_of
from auditor.engine.registry import Rule, all_rules
from auditor.errors import InputError
from auditor.model import Level

DEFAULT_BASELINE = "openai-e2e-chat-aistudio"
TOP_LEVEL_KEYS = {"name", "version", "title", "description", "variant", "source", "roles", "rules"}
# The variants of the architecture a baseline can describe (see README, Baselines).
VARIANTS = ("aistudio", "aml", "foundry")
# A weight scales a rule's severity weight; far beyond any sensible ratio, and the score's sums stay finite.
MAX_WEIGHT = 1_000_000
RULE_KEYS = {"level", "weight", "params"}
ROLE_KEYS = {"subnets", "subnet_patterns", "resources"}


@dataclass(frozen=True)
class RuleSetting:
    """One rule's level, weight and parameters (its parameter dataclass, None when it has none)."""

    level: Level
    weight: float
    params: Any


@dataclass
class Baseline:
    """A loaded baseline: what it is, the rules it selects with their settings, and role overrides."""

    name: str
    version: str
    title: str
    description: str
    variant: str
    source: str
    rules: dict[str, RuleSetting]
    roles: dict[str, Any] = field(default_factory=dict)
    # Line of each rule's entry in the baseline file (empty for a baseline not read from a file).
    rule_lines: dict[str, int] = field(default_factory=dict)
    # The reference implementation it encodes, `owner/repo@commit` (the file's `source` key).
    upstream: str = ""

    def params_for(self, rule: Rule) -> Any:
        """The rule's parameters as this baseline sets them (built and checked when it loaded)."""
        return self.rules[rule.id].params


def shipped_baselines() -> dict[str, Path]:
    """The baselines that ship with the package, by name, with their files."""
    folder = resources.files("auditor.baselines")
    found: dict[str, Path] = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".yaml"):
            found[entry.name[: -len(".yaml")]] = Path(str(entry))
    return dict(sorted(found.items()))


def load_baseline(name_or_path: str | None) -> Baseline:
    """Load a shipped baseline by name, or a YAML file by path."""
    if name_or_path is not None and not name_or_path.strip():
        # `--baseline ""` (an unset variable in a pipeline) must not quietly mean the default.
        raise InputError("--baseline is empty: give a shipped baseline's name or a path to a YAML file")
    ref = name_or_path or DEFAULT_BASELINE
    shipped = shipped_baselines()
    if ref in shipped:
        path = shipped[ref]
    else:
        path = Path(ref)
        if not path.is_file():
            known = ", ".join(shipped)
            raise InputError(f"unknown baseline {ref!r} (shipped: {known}; or give a path to a YAML file)")
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise InputError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason})") from None
    data, lines = _parse_yaml(text, str(path))
    return replace(parse_baseline(data, str(path)), rule_lines=lines)


def _parse_yaml(text: str, source: str) -> tuple[Any, dict[str, int]]:
    """The document, and the line of each entry under `rules:` (SARIF points there), in one parse."""
    node = strict_yaml.compose(text, source)
    data = strict_yaml.construct(node, source)
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if (
                isinstance(key, yaml.ScalarNode)
                and key.value == "rules"
                and isinstance(value, yaml.MappingNode)
            ):
                lines = {
                    str(k.value): k.start_mark.line + 1
                    for k, _ in value.value
                    if isinstance(k, yaml.ScalarNode)
                }
    return data, lines


def parse_baseline(data: Any, source: str) -> Baseline:
    """A baseline from its parsed YAML; `source` names it in errors."""
    if not isinstance(data, dict):
        raise InputError(f"{source}: a baseline must be a YAML mapping")
    unknown = set(data) - TOP_LEVEL_KEYS
    if unknown:
        raise InputError(f"{source}: unknown key(s) {', '.join(sorted(unknown))}")
    for key in ("name", "version", "rules"):
        if key not in data:
            raise InputError(f"{source}: missing '{key}'")
    catalogue = all_rules()
    raw_rules = data["rules"]
    if not isinstance(raw_rules, dict) or not raw_rules:
        raise InputError(f"{source}: 'rules' must be a non-empty mapping of rule id to settings")
    settings: dict[str, RuleSetting] = {}
    for rule_id, raw in raw_rules.items():
        settings[str(rule_id)] = _parse_rule_setting(str(rule_id), raw, catalogue, source)
    roles = data.get("roles") or {}
    if not isinstance(roles, dict) or set(roles) - ROLE_KEYS:
        raise InputError(f"{source}: 'roles' may only hold {', '.join(sorted(ROLE_KEYS))}")
    _check_roles(roles, source)
    variant = data.get("variant", "")
    if variant not in ("", *VARIANTS):
        raise InputError(f"{source}: variant: unknown variant {variant!r:.60} (known: {', '.join(VARIANTS)})")
    for key in ("name", "version", "title", "description", "source"):
        if key in data and (not isinstance(data[key], str | int | float) or isinstance(data[key], bool)):
            raise InputError(f"{source}: {key}: expected text, not {type(data[key]).__name__}")
    return Baseline(
        name=str(data["name"]),
        version=str(data["version"]),
        title=str(data.get("title", data["name"])),
        description=str(data.get("description", "")),
        variant=str(variant),
        source=source,
        rules=settings,
        roles=roles,
        upstream=str(data.get("source", "")),
    )


def _parse_rule_setting(rule_id: str, raw: Any, catalogue: dict[str, Rule], source: str) -> RuleSetting:
    if rule_id not in catalogue:
        raise InputError(f"{source}: unknown rule id {rule_id}")
    raw = raw or {}
    if not isinstance(raw, dict):
        raise InputError(f"{source}: settings of {rule_id} must be a mapping")
    extra = set(raw) - RULE_KEYS
    if extra:
        raise InputError(f"{source}: {rule_id}: unknown setting(s) {', '.join(sorted(extra))}")
    try:
        level = Level(raw.get("level", "required"))
    except ValueError:
        raise InputError(f"{source}: {rule_id}: level must be 'required' or 'recommended'") from None
    weight = raw.get("weight", 1)
    # YAML reads .inf and .nan as floats: either would make the score NaN and let any gate through.
    if (
        not isinstance(weight, int | float)
        or isinstance(weight, bool)
        or not math.isfinite(weight)
        or weight < 0
        or weight > MAX_WEIGHT
    ):
        raise InputError(
            f"{source}: {rule_id}: weight must be a finite number >= 0, not {weight!r:.40}"
            f" (and at most {MAX_WEIGHT:,})"
        )
    params = raw.get("params") or {}
    if not isinstance(params, dict):
        raise InputError(f"{source}: {rule_id}: params must be a mapping")
    declared = catalogue[rule_id].params
    known = {name for name, _ in params_of(declared)} if declared is not None else set()
    unknown = {str(p) for p in params} - known
    if unknown:
        raise InputError(f"{source}: {rule_id}: unknown parameter(s) {', '.join(sorted(unknown))}")
    try:
        built = build(declared, params) if declared is not None else None
    except ParamError as exc:
        raise InputError(f"{source}: {rule_id}: {exc}") from None
    return RuleSetting(level=level, weight=float(weight), params=built)


def _check_roles(roles: dict[str, Any], source: str) -> None:
    """Role overrides: names to a role or a list of roles; subnet patterns as regular expressions."""
    for key in ("subnets", "resources", "subnet_patterns"):
        table = roles.get(key) or {}
        if not isinstance(table, dict):
            raise InputError(f"{source}: roles.{key} must be a mapping")
        for name, value in table.items():
            where = f"{source}: roles.{key}.{name}"
            if key == "subnet_patterns":
                if not isinstance(value, str):
                    raise InputError(f"{where}: a pattern must be a string (a regular expression)")
                try:
                    re.compile(value)
                except (re.error, RecursionError, OverflowError) as exc:
                    raise InputError(f"{where}: not a valid regular expression: {exc}") from None
            elif not (
                isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
            ):
                raise InputError(f"{where}: expected a role name or a list of role names")
