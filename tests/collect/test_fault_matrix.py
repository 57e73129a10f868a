"""Issue 13: every fault kind on every collector area ends as not assessed, never as a wrong pass.

The whole matrix (17 fault kinds x 7 areas) is `slow`; the fast loop runs each kind once, on
an area of its own. See tests/fakearm/faults.py for what a cell checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from auditor.model import AuditReport
from tests.fakearm import FakeArm, load_estate
from tests.fakearm import faults as matrix
from tests.fakearm.harness import baseline_of, collect, sample_path

SAMPLE = "openai-e2e-chat-aml-drifted"
SUB = "3f2c9a1e-5b7d-4e8a-9c61-2d4f8b0a7e15"
AREA_NAMES = list(matrix.AREAS)

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def estate() -> list[dict[str, Any]]:
    return load_estate(sample_path(SAMPLE))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, estate: list[dict[str, Any]]) -> Iterator[FakeArm]:
    with FakeArm(estate, workdir=tmp_path_factory.mktemp("fakearm")) as fake:
        yield fake


@pytest.fixture(scope="module")
def clean(server: FakeArm, estate: list[dict[str, Any]]) -> AuditReport:
    server.load(estate)
    server.reset()
    snapshot = collect(server, [SUB], **matrix.SETTINGS)
    assert snapshot.errors == []
    return matrix.audit(snapshot, baseline_of(SAMPLE))


def _cells(every_area: bool) -> list[Any]:
    cells = []
    for i, kind in enumerate(matrix.KINDS):
        areas = AREA_NAMES if kind.per_area else ["all"]
        chosen = areas if every_area else [areas[i % len(areas)]]
        cells.extend(pytest.param(kind, area, id=f"{kind.name}-{area}") for area in chosen)
    return cells


def _check(server: FakeArm, estate: list[dict[str, Any]], clean: AuditReport, kind: Any, area: str) -> None:
    cell = matrix.run_cell(server, estate, SUB, baseline_of(SAMPLE), clean, kind, area)
    assert cell.crash is None, cell.crash
    assert cell.wrong == [], cell.wrong
    assert not cell.hang, f"{cell.seconds:.1f} s, past the {matrix.DEADLINE:.0f} s deadline"
    assert cell.problems == [], cell.problems


@pytest.mark.parametrize(("kind", "area"), _cells(every_area=False))
def test_each_fault_kind(
    server: FakeArm, estate: list[dict[str, Any]], clean: AuditReport, kind: Any, area: str
) -> None:
    _check(server, estate, clean, kind, area)


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "area"), _cells(every_area=True))
def test_every_fault_kind_on_every_area(
    server: FakeArm, estate: list[dict[str, Any]], clean: AuditReport, kind: Any, area: str
) -> None:
    _check(server, estate, clean, kind, area)


def test_a_fault_that_hits_leaves_its_mark(
    server: FakeArm, estate: list[dict[str, Any]], clean: AuditReport
) -> None:
    """The matrix's checks can fail: a 403 on the network area is a recorded, visible gap."""
    kind = next(k for k in matrix.KINDS if k.name == "403")
    cell = matrix.run_cell(server, estate, SUB, baseline_of(SAMPLE), clean, kind, "network")
    assert cell.hits and cell.errors and cell.coverage_drop > 0
    vanished = matrix.wrong_verdicts(
        matrix.verdicts(clean), matrix.audit(collect(server, [SUB]), baseline_of(SAMPLE))
    )
    assert vanished == []


def test_wrong_verdicts_are_found() -> None:
    """A failure that turns into a pass, or vanishes, is reported."""
    from types import SimpleNamespace

    from auditor.model import Status

    clean = {("R1", "/a"): Status.FAIL, ("R2", "/b"): Status.FAIL, ("R3", "/c"): Status.FAIL}
    findings = [
        SimpleNamespace(rule_id="R1", resource_id="/a", status=Status.PASS),
        SimpleNamespace(rule_id="R3", resource_id="/c", status=Status.NOT_ASSESSED),
    ]
    report: Any = SimpleNamespace(findings=findings)
    assert matrix.wrong_verdicts(clean, report) == ["R1 /a: fail -> pass", "R2 /b: fail -> vanished"]
