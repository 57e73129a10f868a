"""Finding keys name the workload: a resource shared by two workloads has a history in each, keys
written before workloads (and databases at migration 0002) keep loading, and their history goes on."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

import sqlalchemy as sa

from auditor.arm.snapshot import Snapshot
from auditor.engine.workloads import run_workloads
from auditor.history import diff, query, record, store
from auditor.history.keys import finding_key
from auditor.history.tables import finding_keys
from auditor.model import AuditReport, Status
from tests.history.scenario import sample
from tests.workload_estates import SUB, copy_of, snapshot_doc


def shared_network_report() -> AuditReport:
    """Two ML-workspace copies whose private endpoints sit in one network, judged in both."""
    dev = copy_of("aml-compliant", "rg-a", salt="a")
    prod = copy_of("aml-compliant", "rg-b", salt="b")
    vnet_a = f"/subscriptions/{SUB}/resourceGroups/rg-a/providers/Microsoft.Network/virtualNetworks/"
    moved = json.loads(json.dumps(prod).replace(vnet_a.replace("rg-a", "rg-b"), vnet_a))
    moved["resources"] = [r for r in moved["resources"] if not r["id"].startswith(vnet_a)]
    return run_workloads(Snapshot.from_data(snapshot_doc([dev, moved], [SUB])), None, "test")


def shared_pair(report: AuditReport) -> tuple[int, int]:
    """The indexes of two findings of one rule on one resource, in two workloads."""
    seen: dict[tuple[str, str], int] = {}
    for i, f in enumerate(report.findings):
        key = (f.rule_id, f.resource_id.lower())
        if key in seen and report.findings[seen[key]].workload_id != f.workload_id:
            return seen[key], i
        seen.setdefault(key, i)
    raise AssertionError("no resource judged in two workloads")


def with_statuses(report: AuditReport, pair: tuple[int, int], first: Status, second: Status) -> AuditReport:
    findings = list(report.findings)
    findings[pair[0]] = replace(findings[pair[0]], status=first)
    findings[pair[1]] = replace(findings[pair[1]], status=second)
    return replace(report, findings=tuple(findings))


def test_the_key_names_the_workload_and_keeps_the_old_form_without_one() -> None:
    assert finding_key("NSG001", "/A/b") == "NSG001|/a/b"
    assert finding_key("NSG001", "/A/b", "Sub/RG/hub") == "NSG001|/a/b|sub/rg/hub"
    assert finding_key("NSG001", "/a/b", "x") != finding_key("NSG001", "/a/b", "y")


def test_a_shared_resource_is_compared_with_itself_in_each_workload(store_url: str) -> None:
    """Workload A fixes a shared subnet's failure while B breaks it: A resolved, B new (keyed by
    (rule, resource) alone this read as one failure persisting)."""
    base = shared_network_report()
    pair = shared_pair(base)
    one, two = base.findings[pair[0]], base.findings[pair[1]]
    before = with_statuses(base, pair, Status.FAIL, Status.PASS)
    after = with_statuses(base, pair, Status.PASS, Status.FAIL)
    assert len(record._prepare(base)) == len({f.key for f in base.findings})
    with store.opened(store_url) as engine:
        record.record_run(engine, before)
        done = record.record_run(engine, after)
        with engine.connect() as conn:
            runs = query.list_runs(conn)
            doc = diff.diff(query.run_side(conn, runs[0]), query.run_side(conn, runs[1]), consecutive=True)
            rows = conn.execute(sa.select(finding_keys.c.key, finding_keys.c.workload)).all()
    assert [(c.state.value, c.rule_id) for c in done.changes] == [("new", two.rule_id)]
    resolved = [(e["rule_id"], e["workload"]) for e in doc["findings"]["resolved"]]
    new = [(e["rule_id"], e["workload"]) for e in doc["findings"]["new"]]
    assert resolved == [(one.rule_id, one.workload_id.lower())]
    assert new == [(two.rule_id, two.workload_id.lower())]
    persisting = {(e["rule_id"], e["resource_id"].lower()) for e in doc["findings"]["persisting"]}
    assert (one.rule_id, one.resource_id.lower()) not in persisting
    keys = {k for k, _ in rows}
    assert finding_key(one.rule_id, one.resource_id, one.workload_id) in keys
    assert finding_key(two.rule_id, two.resource_id, two.workload_id) in keys
    assert all(w for _, w in rows)


def test_saved_reports_diff_by_workload_too() -> None:
    from auditor.reports.json_report import report_dict

    base = shared_network_report()
    pair = shared_pair(base)
    old = query.report_side(report_dict(with_statuses(base, pair, Status.FAIL, Status.PASS)), "old")
    new = query.report_side(report_dict(with_statuses(base, pair, Status.PASS, Status.FAIL)), "new")
    doc = diff.diff(old, new)
    assert len(doc["findings"]["resolved"]) == len(doc["findings"]["new"]) == 1
    assert doc["findings"]["resolved"][0]["workload"] != doc["findings"]["new"][0]["workload"]
    assert set(doc["scores"]["workloads"]) == {w.id for w in base.workloads}
    assert "[" in diff.render_console(doc)


def test_keys_written_before_workloads_are_taken_over(store_url: str) -> None:
    """A run recorded before findings had a workload, then the same estate with one: nothing is new
    or gone, and the old keys now name the workload."""
    report = run_workloads(Snapshot.from_data(sample("drifted")), None, "test")
    assert {f.workload_id for f in report.findings} == {f"{SUB}/rg-chat-aml/mlw-chat"}
    legacy = replace(report, findings=tuple(replace(f, workload_id="") for f in report.findings))
    with store.opened(store_url) as engine:
        first = record.record_run(engine, legacy)
        again = record.record_run(engine, report)
        with engine.connect() as conn:
            rows = conn.execute(sa.select(finding_keys.c.key, finding_keys.c.workload)).all()
    assert first.states["new"] > 0
    assert not again.states.get("new") and not again.states.get("disappeared")
    assert again.states["persisting"] == first.states["new"]
    assert len(rows) == len(record._prepare(report))
    assert {w for _, w in rows} == {f"{SUB}/rg-chat-aml/mlw-chat".lower()}


def test_a_database_at_migration_0002_keeps_its_keys(store_url: str) -> None:
    url = store.resolve_url(store_url)
    engine = store._engine(url)
    report = run_workloads(Snapshot.from_data(sample("drifted")), None, "test")
    failing = next(f for f in report.findings if f.status is Status.FAIL)
    try:
        store.upgrade(engine, to="0002")
        with engine.connect() as conn:
            assert "workload" not in {c["name"] for c in sa.inspect(conn).get_columns("finding_keys")}
        when = datetime(2026, 1, 1, 2, 0)
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO series (id, label, baseline) VALUES (1, 'default', :b)"),
                         {"b": report.baseline.name})  # fmt: skip
            conn.execute(
                sa.text(
                    "INSERT INTO finding_keys (id, series_id, key, rule_id, resource_id, unit, "
                    "resource_group, first_seen, last_seen, last_status, last_judged, last_state, "
                    "ever_failed, open_since) "
                    "VALUES (1, 1, :k, :r, :res, :u, 'rg-chat-aml', :t, :t, 'fail', 'fail', 'new', :yes, :t)"
                ),
                {
                    "k": finding_key(failing.rule_id, failing.resource_id),
                    "r": failing.rule_id,
                    "res": failing.resource_id,
                    "u": SUB,
                    "t": when,
                    "yes": True,
                },
            )
        store.upgrade(engine)
        with engine.connect() as conn:
            assert store.current_revision(conn) == store.head() == "0003"
            old = conn.execute(sa.select(finding_keys.c.key, finding_keys.c.workload)).one()
        assert old == (finding_key(failing.rule_id, failing.resource_id), "")
        done = record.record_run(engine, report)
        # The old key goes on under the workload: its failure persists (since 2026-01-01), not new.
        assert failing.rule_id not in {
            c.rule_id for c in done.changes if c.resource_id == failing.resource_id
        }
        with engine.connect() as conn:
            row = conn.execute(
                sa.select(finding_keys.c.key, finding_keys.c.workload, finding_keys.c.open_since).where(
                    finding_keys.c.id == 1
                )
            ).one()
        assert row.key == finding_key(failing.rule_id, failing.resource_id, failing.workload_id)
        assert row.workload == failing.workload_id.lower() and row.open_since == when
    finally:
        engine.dispose()


def test_a_report_of_before_workloads_diffs_with_one_of_after() -> None:
    """A saved report whose findings name no workload (schema 1.2 and before) against the same audit
    with workloads: every finding persists or stays passing, none is new or disappeared."""
    from auditor.reports.json_report import report_dict

    drifted = snapshot_doc([copy_of("aml-drifted", "rg-a", salt="a")], [SUB])
    doc = report_dict(run_workloads(Snapshot.from_data(drifted), None, "test"))
    assert all(f["workload_id"] for f in doc["findings"])
    legacy = json.loads(json.dumps(doc))
    for f in legacy["findings"]:
        f.pop("workload_id", None)
    for old, new in ((legacy, doc), (doc, legacy)):
        result = diff.diff(query.report_side(old, "old"), query.report_side(new, "new"))
        assert result["summary"]["new"] == 0 and result["summary"]["disappeared"] == 0, result["summary"]
        assert result["summary"]["persisting"] > 0
    # Without the identity, a changed finding is still found: a failure fixed is resolved.
    i = next(i for i, f in enumerate(doc["findings"]) if f["status"] == "fail")
    fixed = json.loads(json.dumps(doc))
    fixed["findings"][i]["status"] = "pass"
    result = diff.diff(query.report_side(legacy, "old"), query.report_side(fixed, "new"))
    assert result["summary"]["resolved"] == 1 and result["summary"]["new"] == 0


def test_a_key_with_a_long_workload_identity_is_stored(store_url: str) -> None:
    """rule + resource + workload fit the key column on PostgreSQL too (which checks lengths)."""
    base = shared_network_report()
    long_id = "w" * 1000
    findings = tuple(
        replace(f, workload_id=long_id, resource_id=f"{f.resource_id}/{'r' * 600}") for f in base.findings[:3]
    )
    report = replace(base, findings=findings)
    with store.opened(store_url) as engine:
        record.record_run(engine, report)
        with engine.connect() as conn:
            keys = [k for (k,) in conn.execute(sa.select(finding_keys.c.key)).all()]
    assert keys and all(long_id in k for k in keys) and max(map(len, keys)) > 1700
