"""The read log: a rule's reads are recorded in the log its context carries, nowhere else."""

from __future__ import annotations

from auditor.analysis.architecture import OPENAI, infer_roles
from auditor.arm.estate import Estate
from auditor.arm.reads import ReadLog
from auditor.arm.snapshot import Snapshot
from tests import estates

VAULTS = "Microsoft.KeyVault/vaults"


def estate() -> Estate:
    return Estate(
        Snapshot.from_data(estates.snapshot_document(estates.compliant("aml"), "aml", drifted=False))
    )


def test_a_view_records_into_its_log_and_the_estate_records_nothing() -> None:
    base = estate()
    log, other = ReadLog(), ReadLog()
    view = base.reading(log)
    assert view.of_type(VAULTS) == base.of_type(VAULTS) and view.of_type(VAULTS)
    base.of_type("Microsoft.Storage/storageAccounts")
    base.reading(other).subnets  # noqa: B018  (a read through another view)
    assert log.reads == {"microsoft.keyvault/vaults"}
    assert other.reads == {"microsoft.network/virtualnetworks"}
    assert base.log is None and view.log is log


def test_asking_about_a_gap_marks_it_handled() -> None:
    log = ReadLog()
    view = estate().reading(log)
    view.of_type(VAULTS)
    view.diagnostic_settings("/subscriptions/x")
    assert log.unhandled() == {"microsoft.keyvault/vaults", "microsoft.insights/diagnosticsettings"}
    assert view.gap(VAULTS) is None
    assert log.unhandled() == {"microsoft.insights/diagnosticsettings"}


def test_roles_record_the_types_they_were_inferred_from_in_the_same_log() -> None:
    base = estate()
    roles = infer_roles(base)
    log = ReadLog()
    accounts = roles.reading(base.reading(log)).resources(OPENAI)
    assert accounts and log.reads == {"microsoft.cognitiveservices/accounts"}
    assert roles.resources(OPENAI) == accounts  # the roles themselves stay unbound
    assert log.reads == {"microsoft.cognitiveservices/accounts"}
