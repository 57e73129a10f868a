"""The project file: where it is found, what it may hold, and that flags override it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.model import Severity
from auditor.options import find_config
from tests.report_samples import gate_estate, run_cli, write_json

FULL = """\
baseline = "openai-e2e-chat-aistudio"
formats = ["console", "json", "sarif"]
output-dir = "audit-out"
waivers = "waivers.yaml"
min-score = 80
fail-on = "high"
fail-on-coverage-below = "90%"
"""


def test_no_project_file_means_defaults(tmp_path: Path) -> None:
    config = find_config(None, cwd=tmp_path)
    assert config.source is None and config.formats == () and config.fail_on is None


def test_auditor_toml_is_read_with_paths_relative_to_it(tmp_path: Path) -> None:
    (tmp_path / "auditor.toml").write_text(FULL)
    config = find_config(None, cwd=tmp_path)
    assert config.source == str(tmp_path / "auditor.toml")
    assert config.baseline == "openai-e2e-chat-aistudio"  # a name stays a name
    assert config.formats == ("console", "json", "sarif")
    assert config.output_dir == str(tmp_path / "audit-out")
    assert config.waivers == str(tmp_path / "waivers.yaml")
    assert (config.min_score, config.fail_on, config.min_coverage) == (80, Severity.HIGH, pytest.approx(0.9))


def test_pyproject_tool_table_and_precedence(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.auditor]\nfail-on = "critical"\n'
    )
    assert find_config(None, cwd=tmp_path).fail_on is Severity.CRITICAL
    (tmp_path / "auditor.toml").write_text('fail-on = "medium"\n')
    assert find_config(None, cwd=tmp_path).fail_on is Severity.MEDIUM  # auditor.toml wins
    # --config names a file explicitly; a pyproject.toml given so is read at [tool.auditor].
    assert find_config(str(tmp_path / "pyproject.toml")).fail_on is Severity.CRITICAL


def test_pyproject_without_a_tool_table_is_ignored_unless_named(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert find_config(None, cwd=tmp_path).source is None
    with pytest.raises(InputError, match=r"no \[tool.auditor\] table"):
        find_config(str(tmp_path / "pyproject.toml"))


def test_baseline_path_is_relative_to_the_project_file(tmp_path: Path) -> None:
    sub = tmp_path / "ci"
    sub.mkdir()
    (sub / "audit.toml").write_text('baseline = "baselines/ours.yaml"\n')
    assert find_config(str(sub / "audit.toml")).baseline == str(sub / "baselines" / "ours.yaml")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("min_score = 80\n", "unknown key 'min_score' (did you mean 'min-score'?)"),
        ('fail-on-severity = "high"\n', "unknown key 'fail-on-severity'"),
        ('min-score = "high"\n', "'min-score' must be a number"),
        ("min-score = 120\n", "minimum score 120 must be between 0 and 100"),
        ('fail-on = "severe"\n', "unknown severity 'severe'"),
        ("fail-on-coverage-below = 1.5\n", "must be between 0 and 1"),
        ('formats = ["json", "pdf"]\n', "'formats': unknown format 'pdf'"),
        ("formats = 3\n", "'formats' must be a list"),
        ('waivers = ""\n', "'waivers' must be a non-empty string"),
        ("min-score = \n", "not valid TOML"),
    ],
)
def test_invalid_project_files_are_input_errors_naming_the_key(
    tmp_path: Path, text: str, fragment: str
) -> None:
    (tmp_path / "auditor.toml").write_text(text)
    with pytest.raises(InputError) as exc:
        find_config(None, cwd=tmp_path)
    assert str(exc.value).startswith(str(tmp_path / "auditor.toml"))
    assert fragment in str(exc.value)


def test_toml_errors_carry_the_line(tmp_path: Path) -> None:
    (tmp_path / "auditor.toml").write_text('fail-on = "high"\nmin-score = = 3\n')
    with pytest.raises(InputError, match="line 2"):
        find_config(None, cwd=tmp_path)


def test_cli_uses_the_project_file_and_flags_override_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_json(tmp_path / "drifted.json", gate_estate(drift_openai=True))
    (tmp_path / "auditor.toml").write_text(
        'formats = ["console", "json", "sarif", "markdown"]\noutput-dir = "out"\nfail-on = "high"\n'
    )
    code, out, _ = run_cli(["audit", "--snapshot", "drifted.json"], capsys, monkeypatch, tmp_path)
    assert code == 1
    assert out.rstrip().splitlines()[-1].startswith("gate FAILED: 1 failing finding at or above high")
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["auditor-report.json", "auditor-report.md", "auditor-report.sarif", "auditor-report.txt"]

    # Flags win: switch the severity condition off, write one format to stdout.
    code, out, _ = run_cli(
        ["audit", "--snapshot", "drifted.json", "--fail-on", "none", "--format", "json"],
        capsys,
        monkeypatch,
        tmp_path,
    )
    assert code == 0
    assert "gate" not in json.loads(out)
    # Several formats on the command line still go to the project's output folder.
    args = [
        "audit",
        "--snapshot",
        "drifted.json",
        "--format",
        "csv",
        "--format",
        "junit",
        "--fail-on",
        "none",
    ]
    code, _, _ = run_cli(args, capsys, monkeypatch, tmp_path)
    assert code == 0
    assert (tmp_path / "out" / "auditor-report.csv").is_file()
    assert (tmp_path / "out" / "auditor-report.junit.xml").is_file()


def test_cli_reports_a_bad_project_file_as_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_json(tmp_path / "drifted.json", gate_estate())
    (tmp_path / "auditor.toml").write_text("fail_on = 'high'\n")
    code, out, err = run_cli(["audit", "--snapshot", "drifted.json"], capsys, monkeypatch, tmp_path)
    assert code == 2
    assert out == ""
    assert err.strip().splitlines() == [
        f"auditor: error: {tmp_path / 'auditor.toml'}: unknown key 'fail_on' (did you mean 'fail-on'?);"
        " known keys: baseline, formats, output-dir, waivers, min-score, fail-on, fail-on-coverage-below,"
        " timeout, connect-timeout, read-timeout, max-retry-after"
    ]


def test_gate_command_reads_thresholds_from_the_project_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_json(tmp_path / "drifted.json", gate_estate())
    code, _, _ = run_cli(
        ["audit", "--snapshot", "drifted.json", "--format", "json", "--output", "r.json"],
        capsys,
        monkeypatch,
        tmp_path,
    )
    assert code == 0
    (tmp_path / "auditor.toml").write_text('fail-on = "high"\n')
    code, out, _ = run_cli(["gate", "r.json"], capsys, monkeypatch, tmp_path)
    assert code == 1
    code, out, _ = run_cli(["gate", "r.json", "--fail-on", "critical"], capsys, monkeypatch, tmp_path)
    assert code == 0
    assert out.strip().splitlines()[-1] == "gate passed: no failing finding at or above critical"


def test_waivers_from_the_project_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_json(tmp_path / "drifted.json", gate_estate())
    ci = tmp_path / "ci"
    ci.mkdir()
    (ci / "waivers.yaml").write_text(
        "- rule: PUB001\n  resource: '*/accounts/aoai-chat'\n  justification: DNS zone (CHG-9)\n"
        "  owner: team\n  expires: 2999-01-01\n"
    )
    (ci / "auditor.toml").write_text('waivers = "waivers.yaml"\nfail-on = "high"\n')
    code, out, _ = run_cli(
        ["audit", "--snapshot", "drifted.json", "--config", "ci/auditor.toml"], capsys, monkeypatch, tmp_path
    )
    assert code == 0
    assert "waived until 2999-01-01 (team): DNS zone (CHG-9)" in out


BROKEN_TOML = '[project]\nname = "x"\nversion = \n'


def test_a_broken_pyproject_of_another_tool_is_skipped_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text(BROKEN_TOML)
    config = find_config(None, cwd=tmp_path)
    assert config.source is None and config.fail_on is None
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"auditor: warning: ignoring {tmp_path / 'pyproject.toml'}: not valid TOML: "
        "Invalid value (at line 3, column 11)"
    ]


@pytest.mark.parametrize(
    "text",
    [
        '[tool.auditor]\nfail-on = "high"\nmin-score = \n',
        '[project]\nname = "x\n\n[ tool . "auditor" ]\nfail-on = "high"\n',
        "[tool.auditor.extra]\nx = = 1\n",
    ],
)
def test_a_broken_pyproject_with_our_table_is_an_input_error(tmp_path: Path, text: str) -> None:
    (tmp_path / "pyproject.toml").write_text(text)
    with pytest.raises(InputError, match="not valid TOML"):
        find_config(None, cwd=tmp_path)


def test_a_pyproject_that_is_not_utf8_is_skipped_unless_it_is_ours(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b'[project]\nname = "caf\xe9"\n')
    assert find_config(None, cwd=tmp_path).source is None
    assert "auditor: warning: ignoring " in capsys.readouterr().err
    (tmp_path / "pyproject.toml").write_bytes(b'[tool.auditor]\nbaseline = "caf\xe9"\n')
    with pytest.raises(InputError, match="not UTF-8 text"):
        find_config(None, cwd=tmp_path)


def test_a_broken_pyproject_named_with_config_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(BROKEN_TOML)
    with pytest.raises(InputError, match="not valid TOML"):
        find_config(str(tmp_path / "pyproject.toml"))


def test_cli_runs_beside_a_broken_pyproject_of_another_tool(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_json(tmp_path / "drifted.json", gate_estate())
    (tmp_path / "pyproject.toml").write_text(BROKEN_TOML)
    code, out, err = run_cli(["audit", "--snapshot", "drifted.json"], capsys, monkeypatch, tmp_path)
    assert code == 0 and "PUB001" in out
    assert [line for line in err.splitlines() if "pyproject.toml" in line] == [
        f"auditor: warning: ignoring {tmp_path / 'pyproject.toml'}: not valid TOML: "
        "Invalid value (at line 3, column 11)"
    ]
    (tmp_path / "pyproject.toml").write_text('[tool.auditor]\nfail-on = "high"\nmin-score = \n')
    code, out, err = run_cli(["audit", "--snapshot", "drifted.json"], capsys, monkeypatch, tmp_path)
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        f"auditor: error: {tmp_path / 'pyproject.toml'}: not valid TOML: Invalid value (at line 3, column 13)"
    ]


# --- issue 13: time limits of the live read ---------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "-1", "nan", "inf", "0"])
def test_a_bad_read_timeout_is_an_input_error(
    value: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    args = ["collect", "--subscription", "s", "-o", "s.json", "--read-timeout", value]
    code, _, err = run_cli(args, capsys, monkeypatch, tmp_path)
    assert code == 2
    assert err.startswith("auditor: error: --read-timeout must be a") and len(err.strip().splitlines()) == 1


def test_time_limits_come_from_the_flags_over_the_project_file(tmp_path: Path) -> None:
    from auditor.options import SourceOptions, Timeouts, collect_options, timeouts_from_flags

    (tmp_path / "auditor.toml").write_text("timeout = 600\nread-timeout = 30\nmax-retry-after = 0\n")
    flags = timeouts_from_flags(None, "5", "45", None)
    source = SourceOptions(subscriptions=("s",), timeouts=flags)
    options = collect_options(source, "s.json", cwd=tmp_path)
    assert options.source.timeouts == Timeouts(deadline=600, connect=5, read=45, retry_after_cap=0)
    assert timeouts_from_flags("0", None, None, None).deadline == 0  # no overall limit


def test_a_bad_time_limit_in_the_project_file_names_the_key(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "auditor.toml").write_text("timeout = 'soon'\n")
    code, _, err = run_cli(["audit", "--snapshot", "x.json"], capsys, monkeypatch, tmp_path)
    assert code == 2
    assert "'timeout' must be a number of seconds" in err and "auditor.toml" in err


def test_the_collector_gets_the_time_limits() -> None:
    from auditor.app import _settings
    from auditor.collect.context import DEFAULT_DEADLINE, Settings
    from auditor.options import SourceOptions, Timeouts

    assert _settings(SourceOptions()) == Settings()
    assert Settings().deadline == DEFAULT_DEADLINE == 1800
    chosen = _settings(SourceOptions(timeouts=Timeouts(deadline=0, connect=3, read=7, retry_after_cap=9)))
    assert (chosen.deadline, chosen.connect_timeout, chosen.read_timeout, chosen.retry_after_cap) == (
        None,
        3,
        7,
        9,
    )
