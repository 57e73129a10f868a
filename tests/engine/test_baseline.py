"""Baselines: shipped ones load; broken ones are input errors naming the fault."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from auditor.engine.baseline import DEFAULT_BASELINE, load_baseline, shipped_baselines
from auditor.errors import InputError
from auditor.model import Level


def test_shipped_baselines() -> None:
    assert set(shipped_baselines()) == {"openai-e2e-chat-aistudio", "openai-e2e-chat-aml"}
    assert load_baseline(None).name == DEFAULT_BASELINE == "openai-e2e-chat-aistudio"
    for name in shipped_baselines():
        baseline = load_baseline(name)
        assert baseline.variant in ("aml", "aistudio")
        assert baseline.rules


def _write(tmp_path: Path, data: object) -> str:
    path = tmp_path / "b.yaml"
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return str(path)


def test_copy_and_change_a_baseline(tmp_path: Path) -> None:
    data = yaml.safe_load(Path(shipped_baselines()["openai-e2e-chat-aml"]).read_text())
    data["name"] = "team-copy"
    first = next(iter(data["rules"]))
    data["rules"][first] = {"level": "recommended", "weight": 2}
    baseline = load_baseline(_write(tmp_path, data))
    assert baseline.name == "team-copy"
    assert baseline.rules[first].level is Level.RECOMMENDED
    assert baseline.rules[first].weight == 2.0


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"name": "x", "version": "1", "rules": {"NOPE999": {}}}, "unknown rule id NOPE999"),
        (
            {"name": "x", "version": "1", "rules": {"PUB001": {"params": {"bogus": 1}}}},
            "unknown parameter(s) bogus",
        ),
        ({"name": "x", "version": "1", "rules": {"PUB001": {"level": "maybe"}}}, "level must be"),
        ({"name": "x", "version": "1", "rules": {"PUB001": {"weight": -1}}}, "weight must be"),
        ({"name": "x", "version": "1", "rules": {"PUB001": {"colour": 1}}}, "unknown setting(s) colour"),
        ({"name": "x", "version": "1", "rules": {}, "extra": 1}, "unknown key(s) extra"),
        ({"name": "x", "rules": {"PUB001": {}}}, "missing 'version'"),
        ({"name": "x", "version": "1", "rules": {"PUB001": {}}, "roles": {"x": 1}}, "'roles' may only hold"),
        ("name: [unclosed\n", "not valid YAML (line"),
        ("- a list\n", "must be a YAML mapping"),
    ],
)
def test_invalid_baselines(tmp_path: Path, data: object, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        load_baseline(_write(tmp_path, data))
    assert fragment in str(info.value)


def test_unknown_baseline_name() -> None:
    with pytest.raises(InputError, match=r"unknown baseline 'nope'.*shipped: openai-e2e-chat-aistudio"):
        load_baseline("nope")
