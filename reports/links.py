"""The public source each finding's rule links to in the HTML and Markdown reports."""

from __future__ import annotations

from urllib.parse import quote

from auditor.model import AuditReport, Reference


def first_references(result: AuditReport) -> dict[str, Reference]:
    """Each rule's first reference (the article section it rests on), by rule id; https links only."""
    return {
        r.id: Reference(r.references[0].title, safe_url(r.references[0].url))
        for r in result.rules
        if r.references and r.references[0].url.startswith("https://")
    }


def safe_url(url: str) -> str:
    """The URL with the characters that would end a Markdown link or an HTML attribute percent-encoded."""
    return quote(url, safe="/:#?&=%@+,;!$'*-._~")
