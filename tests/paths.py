"""Where the tests find the repository's files, wherever in tests/ a test module lives."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SCHEMAS = ROOT / "tests" / "schemas"
# ../shared beside the checkout (Microsoft's example bodies), when it is there.
SHARED = ROOT.parent / "shared"
