"""Exports of an audit to where Azure teams look: Log Analytics through the Logs Ingestion API.

`rows` turns a JSON report into one row per run and one per finding (the table schemas);
`log_analytics` uploads them with azure-monitor-ingestion. The credential comes from the
caller (the app layer builds it the way the collectors do), so this package reads no login itself.
"""

from __future__ import annotations

__all__ = ["log_analytics", "rows"]
