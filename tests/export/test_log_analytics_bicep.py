"""The shipped Bicep (examples/log-analytics) declares the tables, streams and flow the export writes.

Without the Bicep compiler at hand, these read the file's text: the column lists equal the
row schema in order and type, the streams and tables are the export's defaults, each flow takes
its stream as it is into its table, and the role granted is Monitoring Metrics Publisher.
"""

from __future__ import annotations

import re

import pytest

from auditor.export.log_analytics import FINDINGS_STREAM, RUNS_STREAM
from auditor.export.rows import FINDING_COLUMNS, RUN_COLUMNS
from tests import paths

BICEP = paths.EXAMPLES / "log-analytics" / "main.bicep"
README = paths.EXAMPLES / "log-analytics" / "README.md"
COLUMN = re.compile(r"^\{ name: '([A-Za-z0-9_]+)', type: '([a-z]+)' \}$")
MONITORING_METRICS_PUBLISHER = "3913510d-42f4-4e42-8a64-420c390055eb"


def text() -> str:
    return BICEP.read_text(encoding="utf-8")


def columns(variable: str, source: str | None = None) -> list[tuple[str, str]]:
    """The entries of `var NAME = [ ... ]`; any line in it that is not one column fails."""
    body = source if source is not None else text()
    match = re.search(rf"^var {variable} = \[\n(.*?)^\]", body, re.M | re.S)
    assert match, f"no var {variable} in {BICEP.name}"
    found = []
    for line in match.group(1).splitlines():
        entry = COLUMN.match(line.strip())
        assert entry, f"{variable}: not a column entry: {line!r}"
        found.append((entry.group(1), entry.group(2)))
    return found


@pytest.mark.parametrize(
    ("variable", "schema"), [("runColumns", RUN_COLUMNS), ("findingColumns", FINDING_COLUMNS)]
)
def test_bicep_columns_are_the_row_schema(variable: str, schema: tuple[tuple[str, str], ...]) -> None:
    assert columns(variable) == list(schema)


def test_the_comparison_notices_a_column_that_drifted() -> None:
    drifted = text().replace("{ name: 'Severity', type: 'string' }", "{ name: 'Severity', type: 'int' }")
    assert columns("findingColumns", drifted) != list(FINDING_COLUMNS)
    with pytest.raises(AssertionError, match="not a column entry"):
        columns("runColumns", text().replace("{ name: 'Score', type: 'real' }", "{ name: 'Score' }"))


def test_streams_and_tables_are_the_export_defaults() -> None:
    body = text()
    runs = re.search(r"^var runsTableName = '([^']+)'$", body, re.M)
    findings = re.search(r"^var findingsTableName = '([^']+)'$", body, re.M)
    assert runs and findings
    assert f"Custom-{runs.group(1)}" == RUNS_STREAM
    assert f"Custom-{findings.group(1)}" == FINDINGS_STREAM
    assert "var runsStream = 'Custom-${runsTableName}'" in body
    assert "var findingsStream = 'Custom-${findingsTableName}'" in body


def test_the_rule_declares_both_streams_and_passes_each_through_to_its_table() -> None:
    body = text()
    assert "'${runsStream}': {\n        columns: runColumns" in body
    assert "'${findingsStream}': {\n        columns: findingColumns" in body
    flows = re.findall(
        r"streams: \[(\w+)\]\n\s+destinations: \['workspace'\]\n\s+transformKql: 'source'\n"
        r"\s+outputStream: (\w+)",
        body,
    )
    assert sorted(flows) == [("findingsStream", "findingsStream"), ("runsStream", "runsStream")]
    assert "dataCollectionEndpointId: endpoint.id" in body
    # The tables exist before a flow writes into them.
    assert re.search(r"dependsOn: \[\s+runsTable\s+findingsTable\s+\]", body)


def test_tables_spell_the_date_type_as_tables_do() -> None:
    body = text()
    assert body.count("c.type == 'datetime' ? 'dateTime' : c.type") == 2
    assert "columns: runTableColumns" in body and "columns: findingTableColumns" in body


def test_the_role_is_monitoring_metrics_publisher_on_the_rule() -> None:
    body = text()
    assert MONITORING_METRICS_PUBLISHER in body
    role = body[body.index("resource publisher") :]
    assert "scope: rule" in role.split("\n}\n")[0]


def test_outputs_are_the_two_values_the_export_takes() -> None:
    body = text()
    assert "output logsIngestionEndpoint string = endpoint.properties.logsIngestion.endpoint" in body
    assert "output ruleImmutableId string = rule.properties.immutableId" in body


def test_brackets_balance() -> None:
    body = re.sub(r"'(?:[^'\\]|\\.)*'", "''", text())  # strings may hold anything
    body = "\n".join(line.split("//")[0] for line in body.splitlines())
    for left, right in ("{}", "[]", "()"):
        assert body.count(left) == body.count(right), left + right


def test_readme_names_the_role_and_the_command() -> None:
    readme = README.read_text(encoding="utf-8")
    assert "Monitoring Metrics Publisher" in readme
    assert "auditor export log-analytics" in readme and "--rule-id" in readme
