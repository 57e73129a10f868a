"""Typed rule parameters: a wrong value in a baseline is a one-line load error, never a finding."""

from __future__ import annotations

import dataclasses
import functools
import subprocess
import sys
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.engine.baseline import load_baseline, shipped_baselines
from auditor.engine.params import REQUIRED, OneOf, ParamError, build, declared
from auditor.engine.registry import all_rules
from auditor.errors import InputError
from tests import paths
from tests.conftest import BASELINES

ROOT = paths.ROOT
COMPLIANT = str(ROOT / "examples" / "openai-e2e-chat-aistudio-compliant.json")


def wrong_value(hint: Any) -> Any:
    """A value of the wrong kind for a field of type `hint`."""
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        inner, *marks = typing.get_args(hint)
        if any(isinstance(m, OneOf) for m in marks):
            return "Extreme"
        return wrong_value(inner)
    if origin is tuple:
        return "one string where a list belongs"
    if origin in (Mapping, dict):
        return ["a list where a mapping belongs"]
    if origin in (typing.Union, types.UnionType):
        return {"a": "mapping"}
    if hint is bool:
        return "yes"
    if hint in (int, float):
        return True  # a bool is never a number
    if hint is str:
        return 12
    raise AssertionError(f"no wrong value for {hint!r}")


def parameter_cases() -> list[Any]:
    cases = []
    for rule in all_rules().values():
        if rule.params is None:
            continue
        hints = typing.get_type_hints(rule.params, include_extras=True)
        for f in dataclasses.fields(rule.params):
            cases.append(pytest.param(rule.id, f.name, wrong_value(hints[f.name]), id=f"{rule.id}-{f.name}"))
    return cases


@functools.cache
def _shipped_text(name: str) -> str:
    return shipped_baselines()[name].read_text(encoding="utf-8")


def baseline_with(tmp_path: Path, rule_id: str, params: dict[str, Any]) -> Path:
    """The shipped baseline that selects the rule, with the rule's params changed."""
    name = next(n for n in BASELINES.values() if f"\n  {rule_id}:" in _shipped_text(n))
    data = yaml.load(_shipped_text(name), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    setting = data["rules"][rule_id] or {}
    setting["params"] = {**(setting.get("params") or {}), **params}
    data["rules"][rule_id] = setting
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_every_parameter_has_a_case() -> None:
    with_params = [r for r in all_rules().values() if r.params is not None]
    assert len(with_params) > 40
    assert len(parameter_cases()) == sum(len(dataclasses.fields(r.params)) for r in with_params)


@pytest.mark.parametrize(("rule_id", "name", "value"), parameter_cases())
def test_a_wrong_type_is_rejected_when_the_baseline_loads(
    tmp_path: Path, rule_id: str, name: str, value: Any
) -> None:
    path = baseline_with(tmp_path, rule_id, {name: value})
    with pytest.raises(InputError) as info:
        load_baseline(str(path))
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: {rule_id}: parameter {name}"), message


@pytest.mark.parametrize(
    ("rule_id", "params", "fragment"),
    [
        (
            "CF002",
            {"threshold": "Extreme"},
            "parameter threshold must be one of Low, Medium, High, not 'Extreme'",
        ),
        ("CF002", {"categories": ["hate", 3]}, "parameter categories[1] must be a string, not 3"),
        ("CF004", {"allowed_modes": ["Default", "Sometimes"]}, "parameter allowed_modes[1] must be one of"),
        ("REL002", {"min_instances": 0}, "parameter min_instances must be at least 1, not 0"),
        ("REL002", {"min_instances": True}, "parameter min_instances must be an integer, not True"),
        ("REL002", {"min_instances": 2.5}, "parameter min_instances must be an integer, not 2.5"),
        ("PUB023", {"allowed_attachment_types": ["bastionHosts"]}, "'bastionHosts' is not an ARM type"),
        (
            "IAM001",
            {"table": [{"identity": "nobody", "scope": "hub", "role": "x"}]},
            "identity must be one of",
        ),
        (
            "NSG007",
            {"allowances": {"bastion": [{"protocol": "Tcp", "port": ["443"]}]}},
            "unknown key(s) port",
        ),
        ("NSG008", {"required": [{"name": "x", "direction": "Sideways"}]}, "required[0].direction must be"),
        ("NSG008", {"required": [{"name": "x", "direction": "Inbound"}]}, "required[0].source is required"),
        ("DIAG004", {"services": {"app-storage": "blobServices"}}, "services.app-storage must be a list"),
    ],
)
def test_messages_name_what_is_wrong(
    tmp_path: Path, rule_id: str, params: dict[str, Any], fragment: str
) -> None:
    path = baseline_with(tmp_path, rule_id, params)
    with pytest.raises(InputError, match=None) as info:
        load_baseline(str(path))
    assert fragment in str(info.value), str(info.value)
    assert "\n" not in str(info.value)


def test_numbers_must_be_finite() -> None:
    @dataclasses.dataclass(frozen=True)
    class Ratio:
        share: float = 0.5

    assert build(Ratio, {"share": 1}) == Ratio(1.0)
    for bad in (float("nan"), float("inf"), True, "half"):
        with pytest.raises(ParamError, match="parameter share"):
            build(Ratio, {"share": bad})


def test_the_role_table_has_no_code_default(tmp_path: Path) -> None:
    for rule_id in ("IAM001", "IAM002", "IAM003", "IAM009"):
        params = all_rules()[rule_id].params
        assert params is not None and dict(declared(params))["table"] is REQUIRED
    data = yaml.safe_load(shipped_baselines()[BASELINES["aml"]].read_text(encoding="utf-8"))
    data["rules"]["IAM002"] = {"level": "required"}
    path = tmp_path / "no-table.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(InputError, match=r"IAM002: parameter table is required"):
        load_baseline(str(path))


def test_defaults_fill_what_the_baseline_leaves_out() -> None:
    setting = load_baseline(BASELINES["aistudio"]).rules["CF002"]
    assert setting.params.threshold == "Low"
    assert setting.params.categories == ("hate", "sexual", "selfharm", "violence")


def test_audit_with_a_bad_baseline_exits_2_with_one_line(tmp_path: Path) -> None:
    path = baseline_with(tmp_path, "CF002", {"threshold": "Extreme"})
    proc = subprocess.run(
        [sys.executable, "-m", "auditor", "audit", "--snapshot", COMPLIANT, "--baseline", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("auditor: error: ") and "Traceback" not in proc.stderr
    assert f"{path}: CF002: parameter threshold must be one of Low, Medium, High" in lines[0]
    assert proc.stdout == ""
