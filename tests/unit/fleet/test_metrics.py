"""Patch status and postmarket metrics of the seeded fleet (conftest.py), checked against
figures computed by hand from the dates written there. SQLite and PostgreSQL."""

from __future__ import annotations

from soupwatch.fleet import EVERYTHING, fleet_metrics, unit_patch_status
from soupwatch.fleet.metrics import ALL_SITES, MetricsRow
from soupwatch.fleet.output import metrics_csv, metrics_html, metrics_json
from soupwatch.model.fleet import PatchStatus
from soupwatch.store.db import Store

from .conftest import NOW, V1, V2, V3, V4


def test_patch_status_and_metrics(fleet: Store) -> None:
    """One seeded store (its setup costs more than the checks): status, figures, exports."""
    _patch_status_per_unit(fleet)
    _metrics_against_hand_computed_values(fleet)
    _metrics_filters_and_exports(fleet)


def _patch_status_per_unit(fleet: Store) -> None:
    def status(serial: str) -> dict[str, tuple[PatchStatus, str | None]]:
        return {
            p.vuln_id: (p.status, p.fixed_by)
            for p in unit_patch_status(fleet, serial, EVERYTHING, now=NOW)
        }

    # U3 stayed on 1.0: V1 fixed by 1.1, V2 fixed by 2.0, V4 closed by VEX; V3 came with 2.0.
    assert status("U3") == {
        V1: (PatchStatus.FIX_NOT_INSTALLED, "1.1"),
        V2: (PatchStatus.FIX_NOT_INSTALLED, "2.0"),
        V4: (PatchStatus.NOT_AFFECTED, None),
    }
    # U2 on 1.1: V1 gone (patched), V2 still open there, fixed by 2.0.
    assert status("U2") == {
        V1: (PatchStatus.PATCHED, "1.1"),
        V2: (PatchStatus.FIX_NOT_INSTALLED, "2.0"),
    }
    # U1 on 2.0: both older ones patched, V3 open with no later release.
    assert status("U1") == {
        V1: (PatchStatus.PATCHED, "1.1"),
        V2: (PatchStatus.PATCHED, "2.0"),
        V3: (PatchStatus.VULNERABLE, None),
    }


def _rows(fleet: Store) -> dict[tuple[str, str], MetricsRow]:
    return {(r.site, r.quarter): r for r in fleet_metrics(fleet, EVERYTHING, now=NOW)}


def _metrics_against_hand_computed_values(fleet: Store) -> None:
    rows = _rows(fleet)
    assert set(rows) == {
        (ALL_SITES, "2026-Q1"),
        ("North", "2026-Q1"),
        ("South", "2026-Q1"),
        (ALL_SITES, "2026-Q2"),
        ("North", "2026-Q2"),
        ("South", "2026-Q2"),
    }  # V4 (closed by VEX wherever found) was never open: in no row
    q1 = rows[(ALL_SITES, "2026-Q1")]
    assert q1.vulnerabilities == {V1, V2}  # identified 01-10 and 01-20
    # Share patched, pairs (unit, vulnerability):
    #   V1: U1 patched (2.0), U2 patched (1.1), U4 patched (2.0), U3 fix not installed (1.0)
    #   V2: U1 patched (2.0), U4 patched (2.0), U2 and U3 fix not installed (1.1, 1.0)
    #   patched 5 of 8 = 0.625
    assert (q1.patched.patched, q1.patched.fix_not_installed, q1.patched.vulnerable) == (5, 3, 0)
    assert q1.patched.share == 5 / 8
    # Identification → fix available: V1 fix published 01-05, identified 01-10: -5 days.
    # V2: no fix date known → unknown, listed.
    assert q1.identification_to_fix.values == [-5.0]
    assert q1.identification_to_fix.unknown == [V2]
    # Fix available → release: V1 fixed by 1.1 stored 02-15: 02-15 − 01-05 = 26 + 15 = 41 days.
    # V2 is fixed by 2.0, but its fix date is unknown → unknown, listed (never guessed).
    assert q1.fix_to_release.values == [41.0]
    assert q1.fix_to_release.unknown == [V2] and q1.fix_to_release.pending == []
    # Release → deployment, per unit moved off a release with the finding open:
    #   U1 V1: 1.0 → 1.1 on 02-25, 1.1 stored 02-15: 10 days
    #   U1 V2: 1.1 → 2.0 on 04-25, 2.0 stored 04-10: 15 days   (median 12.5, mean 12.5)
    #   U2 V1: 1.0 → 1.1 on an unknown day → unknown, listed
    #   U4 was installed on 2.0: no update to time. Pending: U3 V1, U2 V2, U3 V2.
    d = q1.release_to_deployment
    assert sorted(d.values) == [10.0, 15.0] and d.median == 12.5 and d.mean == 12.5
    assert d.unknown == [f"U2 {V1}"]
    assert sorted(d.pending) == sorted([f"U3 {V1}", f"U2 {V2}", f"U3 {V2}"])

    north = rows[("North", "2026-Q1")]  # U1, U2: V1 2 patched; V2 U1 patched, U2 not installed
    assert (north.patched.patched, north.patched.fix_not_installed) == (3, 1)
    assert sorted(north.release_to_deployment.values) == [10.0, 15.0]
    south = rows[("South", "2026-Q1")]  # U3 (1.0) not installed ×2, U4 (2.0) patched ×2
    assert (south.patched.patched, south.patched.fix_not_installed) == (2, 2)
    assert south.release_to_deployment.values == []
    assert sorted(south.release_to_deployment.pending) == [f"U3 {V1}", f"U3 {V2}"]

    q2 = rows[(ALL_SITES, "2026-Q2")]  # V3, identified 04-10, fix published 04-01: -9 days
    assert q2.vulnerabilities == {V3}
    assert (q2.patched.patched, q2.patched.vulnerable) == (0, 2)  # U1 and U4 run 2.0
    assert q2.patched.share == 0.0
    assert q2.identification_to_fix.values == [-9.0]
    assert q2.fix_to_release.pending == [V3]  # no release fixes it yet


def _metrics_filters_and_exports(fleet: Store) -> None:
    only = fleet_metrics(fleet, EVERYTHING, site="North", quarter="2026-Q1", now=NOW)
    assert [(r.site, r.quarter) for r in only] == [("North", "2026-Q1")]
    data = metrics_json(only, NOW)["rows"][0]
    assert data["patched"]["share"] == 0.75 and "method" in data["patched"]
    assert data["release_to_deployment"]["unknown_items"] == [f"U2 {V1}"]
    csv = metrics_csv(only)
    assert csv.splitlines()[0].startswith("Product,Site,Quarter,Figure")
    assert len(csv.splitlines()) == 1 + 4  # one line per figure
    html = metrics_html(only, NOW)
    assert "How each figure is computed" in html and "North" in html
