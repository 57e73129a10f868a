"""Per rule: a minimal ARM body that passes it, how to break it, and the fix in Azure CLI and Bicep.

The rule pages (docs/rules/<ID>.md) show these; tests/engine/test_guides.py runs every example
through the engine on a compliant sample estate (it must pass) and its broken form (it must fail).
"""

from __future__ import annotations

from auditor.engine.guide import Guide

GUIDES: dict[str, Guide] = {}
