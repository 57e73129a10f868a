"""Write the sample estates to examples/: `python -m tests.make_examples`."""

from __future__ import annotations

import json
from pathlib import Path

from tests.estates import VARIANTS, compliant_snapshot, drifted_snapshot

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def expected_files() -> dict[str, str]:
    files = {}
    for variant in VARIANTS:
        for kind, build in (("compliant", compliant_snapshot), ("drifted", drifted_snapshot)):
            files[f"openai-e2e-chat-{variant}-{kind}.json"] = json.dumps(build(variant), indent=1) + "\n"
    return files


def main() -> None:
    for name, text in expected_files().items():
        (EXAMPLES / name).write_text(text, encoding="utf-8")
        print(f"wrote examples/{name}")


if __name__ == "__main__":
    main()
