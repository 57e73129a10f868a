"""The report contract: one frozen AuditReport, pure renderers, and a writer that writes all or nothing."""

from __future__ import annotations

import ast
import dataclasses
import json
from pathlib import Path

import pytest

from auditor import app
from auditor.arm.snapshot import Snapshot
from auditor.engine.baseline import load_baseline
from auditor.engine.run import run_audit
from auditor.model import AuditReport, Finding, Severity, Status
from auditor.options import SourceOptions, audit_options
from auditor.reports import PLAIN, Format, RenderOptions, render, renderer
from tests import paths
from tests.report_samples import gate_estate, run_cli, sample_result, write_json

REPORTS = paths.ROOT / "reports"


def team_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AuditReport:
    """A real audit with a team's own baseline file, run from the folder that holds it."""
    shipped = load_baseline("openai-e2e-chat-aistudio")
    (tmp_path / "policy").mkdir()
    ours = tmp_path / "policy" / "ours.yaml"
    text = Path(shipped.source).read_text(encoding="utf-8")
    ours.write_text(text.replace("name: openai-e2e-chat-aistudio", "name: ours"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return run_audit(Snapshot.from_data(gate_estate()), load_baseline("policy/ours.yaml"), "test")


@pytest.mark.parametrize("fmt", list(Format))
def test_a_renderer_gives_the_same_text_in_any_working_directory(
    fmt: Format, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = team_report(tmp_path, monkeypatch)
    options = RenderOptions(show_passed=True)
    here = render(fmt, report, options)
    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    monkeypatch.chdir(elsewhere)
    assert render(fmt, report, options) == here
    if fmt is Format.SARIF:
        # The location was fixed when the audit ran, relative to where it ran.
        assert json.loads(here)["runs"][0]["artifacts"][0]["location"]["uri"] == "policy/ours.yaml"


def test_report_and_finding_are_frozen() -> None:
    report = sample_result()
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.generated_at = "2027-01-01T00:00:00Z"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.gate = None  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.findings[0].status = Status.PASS  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.card.overall.failed = 0  # type: ignore[misc]
    assert report.gate is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.gate.passed = True  # type: ignore[misc]
    assert isinstance(report.findings, tuple) and isinstance(report.gate.blockers, tuple)
    assert dataclasses.fields(Finding)[-1].name == "waiver"  # no `extra`
    assert "extra" not in {f.name for f in dataclasses.fields(AuditReport)}


def test_every_format_has_a_renderer_and_an_extension() -> None:
    for fmt in Format:
        assert callable(renderer(fmt))
        assert fmt.extension and not fmt.extension.startswith(".")
    assert [f.value for f in Format] == ["console", "json", "sarif", "junit", "html", "markdown", "csv"]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("path", sorted(REPORTS.glob("*.py")), ids=lambda p: p.name)
def test_reports_import_nothing_from_the_engine_or_the_collectors(path: Path) -> None:
    for name in _imports(path):
        assert not name.startswith(("auditor.engine", "auditor.collect", "auditor.analysis", "azure")), name
        # Nothing that reads the environment behind the report's back.
        assert name not in {"os", "shutil", "importlib.metadata"}, name


@pytest.mark.parametrize("failing", [Format.HTML, Format.CONSOLE])
def test_output_dir_writes_nothing_when_a_renderer_fails(
    failing: Format, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_json(tmp_path / "drifted.json", gate_estate())
    module = {Format.HTML: "html", Format.CONSOLE: "console"}[failing]

    def broken(report: AuditReport, options: RenderOptions = PLAIN) -> str:
        raise RuntimeError(f"{module} renderer broke")

    monkeypatch.setattr(f"auditor.reports.{module}.render", broken)
    args = ["audit", "--snapshot", "drifted.json", "--output-dir", "out"]
    args += ["--format", "json", "--format", "html", "--format", "console", "--format", "csv"]
    code, out, err = run_cli(args, capsys, monkeypatch, tmp_path)
    assert code == 4
    assert err.strip() == (
        f"auditor: error: internal error: RuntimeError: {module} renderer broke"
        " (run with --debug for details)"
    )
    assert out == ""
    assert not (tmp_path / "out").exists()


def test_the_audit_runs_in_process_without_argv(tmp_path: Path) -> None:
    snapshot = write_json(tmp_path / "drifted.json", gate_estate())
    options = audit_options(
        config_path=None, source=SourceOptions(snapshot=str(snapshot)), fail_on="high", cwd=tmp_path
    )
    report = app.audit(options)
    assert report.gate is not None and not report.gate.passed
    assert [(b.rule_id, b.severity) for b in report.gate.blockers] == [("PUB001", Severity.HIGH)]
    assert report.scope["source"] == f"snapshot {snapshot}"
    emitted = app.write_reports(report, dataclasses.replace(options.output, formats=(Format.JSON,)))
    assert json.loads(emitted.stdout)["gate"]["passed"] is False
    assert emitted.stderr == (report.gate.message,) and emitted.written == ()
