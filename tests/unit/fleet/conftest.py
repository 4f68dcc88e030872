"""A seeded fleet history: one product, three releases, four vulnerabilities, four units.

Every date is written here, so the metrics test can compute its expected figures by hand:

    releases of Pump (stored):  1.0 on 2026-01-01   1.1 on 2026-02-15   2.0 on 2026-04-10
    CVE-2014-0160  openssl  open in 1.0 (seen 01-10, fix published 01-05)   gone in 1.1, 2.0
    CVE-2018-25032 zlib     open in 1.0, 1.1 (seen 01-20, fix date unknown)  gone in 2.0
    CVE-2022-37434 zlib     open in 2.0 (seen 04-10, fix published 04-01)
    CVE-2016-2108  openssl  in 1.0, closed by a VEX decision (not affected)
    units:  U1 North/St Mary  1.0 (installed 01-03) → 1.1 on 02-25 → 2.0 on 04-25
            U2 North/St Mary  1.0 (installed 2025-12-01) → 1.1 on an unknown day
            U3 South/General  1.0 (installed 01-02), never updated
            U4 South/General  2.0 (installed 04-15)
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from soupwatch.config import input_limits
from soupwatch.fleet import import_units, run_campaign
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
from soupwatch.model.vex import VexJustification, VexScope, VexState, VexStatement
from soupwatch.pipeline import record_decision
from soupwatch.store.db import Store
from soupwatch.store.finding_tables import save_findings
from soupwatch.store.inventory import save_release


def day(month: int, d: int, year: int = 2026) -> datetime:
    """Midnight UTC."""
    return datetime(year, month, d, tzinfo=UTC)


NOW = day(6, 1)
V1, V2, V3, V4 = "CVE-2014-0160", "CVE-2018-25032", "CVE-2022-37434", "CVE-2016-2108"


def finding(ref: str, name: str, version: str, vuln: str, fixed: str) -> Finding:
    """A finding as the matcher would store it."""
    return Finding(
        ComponentRef(ref),
        name,
        version,
        Vulnerability(id=VulnId(vuln)),
        MatchEvidence("cpe", "nvd", f"{name} {version}", "test", 0.9),
        (fixed,),
    )


def components(openssl: str, zlib: str) -> tuple[Component, ...]:
    """The two components of a release."""
    return (
        Component(ComponentRef("openssl"), "openssl", openssl),
        Component(ComponentRef("zlib"), "zlib", zlib),
    )


UNITS_CSV = """serial,product,release,site,customer,location,network_zone,installed_on,status
U1,Pump,1.0,North,St Mary,ICU bed 4,clinical,2026-01-03,in_service
U2,Pump,1.0,North,St Mary,,clinical,2025-12-01,in_service
U3,Pump,1.0,South,General,Ward 2,,2026-01-02,in_service
U4,Pump,2.0,South,General,,,2026-04-15,in_storage
"""


def seed(store: Store) -> Store:
    """Store the history described in the module docstring."""
    o1f = finding("openssl", "openssl", "1.0.1f", V1, "1.0.1g")
    with store.session() as s:
        save_release(
            s, Product("Pump"), Release("Pump", "1.0", components("1.0.1f", "1.2.11"), day(1, 1))
        )
        save_release(
            s, Product("Pump"), Release("Pump", "1.1", components("1.0.1g", "1.2.11"), day(2, 15))
        )
        save_release(
            s, Product("Pump"), Release("Pump", "2.0", components("1.0.1g", "1.2.13"), day(4, 10))
        )
    z11 = finding("zlib", "zlib", "1.2.11", V2, "1.2.12")
    z13 = finding("zlib", "zlib", "1.2.13", V3, "1.3")
    o_na = finding("openssl", "openssl", "1.0.1f", V4, "1.0.2h")
    with store.session() as s:
        save_findings(s, "Pump", "1.0", [o1f, o_na], day(1, 10), {(V1, "1.0.1g"): day(1, 5)})
        save_findings(s, "Pump", "1.0", [o1f, o_na, z11], day(1, 20))
        save_findings(s, "Pump", "1.1", [z11], day(2, 15))
        save_findings(s, "Pump", "2.0", [z13], day(4, 10), {(V3, "1.3"): day(4, 1)})
    record_decision(
        store,
        VexStatement(
            V4,
            VexState.NOT_AFFECTED,
            VexScope.PRODUCT,
            product="Pump",
            justification=VexJustification.CODE_NOT_REACHABLE,
        ),
        actor="tester",
        reason="the vulnerable function is never called",
        now=day(1, 21),
    )
    import_units(
        store, UNITS_CSV.encode(), "units.csv", input_limits({}), actor="tester", now=day(1, 21)
    )
    run_campaign(
        store, "spring", "Pump", "1.1", ["U1"], date(2026, 2, 25), actor="tester", now=day(2, 25)
    )
    run_campaign(store, "late", "Pump", "1.1", ["U2"], None, actor="tester", now=day(3, 1))
    run_campaign(
        store, "summer", "Pump", "2.0", ["U1"], date(2026, 4, 25), actor="tester", now=day(4, 25)
    )
    return store


@pytest.fixture
def fleet(store: Store) -> Store:
    """The store with the seeded fleet history."""
    return seed(store)
