"""`Cutter.cut` gives each workload exactly what `select` gives, from an index built once."""

from __future__ import annotations

from auditor.analysis.workloads import discover
from auditor.arm.estate import Estate
from auditor.arm.scope import Cutter, select
from auditor.arm.snapshot import CollectionError, Snapshot
from benchmarks.estates_at_scale import estate_document


def test_cut_matches_select_for_every_workload() -> None:
    snapshot = Snapshot.from_data(estate_document(0, per_subscription=3, copies=8))
    # Failed reads above resource groups and in a group no workload holds, besides the samples' own.
    sub = snapshot.metadata["subscriptions"][0]
    snapshot.errors.append(
        CollectionError(f"/subscriptions/{sub}", "Microsoft.Network/virtualNetworks", 403, "Forbidden", "no")
    )
    snapshot.errors.append(
        CollectionError(f"/subscriptions/{sub}/resourceGroups/rg-other", "Microsoft.Web/sites", 500, "", "x")
    )
    # The same resource listed twice stays twice, as `select` keeps it.
    snapshot.resources.append(snapshot.resources[3])
    workloads = discover(Estate(snapshot)).workloads
    assert len(workloads) == 8
    cutter = Cutter(snapshot)
    for w in workloads:
        expected, got = select(snapshot, w.members, w.name), cutter.cut(w.members, w.name)
        assert [id(r) for r in got.resources] == [id(r) for r in expected.resources]
        assert [id(e) for e in got.errors] == [id(e) for e in expected.errors]
        assert got.metadata == expected.metadata
        assert got.collected_types == expected.collected_types
    assert any(len(cutter.cut(w.members, w.name).errors) > 1 for w in workloads)
