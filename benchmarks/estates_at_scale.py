"""Large estates for the benchmarks: the four sample estates copied many times under renamed ids.

Copy `i` of a sample lives in its own resource group (`<group>-<i>`) of subscription `i //
per_subscription`, with its own principal ids, so every copy is a distinct workload as a tenant
of many would hold, and the rules have proportionally more to judge.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = [
    ROOT / "examples" / f"openai-e2e-chat-{name}.json"
    for name in ("aistudio-compliant", "aistudio-drifted", "aml-compliant", "aml-drifted")
]
_PRINCIPAL = re.compile(r'"principalId": "([0-9a-f-]{36})"')
_SUBSCRIPTION = re.compile(r"/subscriptions/([0-9a-f-]{36})", re.IGNORECASE)
_GROUP = re.compile(r"/resourceGroups/([^/\"]+)", re.IGNORECASE)


def subscription_id(index: int) -> str:
    """A stable, distinct subscription id for subscription number `index`."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"auditor-bench-subscription-{index}"))


def _template(path: Path) -> dict[str, Any]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    text = json.dumps({"resources": doc["resources"], "errors": doc["errors"]})
    return {
        "text": text,
        "subscription": _SUBSCRIPTION.search(text).group(1),  # type: ignore[union-attr]
        "groups": sorted(set(_GROUP.findall(text))),
        "principals": sorted(set(_PRINCIPAL.findall(text))),
        "collected_types": doc["collected_types"],
        "tenant": doc["metadata"].get("tenant"),
    }


def estate_document(resources: int, per_subscription: int = 10, copies: int | None = None) -> dict[str, Any]:
    """A snapshot document of about `resources` resources (whole copies of the samples, in turn), or of
    exactly `copies` copies."""
    templates = [_template(p) for p in SAMPLES]
    out: list[Any] = []
    errors: list[Any] = []
    subscriptions: list[str] = []
    seen: set[str] = set()
    i = 0
    while (len(out) < resources) if copies is None else (i < copies):
        t = templates[i % len(templates)]
        sub = subscription_id(i // per_subscription)
        if not subscriptions or subscriptions[-1] != sub:
            subscriptions.append(sub)
        text = t["text"].replace(t["subscription"], sub)
        for group in t["groups"]:
            pattern = f'/resourceGroups/{re.escape(group)}(?=[/"])'
            text = re.sub(pattern, f"/resourceGroups/{group}-{i}", text)
        for principal in t["principals"]:
            text = text.replace(principal, f"{principal[:-6]}{i:06d}")
        copy = json.loads(text)
        # Subscription-level resources (role definitions) are shared by the copies of one subscription.
        fresh = [r for r in copy["resources"] if r["id"] not in seen]
        seen.update(r["id"] for r in fresh)
        out.extend(fresh)
        errors.extend(copy["errors"])
        i += 1
    return {
        "format": "auditor-snapshot/1",
        "metadata": {
            "tool": "auditor",
            "description": f"{i} copies of the sample estates",
            "tenant": templates[0]["tenant"],
            "subscriptions": subscriptions,
        },
        "collected_types": templates[0]["collected_types"],
        "errors": errors,
        "resources": out,
    }
