"""Write the sample estates to examples/: `python -m tests.make_examples`."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.arm.snapshot import Snapshot
from auditor.engine.baseline import load_baseline
from auditor.engine.run import run_audit
from auditor.reports.json_report import report_dict
from tests.estates import FOUNDRY, VARIANTS, compliant_snapshot, drifted_snapshot

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
GOLDEN = ROOT / "tests" / "golden"


# The sample of each variant is named after the baseline that judges it.
BASELINE_OF = {
    "aistudio": "openai-e2e-chat-aistudio",
    "aml": "openai-e2e-chat-aml",
    FOUNDRY: "microsoft-foundry-chat",
}


def expected_files() -> dict[str, str]:
    files = {}
    for variant in (*VARIANTS, FOUNDRY):
        for kind, build in (("compliant", compliant_snapshot), ("drifted", drifted_snapshot)):
            files[f"{BASELINE_OF[variant]}-{kind}.json"] = json.dumps(build(variant), indent=1) + "\n"
    return files


def variant_of(example: str) -> str:
    """The variant of a sample file, from its name."""
    return next(v for v, name in BASELINE_OF.items() if example.startswith(name + "-"))


def short(resource_id: str) -> str:
    return resource_id.split("/providers/", 1)[-1]


def golden_report(example: str, text: str) -> str:
    """The verdicts on a sample with its own variant's baseline: scores and one line per finding."""
    baseline = load_baseline(BASELINE_OF[variant_of(example)])
    report = report_dict(run_audit(Snapshot.from_data(json.loads(text)), baseline, f"snapshot {example}"))
    golden = {
        "baseline": report["baseline"],
        "score": report["score"],
        "coverage": report["coverage"],
        "controls": report["controls"],
        "findings": [
            f"{f['status']:<12} {f['rule_id']:<7} {short(f['resource_id'])} | {f['message']}"
            for f in report["findings"]
        ],
    }
    return json.dumps(golden, indent=1) + "\n"


def main() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for name, text in expected_files().items():
        (EXAMPLES / name).write_text(text, encoding="utf-8")
        (GOLDEN / name).write_text(golden_report(name, text), encoding="utf-8")
        print(f"wrote examples/{name} and tests/golden/{name}")


if __name__ == "__main__":
    main()
