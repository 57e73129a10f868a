"""Done-when: three nights of the sample estates, in SQLite and in PostgreSQL, with the same commands.

Night 1 audits two subscriptions (compliant), night 2 both again (drifted), night 3 only the
first (partly fixed: the web storage account fixed, a model deployment deleted); the second
is skipped and carried forward.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from auditor.history import schemas
from tests.estates import SUB
from tests.history.scenario import BASELINE, DELETED, STORAGE, SUB_B, partly_fixed, sample, write
from tests.report_samples import run_cli


def audit(url: str, snapshot: Path, out: Path, run: object, gate: str = "high") -> tuple[int, str]:
    code, _, err = run(  # type: ignore[operator]
        [
            "audit",
            "--snapshot",
            str(snapshot),
            "--baseline",
            BASELINE,
            "--history",
            url,
            "--history-label",
            "nightly",
            "--fail-on-new",
            gate,
            "-f",
            "json",
            "-o",
            str(out),
        ]
    )
    return code, err


def test_three_nights(
    store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def run(args: list[str]) -> tuple[int, str, str]:
        return run_cli(args, capsys, monkeypatch, tmp_path)

    nights = [
        [("a1", sample("compliant")), ("b1", sample("compliant", SUB_B))],
        [("a2", sample("drifted")), ("b2", sample("drifted", SUB_B))],
        [("a3", partly_fixed())],
    ]
    codes = {}
    for night in nights:
        for name, estate in night:
            codes[name], err = audit(
                store_url, write(tmp_path, name, estate), tmp_path / f"{name}.out.json", run
            )
            assert "recorded run" in err, err
    # The nightly gate: drift fails it, a night that only fixes things passes it.
    assert codes == {"a1": 0, "b1": 0, "a2": 1, "b2": 1, "a3": 0}

    # The default diff: the newest run against the previous run of its subscription (night 2, shard a).
    code, out, _ = run(["diff", "--history", store_url, "--format", "json"])
    assert code == 0
    doc = json.loads(out)
    jsonschema.validate(doc, schemas.load("diff"))
    assert doc["consecutive"] is True
    assert (doc["old"]["run_id"], doc["new"]["run_id"]) == (3, 5)
    s = doc["summary"]
    assert s["new"] == 0 and s["regressed"] == 0
    resolved = {
        (e["rule_id"], e["resource_id"].split("/providers/")[-1]) for e in doc["findings"]["resolved"]
    }
    assert resolved and all(rid.endswith("stwebchataml") for _, rid in resolved), resolved
    gone = doc["findings"]["disappeared"]
    assert gone and all(e["resource_id"].endswith(DELETED) for e in gone)
    assert s["persisting"] == doc_failed(tmp_path / "a3.out.json")
    assert doc["scores"]["overall"]["delta"] > 0
    assert doc["scores"]["families"]["public-access"]["delta"] > 0

    # Saved reports give the same states (no history needed).
    code, out, _ = run(["diff", str(tmp_path / "a2.out.json"), str(tmp_path / "a3.out.json"), "-f", "json"])
    saved = json.loads(out)
    assert {k: saved["summary"][k] for k in ("new", "resolved", "disappeared", "persisting")} == {
        k: s[k] for k in ("new", "resolved", "disappeared", "persisting")
    }

    # The trend: five runs, the last carrying subscription b forward from run 4.
    code, out, _ = run(["history", "--history", store_url, "--format", "json"])
    assert code == 0
    trend = json.loads(out)
    jsonschema.validate(trend, schemas.load("history"))
    (series,) = trend["series"]
    assert (series["label"], series["baseline"]) == ("nightly", BASELINE)
    points = series["runs"]
    assert [p["subscriptions"] for p in points] == [[SUB], [SUB_B], [SUB], [SUB_B], [SUB]]
    assert [p["score"] for p in points[:2]] == [100.0, 100.0]
    assert points[2]["carried_forward"][0]["unit"] == SUB_B and points[2]["score"] < 100.0
    last = points[-1]
    assert [c["unit"] for c in last["carried_forward"]] == [SUB_B]
    assert last["carried_forward"][0]["run_id"] == 4
    # Shard b's drift is still counted: the estate's score sits between night 2's and shard a's own.
    assert points[3]["score"] < last["score"] < last["run_score"]
    assert last["states"]["resolved"] == len(resolved) and last["states"]["disappeared"] == len(gone)
    assert series["mean_time_to_fix_days"] is not None
    assert series["oldest_open"] and all(
        o["state"] in ("new", "persisting", "regressed") for o in series["oldest_open"]
    )

    # The same commands the nightly example runs, in the other formats.
    code, out, _ = run(["diff", "--history", store_url, "--format", "markdown"])
    assert code == 0 and "### Resolved" in out and "### Disappeared" in out
    code, _, _ = run(
        ["history", "--history", store_url, "--format", "html", "-o", str(tmp_path / "trend.html")]
    )
    assert code == 0 and "carried forward" in (tmp_path / "trend.html").read_text()
    code, out, _ = run(["history", "--history", store_url, "--scope", SUB_B])
    assert code == 0 and "carried" in out


def doc_failed(path: Path) -> int:
    """The failing findings of a saved report (required and recommended)."""
    report = json.loads(path.read_text())
    return sum(1 for f in report["findings"] if f["status"] == "fail")


def test_storage_fix_is_what_resolves() -> None:
    fixed = partly_fixed()
    ids = {r["id"] for r in fixed["resources"]}
    assert not any(i.endswith(DELETED) for i in ids)
    assert any(i.endswith(STORAGE) for i in ids)
    assert SUB in json.dumps(fixed) and SUB_B not in json.dumps(fixed)
