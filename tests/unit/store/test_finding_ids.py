"""``finding_ids``: a finding is found by its id and each alias (any case), the index follows
its aliases when a re-scan changes them, and goes with the finding."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete

from soupwatch.model import (
    Component,
    ComponentRef,
    Finding,
    MatchEvidence,
    Product,
    Release,
    Vulnerability,
    VulnId,
)
from soupwatch.store import inventory
from soupwatch.store.db import Store
from soupwatch.store.finding_repo import findings_of_vulnerability
from soupwatch.store.finding_tables import FindingRow, save_findings

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def _finding(aliases: tuple[str, ...]) -> Finding:
    vuln = Vulnerability(id=VulnId("CVE-2014-0160"), aliases=aliases)
    ev = MatchEvidence("cpe", "nvd", "openssl 1.0.1f", "test", 0.9)
    return Finding(ComponentRef("openssl"), "openssl", "1.0.1f", vuln, ev)


def _found(store: Store, vuln_id: str) -> list[tuple[str, str]]:
    with store.session() as s:
        return [
            (r.release, r.stored.finding.component_ref)
            for r in findings_of_vulnerability(s, vuln_id)
        ]


def test_found_by_id_and_alias_following_rescans(store: Store) -> None:
    comps = (Component(ComponentRef("openssl"), "openssl", "1.0.1f"),)
    with store.session() as s:
        inventory.save_release(s, Product("pump"), Release("pump", "1.0", comps))
        save_findings(s, "pump", "1.0", [_finding(("GHSA-aaaa-bbbb-cccc",))], T0)
    assert _found(store, "cve-2014-0160") == [("1.0", "openssl")]
    assert _found(store, "ghsa-AAAA-bbbb-cccc") == [("1.0", "openssl")]
    assert _found(store, "CVE-2014-01") == []  # a prefix is not an id
    with store.session() as s:  # a later scan: the record's aliases changed
        save_findings(s, "pump", "1.0", [_finding(("OSV-2014-1",))], T0)
    assert _found(store, "GHSA-aaaa-bbbb-cccc") == []
    assert _found(store, "osv-2014-1") == [("1.0", "openssl")]
    with store.session() as s:
        s.execute(delete(FindingRow))
    assert _found(store, "CVE-2014-0160") == []
