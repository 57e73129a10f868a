"""Send a report's runs and findings to Log Analytics through the Logs Ingestion API.

The real azure-monitor-ingestion client does the transport: it splits the rows into chunks of
at most 1 MiB, gzips each, and its retry policy waits out a 429 (Retry-After) or a 5xx. What a
chunk's final failure leaves is counted through the client's `on_error` callback, so one bad
chunk does not stop the others, and the caller learns exactly how many rows were not accepted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from auditor.errors import ExportError, InputError, first_line

from .rows import rows_of

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential
    from azure.monitor.ingestion import LogsIngestionClient, LogsUploadError

# The token audience of the Logs Ingestion API (azure-monitor-ingestion's default, given explicitly
# so that the caller's sign-in check and the client ask for the same token).
INGESTION_SCOPE = "https://monitor.azure.com/.default"
RUNS_STREAM = "Custom-AuditorRuns_CL"
FINDINGS_STREAM = "Custom-AuditorFindings_CL"
# A stream of a custom table, as a data collection rule declares it.
_STREAM = re.compile(r"^Custom-[A-Za-z0-9_]+$")
# An immutable id is "dcr-" and 32 hex digits; accept any id without spaces or slashes (the
# service is the judge), but catch a resource id or a name pasted in its place.
_RULE_ID = re.compile(r"^[A-Za-z0-9-]+$")


@dataclass(frozen=True)
class Target:
    """Where the rows go: the data collection endpoint, the rule's immutable id, the two streams."""

    endpoint: str
    rule_id: str
    runs_stream: str = RUNS_STREAM
    findings_stream: str = FINDINGS_STREAM

    @classmethod
    def from_options(
        cls, endpoint: str | None, rule_id: str | None, runs_stream: str | None, findings_stream: str | None
    ) -> Target:
        """The target the flags name; a missing or malformed one is an input error."""
        if not endpoint or not rule_id:
            raise InputError("Log Analytics export needs --endpoint DCE_URL and --rule-id DCR_IMMUTABLE_ID")
        parsed = urlparse(endpoint)
        if parsed.scheme != "https" or not parsed.netloc:
            raise InputError(
                f"--endpoint must be the https URL of a data collection endpoint, got {endpoint!r}"
            )
        if not _RULE_ID.match(rule_id):
            raise InputError(
                f"--rule-id must be the rule's immutable id (dcr-...), not a name or resource id: {rule_id!r}"
            )
        streams = (runs_stream or RUNS_STREAM, findings_stream or FINDINGS_STREAM)
        for label, stream in zip(("--runs-stream", "--findings-stream"), streams, strict=True):
            if not _STREAM.match(stream):
                raise InputError(f"{label} must name a custom stream (Custom-Name_CL), got {stream!r}")
        return cls(endpoint.rstrip("/"), rule_id, *streams)


@dataclass(frozen=True)
class Sent:
    """What one export did: the run id, rows accepted and rows failed per stream, the first error."""

    run_id: str
    accepted: Mapping[str, int] = field(default_factory=dict)
    failed: Mapping[str, int] = field(default_factory=dict)
    first_error: str | None = None

    @property
    def total(self) -> int:
        """Rows sent, accepted or not."""
        return sum(self.accepted.values()) + sum(self.failed.values())

    @property
    def failed_rows(self) -> int:
        """Rows the service did not accept (after the client's retries)."""
        return sum(self.failed.values())

    def summary(self) -> str:
        """One line for stderr: what was sent where."""
        parts = ", ".join(f"{_rows(n)} to {stream}" for stream, n in self.accepted.items())
        return f"exported run {self.run_id} to Log Analytics: {parts}"

    def check(self) -> Sent:
        """This result, or an ExportError naming how many rows failed."""
        if not self.failed_rows:
            return self
        where = ", ".join(f"{stream} {n}" for stream, n in self.failed.items() if n)
        raise ExportError(
            f"Log Analytics export: {self.failed_rows} of {self.total} rows were not accepted ({where}): "
            f"{self.first_error}"
        )


def send(
    report: Mapping[str, Any], target: Target, credential: TokenCredential, **client_options: Any
) -> Sent:
    """Upload the run row and the finding rows of a JSON report; count what failed, raise nothing for it.

    `client_options` go to the client's pipeline as they are (e.g. retry_total, retry_backoff_factor).
    """
    from azure.monitor.ingestion import LogsIngestionClient

    rows = rows_of(report)
    accepted: dict[str, int] = {}
    failed: dict[str, int] = {}
    errors: list[str] = []
    batches = ((target.runs_stream, [rows.run]), (target.findings_stream, list(rows.findings)))
    options = {"credential_scopes": [INGESTION_SCOPE], **client_options}
    with LogsIngestionClient(endpoint=target.endpoint, credential=credential, **options) as client:
        for stream, batch in batches:
            lost = _upload(client, target.rule_id, stream, batch, errors) if batch else 0
            accepted[stream], failed[stream] = len(batch) - lost, lost
    return Sent(rows.run_id, accepted, failed, errors[0] if errors else None)


def _upload(
    client: LogsIngestionClient, rule_id: str, stream: str, batch: list[dict[str, Any]], errors: list[str]
) -> int:
    """Upload one stream's rows; the number of rows in chunks that failed (after retries)."""
    lost = 0

    def on_error(problem: LogsUploadError) -> None:
        nonlocal lost
        lost += len(problem.failed_logs)
        errors.append(_describe(problem.error))

    logs: list[MutableMapping[str, Any]] = list(batch)
    client.upload(rule_id=rule_id, stream_name=stream, logs=logs, on_error=on_error)
    return lost


def _rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


def _describe(error: Exception) -> str:
    """One line about a chunk's failure: the HTTP status and the service's message, no headers."""
    status = getattr(error, "status_code", None)
    text = first_line(str(getattr(error, "message", None) or error), 200)
    return f"HTTP {status}: {text}" if status else f"{type(error).__name__}: {text}"
