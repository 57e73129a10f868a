"""The history database: concurrent writers, migrations in place, errors as one line, retention, states."""

from __future__ import annotations

import json
import multiprocessing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from auditor.arm.snapshot import Snapshot
from auditor.engine.baseline import load_baseline
from auditor.engine.run import run_audit
from auditor.errors import HistoryTooNewError, HistoryUnavailableError, InputError
from auditor.history import prune, query, record, store
from auditor.history.tables import observations, runs
from auditor.model import AuditReport
from tests.estates import SUB
from tests.history.scenario import BASELINE, sample
from tests.report_samples import run_cli

WRITERS = 8


def report_of(estate: dict[str, object]) -> AuditReport:
    return run_audit(Snapshot.from_data(estate), load_baseline(BASELINE), "test")


def subscription(i: int) -> str:
    return f"00000000-0000-4000-8000-{i:012d}"


def _writer(url: str, i: int) -> tuple[int, int]:
    report = report_of(sample("drifted" if i % 2 else "compliant", subscription(i)))
    with store.opened(url) as engine:
        done = record.record_run(engine, report, label="shards")
    return done.run_id, len(record._prepare(report))


def test_eight_concurrent_writers_each_arrive_exactly_once(store_url: str) -> None:
    # Processes, not threads: each opens its own engine on a database none of them created yet.
    with multiprocessing.get_context("spawn").Pool(WRITERS) as pool:
        done = pool.starmap(_writer, [(store_url, i) for i in range(WRITERS)])
    with store.opened(store_url) as engine, engine.connect() as conn:
        listed = query.list_runs(conn)
        assert sorted(r.id for r in listed) == sorted(run_id for run_id, _ in done)
        assert len({r.uid for r in listed}) == WRITERS
        assert sorted(s for r in listed for s in r.subscriptions) == sorted(
            subscription(i) for i in range(WRITERS)
        )
        per_run = dict(
            conn.execute(
                sa.select(observations.c.run_id, sa.func.count()).group_by(observations.c.run_id)
            ).all()
        )
        assert per_run == dict(done)
        # Every observation of a run is a distinct key, and no key is in two runs' subscriptions.
        pairs = conn.execute(sa.select(observations.c.run_id, observations.c.key_id)).all()
        assert len(pairs) == len(set(pairs)) == sum(n for _, n in done)
        assert len({key for _, key in pairs}) == len(pairs)


def test_a_database_at_the_first_migration_is_upgraded_in_place(store_url: str) -> None:
    url = store.resolve_url(store_url)
    engine = store._engine(url)
    try:
        store.upgrade(engine, to="0001")
        with engine.connect() as conn:
            assert store.current_revision(conn) == "0001"
            assert "workload" not in {c["name"] for c in sa.inspect(conn).get_columns("runs")}
        # Runs written by a tool that knew only the first schema.
        when = datetime(2026, 1, 1, 2, 0)
        with engine.begin() as conn:
            conn.execute(
                sa.text("INSERT INTO series (id, label, baseline) VALUES (1, 'old', :b)"), {"b": BASELINE}
            )
            for i in (1, 2):
                conn.execute(
                    sa.text(
                        "INSERT INTO runs (id, uid, series_id, baseline_version, tool_version, started_at, "
                        "finished_at, score, coverage, passed, failed, not_assessed, waived, errors, "
                        "recommended_failed, families, scope, finding_count) "
                        "VALUES (:i, :u, 1, '1.0', '0.1.0', :t, :t, :s, 1.0, 1, :f, "
                        "0, 0, 0, 0, '{}', :scope, 1)"
                    ),
                    {
                        "i": i,
                        "u": f"uid-{i}",
                        "t": when + timedelta(days=i),
                        "s": 100.0 - i,
                        "f": i - 1,
                        "scope": json.dumps({"subscriptions": [SUB]}),
                    },
                )
        store.upgrade(engine)
        with engine.connect() as conn:
            assert store.current_revision(conn) == store.head()
            listed = query.list_runs(conn)
        assert [(r.uid, r.score, r.workload) for r in listed] == [
            ("uid-1", 99.0, None),
            ("uid-2", 98.0, None),
        ]
        # And the upgraded database takes new runs.
        record.record_run(engine, report_of(sample("compliant")), label="old")
        with engine.connect() as conn:
            assert len(query.list_runs(conn)) == 3
    finally:
        engine.dispose()


def test_a_database_of_a_newer_tool_is_refused(store_url: str) -> None:
    with store.opened(store_url) as engine, engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(HistoryTooNewError, match="newer than this auditor"), store.opened(store_url):
        pass


def test_states_across_four_runs(store_url: str) -> None:
    """Fail, pass, fail again is a regression; a failure that cannot be judged is not resolved."""
    reports = [report_of(sample(n)) for n in ("drifted", "compliant", "drifted")]
    with store.opened(store_url) as engine:
        first, fixed, again = (record.record_run(engine, r) for r in reports)
        failing = {k for k, f in record._prepare(reports[0]).items() if f.status.value == "fail"}
        kept = failing & set(record._prepare(reports[1]))
        assert first.states["new"] == len(failing) and not first.states.get("regressed")
        # Fixed where the resource is still there; gone where the compliant estate has no such resource.
        assert fixed.states["resolved"] == len(kept) and fixed.states["disappeared"] >= len(failing - kept)
        assert again.states["regressed"] == len(kept) and not again.states.get("new")
        # A failure that came back with its resource was failing when last judged: it persists.
        assert again.states["persisting"] == len(failing - kept)
        assert {c.state.value for c in again.changes} == {"regressed"}
        # Not assessed (a read that failed): never resolved, and the next failure persists.
        blind = sample("drifted")
        blind["errors"] = [
            {
                "scope": f"/subscriptions/{SUB}",
                "resource_type": t,
                "status": 403,
                "code": "AuthorizationFailed",
                "message": "denied",
            }
            for t in blind["collected_types"]
        ]
        blinded = record.record_run(engine, report_of(blind))
        assert not blinded.states.get("resolved")


def test_prune_keeps_the_latest_run_of_each_series_and_subscription(store_url: str) -> None:
    with store.opened(store_url) as engine:
        for estate in (sample("compliant"), sample("drifted"), sample("compliant", subscription(7))):
            record.record_run(engine, report_of(estate))
        with engine.begin() as conn:
            for run_id, started in conn.execute(sa.select(runs.c.id, runs.c.started_at)).all():
                moved = started - timedelta(days=30)
                conn.execute(sa.update(runs).where(runs.c.id == run_id).values(started_at=moved))
        removed = prune.prune(engine, 7, datetime.now(UTC).replace(tzinfo=None))
        with engine.connect() as conn:
            left = query.list_runs(conn)
    assert removed == 1
    assert sorted(r.subscriptions[0] for r in left) == sorted([SUB, subscription(7)])


@pytest.mark.parametrize(
    ("url", "code", "message"),
    [
        ("mysql://db/x", 2, "unsupported database 'mysql'"),
        ("not a url", 2, "not a database URL"),
        ("sqlite://", 2, "give a SQLite file"),
        (
            "postgresql+psycopg://someone:hunter2@127.0.0.1:1/none",
            6,
            "history database postgresql+psycopg://someone:***@",
        ),
    ],
)
def test_bad_or_unreachable_databases_are_one_line(
    url: str,
    code: int,
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rc, _, err = run_cli(["history", "--history", url], capsys, monkeypatch, tmp_path)
    assert rc == code
    assert message in err and len(err.strip().splitlines()) == 1 and "hunter2" not in err


def test_a_newer_database_exits_7(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    with store.opened(url) as engine, engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'zzzz'"))
    rc, _, err = run_cli(["diff", "--history", url], capsys, monkeypatch, tmp_path)
    assert rc == 7 and "upgrade auditor" in err


def test_fail_on_new_needs_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rc, _, err = run_cli(
        ["audit", "--snapshot", "x.json", "--fail-on-new", "high"], capsys, monkeypatch, tmp_path
    )
    assert rc == 2 and "give --history URL" in err


def test_history_alone_is_a_sqlite_file_in_the_user_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    url = store.resolve_url("default")
    assert url.get_backend_name() == "sqlite"
    assert url.database == str(tmp_path / "data" / "auditor" / "history.db")
    assert store.resolve_url("postgresql://u@h/db").drivername == "postgresql+psycopg"


def test_unreachable_is_an_error_not_a_traceback() -> None:
    with pytest.raises(HistoryUnavailableError), store.opened("postgresql+psycopg://u@127.0.0.1:1/x"):
        pass
    with pytest.raises(InputError):
        store.resolve_url("oracle://x")
