"""The audit trail and the data snapshot, as the edges show them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from soupwatch.model.assessment import DataSnapshot
from soupwatch.store.db import Store
from soupwatch.vex import audit


@dataclass(frozen=True, slots=True)
class AuditExport:
    """The whole chain, and whether it verifies."""

    entries: list[dict[str, Any]]
    result: audit.VerifyResult


def verify_audit(store: Store) -> audit.VerifyResult:
    """Re-compute the hash chain (the first broken entry, if any)."""
    with store.session() as session:
        return audit.verify(session)


def export_audit(store: Store) -> AuditExport:
    """Every entry of the chain, for an auditor, with the verification result (one read)."""
    with store.session() as session:
        return AuditExport(audit.export(session), audit.verify(session))


def feed_snapshot(store: Store) -> list[DataSnapshot]:
    """Per feed: record count, newest record, last sync."""
    with store.session() as session:
        return store.intel(session).snapshot()
